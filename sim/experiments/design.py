"""Sweep specifications: a base scenario, the factors to vary, and the design of points.

A sweep spec is YAML, read by the scenario layer's safe loader and validated
strictly with pydantic; every problem names the file, the line and the key path,
like a scenario's. Factors are typed uncertain inputs (as in EMA Workbench's
``RealParameter`` and ``CategoricalParameter``):

``number``
    A value at one or more key paths (``demography.tfr``), from a ``range`` or
    explicit ``levels``; ``integer: true`` rounds it.
``date_shift``
    Dates at key paths moved by a number of months
    (:func:`~sim.scenario.shift_date_path`; a month is 365.25/12 days).
``choice``
    One of a list of ``values`` at key paths.
``opening_lag``
    Facilities of one ``service`` (all that open during the horizon, or the
    listed ``facilities``) open this many months late: after their planned date
    or, for those that open with their housing (``opens_with``), after the
    housing's first delivery. It sets each one's ``construction_delay_months`` to
    a fixed delay (replacing any random one), so it applies to the kindergartens
    that open in step with housing, which have no date to shift.

A design turns factors into points: ``grid`` (every combination; ranges get
``levels`` evenly spaced values), ``latin_hypercube`` or ``sobol`` (``points``
from :mod:`scipy.stats.qmc` with a ``seed``).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.stats import qmc

from sim.scenario import Scenario, Service, set_path, shift_date_path

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Range = tuple[float, float]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Ranged(_Spec):
    name: Id
    description: str = ""
    range: Range | None = Field(default=None, description="Lowest and highest value.")
    levels: list[float] | None = Field(default=None, min_length=1, description="Explicit values (grid, or binned for sampled designs).")

    @model_validator(mode="after")
    def _one_of(self) -> _Ranged:
        if (self.range is None) == (self.levels is None):
            raise ValueError("give either 'range' or 'levels'")
        if self.range is not None and self.range[1] < self.range[0]:
            raise ValueError(f"range must be [low, high] with low <= high, got {list(self.range)}")
        return self

    def paths_list(self) -> list[str]:
        path = getattr(self, "path", [])
        return [path] if isinstance(path, str) else list(path)


class NumberFactor(_Ranged):
    kind: Literal["number"]
    path: str | list[str]
    integer: bool = False


class DateShiftFactor(_Ranged):
    kind: Literal["date_shift"]
    path: str | list[str] = Field(description="Key paths of dates; each is moved by the factor's months.")


class OpeningLagFactor(_Ranged):
    kind: Literal["opening_lag"]
    service: Service
    facilities: list[Id] | None = Field(default=None, description="Default: every facility of the service that opens during the horizon.")

    @model_validator(mode="after")
    def _late_only(self) -> OpeningLagFactor:
        values = list(self.range or ()) + list(self.levels or ())
        if min(values) < 0:
            raise ValueError("an opening lag is months late, >= 0 (shift an 'opens' date to open earlier)")
        return self


class ChoiceFactor(_Spec):
    kind: Literal["choice"]
    name: Id
    description: str = ""
    path: str | list[str]
    values: list[Any] = Field(min_length=1)

    def paths_list(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)


Factor = Annotated[NumberFactor | DateShiftFactor | OpeningLagFactor | ChoiceFactor, Field(discriminator="kind")]


class GridDesign(_Spec):
    kind: Literal["grid"]
    levels: int = Field(default=3, ge=2, le=1000, description="Evenly spaced values of each ranged factor without levels.")


class SampledDesign(_Spec):
    kind: Literal["latin_hypercube", "sobol"]
    points: int = Field(ge=1, le=1_000_000)
    seed: int = Field(ge=0)


class OutcomeSpec(_Spec):
    metrics: list[str] | None = None
    services: list[str] | None = None
    zones: list[str] | None = None


class SweepSpec(_Spec):
    """A sweep: the base scenario, factors, design, replications and outcomes to keep."""

    name: Id
    description: str = ""
    base: str = Field(description="Base scenario file, relative to this spec.")
    seed: int | None = Field(default=None, ge=0, description="Experiment seed; default: the base scenario's.")
    replications: int = Field(default=1, ge=1, le=100_000)
    design: Annotated[GridDesign | SampledDesign, Field(discriminator="kind")]
    factors: list[Factor] = Field(min_length=1)
    outcomes: OutcomeSpec = OutcomeSpec()

    @model_validator(mode="after")
    def _unique_names(self) -> SweepSpec:
        names = [f.name for f in self.factors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"factor names must be unique, repeated: {', '.join(dup)}")
        return self


AnyFactor = NumberFactor | DateShiftFactor | OpeningLagFactor | ChoiceFactor


# ------------------------------------------------------------------ points


def factor_levels(factor: AnyFactor, grid_levels: int) -> list[Any]:
    """The values a grid takes for ``factor``."""
    if isinstance(factor, ChoiceFactor):
        return list(factor.values)
    if factor.levels is not None:
        values = list(factor.levels)
    else:
        assert factor.range is not None
        values = [float(v) for v in np.linspace(factor.range[0], factor.range[1], grid_levels)]
    return [_round(factor, v) for v in values]


def from_unit(factor: AnyFactor, u: float) -> Any:
    """Map a point of [0, 1) to a value of ``factor`` (levels and choices in equal bins)."""
    options = factor.values if isinstance(factor, ChoiceFactor) else factor.levels
    if options is not None:
        return options[min(int(u * len(options)), len(options) - 1)]
    assert not isinstance(factor, ChoiceFactor) and factor.range is not None
    lo, hi = factor.range
    return _round(factor, lo + u * (hi - lo))


def _round(factor: AnyFactor, value: float) -> Any:
    if isinstance(factor, NumberFactor) and factor.integer:
        return int(round(value))
    return float(value)


def design_points(spec: SweepSpec) -> list[tuple[Any, ...]]:
    """The design's points, each a tuple of factor values in the spec's order."""
    design = spec.design
    if isinstance(design, GridDesign):
        return list(itertools.product(*(factor_levels(f, design.levels) for f in spec.factors)))
    d = len(spec.factors)
    if design.kind == "sobol":
        engine: qmc.QMCEngine = qmc.Sobol(d, scramble=True, rng=np.random.default_rng(design.seed))
        with warnings.catch_warnings():  # balance needs a power of 2; any count is allowed
            warnings.simplefilter("ignore", UserWarning)
            unit = engine.random(design.points)
    else:
        unit = qmc.LatinHypercube(d, rng=np.random.default_rng(design.seed)).random(design.points)
    return [tuple(from_unit(f, float(u)) for f, u in zip(spec.factors, row, strict=True)) for row in unit]


# ------------------------------------------------------------------ applying a point


def opening_lag_targets(base: Scenario, factor: OpeningLagFactor) -> list[str]:
    """Ids of the facilities an opening lag applies to."""
    if factor.facilities is not None:
        return list(factor.facilities)
    return [f.id for f in base.facilities
            if factor.service in f.services and (f.opens is not None or f.opens_with is not None)]


def apply_factor(scenario: Scenario, factor: AnyFactor, value: Any) -> Scenario:
    """Return ``scenario`` with one factor set to ``value`` (a new, validated scenario)."""
    if isinstance(factor, OpeningLagFactor):
        delay = {"distribution": "fixed", "mean": float(value)}
        for fid in opening_lag_targets(scenario, factor):
            scenario = set_path(scenario, f"facilities[{fid}].construction_delay_months", delay)
        return scenario
    for path in factor.paths_list():
        if isinstance(factor, DateShiftFactor):
            scenario = shift_date_path(scenario, path, float(value))
        else:
            scenario = set_path(scenario, path, value)
    return scenario


def apply_point(base: Scenario, factors: Sequence[AnyFactor], values: Sequence[Any]) -> Scenario:
    """The scenario of one design point.

    Raises
    ------
    ScenarioError
        When the point makes an invalid scenario (a date moved outside the
        horizon, a negative rate…); problems carry key paths.
    """
    for factor, value in zip(factors, values, strict=True):
        base = apply_factor(base, factor, value)
    return base
