"""The monitor: samples the town's state on the report grid.

Reports are taken at the very end of each report instant: after every ordinary
event scheduled for the same time, and after the services' own state updates of
that instant (:data:`LATE`, e.g. a school-year intake), so that a report dated
1 September shows the state after that day's intake. Reports only read: what
the model does never depends on when it is reported.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy
from simpy.events import Event, EventPriority

from sim.engine.population import Population
from sim.engine.results import EVENT_KINDS
from sim.engine.tables import date_zone_columns

OLDER_AGE = 65.0
"""Age from which residents count in the ``residents_65_plus`` table."""

LATE = EventPriority(2)
"""Priority below SimPy's NORMAL (1): a service's state update, after every
ordinary event of the same instant (arrivals, births, departures)."""

REPORT = EventPriority(3)
"""Priority below :data:`LATE`: a report, after everything else of the same instant."""


class LateTimeout(Event):
    """A timeout that fires after every ordinary event scheduled for the same time."""

    def __init__(self, env: simpy.Environment, delay: float, priority: EventPriority = LATE) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, priority, delay)


Probe = Callable[[int, float], None]
"""A service's sampler, called as ``probe(report_index, time)`` at each report.
It records the state and changes nothing."""


class Monitor:
    """Collects residents, households and flows at each report date."""

    def __init__(
        self, env: simpy.Environment, pop: Population, dates: list[dt.date], times: list[float]
    ) -> None:
        self.env, self.pop, self.dates, self.times = env, pop, dates, times
        t, z = len(times), len(pop.households)
        self.residents = np.zeros((t, z, 8), dtype=np.int64)
        self.households = np.zeros((t, z), dtype=np.int64)
        self.events = {k: np.zeros((t, z), dtype=np.int64) for k in EVENT_KINDS}
        self.older = np.zeros((t, z), dtype=np.int64)  # residents aged 65 and over
        self.probes: list[Probe] = []
        self.pyramid_at = sorted({0, t // 2, t - 1})
        self.pyramids: list[np.ndarray] = []

    def start(self) -> None:
        self.env.process(self._run())

    def _run(self) -> Generator[Event, Any, None]:
        for i, t in enumerate(self.times):
            yield LateTimeout(self.env, t - self.env.now, REPORT)
            self.residents[i] = self.pop.age_band_counts(t)
            self.older[i] = self.pop.cohort_counts(t, OLDER_AGE, math.inf)
            self.households[i] = self.pop.households
            for k, flow in zip(EVENT_KINDS, self.pop.take_flows(), strict=True):
                self.events[k][i] = flow
            if i in self.pyramid_at:
                self.pyramids.append(self.pop.pyramid(t))
            for probe in self.probes:
                probe(i, t)

    def older_table(self, zones: list[str]) -> dict[str, np.ndarray]:
        """Residents aged :data:`OLDER_AGE` and over per report date and zone (the
        ageing measure of censuses, which the reporting age bands do not split)."""
        return {**date_zone_columns(self.dates, zones), "residents_65_plus": self.older.reshape(-1)}

    def pyramid_table(self) -> dict[str, np.ndarray]:
        """Whole-town residents by sex and five-year age group at three dates."""
        dates, sex, group, residents = [], [], [], []
        for i, pyr in zip(self.pyramid_at, self.pyramids, strict=True):
            n_groups = pyr.shape[1]
            labels = [f"{5 * g}-{5 * g + 4}" for g in range(n_groups - 1)] + [f"{5 * (n_groups - 1)}+"]
            for s, name in enumerate(("male", "female")):
                dates += [self.dates[i]] * n_groups
                sex += [name] * n_groups
                group += labels
                residents += pyr[s].tolist()
        return {
            "date": np.array(dates, dtype=object),
            "sex": np.array(sex, dtype=object),
            "age_group": np.array(group, dtype=object),
            "residents": np.array(residents, dtype=np.int64),
        }
