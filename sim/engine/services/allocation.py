"""Who may use which facility, and counted demand served nearest first.

docs/model.md §4: a person who needs a service is served by a facility whose
catchment covers their zone and has free capacity, nearest first; a scenario
may allow overflow to other facilities within ``services.allocation.overflow_km``;
otherwise the person is unmet. Distances are between zone centroids.

For services whose demand is a count read at each report date (day care,
canteens, family doctors, health centres, factory space) :func:`allocate`
serves zone-facility pairs in order of preference (:func:`preference_pairs`:
catchment pairs before overflow pairs, nearest first; the schools place
pupils in the same order), each taking what it can. In the zone rows of the series,
capacity is that of the facilities *located* in the zone
(:func:`located_capacity`) and served counts the zone's own demand served
anywhere; per facility, served never exceeds capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.results import FacilityKey
from sim.engine.services.base import Context, ServiceOutput, facility_field
from sim.engine.services.facilities import FacilitySchedule
from sim.scenario.model import Service


@dataclass(frozen=True)
class Reach:
    """Which zones each facility may serve and which facilities each zone prefers."""

    catchment: list[list[int]]  # per facility: its catchment zones
    served_zones: list[list[int]]  # per facility: catchment plus overflow zones
    preference: list[list[int]]  # per zone: usable facilities, catchment first, nearest first
    pairs: list[tuple[int, int]]  # (zone, facility) in allocation order


def preference_pairs(
    zones: Sequence[int],
    catchments: Sequence[Sequence[int]],
    distance_km: np.ndarray,
    overflow_km: float,
) -> list[tuple[int, int]]:
    """(zone, facility) pairs in order of preference, the one order every service uses.

    Catchment pairs by distance between zone centroids, nearest first, then
    overflow pairs (zones outside a facility's catchment within ``overflow_km``;
    0: none), nearest first. At equal distance the facility with the narrower
    catchment comes first (it leaves the wider one's capacity to zones with
    fewer choices), then zone and facility order.

    Parameters
    ----------
    zones
        Zone of each facility.
    catchments
        Zones each facility serves.
    distance_km
        Distances between zone centroids, ``(Z, Z)``.
    overflow_km
        Overflow distance.
    """
    ranked: list[tuple[int, float, int, int, int]] = []
    for f, (home, catchment) in enumerate(zip(zones, catchments, strict=True)):
        for z in range(distance_km.shape[0]):
            d = float(distance_km[z, home])
            if z in catchment:
                ranked.append((0, d, len(catchment), z, f))
            elif overflow_km > 0 and d <= overflow_km:
                ranked.append((1, d, len(catchment), z, f))
    ranked.sort()
    return [(z, f) for *_, z, f in ranked]


def reach(ctx: Context, schedules: list[FacilitySchedule]) -> Reach:
    """Eligibility and nearest-first order for ``schedules`` under the scenario's overflow rule."""
    overflow = ctx.scenario.services.allocation.overflow_km
    catchments = [list(s.catchment) for s in schedules]
    pairs = preference_pairs([s.zone for s in schedules], catchments, ctx.distance_km, overflow)
    served = [list(c) for c in catchments]
    for z, f in pairs:
        if z not in catchments[f]:
            served[f].append(z)
    preference: list[list[int]] = [[] for _ in range(ctx.n_zones)]
    for z, f in pairs:
        preference[z].append(f)
    return Reach(catchment=catchments, served_zones=served, preference=preference, pairs=pairs)


def allocate(demand: np.ndarray, capacity: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Serve ``demand`` (Z,) from ``capacity`` (F,) pair by pair: served ``(F, Z)``."""
    left_d = demand.astype(float).copy()
    left_c = capacity.astype(float).copy()
    served = np.zeros((len(capacity), len(demand)))
    for z, f in pairs:
        take = min(left_d[z], left_c[f])
        if take > 0.0:
            served[f, z] += take
            left_d[z] -= take
            left_c[f] -= take
    return served


def located_capacity(capacity: np.ndarray, zones: list[int], n_zones: int) -> np.ndarray:
    """Capacity of the facilities located in each zone, ``(Z,)``; ``zones[f]`` is facility f's zone."""
    return np.bincount(np.asarray(zones, dtype=np.int64), weights=capacity, minlength=n_zones).astype(float)


def schedules_for(ctx: Context, service: Service) -> list[FacilitySchedule]:
    """Opening and capacity schedules of every facility providing ``service``."""
    return [
        FacilitySchedule(ctx, i, f, service)
        for i, f in enumerate(ctx.scenario.facilities)
        if service in f.services
    ]


class CountService:
    """One service whose demand is a count per zone, read and served at each report date."""

    def __init__(self, ctx: Context, service: Service, schedules: list[FacilitySchedule]) -> None:
        self.ctx, self.service, self.schedules = ctx, service, schedules
        self.reach = reach(ctx, schedules)
        self.series = ctx.series_arrays()
        n_t = len(ctx.times)
        self.fac_capacity = [np.zeros(n_t) for _ in schedules]
        self.fac_served = [np.zeros(n_t) for _ in schedules]

    def start(self) -> None:
        for s in self.schedules:
            s.start()

    def record(self, i: int, t: float, demand: np.ndarray) -> None:
        """Serve ``demand`` (Z,) at report ``i`` (time ``t``) and store the rows."""
        cap = np.array([s.capacity(t) for s in self.schedules])
        served = allocate(demand, cap, self.reach.pairs)
        by_zone = served.sum(axis=0)
        row = self.series
        row["demand"][i] = demand
        row["served"][i] = by_zone
        row["unmet"][i] = demand - by_zone
        row["capacity"][i] = located_capacity(cap, [s.zone for s in self.schedules], self.ctx.n_zones)
        for f in range(len(self.schedules)):
            self.fac_capacity[f][i] = cap[f]
            self.fac_served[f][i] = served[f].sum()

    def output(self) -> ServiceOutput:
        zones = list(self.ctx.zone_index)
        return ServiceOutput(
            series={self.service: self.series},
            facility_keys=[FacilityKey(s.facility.id, self.service.value, zones[s.zone]) for s in self.schedules],
            facility_series={"capacity": self.fac_capacity, "served": self.fac_served},
        )


def merge_outputs(outputs: list[ServiceOutput], n_times: int) -> ServiceOutput:
    """One output from several services' outputs (series, facility rows, tables)."""
    merged = ServiceOutput(facility_series={"capacity": [], "served": [], "waiting": []})
    for out in outputs:
        merged.series.update(out.series)
        merged.tables.update(out.tables)
        merged.facility_keys += out.facility_keys
        for name, dest in merged.facility_series.items():
            dest += facility_field(out, name, n_times)
    return merged
