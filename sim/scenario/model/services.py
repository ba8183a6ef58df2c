"""Service policies: the school year, class sizes, uptake rates, allocation and static norms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.scenario.model.common import (
    _MONTH_DAY,
    MAX_AGE_YEARS,
    MAX_KM,
    Frozen,
    Number,
    PositiveKm,
    RatePerYear,
    Share,
    Source,
    Whole,
)

ClassSize = Annotated[Whole, Field(ge=1, le=100)]
PanelSize = Annotated[Whole, Field(ge=1, le=100_000)]
PerThousand = Annotated[Number, Field(ge=0.0, le=1000.0)]

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
    class_size: ClassSize
    source: Source = None


class VocationalPolicy(Frozen):
    share: Share = Field(description="Share of residents aged 15-17 in vocational school.")
    class_size: ClassSize = 50
    source: Source = None


class AllocationPolicy(Frozen):
    overflow_km: Annotated[Number, Field(ge=0.0, le=MAX_KM)] = Field(
        default=0.0, description="Beyond the catchment, accept places within this distance; 0: none."
    )


class EldercareBedPolicy(Frozen):
    institutional_share: Share = Field(description="Share of elders needing institutional care who seek a bed.")
    discharge_per_year: RatePerYear = Field(default=0.0, description="Rate of leaving a bed other than by death.")
    reseek_per_year: RatePerYear = Field(
        default=0.0,
        description="Rate at which an elder discharged from a bed seeks one again (while alive and in town); "
        "0: never. ASSUMPTION: no source; the default keeps a discharge final.",
    )
    source: Source = None


class UptakePolicy(Frozen):
    uptake: Share
    source: Source = None


class CanteenPolicy(Frozen):
    uptake: Share
    meals_per_person_per_day: Annotated[Number, Field(gt=0.0, le=10.0)] = 1.0
    min_age: Annotated[Whole, Field(ge=0, le=MAX_AGE_YEARS)] = 80
    source: Source = None


class ContractRates(Frozen):
    children: Share = Field(description="Ages 0-17.")
    working_age: Share = Field(description="Ages 18-64.")
    elderly: Share = Field(description="Ages 65 and over.")


class FamilyDoctorPolicy(Frozen):
    contract_rate: ContractRates
    panel_size: PanelSize = 2000
    online_followup_share: Share = Field(
        default=0.0, description="Share of follow-ups handled online ('Internet + healthcare')."
    )
    source: Source = None


class ServiceCentrePolicy(Frozen):
    walk_km: PositiveKm = Field(default=1.0, description="Walking range of a 15-minute circle.")
    source: Source = None


class StaticNorms(Frozen):
    """Per-1,000 quotas of the static planning method, shown beside simulated demand."""

    kindergarten_seats_per_1000: PerThousand = 30.0
    primary_seats_per_1000: PerThousand = 70.0
    middle_seats_per_1000: PerThousand = 35.0
    vocational_seats_per_1000: PerThousand = 10.0
    eldercare_beds_per_1000_elderly: PerThousand = 35.0
    day_care_places_per_1000_elderly: PerThousand = 7.0
    health_centre_residents: Annotated[Number, Field(gt=0.0, le=10_000_000)] = 50000.0
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
