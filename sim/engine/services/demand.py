"""Residents by age per zone, read once per report date and shared by count-based services."""

from __future__ import annotations

import math

import numpy as np

from sim.engine.population import Population


class AgeCounts:
    """Residents per zone between age edges at one instant (one cumulative count)."""

    def __init__(self, pop: Population, t: float, edges: list[float]) -> None:
        self.edges = sorted(set(edges) | {0.0})
        table = pop.cohort_table(t, [*self.edges, math.inf])
        self._cum = np.concatenate([np.zeros((table.shape[0], 1)), np.cumsum(table, axis=1)], axis=1)

    def between(self, lo: float, hi: float | None) -> np.ndarray:
        """Residents aged ``[lo, hi)`` per zone (``hi`` None: no upper limit); both must be edges."""
        i = self.edges.index(float(lo))
        j = len(self.edges) if hi is None else self.edges.index(float(hi))
        return np.asarray(self._cum[:, j] - self._cum[:, i], dtype=float)
