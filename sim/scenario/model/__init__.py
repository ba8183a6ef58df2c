"""The scenario format: typed, frozen models of everything a scenario can say.

A scenario is data. It is parsed once, at the edge, into the frozen models below;
every later layer reads these models and never YAML. Unknown keys are rejected,
units live in key names (``_km``, ``_m2``, ``_per_year``, ``_months``) and every
number that comes from a source may carry it in a ``source`` field.

Checks that involve a single value (ranges, shares that sum to 1, ordered
dates) live here as field constraints and validators, so that pydantic reports
them at the exact key. Checks that relate one part of a scenario to another
(references to zones, projects and parks; dates inside the horizon) live in
:mod:`sim.scenario.checks`.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.model.common import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_AGE_YEARS,
    MAX_KM,
    MAX_MONTHS,
    MAX_RATE_PER_YEAR,
    MAX_RESIDENTS,
    MAX_UNITS,
    MEMORY_GIB,
    SCHOOL_SERVICES,
    SHARE_TOLERANCE,
    Count,
    Frozen,
    HousingType,
    Id,
    NonNegative,
    Positive,
    ReportEvery,
    Service,
    ServiceCategory,
    Share,
    Source,
    Whole,
    parse_band,
)
from sim.scenario.model.enterprises import (
    Enterprises,
    FirmProfile,
    Incubator,
    Park,
    WorkerHousing,
)
from sim.scenario.model.facilities import (
    Capacity,
    CapacityChange,
    Facility,
)
from sim.scenario.model.housing import (
    HousingDefaults,
    HousingProject,
    OnMarketShares,
    Phase,
)
from sim.scenario.model.observed import ALL_ZONES, RATES, Observation, Quantity
from sim.scenario.model.population import (
    NO_DELAY,
    AgeRange,
    AgeStructureProfile,
    CareNeeds,
    Delay,
    Demography,
    FamilyProfile,
    Gompertz,
    HomeLeaving,
    Horizon,
    HouseholdProfile,
    InitialPopulation,
    Mortality,
    OccupancyCurve,
    Zone,
)
from sim.scenario.model.schedules import DatedSchedule, Rate, rate_at, rate_values
from sim.scenario.model.services import (
    AllocationPolicy,
    CanteenPolicy,
    ContractRates,
    EldercareBedPolicy,
    FamilyDoctorPolicy,
    SchoolPolicy,
    SchoolYear,
    ServiceCentrePolicy,
    Services,
    StaticNorms,
    UptakePolicy,
    VocationalPolicy,
)
from sim.scenario.model.uncertain import (
    AnyDistribution,
    Apply,
    Choice,
    LogNormal,
    Triangular,
    TruncatedNormal,
    UncertainInput,
    Uniform,
)

# --------------------------------------------------------------------- variation switches


class Variation(Frozen):
    """Switches for sources of randomness, for checks against hand arithmetic.

    With ``slippage`` off, phases are delivered on their planned dates (plus
    ``housing_defaults.delay_months``). With ``occupancy`` off, exactly
    round(units x long-run share) units of a phase are occupied, at evenly spread
    quantiles of the occupancy curve. With ``construction_delay`` off, facilities
    open on their planned dates.
    """

    slippage: bool = True
    occupancy: bool = True
    construction_delay: bool = True


# --------------------------------------------------------------------- the scenario


class Scenario(Frozen):
    """One frozen, validated scenario."""

    name: Id
    description: str = ""
    extends: str | None = Field(default=None, description="Parent scenario file, relative to this one.")
    horizon: Horizon = Horizon()
    report_every: ReportEvery = ReportEvery.MONTH
    seed: Annotated[Whole, Field(ge=0, lt=2**63)] = 20190424
    zones: list[Zone] = Field(min_length=1)
    demography: Demography
    household_profiles: dict[HousingType, HouseholdProfile] = Field(default_factory=dict)
    housing_defaults: HousingDefaults = HousingDefaults()
    housing: list[HousingProject] = Field(default_factory=list)
    facilities: list[Facility] = Field(default_factory=list)
    services: Services = Services()
    enterprises: Enterprises = Enterprises()
    variation: Variation = Variation()
    uncertain_inputs: list[UncertainInput] = Field(
        default_factory=list,
        description="Inputs the planner is unsure of: drawn once per replication by run and compare.",
    )
    observed: list[Observation] = Field(
        default_factory=list, description="Published figures to set inputs (calibration) and check results (validation)."
    )

    def uncertain_input(self, input_id: str) -> UncertainInput:
        return next(u for u in self.uncertain_inputs if u.id == input_id)

    def zone(self, zone_id: str) -> Zone:
        return next(z for z in self.zones if z.id == zone_id)

    def project(self, project_id: str) -> HousingProject:
        return next(p for p in self.housing if p.id == project_id)

    def facility(self, facility_id: str) -> Facility:
        return next(f for f in self.facilities if f.id == facility_id)


__all__ = [
    "ALL_ZONES",
    "Observation",
    "Quantity",
    "RATES",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_AGE_YEARS",
    "MAX_KM",
    "MAX_MONTHS",
    "MAX_RATE_PER_YEAR",
    "MAX_RESIDENTS",
    "MAX_UNITS",
    "MEMORY_GIB",
    "AgeRange",
    "AnyDistribution",
    "Apply",
    "Choice",
    "LogNormal",
    "Triangular",
    "TruncatedNormal",
    "UncertainInput",
    "Uniform",
    "AgeStructureProfile",
    "AllocationPolicy",
    "CanteenPolicy",
    "Capacity",
    "CapacityChange",
    "CareNeeds",
    "ContractRates",
    "Count",
    "DatedSchedule",
    "Delay",
    "Demography",
    "EldercareBedPolicy",
    "Enterprises",
    "Facility",
    "FamilyDoctorPolicy",
    "FamilyProfile",
    "FirmProfile",
    "Frozen",
    "Gompertz",
    "HomeLeaving",
    "Horizon",
    "HouseholdProfile",
    "HousingDefaults",
    "HousingProject",
    "HousingType",
    "Id",
    "Incubator",
    "InitialPopulation",
    "Mortality",
    "NO_DELAY",
    "NonNegative",
    "OccupancyCurve",
    "OnMarketShares",
    "Park",
    "Phase",
    "Positive",
    "Rate",
    "ReportEvery",
    "SCHOOL_SERVICES",
    "SHARE_TOLERANCE",
    "Scenario",
    "SchoolPolicy",
    "SchoolYear",
    "Service",
    "ServiceCategory",
    "ServiceCentrePolicy",
    "Services",
    "Share",
    "Source",
    "StaticNorms",
    "UptakePolicy",
    "Variation",
    "VocationalPolicy",
    "Whole",
    "WorkerHousing",
    "Zone",
    "parse_band",
    "rate_at",
    "rate_values",
]
