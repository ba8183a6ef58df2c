"""Enterprises: parks, the incubator pipeline, firms and worker households."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.model.common import (
    Frozen,
    HousingType,
    Id,
    NonNegative,
    Positive,
    Share,
    Source,
)

# --------------------------------------------------------------------- enterprises


class Park(Frozen):
    id: Id
    name: str = ""
    zone: Id
    established_firms_per_year: NonNegative = 0.0
    source: Source = None


class Incubator(Frozen):
    """The incubator pipeline: screened -> incubated -> financed (docs/seed.md §2, Changsha)."""

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
