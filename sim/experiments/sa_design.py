"""Designs of a sensitivity analysis: which input values each run gets.

SALib draws the designs on the unit hypercube, as its ``sample(problem, N,
seed)`` functions do; each unit coordinate becomes an input's value through
the input's quantile function (:func:`sim.experiments.inputs.quantile`), so
every distribution a scenario may declare can be analysed, and the estimators
read the unit design SALib made.

* **Morris**: ``trajectories`` one-at-a-time paths on a grid of ``levels``
  levels (:func:`SALib.sample.morris.sample`). Grid level ``k`` of ``p`` is the
  quantile ``(k + 0.5) / p``: the middle of the k-th of ``p`` equally likely
  slices, so unbounded distributions stay finite.
* **Sobol**: Saltelli's design from a scrambled Sobol' sequence,
  ``N × (d + 2)`` points (:func:`SALib.sample.sobol.sample`, no second order).
* **Tornado**: the scenario as written, then each input alone at its low and
  high quantile.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.experiments.inputs import quantile
from sim.experiments.sa_spec import MorrisMethod, SobolMethod, TornadoMethod
from sim.scenario.model import UncertainInput

Point = tuple[tuple[int, Any], ...]
"""One design point: ``(input index, value)`` for each input it sets (others keep the scenario's)."""

_EDGE = 1e-9  # keeps Sobol points off 0 and 1, where an unbounded quantile is infinite


@dataclass(frozen=True)
class Design:
    """The points of a sensitivity analysis.

    Attributes
    ----------
    method
        ``morris``, ``sobol`` or ``tornado``.
    inputs
        The inputs varied, in the spec's order.
    points
        Each point's input values.
    unit
        ``(points, inputs)``: the unit design the estimators read (Morris grid
        levels in [0, 1], Sobol points); ``None`` for a tornado.
    labels
        A short name per point (``trajectory 3``, ``tfr high``…).
    """

    method: str
    inputs: tuple[UncertainInput, ...]
    points: tuple[Point, ...]
    unit: np.ndarray | None
    labels: tuple[str, ...]

    def table_rows(self) -> list[dict[str, Any]]:
        """One mapping per point: ``point, label`` and each input's value (None: the scenario's)."""
        rows = []
        for p, (point, label) in enumerate(zip(self.points, self.labels, strict=True)):
            row: dict[str, Any] = {"point": p, "label": label}
            row.update({inp.id: None for inp in self.inputs})
            row.update({self.inputs[i].id: v for i, v in point})
            rows.append(row)
        return rows


def salib_problem(inputs: Sequence[UncertainInput]) -> dict[str, Any]:
    """SALib's problem description on the unit hypercube (its interface is a dict)."""
    return {"num_vars": len(inputs), "names": [i.id for i in inputs], "bounds": [[0.0, 1.0]] * len(inputs)}


def make_design(method: MorrisMethod | SobolMethod | TornadoMethod, inputs: Sequence[UncertainInput]) -> Design:
    """The design of ``method`` over ``inputs``."""
    inputs = tuple(inputs)
    if isinstance(method, TornadoMethod):
        return _tornado(method, inputs)
    problem = salib_problem(inputs)
    if isinstance(method, MorrisMethod):
        unit = morris_sample.sample(problem, method.trajectories, num_levels=method.levels, seed=method.seed)
        q = (np.rint(unit * (method.levels - 1)) + 0.5) / method.levels
        per = len(inputs) + 1
        labels = tuple(f"trajectory {k // per}" for k in range(len(unit)))
    else:
        with warnings.catch_warnings():  # SALib warns when N is not a power of 2; any N works
            warnings.simplefilter("ignore")
            unit = sobol_sample.sample(problem, method.samples, calc_second_order=False, scramble=True,
                                       seed=method.seed)
        q = np.clip(unit, _EDGE, 1.0 - _EDGE)
        per = len(inputs) + 2
        labels = tuple(f"sample {k // per}" for k in range(len(unit)))
    points = tuple(tuple((j, quantile(inp.distribution, float(u))) for j, (inp, u) in enumerate(zip(inputs, row, strict=True)))
                   for row in q)
    return Design(method.kind, inputs, points, np.asarray(unit, dtype=float), labels)


def _tornado(method: TornadoMethod, inputs: tuple[UncertainInput, ...]) -> Design:
    points: list[Point] = [()]
    labels = ["scenario"]
    for j, inp in enumerate(inputs):
        for side, u in (("low", method.low_quantile), ("high", method.high_quantile)):
            points.append(((j, quantile(inp.distribution, u)),))
            labels.append(f"{inp.id} {side}")
    return Design("tornado", inputs, tuple(points), None, tuple(labels))
