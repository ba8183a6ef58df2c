"""Gap outcomes of one replication for sensitivity analysis, computed where the run ran.

One row per ``zone, service, metric, year`` with a finite ``value``:

* ``peak_unmet`` — the largest unmet demand at a report date;
* ``unmet_seat_years`` — the time integral of unmet demand (as in
  :func:`sim.outputs.metrics.per_rep_gaps`);
* ``first_shortfall_days`` — days from the horizon start to the first report
  date with unmet demand. A replication without a shortfall counts as the last
  report date (*censored*): an estimator needs a number, and "not before the
  horizon ends" is the most a run can say;
* ``backlog_end`` — unmet demand at the last report date: the backlog the
  horizon leaves;
* ``unmet`` with ``year`` set — the largest unmet demand at a report date of
  that year (indices over time). ``year`` is 0 for the metrics over the whole
  horizon.

Zones may be grouped (the new town): a group's unmet demand at a date is the
sum over its zones. Zone-service pairs with neither demand nor capacity at any
date are left out, as in the run's series table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine import Results
from sim.outputs.metrics import DAYS_PER_YEAR

WHOLE_HORIZON = 0
"""The ``year`` of a metric over the whole horizon."""

COLUMNS = ("zone", "service", "metric", "year", "value")


@dataclass(frozen=True)
class GapOutcomes:
    """Which gap outcomes to keep from a replication; call it on a result.

    Attributes
    ----------
    metrics
        Whole-horizon metrics (module docstring).
    services, zones
        Services and zones to keep; ``None`` keeps all.
    zone_groups
        ``(name, zones)`` pairs: outcomes of the summed unmet demand of the zones.
    yearly
        Also ``unmet`` per year.
    """

    metrics: tuple[str, ...] = ("peak_unmet", "unmet_seat_years", "first_shortfall_days", "backlog_end")
    services: tuple[str, ...] | None = None
    zones: tuple[str, ...] | None = None
    zone_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    yearly: bool = True

    def __call__(self, results: Results) -> pd.DataFrame:
        """The kept outcomes of one replication as ``zone, service, metric, year, value``."""
        if not results.services:
            return _frame([])
        unmet, demand, capacity = (results.series[f] for f in ("unmet", "demand", "capacity"))
        context = _Context.of(results.dates)
        rows: list[tuple[str, str, str, int, float]] = []
        zone_index = {z: i for i, z in enumerate(results.zones)}
        for s, service in enumerate(results.services):
            if self.services is not None and service not in self.services:
                continue
            for name, members in self._zone_sets(results.zones):
                idx = [zone_index[z] for z in members]
                active = (demand[:, idx, s] > 0).any() or (capacity[:, idx, s] > 0).any()
                if active:
                    rows.extend(self._rows(name, service, unmet[:, idx, s].sum(axis=1), context))
        return _frame(rows)

    def _zone_sets(self, zones: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
        own = [(z, (z,)) for z in zones if self.zones is None or z in self.zones]
        return own + list(self.zone_groups)

    def _rows(self, zone: str, service: str, u: np.ndarray, c: _Context) -> list[tuple[str, str, str, int, float]]:
        short = u > 1e-9
        first = c.days[int(np.argmax(short))] if short.any() else c.days[-1]
        values = {"peak_unmet": float(u.max()), "unmet_seat_years": float((u * c.weights).sum()),
                  "first_shortfall_days": float(first), "backlog_end": float(u[-1])}
        out = [(zone, service, m, WHOLE_HORIZON, values[m]) for m in self.metrics]
        if self.yearly:
            for year in np.unique(c.years):
                out.append((zone, service, "unmet", int(year), float(u[c.years == year].max())))
        return out


@dataclass(frozen=True)
class _Context:
    """Days since the first report, years each report stands for, calendar years."""

    days: np.ndarray
    weights: np.ndarray
    years: np.ndarray

    @classmethod
    def of(cls, dates: Sequence[dt.date]) -> _Context:
        # Plain NumPy: this runs once per replication, thousands of times in an analysis.
        days = np.array([(d - dates[0]).days for d in dates], dtype=float)
        step = np.diff(days)
        weights = np.append(step, step[-1] if len(step) else 1.0) / DAYS_PER_YEAR  # as interval_weights
        return cls(days, weights, np.array([d.year for d in dates]))


def _frame(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({"zone": pd.Series(dtype=object), "service": pd.Series(dtype=object),
                             "metric": pd.Series(dtype=object), "year": pd.Series(dtype="int64"),
                             "value": pd.Series(dtype=float)})
    zone, service, metric, year, value = zip(*rows, strict=True)
    return pd.DataFrame({"zone": np.array(zone, dtype=object), "service": np.array(service, dtype=object),
                         "metric": np.array(metric, dtype=object), "year": np.array(year, dtype="int64"),
                         "value": np.array(value, dtype=float)})
