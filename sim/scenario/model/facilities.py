"""Facilities: what they serve, where, with what capacity, from when."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.model.common import (
    Frozen,
    Id,
    Number,
    Service,
    ServiceCategory,
    Source,
    Whole,
)
from sim.scenario.model.population import (
    Delay,
)

# --------------------------------------------------------------------- facilities


def _check_one_measure(capacity: Capacity | CapacityChange) -> None:
    """A capacity is given in exactly one measure: classes, units or teams."""
    given = [k for k in ("classes", "units", "teams") if getattr(capacity, k) is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of classes, units or teams (got {', '.join(given) or 'none'})")


MAX_CLASSES = 10_000
"""Classes or family-doctor teams of one facility."""
MAX_CAPACITY_UNITS = 1e9
"""Beds, places, meals a day, m² or residents served by one facility."""
Classes = Annotated[Whole, Field(ge=0, le=MAX_CLASSES)]
Units = Annotated[Number, Field(ge=0.0, le=MAX_CAPACITY_UNITS)]


class Capacity(Frozen):
    """Capacity of a facility: classes (schools), units (beds, places, meals/day, m2,
    residents served) or family-doctor teams."""

    classes: Classes | None = None
    class_size: Annotated[Whole, Field(ge=1, le=100)] | None = Field(
        default=None, description="Pupils per class; default: the service's class size."
    )
    units: Units | None = None
    teams: Classes | None = None
    panel_size: Annotated[Whole, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Residents per family-doctor team; default: services.family_doctor."
    )

    @model_validator(mode="after")
    def _one_measure(self) -> Capacity:
        _check_one_measure(self)
        return self


class CapacityChange(Frozen):
    """From ``date`` on, the facility's capacity is the given value (an extension or upgrade)."""

    date: dt.date
    classes: Classes | None = None
    units: Units | None = None
    teams: Classes | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> CapacityChange:
        _check_one_measure(self)
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
