"""Test doubles that stand in for the simulation in sensitivity tests.

Each reads its inputs from a scenario (zone ``x_i``'s ``x_km``, see
``tests/scenarios/sensitivity/functions.yaml``) and returns a real
:class:`~sim.engine.Results` whose one series holds the function's value as the
unmet demand of zone ``x1`` at every report date, so the analysis reads it
back as that zone's ``peak_unmet`` through the same reducer as the model's.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from sim.engine import EVENT_KINDS, SERIES_FIELDS, Results
from sim.scenario import Scenario

SHIFT = 20.0
"""Added to the functions so that unmet demand is never negative (indices do not change)."""

G_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)


def _inputs(scenario: Scenario, n: int) -> list[float]:
    return [scenario.zone(f"x{i}").x_km for i in range(1, n + 1)]


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> float:
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def sobol_g(x: list[float]) -> float:
    return float(np.prod([(abs(4 * xi - 2) + a) / (1 + a) for xi, a in zip(x, G_A, strict=True)]))


def results_with(scenario: Scenario, seed: int, value: float) -> Results:
    """A result with ``value`` as zone x1's unmet kindergarten demand at every date."""
    dates = (dt.date(2020, 1, 1), dt.date(2020, 2, 1), dt.date(2020, 3, 1))
    zones = tuple(z.id for z in scenario.zones)
    t, z = len(dates), len(zones)
    series = {f: np.zeros((t, z, 1)) for f in SERIES_FIELDS}
    series["demand"][:, 0, 0] = value
    series["unmet"][:, 0, 0] = value
    return Results(scenario=scenario.name, seed=seed, dates=dates, zones=zones,
                   residents=np.zeros((t, z, 8), dtype=np.int64), households=np.zeros((t, z), dtype=np.int64),
                   initial=np.zeros(z, dtype=np.int64),
                   events={k: np.zeros((t, z), dtype=np.int64) for k in EVENT_KINDS},
                   services=("kindergarten",), series=series)


def ishigami_model(scenario: Scenario, seed: int) -> Results:
    return results_with(scenario, seed, SHIFT + ishigami(*_inputs(scenario, 3)))


def sobol_g_model(scenario: Scenario, seed: int) -> Results:
    return results_with(scenario, seed, sobol_g(_inputs(scenario, 8)))
