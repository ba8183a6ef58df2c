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

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SHARE_TOLERANCE = 1e-3
"""Shares that must sum to 1 may be off by this much (planners round percentages)."""

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Count = Annotated[int, Field(ge=0)]
Source = Annotated[str | None, Field(default=None, description="Where a number comes from, or 'ASSUMPTION: …'.")]

_BAND = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Frozen(BaseModel):
    """Base of every scenario model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


# --------------------------------------------------------------------- vocabularies


class Service(StrEnum):
    """The fixed vocabulary of services used in every output (MODEL.md §4)."""

    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    MIDDLE = "middle"
    VOCATIONAL = "vocational"
    ELDERCARE_BED = "eldercare_bed"
    DAY_CARE = "day_care"
    SENIOR_CANTEEN = "senior_canteen"
    FAMILY_DOCTOR = "family_doctor"
    HEALTH_CENTRE = "health_centre"
    SERVICE_CENTRE = "service_centre"
    FACTORY_SPACE = "factory_space"
    HOUSING = "housing"


SCHOOL_SERVICES = frozenset({Service.KINDERGARTEN, Service.PRIMARY, Service.MIDDLE, Service.VOCATIONAL})


class HousingType(StrEnum):
    """Kinds of housing; each has its own household profile and occupancy curve."""

    COMMODITY = "commodity"
    RESETTLEMENT = "resettlement"
    TALENT_APARTMENT = "talent_apartment"
    STAFF_APARTMENT = "staff_apartment"
    STUDENT_APARTMENT = "student_apartment"


class ServiceCategory(StrEnum):
    """The six categories of a 15-minute community service circle (seed §1)."""

    GOVERNMENT = "government"  # 政务
    CONVENIENCE = "convenience"  # 便民
    HEALTH = "health"  # 健康
    CULTURE_SPORTS = "culture_sports"  # 文体
    SAFETY = "safety"  # 平安
    PUBLIC_WELFARE = "public_welfare"  # 公益


class ReportEvery(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# --------------------------------------------------------------------- helpers


def parse_band(label: str) -> tuple[int, int]:
    """Parse an age band label ``"a-b"`` (inclusive whole years) into ``(a, b)``."""
    m = _BAND.match(label)
    if m is None:
        raise ValueError(f"age band {label!r} must look like '25-29'")
    lo, hi = int(m.group(1)), int(m.group(2))
    if hi < lo:
        raise ValueError(f"age band {label!r} ends before it starts")
    return lo, hi


def _check_shares(shares: dict[str, float] | dict[int, float], what: str) -> None:
    total = float(sum(shares.values()))
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1, got {total:.4g}")
    if any(v < 0 for v in shares.values()):
        raise ValueError(f"{what} must not be negative")


def _check_contiguous_bands(bands: dict[str, float], what: str, start: int | None = None) -> None:
    parsed = sorted(parse_band(b) for b in bands)
    if start is not None and parsed and parsed[0][0] != start:
        raise ValueError(f"{what} must start at age {start}, got {parsed[0][0]}")
    for (_, hi), (lo, _) in zip(parsed, parsed[1:], strict=False):
        if lo != hi + 1:
            raise ValueError(f"{what} must be contiguous: a band ends at {hi} and the next starts at {lo}")


def _check_rate_bands(value: dict[str, float], what: str) -> dict[str, float]:
    for label, rate in value.items():
        parse_band(label)
        if rate < 0:
            raise ValueError(f"{what} rate for {label} must be >= 0, got {rate}")
    _check_contiguous_bands(value, what)
    return value


# --------------------------------------------------------------------- time, space


class Horizon(Frozen):
    start: dt.date = dt.date(2019, 1, 1)
    end: dt.date = dt.date(2040, 12, 31)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class InitialPopulation(Frozen):
    """Residents already living in a zone at the start of the horizon."""

    residents: Count
    age_shares: dict[str, Share] = Field(
        description="Share of residents per age band 'a-b' (whole years, inclusive), starting at 0.",
    )
    household_size: dict[int, Share] = Field(
        default_factory=lambda: {1: 0.15, 2: 0.30, 3: 0.30, 4: 0.15, 5: 0.10},
        description="Share of households by number of members.",
    )
    source: Source = None

    @field_validator("age_shares")
    @classmethod
    def _age_shares(cls, v: dict[str, float]) -> dict[str, float]:
        for label in v:
            parse_band(label)
        _check_shares(v, "age shares")
        _check_contiguous_bands(v, "age shares", start=0)
        return v

    @field_validator("household_size")
    @classmethod
    def _sizes(cls, v: dict[int, float]) -> dict[int, float]:
        if any(k < 1 or k > 12 for k in v):
            raise ValueError("household sizes must be between 1 and 12")
        _check_shares(v, "household size shares")
        return v


class Zone(Frozen):
    id: Id
    name: str = ""
    x_km: float = 0.0
    y_km: float = 0.0
    radius_km: Positive = Field(
        default=1.0,
        description="Residents are spread evenly over a disc of this radius around the centroid "
        "(ASSUMPTION), for walking-range coverage.",
    )
    initial_population: InitialPopulation | None = None
    source: Source = None


# --------------------------------------------------------------------- distributions


class Delay(Frozen):
    """A random delay in months (slippage, construction delay, move-in lag)."""

    distribution: Literal["none", "fixed", "gamma", "uniform"] = "none"
    mean: NonNegative = 0.0
    sd: NonNegative = 0.0
    low: NonNegative = 0.0
    high: NonNegative = 0.0
    source: Source = None

    @model_validator(mode="after")
    def _fields(self) -> Delay:
        if self.distribution == "gamma" and self.mean > 0 and self.sd == 0:
            raise ValueError("a gamma delay needs sd > 0 (use distribution: fixed for a fixed delay)")
        if self.distribution == "uniform" and self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


NO_DELAY = Delay()


# --------------------------------------------------------------------- demography


class Gompertz(Frozen):
    """Gompertz hazard mu(x) = a * exp(b * x) per year, applied from age 1."""

    a: Positive
    b: Positive


class Mortality(Frozen):
    gompertz: Gompertz
    infant: Share = Field(description="Probability of dying in the first year of life (q0).")
    source: Source = None


class CareNeeds(Frozen):
    """Transition rates per year between elders' care-need states, by age band.

    States: independent -> needs community care -> needs institutional care.
    Ages not covered by a band have rate 0.
    """

    to_community_per_year: dict[str, NonNegative]
    to_institutional_per_year: dict[str, NonNegative]
    source: Source = None

    @field_validator("to_community_per_year", "to_institutional_per_year")
    @classmethod
    def _bands(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_rate_bands(v, "care-need")


class Demography(Frozen):
    tfr: Annotated[float, Field(ge=0.0, le=8.0)]
    fertility_age_shares: dict[str, Share]
    sex_ratio_at_birth: Annotated[float, Field(gt=0.5, le=2.0)] = 1.05
    mortality: Mortality
    out_migration_per_year: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    care_needs: CareNeeds | None = None
    source: Source = None

    @field_validator("fertility_age_shares")
    @classmethod
    def _fertility(cls, v: dict[str, float]) -> dict[str, float]:
        for label in v:
            lo, hi = parse_band(label)
            if lo < 12 or hi > 55:
                raise ValueError(f"fertility band {label!r} must lie within ages 12-55")
        _check_shares(v, "fertility age shares")
        _check_contiguous_bands(v, "fertility age shares")
        return v


# --------------------------------------------------------------------- households


class AgeRange(Frozen):
    """A normal age distribution truncated to [min, max] (years)."""

    mean: Annotated[float, Field(ge=0, le=110)]
    sd: NonNegative = 0.0
    min: Annotated[float, Field(ge=0, le=110)] = 0.0
    max: Annotated[float, Field(ge=0, le=110)] = 110.0

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if not self.min <= self.mean <= self.max:
            raise ValueError(f"need min <= mean <= max, got {self.min}, {self.mean}, {self.max}")
        return self


class OccupancyCurve(Frozen):
    """Share of delivered units occupied by years after delivery.

    Piecewise linear from (0, 0) through the given points; the last share is the
    long-run occupancy (the rest stays vacant).
    """

    points: list[tuple[Positive, Share]] = Field(min_length=1)
    source: Source = None

    @field_validator("points")
    @classmethod
    def _monotone(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for (y0, s0), (y1, s1) in zip(v, v[1:], strict=False):
            if y1 <= y0:
                raise ValueError("years must increase")
            if s1 < s0:
                raise ValueError("occupied shares must not decrease")
        return v

    @property
    def long_run(self) -> float:
        return self.points[-1][1]


class FamilyProfile(Frozen):
    """Households built as a head, maybe a partner, children and grandparents."""

    kind: Literal["family"] = "family"
    head_age: AgeRange
    partner_share: Share = Field(description="Share of households with a partner of the head.")
    partner_age_gap_sd: NonNegative = 2.0
    children: dict[int, Share] = Field(description="Share of households by number of children.")
    child_max_age: Annotated[float, Field(ge=0, le=30)] = 17.0
    grandparent_share: Share = 0.0
    grandparent_age: AgeRange = AgeRange(mean=62, sd=4, min=55, max=70)
    occupancy: OccupancyCurve
    source: Source = None

    @field_validator("children")
    @classmethod
    def _children(cls, v: dict[int, float]) -> dict[int, float]:
        if any(k < 0 or k > 8 for k in v):
            raise ValueError("numbers of children must be between 0 and 8")
        _check_shares(v, "children shares")
        return v


class AgeStructureProfile(Frozen):
    """Households whose members are drawn from an age structure (e.g. a village)."""

    kind: Literal["age_structure"] = "age_structure"
    household_size: dict[int, Share]
    age_shares: dict[str, Share]
    occupancy: OccupancyCurve
    source: Source = None

    @field_validator("household_size")
    @classmethod
    def _sizes(cls, v: dict[int, float]) -> dict[int, float]:
        if any(k < 1 or k > 12 for k in v):
            raise ValueError("household sizes must be between 1 and 12")
        _check_shares(v, "household size shares")
        return v

    @field_validator("age_shares")
    @classmethod
    def _ages(cls, v: dict[str, float]) -> dict[str, float]:
        for label in v:
            parse_band(label)
        _check_shares(v, "age shares")
        _check_contiguous_bands(v, "age shares", start=0)
        return v


HouseholdProfile = Annotated[FamilyProfile | AgeStructureProfile, Field(discriminator="kind")]


# --------------------------------------------------------------------- housing


class Phase(Frozen):
    date: dt.date
    units: Count


class HousingProject(Frozen):
    id: Id
    name: str = ""
    zone: Id
    type: HousingType
    phases: list[Phase] = Field(min_length=1)
    slippage_months: Delay | None = Field(
        default=None, description="Random delay added to each phase's planned date; default: housing_defaults."
    )
    occupancy: OccupancyCurve | None = Field(default=None, description="Overrides the type's occupancy curve.")
    relocates_from: Id | None = Field(
        default=None, description="Zone whose existing households move here (resettlement): demand moves."
    )
    relocation_share: Share = Field(default=1.0, description="Share of occupied units taken by relocations.")
    source: Source = None


class HousingDefaults(Frozen):
    slippage_months: Delay = Field(default=NO_DELAY, description="Random slippage of every phase without its own.")
    relet_months: NonNegative | None = Field(
        default=6.0,
        description="A dwelling left by its household is let again after this many months; null: never. "
        "ASSUMPTION: steady turnover.",
    )
    delay_months: float = Field(
        default=0.0, ge=-120.0, le=120.0, description="Months added to every phase's planned date (a scenario lever)."
    )


# --------------------------------------------------------------------- facilities


class Capacity(Frozen):
    """Capacity of a facility: classes (schools), units (beds, places, meals/day, m2,
    residents served) or family-doctor teams."""

    classes: Count | None = None
    class_size: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="Pupils per class; default: the service's class size."
    )
    units: NonNegative | None = None
    teams: Count | None = None
    panel_size: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Residents per family-doctor team; default: services.family_doctor."
    )

    @model_validator(mode="after")
    def _one_measure(self) -> Capacity:
        given = [k for k in ("classes", "units", "teams") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of classes, units or teams (got {', '.join(given) or 'none'})")
        return self


class CapacityChange(Frozen):
    """From ``date`` on, the facility's capacity is the given value (an extension or upgrade)."""

    date: dt.date
    classes: Count | None = None
    units: NonNegative | None = None
    teams: Count | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> CapacityChange:
        given = [k for k in ("classes", "units", "teams") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of classes, units or teams (got {', '.join(given) or 'none'})")
        return self


class Facility(Frozen):
    id: Id
    name: str = ""
    service: Service | list[Service] = Field(
        description="The service, or a list of them (a nine-year school serves primary and middle)."
    )
    zone: Id
    catchment: list[Id] | None = Field(default=None, description="Zones served; default: its own zone.")
    capacity: Capacity
    capacity_changes: list[CapacityChange] = Field(default_factory=list)
    opens: dt.date | None = Field(default=None, description="Planned opening; none: open from the start.")
    construction_delay_months: Delay | None = None
    opens_with: Id | None = Field(
        default=None, description="Housing project whose first delivered phase opens this facility."
    )
    fill: Literal["all_grades", "grade_by_grade"] = Field(
        default="all_grades", description="A new school admits every grade at once, or one more grade each year."
    )
    categories: list[ServiceCategory] = Field(
        default_factory=list, description="Service-centre categories offered (service_centre only)."
    )
    source: Source = None

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(self.service) if isinstance(self.service, list) else (self.service,)

    @field_validator("service")
    @classmethod
    def _non_empty(cls, v: Service | list[Service]) -> Service | list[Service]:
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("a list of services must be non-empty and without repeats")
        return v

    @field_validator("capacity_changes")
    @classmethod
    def _ordered(cls, v: list[CapacityChange]) -> list[CapacityChange]:
        for a, b in zip(v, v[1:], strict=False):
            if b.date <= a.date:
                raise ValueError("capacity changes must be in date order")
        return v


# --------------------------------------------------------------------- service policies


class SchoolYear(Frozen):
    intake: str = Field(default="09-01", description="Month-day of the school-year intake.")
    age_cutoff: str = Field(default="08-31", description="Month-day at which ages are counted.")
    system: Literal["6-3", "5-4"] = "6-3"

    @field_validator("intake", "age_cutoff")
    @classmethod
    def _month_day(cls, v: str) -> str:
        m = _MONTH_DAY.match(v)
        if m is None:
            raise ValueError(f"must be MM-DD, got {v!r}")
        try:
            dt.date(2001, int(m.group(1)), int(m.group(2)))
        except ValueError as exc:
            raise ValueError(f"{v!r} is not a day of the year") from exc
        return v


class SchoolPolicy(Frozen):
    enrolment_rate: Share = 1.0
    class_size: Annotated[int, Field(ge=1, le=100)]
    source: Source = None


class VocationalPolicy(Frozen):
    share: Share = Field(description="Share of residents aged 15-17 in vocational school.")
    class_size: Annotated[int, Field(ge=1, le=100)] = 50
    source: Source = None


class AllocationPolicy(Frozen):
    overflow_km: NonNegative = Field(
        default=0.0, description="Beyond the catchment, accept places within this distance; 0: none."
    )


class EldercareBedPolicy(Frozen):
    institutional_share: Share = Field(description="Share of elders needing institutional care who seek a bed.")
    discharge_per_year: NonNegative = Field(default=0.0, description="Rate of leaving a bed other than by death.")
    source: Source = None


class UptakePolicy(Frozen):
    uptake: Share
    source: Source = None


class CanteenPolicy(Frozen):
    uptake: Share
    meals_per_person_per_day: Positive = 1.0
    min_age: Annotated[int, Field(ge=0, le=110)] = 80
    source: Source = None


class ContractRates(Frozen):
    children: Share = Field(description="Ages 0-17.")
    working_age: Share = Field(description="Ages 18-64.")
    elderly: Share = Field(description="Ages 65 and over.")


class FamilyDoctorPolicy(Frozen):
    contract_rate: ContractRates
    panel_size: Annotated[int, Field(ge=1)] = 2000
    online_followup_share: Share = Field(
        default=0.0, description="Share of follow-ups handled online ('Internet + healthcare')."
    )
    source: Source = None


class ServiceCentrePolicy(Frozen):
    walk_km: Positive = Field(default=1.0, description="Walking range of a 15-minute circle.")
    source: Source = None


class StaticNorms(Frozen):
    """Per-1,000 quotas of the static planning method, shown beside simulated demand."""

    kindergarten_seats_per_1000: NonNegative = 30.0
    primary_seats_per_1000: NonNegative = 70.0
    middle_seats_per_1000: NonNegative = 35.0
    vocational_seats_per_1000: NonNegative = 10.0
    eldercare_beds_per_1000_elderly: NonNegative = 35.0
    day_care_places_per_1000_elderly: NonNegative = 7.0
    health_centre_residents: Positive = 50000.0
    source: Source = None


class Services(Frozen):
    school_year: SchoolYear = SchoolYear()
    kindergarten: SchoolPolicy = SchoolPolicy(enrolment_rate=0.95, class_size=30)
    primary: SchoolPolicy = SchoolPolicy(enrolment_rate=1.0, class_size=45)
    middle: SchoolPolicy = SchoolPolicy(enrolment_rate=1.0, class_size=50)
    vocational: VocationalPolicy = VocationalPolicy(share=0.4)
    allocation: AllocationPolicy = AllocationPolicy()
    eldercare_bed: EldercareBedPolicy = EldercareBedPolicy(institutional_share=0.6)
    day_care: UptakePolicy = UptakePolicy(uptake=0.3)
    senior_canteen: CanteenPolicy = CanteenPolicy(uptake=0.2)
    family_doctor: FamilyDoctorPolicy = FamilyDoctorPolicy(
        contract_rate=ContractRates(children=0.3, working_age=0.3, elderly=0.7)
    )
    service_centre: ServiceCentrePolicy = ServiceCentrePolicy()
    static_norms: StaticNorms = StaticNorms()


# --------------------------------------------------------------------- enterprises


class Park(Frozen):
    id: Id
    name: str = ""
    zone: Id
    established_firms_per_year: NonNegative = 0.0
    source: Source = None


class Incubator(Frozen):
    """The incubator pipeline: screened -> incubated -> financed (seed §3, Changsha)."""

    park: Id
    screened_per_year: NonNegative
    incubation_rate: Share = Field(default=466 / 4279, description="Share of screened projects incubated.")
    financing_rate: Share = Field(default=56 / 466, description="Share of incubated projects that raise finance.")
    months_to_incubate: NonNegative = 6.0
    months_to_finance: NonNegative = 24.0
    grant_yuan: NonNegative = 200_000.0
    source: Source = None


class FirmProfile(Frozen):
    initial_jobs_mean: Positive = 30.0
    job_growth_per_year: float = Field(default=0.05, ge=-1.0, le=2.0)
    max_jobs: Positive = 500.0
    failure_per_year: Share = 0.05
    m2_per_job: NonNegative = 40.0
    source: Source = None


class WorkerHousing(Frozen):
    jobs_per_household: Positive = Field(default=1.5, description="Jobs held per worker household.")
    live_in_town_share: Share = Field(description="Share of new worker households who want to live in town.")
    preferred_types: list[HousingType] = Field(
        default_factory=lambda: [
            HousingType.TALENT_APARTMENT,
            HousingType.STAFF_APARTMENT,
            HousingType.COMMODITY,
        ]
    )
    source: Source = None


class Enterprises(Frozen):
    enabled: bool = True
    parks: list[Park] = Field(default_factory=list)
    incubator: Incubator | None = None
    established_firm: FirmProfile = FirmProfile()
    incubated_firm: FirmProfile = FirmProfile(initial_jobs_mean=8.0, job_growth_per_year=0.15, failure_per_year=0.1)
    workers: WorkerHousing = WorkerHousing(live_in_town_share=0.5)


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
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 20190424
    zones: list[Zone] = Field(min_length=1)
    demography: Demography
    household_profiles: dict[HousingType, HouseholdProfile] = Field(default_factory=dict)
    housing_defaults: HousingDefaults = HousingDefaults()
    housing: list[HousingProject] = Field(default_factory=list)
    facilities: list[Facility] = Field(default_factory=list)
    services: Services = Services()
    enterprises: Enterprises = Enterprises()
    variation: Variation = Variation()

    def zone(self, zone_id: str) -> Zone:
        return next(z for z in self.zones if z.id == zone_id)

    def project(self, project_id: str) -> HousingProject:
        return next(p for p in self.housing if p.id == project_id)

    def facility(self, facility_id: str) -> Facility:
        return next(f for f in self.facilities if f.id == facility_id)
