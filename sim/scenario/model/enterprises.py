"""Enterprises: parks, the incubator pipeline, firms and worker households."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.model.common import (
    Count,
    Frozen,
    HousingType,
    Id,
    Months,
    Number,
    Share,
    Source,
)

MAX_FIRMS_PER_YEAR = 1000.0
"""Firms arriving in one park a year; the incubator screens at most ten times as many."""
MAX_JOBS = 1e9
"""The cap of one firm's jobs: only a ceiling of its logistic growth (a firm costs
one event per job it gains or loses, whatever its cap), so as high as a count can be."""

# --------------------------------------------------------------------- enterprises


class Park(Frozen):
    """An industrial park: the firms it has at the start, those that arrive, and
    which of them rent standard factory space."""

    id: Id
    name: str = ""
    zone: Id
    established_firms_per_year: Annotated[Number, Field(ge=0.0, le=MAX_FIRMS_PER_YEAR)] = 0.0
    existing_firms: Annotated[Count, Field(le=100_000)] = Field(
        default=0, description="Established firms already in the park at the start."
    )
    existing_jobs_mean: Annotated[Number, Field(gt=0.0, le=10_000.0)] | None = Field(
        default=None, description="Mean jobs of an existing firm at the start; default: the established profile's."
    )
    standard_space_share: Share = Field(
        default=1.0,
        description="Share of the park's firms that rent standard factory space rather than use their own "
        "buildings; only where a factory_space facility serving the park's zone is open when the firm is founded.",
    )
    source: Source = None


class Incubator(Frozen):
    """The incubator pipeline: screened -> incubated -> financed (docs/seed.md §2, Changsha)."""

    park: Id
    screened_per_year: Annotated[Number, Field(ge=0.0, le=10 * MAX_FIRMS_PER_YEAR)]
    incubation_rate: Share = Field(default=466 / 4279, description="Share of screened projects incubated.")
    financing_rate: Share = Field(default=56 / 466, description="Share of incubated projects that raise finance.")
    months_to_incubate: Months = 6.0
    months_to_finance: Months = 24.0
    grant_yuan: Annotated[Number, Field(ge=0.0, le=1e12)] = 200_000.0
    source: Source = None


class FirmProfile(Frozen):
    initial_jobs_mean: Annotated[Number, Field(gt=0.0, le=10_000.0)] = 30.0
    job_growth_per_year: Number = Field(default=0.05, ge=-1.0, le=2.0)
    max_jobs: Annotated[Number, Field(gt=0.0, le=MAX_JOBS)] = 500.0
    failure_per_year: Share = 0.05
    m2_per_job: Annotated[Number, Field(ge=0.0, le=10_000.0)] = 40.0
    source: Source = None


class WorkerHousing(Frozen):
    jobs_per_household: Annotated[Number, Field(ge=0.1, le=100.0)] = Field(
        default=1.5, description="Jobs held per worker household."
    )
    live_in_town_share: Share = Field(description="Share of new worker households who want to live in town.")
    preferred_types: list[HousingType] = Field(
        default_factory=lambda: [
            HousingType.TALENT_APARTMENT,
            HousingType.STAFF_APARTMENT,
            HousingType.COMMODITY,
        ]
    )
    leave_town_when_job_ends: Share = Field(
        default=0.5,
        description="Share of worker households living in town who leave town when their job ends; the rest "
        "stay as ordinary households. ASSUMPTION.",
    )
    source: Source = None


class Enterprises(Frozen):
    enabled: bool = True
    parks: list[Park] = Field(default_factory=list)
    incubator: Incubator | None = None
    established_firm: FirmProfile = FirmProfile()
    incubated_firm: FirmProfile = FirmProfile(initial_jobs_mean=8.0, job_growth_per_year=0.15, failure_per_year=0.1)
    workers: WorkerHousing = WorkerHousing(live_in_town_share=0.5)
