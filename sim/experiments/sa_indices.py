"""From recorded runs to the indices table: one estimate per outcome.

The runs' rows (``point, rep, zone, service, metric, year, value``) are cut
into one ``points × replications`` matrix per outcome (NaN where a run is
missing) and each goes through :func:`sim.experiments.sa_estimators.estimate`.
The table has one row per ``method, outcome, zone, service, year, input``
with the index and its interval; ``year`` is ``all`` for a metric over the
whole horizon.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.experiments.sa_design import Design
from sim.experiments.sa_estimators import Settings, estimate

INDEX_COLUMNS: tuple[str, ...] = ("method", "outcome", "zone", "service", "year", "input", "index", "low", "high")
"""Columns of ``indices.csv``."""

KEYS = ["metric", "zone", "service", "year"]


@dataclass
class Indices:
    """The indices table and, per outcome, what the estimators left out."""

    table: pd.DataFrame
    notes: dict[str, list[str]] = field(default_factory=dict)
    outcomes: int = 0

    def note_counts(self) -> dict[str, int]:
        """How many outcomes got each note (for the printed summary)."""
        counts: dict[str, int] = {}
        for notes in self.notes.values():
            for note in notes:
                counts[note] = counts.get(note, 0) + 1
        return counts


def matrices(rows: pd.DataFrame, points: int, reps: int) -> Iterator[tuple[tuple[str, str, str, int], np.ndarray]]:
    """``(metric, zone, service, year)`` and its ``points × reps`` matrix, per outcome."""
    if rows.empty:
        return
    for key, g in rows.groupby(KEYS, sort=True):
        y = np.full((points, reps), np.nan)
        y[g["point"].to_numpy(dtype=int), g["rep"].to_numpy(dtype=int)] = g["value"].to_numpy(dtype=float)
        metric, zone, service, year = key
        yield (str(metric), str(zone), str(service), int(year)), y


def compute_indices(design: Design, rows: pd.DataFrame, reps: int, settings: Settings) -> Indices:
    """Every outcome's indices.

    Parameters
    ----------
    design
        The design the runs followed.
    rows
        The recorded outcome rows of every done run.
    reps
        Replications per point.
    settings
        Levels, bootstrap resamples, confidence and seed.
    """
    out: list[dict[str, object]] = []
    notes: dict[str, list[str]] = {}
    n = 0
    for (metric, zone, service, year), y in matrices(rows, len(design.points), reps):
        n += 1
        est = estimate(design, y, settings)
        label = f"{metric} {zone}/{service}" + (f" {year}" if year else "")
        if est.notes:
            notes[label] = est.notes
        where = {"outcome": metric, "zone": zone, "service": service, "year": str(year) if year else "all"}
        out.extend({**where, **r} for r in est.rows)
    table = pd.DataFrame(out, columns=list(INDEX_COLUMNS)) if out else pd.DataFrame(columns=list(INDEX_COLUMNS))
    return Indices(table[list(INDEX_COLUMNS)], notes, n)
