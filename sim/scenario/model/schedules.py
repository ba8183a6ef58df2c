"""Rates that change over time: a number, or a dated schedule.

A demographic rate (the TFR, the mortality level, out-migration) is either one
number, which holds throughout, or a schedule of dated values::

    tfr:
      interpolation: linear          # or step
      points: [[2019-07-01, 1.70], [2021-07-01, 1.10], [2023-07-01, 0.92]]
      source: "facts.md §2 [18][19][20]"

With ``step`` each value holds from its date until the next point's date; with
``linear`` the value runs in a straight line from one point to the next. Before
the first point the first value holds, after the last the last value holds.
Points may lie outside the horizon (a 2015 figure, a 2050 target).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

import annotated_types
from pydantic import Field, field_validator

from sim.scenario.model.common import Frozen, Number, Source


class DatedSchedule(Frozen):
    """A value that changes on dates (see the module docstring)."""

    interpolation: Literal["step", "linear"] = Field(
        description="step: each value holds until the next date; linear: straight lines between dates."
    )
    points: list[tuple[dt.date, Number]] = Field(
        min_length=1, description="[[YYYY-MM-DD, value], ...] in date order."
    )
    source: Source = None

    @field_validator("points")
    @classmethod
    def _ordered(cls, v: list[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
        for (a, _), (b, _) in zip(v, v[1:], strict=False):
            if b <= a:
                raise ValueError(f"dates must increase: {b} comes after {a}")
        return v

    def value_at(self, date: dt.date) -> float:
        """The value on ``date``."""
        pts = self.points
        if date <= pts[0][0]:
            return pts[0][1]
        for (d0, v0), (d1, v1) in zip(pts, pts[1:], strict=False):
            if date < d1:
                if self.interpolation == "step":
                    return v0
                return v0 + (v1 - v0) * (date - d0).days / (d1 - d0).days
        return pts[-1][1]

    def scaled(self, factor: float) -> DatedSchedule:
        """The same schedule with every value multiplied by ``factor``."""
        return self.model_copy(update={"points": [(d, v * factor) for d, v in self.points]})


Rate = Number | DatedSchedule
"""A number, or a :class:`DatedSchedule` of numbers."""


def rate_values(rate: Rate) -> list[float]:
    """Every value a rate takes at its points (one value for a number)."""
    return [v for _, v in rate.points] if isinstance(rate, DatedSchedule) else [float(rate)]


def rate_at(rate: Rate, date: dt.date) -> float:
    """The value of ``rate`` on ``date``."""
    return rate.value_at(date) if isinstance(rate, DatedSchedule) else float(rate)


class RateBounds:
    """A validator: every value of a :data:`Rate` lies in ``[low, high]`` (``(low, high]``
    with ``low_open``). Its ``constraints`` tell the messages the range to name."""

    def __init__(self, low: float, high: float, low_open: bool) -> None:
        self.low, self.high, self.low_open = low, high, low_open
        self.constraints = [annotated_types.Gt(low) if low_open else annotated_types.Ge(low), annotated_types.Le(high)]

    def __call__(self, value: Rate) -> Rate:
        low, high, low_open = self.low, self.high, self.low_open
        dated = value.points if isinstance(value, DatedSchedule) else [(None, float(value))]
        for date, v in dated:
            at = f" (the value at {date})" if date is not None else ""
            if v != v:  # NaN
                raise ValueError(f"must be a number, got nan{at}")
            if (v <= low) if low_open else (v < low):
                raise ValueError(f"must be {'>' if low_open else '>='} {_num(low)}, got {_num(v)}{at}")
            if v > high:
                span = f"{'more than' if low_open else 'between'} {_num(low)} and {'at most ' if low_open else ''}{_num(high)}"
                raise ValueError(f"must be {span}, got {_num(v)}{at}")
        return value


def rate_bounds(low: float, high: float, *, low_open: bool = False) -> Callable[[Rate], Rate]:
    """A validator: every value of a :data:`Rate` lies in ``[low, high]`` (``(low, high]``
    with ``low_open``). Use as ``Annotated[Rate, AfterValidator(rate_bounds(0, 8))]``."""
    return RateBounds(low, high, low_open)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
