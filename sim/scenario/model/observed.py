"""Observed figures: what is known of the real town, to set inputs and to check the model.

Each item of a scenario's ``observed:`` list is one published figure::

    observed:
      - quantity: residents
        zone: all                 # a zone id, or all (the whole modelled area)
        date: 2023-12-31
        value: 337100
        source: "facts.md §3 [37] (Jining 2023 statistical communiqué)"
        used_for: calibration     # calibration: it set an input; validation: a check

Stocks (residents, household size, the 65+ share, bed occupancy) are read at a
``date`` (a ``year`` means its 1 July); rates (crude birth and death rates) and
school intakes belong to a ``year`` (a ``date`` means its year). A figure that
was used to set an input is marked ``used_for: calibration`` and is not counted
as a check of the model.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.model.common import Frozen, Id, Service


class Quantity(StrEnum):
    """What an observed figure measures, in the unit its name says."""

    RESIDENTS = "residents"
    MEAN_HOUSEHOLD_SIZE = "mean_household_size"
    SHARE_65_PLUS = "share_65_plus"  # a fraction: 0.1513 for 15.13 %
    CRUDE_BIRTH_RATE_PER_1000 = "crude_birth_rate_per_1000"
    CRUDE_DEATH_RATE_PER_1000 = "crude_death_rate_per_1000"
    FIRST_GRADE_CLASSES = "first_grade_classes"  # classes to seat the first grade of a school's catchment
    BED_OCCUPANCY = "bed_occupancy"  # a fraction of the eldercare beds located in the zone(s)


RATES = frozenset({Quantity.CRUDE_BIRTH_RATE_PER_1000, Quantity.CRUDE_DEATH_RATE_PER_1000})
"""Quantities measured over a calendar year."""

ALL_ZONES = "all"


class Observation(Frozen):
    """One observed figure (see the module docstring)."""

    quantity: Quantity
    zone: Id = Field(default=ALL_ZONES, description="A zone id, or 'all' for the whole modelled area.")
    facility: Id | None = Field(
        default=None, description="first_grade_classes: the school whose catchment's first grade is counted."
    )
    service: Service | None = Field(
        default=None, description="first_grade_classes: the school stage (primary, middle…)."
    )
    date: dt.date | None = None
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    value: Annotated[float, Field(ge=0.0)]
    source: str = Field(min_length=1, description="Where the figure was published.")
    used_for: Literal["calibration", "validation"]
    note: str = ""

    @model_validator(mode="after")
    def _when_and_what(self) -> Observation:
        if (self.date is None) == (self.year is None):
            raise ValueError("give exactly one of date or year")
        grade = self.quantity == Quantity.FIRST_GRADE_CLASSES
        if grade and (self.facility is None or self.service is None):
            raise ValueError("first_grade_classes needs a facility (the school) and a service (its stage)")
        if not grade and (self.facility is not None or self.service is not None):
            raise ValueError(f"facility and service are only for first_grade_classes, not {self.quantity.value}")
        return self

    @property
    def when(self) -> dt.date:
        """The date the figure stands for: its date, or 1 July of its year."""
        return self.date if self.date is not None else dt.date(int(self.year or 0), 7, 1)

    @property
    def in_year(self) -> int:
        """The calendar year the figure belongs to."""
        return self.year if self.year is not None else self.when.year
