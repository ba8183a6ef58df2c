"""What one replication of the model returns: plain NumPy arrays on a report grid.

The engine fills these arrays as the simulation runs; the outputs layer turns
them into tidy tables. Nothing here knows pandas or files.

Axes: ``T`` report dates, ``Z`` zones, ``B`` age bands, ``S`` services present
in this run, ``K`` (facility, service) pairs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-2", 0.0, 3.0),
    ("3-5", 3.0, 6.0),
    ("6-11", 6.0, 12.0),
    ("12-14", 12.0, 15.0),
    ("15-17", 15.0, 18.0),
    ("18-59", 18.0, 60.0),
    ("60-79", 60.0, 80.0),
    ("80+", 80.0, float("inf")),
)
"""Reporting age bands: label, lower age (inclusive), upper age (exclusive), in years."""

EVENT_KINDS: tuple[str, ...] = ("arrivals", "births", "deaths", "departures")
"""Resident flows counted between report dates; ``arrivals`` also counts relocations in."""

SERIES_FIELDS: tuple[str, ...] = ("demand", "capacity", "served", "unmet", "waiting")


@dataclass(frozen=True)
class FacilityKey:
    """One row of the facility axis: a facility serving one service."""

    facility: str
    service: str
    zone: str


@dataclass(frozen=True)
class Results:
    """The outcome of ``simulate(scenario, seed)``.

    Attributes
    ----------
    scenario, seed
        What was run.
    dates
        Report dates (``T``): the regular reporting grid plus every school-year intake.
    zones
        Zone ids (``Z``), in scenario order.
    residents
        int64 ``(T, Z, B)``: residents by age band (:data:`AGE_BANDS`) at each date.
    households
        int64 ``(T, Z)``: households living in each zone at each date.
    initial
        int64 ``(Z,)``: residents at the start of the horizon.
    events
        name -> int64 ``(T, Z)``: residents arriving, born, dying, departing in the
        interval that ends at each report date (the first interval starts at the
        horizon start). Relocations between zones count as a departure from one
        zone and an arrival in the other.
    services
        Service names (``S``) that this run modelled.
    series
        field -> float64 ``(T, Z, S)`` for each of :data:`SERIES_FIELDS`.
    facility_keys, facility_series
        ``K`` facility-service pairs and field -> float64 ``(T, K)`` for
        ``capacity``, ``served`` and ``waiting``.
    tables
        Further named tables as column dicts of equal-length arrays (e.g. jobs,
        waits); the outputs layer writes each as its own Parquet file.
    n_events
        Simulation events processed (for performance reporting).
    """

    scenario: str
    seed: int
    dates: tuple[dt.date, ...]
    zones: tuple[str, ...]
    residents: np.ndarray
    households: np.ndarray
    initial: np.ndarray
    events: dict[str, np.ndarray]
    services: tuple[str, ...] = ()
    series: dict[str, np.ndarray] = field(default_factory=dict)
    facility_keys: tuple[FacilityKey, ...] = ()
    facility_series: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    n_events: int = 0

    @property
    def age_bands(self) -> tuple[str, ...]:
        return tuple(label for label, _, _ in AGE_BANDS)

    def total_residents(self) -> np.ndarray:
        """Residents per date and zone, ``(T, Z)``."""
        return np.asarray(self.residents.sum(axis=2))
