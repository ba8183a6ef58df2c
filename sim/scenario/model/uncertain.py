"""Uncertain inputs: scenario values a planner is unsure of, each with a distribution.

A scenario may declare, under ``uncertain_inputs``, values it does not know
exactly: the TFR, how full the housing gets, how late it comes, how many worker
households live in town, the share of elders who seek a bed. Each input names
one or more key paths (as :func:`sim.scenario.set_path` takes them), how a drawn
number acts on the value there (``apply``), a distribution and its source::

    uncertain_inputs:
      - id: tfr
        path: demography.tfr
        apply: scale                 # multiply the value (or every value of a schedule)
        distribution: {kind: triangular, low: 0.85, mode: 1.0, high: 1.15}
        source: "facts.md §2 [16] (China 2023-24: 1.01-1.14)"

``apply``:

``set``
    The drawn value replaces the value at the path (a number, or any value of a
    ``choice``).
``scale``
    The value at the path is multiplied by the drawn factor: a number, or every
    value of a dated schedule or curve (``points: [[date or years, value], …]``).
    A whole-number value stays whole (rounded).
``shift_months``
    The date at the path moves by the drawn number of months (365.25/12 days
    each, rounded to whole days).

The experiments layer draws the values (one set per replication) and applies
them; this module only says what may be declared.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.model.common import Frozen, Id, NonNegative, Positive

Z_999 = 3.090232306167813
"""The standard normal's 99.9th percentile: an unbounded distribution is checked
at its 0.1th and 99.9th percentiles when a scenario is loaded."""


class _Distribution(Frozen):
    def check_values(self) -> list[tuple[str, Any]]:
        """Values to try on the scenario when it is loaded: ``(label, value)``."""
        raise NotImplementedError

    @property
    def numeric(self) -> bool:
        return True

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest values checked (numeric distributions)."""
        values = [v for _, v in self.check_values()]
        return float(min(values)), float(max(values))


class Uniform(_Distribution):
    """Every value between ``low`` and ``high`` equally likely."""

    kind: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"need low < high, got low {self.low} and high {self.high}")
        return self

    def check_values(self) -> list[tuple[str, Any]]:
        return [("low", self.low), ("high", self.high)]


class Triangular(_Distribution):
    """A triangle from ``low`` through the most likely value ``mode`` to ``high``."""

    kind: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}")
        return self

    def check_values(self) -> list[tuple[str, Any]]:
        return [("low", self.low), ("high", self.high)]


class TruncatedNormal(_Distribution):
    """A normal distribution (``mean``, ``sd``) cut to ``[low, high]``."""

    kind: Literal["truncated_normal"]
    mean: float
    sd: Positive
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> TruncatedNormal:
        if not self.low < self.high:
            raise ValueError(f"need low < high, got low {self.low} and high {self.high}")
        return self

    def check_values(self) -> list[tuple[str, Any]]:
        return [("low", self.low), ("high", self.high)]


class LogNormal(_Distribution):
    """A positive value whose logarithm is normal: ``median`` and ``sigma`` (the
    standard deviation of the logarithm; 0.1 is about ±10 %)."""

    kind: Literal["lognormal"]
    median: Positive
    sigma: Positive

    def check_values(self) -> list[tuple[str, Any]]:
        return [("0.1th percentile", self.median * math.exp(-Z_999 * self.sigma)),
                ("99.9th percentile", self.median * math.exp(Z_999 * self.sigma))]


class Choice(_Distribution):
    """One of ``values``, each equally likely or with the given ``weights``."""

    kind: Literal["choice"]
    values: list[Any] = Field(min_length=1)
    weights: list[NonNegative] | None = Field(default=None, description="Relative weights, one per value.")

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"give one weight per value ({len(self.values)}), got {len(self.weights)}")
            if not sum(self.weights) > 0:
                raise ValueError("the weights must not all be 0")
        return self

    def check_values(self) -> list[tuple[str, Any]]:
        return [(f"values[{i}]", v) for i, v in enumerate(self.values)]

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)


Distribution = Annotated[Uniform | Triangular | TruncatedNormal | LogNormal | Choice, Field(discriminator="kind")]
AnyDistribution = Uniform | Triangular | TruncatedNormal | LogNormal | Choice
Apply = Literal["set", "scale", "shift_months"]


class UncertainInput(Frozen):
    """One uncertain input: where it acts, how, its distribution and its source."""

    id: Id
    description: str = ""
    path: str | list[str] = Field(description="Key path(s) of the value(s) it acts on; each gets the same draw.")
    apply: Apply = Field(
        default="set",
        description="set: the draw replaces the value; scale: the value (or every value of a schedule) "
        "is multiplied by the draw; shift_months: the date moves by the draw in months.",
    )
    distribution: Distribution
    source: str = Field(min_length=1, description="Where the range comes from, or 'ASSUMPTION: …'.")

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @model_validator(mode="after")
    def _consistent(self) -> UncertainInput:
        if isinstance(self.path, list) and (not self.path or len(set(self.path)) != len(self.path)):
            raise ValueError("path: a list of paths must be non-empty and without repeats")
        if self.apply != "set" and not self.distribution.numeric:
            raise ValueError(f"apply: {self.apply} needs numbers to draw; this choice has values that are not numbers")
        if self.apply == "scale" and self.distribution.bounds()[0] < 0:
            raise ValueError("a scale factor must be >= 0; the distribution reaches below 0")
        return self
