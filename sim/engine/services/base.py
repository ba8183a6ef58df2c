"""What every service model shares: the context it runs in and what it returns.

A service model (schools, eldercare, health, enterprises…) is built from a
:class:`Context`, starts its SimPy processes in ``start()``, is sampled by the
monitor at every report date through ``sample(i, t)`` (after every other event
of that instant), and hands back a :class:`ServiceOutput` at the end.
``sample`` only records: every change of a model's state happens in its own
processes or event handlers, so the results do not depend on the report grid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import simpy

from sim.engine.calendar import Calendar
from sim.engine.housing import Housing
from sim.engine.population import Population
from sim.engine.results import FacilityKey
from sim.engine.streams import Streams
from sim.engine.workers import WorkerHouseholds
from sim.scenario.model import Scenario, Service


@dataclass(frozen=True)
class Context:
    """Everything a service model may read or hook into."""

    env: simpy.Environment
    scenario: Scenario
    cal: Calendar
    pop: Population
    housing: Housing
    streams: Streams
    dates: tuple[dt.date, ...]
    times: tuple[float, ...]
    zone_index: dict[str, int]
    distance_km: np.ndarray  # (Z, Z) between zone centroids
    workers: WorkerHouseholds | None = None  # the worker-household source, when there are parks

    @property
    def n_zones(self) -> int:
        return len(self.zone_index)

    def series_arrays(self) -> dict[str, np.ndarray]:
        """Fresh zero arrays ``(T, Z)`` for each series field."""
        from sim.engine.results import SERIES_FIELDS

        return {f: np.zeros((len(self.times), self.n_zones)) for f in SERIES_FIELDS}


@dataclass
class ServiceOutput:
    """A service model's report arrays."""

    series: dict[Service, dict[str, np.ndarray]] = field(default_factory=dict)  # field -> (T, Z)
    facility_keys: list[FacilityKey] = field(default_factory=list)
    facility_series: dict[str, list[np.ndarray]] = field(default_factory=dict)  # field -> K arrays (T,)
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


def facility_field(out: ServiceOutput, name: str, n_times: int) -> list[np.ndarray]:
    """One facility field of ``out`` (``(T,)`` per facility row), zeros for a field the
    model does not record (no waiting list: nobody waits)."""
    return out.facility_series.get(name) or [np.zeros(n_times) for _ in out.facility_keys]


class ServiceModel(Protocol):
    """The protocol of a service model (see the module docstring)."""

    def start(self) -> None: ...

    def sample(self, i: int, t: float) -> None: ...

    def output(self) -> ServiceOutput: ...


def distance_matrix(scenario: Scenario) -> np.ndarray:
    """Straight-line distances between zone centroids, km."""
    xy = np.array([(z.x_km, z.y_km) for z in scenario.zones], dtype=float)
    return np.asarray(np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]))
