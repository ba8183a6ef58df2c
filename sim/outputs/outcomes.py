"""Outcomes of one replication as a small long table, computed where the run ran.

A replication's :class:`~sim.engine.Results` holds every series at every report
date (hundreds of kilobytes for the base scenario). Comparisons and sweeps need
only the gap metrics per zone and service (docs/model.md §5), so worker processes
reduce each result with an :class:`Outcomes` and send back a table of one row
per ``zone, service, metric``:

* ``backlog_at_start`` — unmet demand at the first report date (a gap the town
  starts with);
* ``first_shortfall_days`` — days from the horizon start to the first report
  date with a new shortfall, one that is not the starting backlog (missing when
  there is none; see :func:`sim.outputs.metrics.per_rep_gaps`);
* ``peak_unmet``, ``months_in_shortfall``, ``unmet_seat_years`` — as in
  :func:`sim.outputs.metrics.per_rep_gaps`;
* ``any_shortfall`` — 1 when the replication had unmet demand at any date, else 0.

Two rows per zone describe the population rather than a service, with
``service`` = ``population``: ``residents_end`` (at the last report date) and
``residents_peak``. They let a comparison show how a housing lever moves people
as well as gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine import Results
from sim.outputs.metrics import per_rep_gaps
from sim.outputs.tables import series_table

GAP_METRICS: tuple[str, ...] = (
    "backlog_at_start",
    "first_shortfall_days",
    "peak_unmet",
    "months_in_shortfall",
    "unmet_seat_years",
    "any_shortfall",
)
"""Gap metrics per zone and service, in the order tables list them."""

POPULATION_METRICS: tuple[str, ...] = ("residents_end", "residents_peak")
"""Population measures per zone (``service`` = ``population``)."""

POPULATION = "population"
COLUMNS: tuple[str, ...] = ("zone", "service", "metric", "value")


@dataclass(frozen=True)
class Outcomes:
    """Which outcomes to keep from a replication; call it on a result.

    Attributes
    ----------
    metrics
        Metric names to keep (from :data:`GAP_METRICS` and
        :data:`POPULATION_METRICS`); ``None`` keeps all.
    services, zones
        Services (``population`` included) and zones to keep; ``None`` keeps all.
    """

    metrics: tuple[str, ...] | None = None
    services: tuple[str, ...] | None = None
    zones: tuple[str, ...] | None = None

    def __call__(self, results: Results) -> pd.DataFrame:
        """Return the kept outcomes of one replication as ``zone, service, metric, value``."""
        df = pd.concat([gap_rows(results), population_rows(results)], ignore_index=True)
        keep = np.ones(len(df), dtype=bool)
        for column, allowed in (("metric", self.metrics), ("service", self.services), ("zone", self.zones)):
            if allowed is not None:
                keep &= df[column].isin(allowed).to_numpy()
        return df[keep].reset_index(drop=True)


def gap_rows(results: Results) -> pd.DataFrame:
    """Gap metrics of one replication, one row per ``zone, service, metric``."""
    gaps = per_rep_gaps(series_table([results]))
    if gaps.empty:
        return _frame([], [], [], [])
    start = pd.Timestamp(results.dates[0])
    wide = pd.DataFrame({
        "zone": gaps["zone"].astype(str).to_numpy(),
        "service": gaps["service"].astype(str).to_numpy(),
        "backlog_at_start": gaps["backlog_at_start"].to_numpy(dtype=float),
        "first_shortfall_days": (pd.to_datetime(gaps["first_shortfall"]) - start).dt.days.to_numpy(dtype=float),
        "peak_unmet": gaps["peak_unmet"].to_numpy(dtype=float),
        "months_in_shortfall": gaps["months_in_shortfall"].to_numpy(dtype=float),
        "unmet_seat_years": gaps["unmet_seat_years"].to_numpy(dtype=float),
        "any_shortfall": gaps["any_shortfall"].to_numpy(dtype=float),
    })
    long = wide.melt(id_vars=["zone", "service"], value_vars=list(GAP_METRICS), var_name="metric")
    return _frame(long["zone"], long["service"], long["metric"], long["value"])


def population_rows(results: Results) -> pd.DataFrame:
    """Residents per zone at the last report date and at their peak."""
    total = results.total_residents().astype(float)  # (T, Z)
    zones = list(results.zones)
    n = len(zones)
    return _frame(
        zones * 2,
        [POPULATION] * (2 * n),
        ["residents_end"] * n + ["residents_peak"] * n,
        np.concatenate([total[-1], total.max(axis=0)]) if total.size else np.zeros(2 * n),
    )


def _frame(zone: Sequence[str] | pd.Series, service: Sequence[str] | pd.Series,
           metric: Sequence[str] | pd.Series, value: Sequence[float] | np.ndarray | pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "zone": pd.Series(zone, dtype=object).to_numpy(),
        "service": pd.Series(service, dtype=object).to_numpy(),
        "metric": pd.Series(metric, dtype=object).to_numpy(),
        "value": np.asarray(value, dtype=float),
    })
