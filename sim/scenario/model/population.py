"""Time, space, demography and households: who lives in the town and how they live."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from sim.scenario.model.common import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_AGE_YEARS,
    MAX_RESIDENTS,
    SHARE_TOLERANCE,
    Age,
    Frozen,
    HousingType,
    Id,
    Km,
    Months,
    Number,
    PositiveKm,
    RatePerYear,
    Share,
    Source,
    Whole,
    _check_contiguous_bands,
    _check_rate_bands,
    _check_shares,
    parse_band,
)
from sim.scenario.model.schedules import Rate, rate_bounds

# --------------------------------------------------------------------- time, space


class Horizon(Frozen):
    start: dt.date = dt.date(2019, 1, 1)
    end: dt.date = dt.date(2040, 12, 31)

    @field_validator("start", "end")
    @classmethod
    def _representable(cls, v: dt.date) -> dt.date:
        if not FIRST_YEAR <= v.year <= LAST_YEAR:
            raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}, got {v.isoformat()}")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


def _age_shares(v: dict[str, float]) -> dict[str, float]:
    for label in v:
        parse_band(label)
    _check_shares(v, "age shares")
    _check_contiguous_bands(v, "age shares", start=0)
    return v


def _household_sizes(v: dict[int, float]) -> dict[int, float]:
    if any(k < 1 or k > 12 for k in v):
        raise ValueError("household sizes must be between 1 and 12")
    _check_shares(v, "household size shares")
    return v


AgeShares = Annotated[dict[str, Share], AfterValidator(_age_shares)]
"""Shares of people by age band 'a-b' (whole years, inclusive): contiguous from 0, summing to 1."""

HouseholdSizes = Annotated[dict[Whole, Share], AfterValidator(_household_sizes)]
"""Shares of households by number of members (1-12), summing to 1."""


class InitialPopulation(Frozen):
    """Residents already living in a zone at the start of the horizon."""

    residents: Annotated[Whole, Field(ge=0, le=MAX_RESIDENTS)]
    age_shares: AgeShares = Field(
        description="Share of residents per age band 'a-b' (whole years, inclusive), starting at 0.",
    )
    household_size: HouseholdSizes = Field(
        default_factory=lambda: {1: 0.15, 2: 0.30, 3: 0.30, 4: 0.15, 5: 0.10},
        description="Share of households by number of members.",
    )
    source: Source = None


class Zone(Frozen):
    id: Id
    name: str = ""
    x_km: Km = 0.0
    y_km: Km = 0.0
    radius_km: PositiveKm = Field(
        default=1.0,
        description="Residents are spread evenly over a disc of this radius around the centroid "
        "(ASSUMPTION), for walking-range coverage.",
    )
    initial_population: InitialPopulation | None = None
    source: Source = None


# --------------------------------------------------------------------- distributions


MIN_GAMMA_CV = 1e-3
"""Smallest sd / mean of a gamma delay: its shape (mean / sd)² stays at most a million."""


class Delay(Frozen):
    """A random delay in months (slippage, construction delay, move-in lag)."""

    distribution: Literal["none", "fixed", "gamma", "uniform"] = "none"
    mean: Months = 0.0
    sd: Months = 0.0
    low: Months = 0.0
    high: Months = 0.0
    source: Source = None

    @model_validator(mode="after")
    def _fields(self) -> Delay:
        if self.distribution == "gamma" and self.mean > 0 and self.sd < self.mean * MIN_GAMMA_CV:
            raise ValueError(
                f"a gamma delay needs sd >= mean x {MIN_GAMMA_CV:g} (got sd {self.sd:g}, mean {self.mean:g}); "
                "use distribution: fixed for a fixed delay"
            )
        if self.distribution == "uniform" and self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


NO_DELAY = Delay()


# --------------------------------------------------------------------- demography


class Gompertz(Frozen):
    """Gompertz hazard mu(x) = a * exp(b * x) per year, applied from age 1.

    Human life tables have ``a`` about 1e-5 to 1e-3 and ``b`` about 0.07 to 0.12;
    the bounds keep the hazard at the oldest age finite.
    """

    a: Annotated[Number, Field(gt=0.0, le=1.0)]
    b: Annotated[Number, Field(gt=0.0, le=0.5)]


class Mortality(Frozen):
    """Gompertz mortality from age 1 and an infant death probability, both scaled by a
    calendar ``level`` (a number or a dated schedule; 1: as given)."""

    gompertz: Gompertz
    infant: Share = Field(description="Probability of dying in the first year of life (q0).")
    level: Annotated[Rate, AfterValidator(rate_bounds(0.0, 10.0, low_open=True))] = Field(
        default=1.0,
        description="Multiplier of the mortality hazard at every age, a number or a dated schedule "
        "(0.9: 10 % lower mortality than the Gompertz and infant figures give).",
    )
    source: Source = None


class CareNeeds(Frozen):
    """Transition rates per year between elders' care-need states, by age band.

    States: independent -> needs community care -> needs institutional care.
    Ages not covered by a band have rate 0.
    """

    to_community_per_year: dict[str, RatePerYear]
    to_institutional_per_year: dict[str, RatePerYear]
    source: Source = None

    @field_validator("to_community_per_year", "to_institutional_per_year")
    @classmethod
    def _bands(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_rate_bands(v, "care-need")


class AgeRange(Frozen):
    """A normal age distribution truncated to [min, max] (years)."""

    mean: Age
    sd: Age = 0.0
    min: Age = 0.0
    max: Age = float(MAX_AGE_YEARS)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if not self.min <= self.mean <= self.max:
            raise ValueError(f"need min <= mean <= max, got {self.min}, {self.mean}, {self.max}")
        return self


class HomeLeaving(Frozen):
    """Young adults leaving the parental home (ASSUMPTION throughout; the check is the
    Shandong 2020 mean household size of 2.70, docs/facts.md §2 [19]).

    A resident younger than ``age_years.min`` when their household moves in (or
    born in town) leaves home at an age drawn from ``age_years``: out of town
    with probability ``leave_town_share``; into a household of their own in town
    with probability ``own_household_share``, when a dwelling of
    ``housing_types`` is on the market (else they wait at home for one, until
    ``age_years.max``, then stay); the rest stay at home.
    """

    age_years: AgeRange = Field(
        default_factory=lambda: AgeRange(mean=23.0, sd=3.0, min=18.0, max=30.0),
        description="Age at leaving home: a normal truncated to [min, max]; min at least 18.",
    )
    leave_town_share: Share = Field(default=0.3, description="Share who leave to study or work elsewhere.")
    own_household_share: Share = Field(
        default=0.4, description="Share who form a household of their own in town when a dwelling is on the market."
    )
    housing_types: list[HousingType] = Field(
        default_factory=lambda: [
            HousingType.COMMODITY,
            HousingType.TALENT_APARTMENT,
            HousingType.STAFF_APARTMENT,
            HousingType.STUDENT_APARTMENT,
        ],
        min_length=1,
        description="Housing types a young adult may move into, in order of preference (nearest first within a type).",
    )
    source: Source = None

    @model_validator(mode="after")
    def _consistent(self) -> HomeLeaving:
        if self.age_years.min < 18:
            raise ValueError(f"age_years.min must be at least 18 (school pupils stay at home), got {self.age_years.min}")
        total = self.leave_town_share + self.own_household_share
        if total > 1.0 + SHARE_TOLERANCE:
            raise ValueError(f"leave_town_share + own_household_share must not exceed 1, got {total:.4g}")
        return self


class Demography(Frozen):
    tfr: Annotated[Rate, AfterValidator(rate_bounds(0.0, 8.0))] = Field(
        description="Total fertility rate, a number or a dated schedule."
    )
    fertility_age_shares: dict[str, Share]
    sex_ratio_at_birth: Annotated[Number, Field(gt=0.5, le=2.0)] = 1.05
    mortality: Mortality
    out_migration_per_year: Annotated[Rate, AfterValidator(rate_bounds(0.0, 1.0))] = Field(
        default=0.0, description="Share of households leaving town per year, a number or a dated schedule."
    )
    care_needs: CareNeeds | None = None
    ages_within_band: Literal["life_table", "uniform"] = Field(
        default="life_table",
        description="How ages are spread within an age band of an age structure (existing residents, "
        "resettled villages): 'life_table', as in the stationary population of this mortality "
        "(equal birth cohorts thinned by deaths; ASSUMPTION: no birth history within a band is "
        "known; give finer bands where it is), or 'uniform', a flat line (the older rule).",
    )
    home_leaving: HomeLeaving | None = Field(
        default=None, description="Young adults leaving the parental home; null: nobody leaves home."
    )
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


class OccupancyCurve(Frozen):
    """Share of delivered units occupied by years after delivery.

    Piecewise linear from (0, 0) through the given points; the last share is the
    long-run occupancy (the rest stays vacant).
    """

    points: list[tuple[Annotated[Number, Field(gt=0.0, le=100.0)], Share]] = Field(min_length=1)
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
    partner_age_gap_sd: Annotated[Number, Field(ge=0.0, le=50.0)] = 2.0
    children: dict[Whole, Share] = Field(description="Share of households by number of children.")
    child_max_age: Annotated[Number, Field(ge=0, le=30)] = 17.0
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
    household_size: HouseholdSizes
    age_shares: AgeShares
    occupancy: OccupancyCurve
    source: Source = None


HouseholdProfile = Annotated[FamilyProfile | AgeStructureProfile, Field(discriminator="kind")]
