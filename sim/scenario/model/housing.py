"""Housing projects, their phases and the defaults shared by every project."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from sim.scenario.model.common import (
    MAX_UNITS,
    Frozen,
    HousingType,
    Id,
    Months,
    Number,
    Share,
    Source,
    Whole,
)
from sim.scenario.model.population import (
    NO_DELAY,
    Delay,
    OccupancyCurve,
)

# --------------------------------------------------------------------- housing


class Phase(Frozen):
    date: dt.date
    units: Annotated[Whole, Field(ge=0, le=MAX_UNITS)]


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


class OnMarketShares(Frozen):
    """Per housing type, the share of the units a phase's occupancy curve leaves empty
    for good that are for sale or let: worker households and young adults leaving
    home may take them. The rest stay empty (investors' flats). ASSUMPTION throughout.
    """

    commodity: Share = Field(default=0.2, description="ASSUMPTION: most empty commodity flats are held off the market.")
    resettlement: Share = Field(default=0.0, description="ASSUMPTION: resettlement flats belong to the resettled households.")
    talent_apartment: Share = Field(default=1.0, description="ASSUMPTION: let to whoever qualifies.")
    staff_apartment: Share = Field(default=1.0, description="ASSUMPTION: let to whoever qualifies.")
    student_apartment: Share = Field(default=1.0, description="ASSUMPTION: let to whoever qualifies.")
    source: Source = None

    def share(self, kind: HousingType) -> float:
        """The on-market share of ``kind``."""
        return float(getattr(self, HousingType(kind).value))


class HousingDefaults(Frozen):
    slippage_months: Delay = Field(default=NO_DELAY, description="Random slippage of every phase without its own.")
    relet_months: Months | None = Field(
        default=6.0,
        description="A dwelling left by its household is let again after this many months; null: never. "
        "ASSUMPTION: steady turnover.",
    )
    delay_months: Number = Field(
        default=0.0, ge=-120.0, le=120.0, description="Months added to every phase's planned date (a scenario lever)."
    )
    on_market_share: OnMarketShares = Field(
        default=OnMarketShares(),
        description="Share of the long-run empty units of each housing type that are on the market (ASSUMPTION).",
    )
    market_retry_months: Annotated[Months, Field(gt=0.0)] = Field(
        default=3.0,
        description="Seekers who found no dwelling on the market (commuting worker households, young adults "
        "leaving home) look again this often, longest waiting first. ASSUMPTION.",
    )
