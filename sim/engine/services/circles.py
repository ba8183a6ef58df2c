"""15-minute community service circles: who lives within walking range of which services.

Each ``service_centre`` facility offers some of the six categories of the seed's
15-minute circles (政务 便民 健康 文体 平安 公益) from its opening date; a centre
listing no category offers all six (ASSUMPTION: a standardised centre). A centre
sits at its zone's centroid; a zone's residents are spread evenly over a disc of
``zone.radius_km`` around its centroid (ASSUMPTION). The walking range is
``services.service_centre.walk_km`` (default 1 km: the 15-minute circle's
800-1,000 m, docs/facts.md §1 [2][3], GB 50180-2018).

The covered share of a zone's disc is exact where one centre reaches it (the
circle-circle lens area over the disc's area) and otherwise read off a fixed
equal-area polar grid of :data:`RINGS` × :data:`SPOKES` points (error of order
1/RINGS). Coverage is not a capacity that demand can outrun, so service
centres have no demand and unmet rows in the series: the table ``coverage``
gives, per zone, date and category (and ``all`` for the six together, ``any``
for at least one centre), the covered share and the zone's residents; the
outputs summarise it as coverage, not as a shortfall. Facility rows carry each
centre's service population (capacity) and the residents within its reach
(served, at most the capacity).
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.results import FacilityKey
from sim.engine.services.allocation import schedules_for
from sim.engine.services.base import Context, ServiceOutput
from sim.engine.services.facilities import FacilitySchedule
from sim.scenario.model import Service, ServiceCategory

RINGS, SPOKES = 64, 128
"""Equal-area polar grid: RINGS rings of SPOKES points each."""

CATEGORIES = tuple(ServiceCategory)
ALL = "all"
ANY = "any"


def lens_area(r1: float, r2: float, d: float) -> float:
    """Area of the intersection of two discs of radii ``r1``, ``r2`` whose centres are ``d`` apart."""
    if d >= r1 + r2:
        return 0.0
    if d <= abs(r1 - r2):
        return math.pi * min(r1, r2) ** 2
    a1 = r1 * r1 * math.acos((d * d + r1 * r1 - r2 * r2) / (2 * d * r1))
    a2 = r2 * r2 * math.acos((d * d + r2 * r2 - r1 * r1) / (2 * d * r2))
    k = 0.5 * math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2))
    return a1 + a2 - k


def disc_grid(x: float, y: float, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Points of equal weight filling a disc: ring ``i`` at radius R sqrt((i + 1/2) / RINGS)."""
    r = radius * np.sqrt((np.arange(RINGS) + 0.5) / RINGS)
    theta = 2.0 * np.pi * (np.arange(SPOKES) + 0.5) / SPOKES
    return (x + np.outer(r, np.cos(theta))).ravel(), (y + np.outer(r, np.sin(theta))).ravel()


class Coverage:
    """Covered shares of zone discs by centres at fixed points (see the module docstring)."""

    def __init__(self, zones: list[tuple[float, float, float]], centres: list[tuple[float, float]], walk_km: float) -> None:
        self.zones, self.centres, self.walk = zones, centres, walk_km
        self._grids = [disc_grid(*z) for z in zones]
        self._masks: dict[tuple[int, int], np.ndarray] = {}

    def _distance(self, z: int, c: int) -> float:
        (x, y, _), (cx, cy) = self.zones[z], self.centres[c]
        return math.hypot(x - cx, y - cy)

    def mask(self, z: int, c: int) -> np.ndarray:
        key = (z, c)
        if key not in self._masks:
            gx, gy = self._grids[z]
            cx, cy = self.centres[c]
            self._masks[key] = np.hypot(gx - cx, gy - cy) <= self.walk
        return self._masks[key]

    def share(self, z: int, centres: list[int]) -> float:
        """Share of zone ``z``'s disc within walking range of any of ``centres``."""
        radius = self.zones[z][2]
        near = [c for c in centres if self._distance(z, c) < radius + self.walk]
        if not near:
            return 0.0
        if len(near) == 1:
            return lens_area(radius, self.walk, self._distance(z, near[0])) / (math.pi * radius**2)
        covered = np.zeros(RINGS * SPOKES, dtype=bool)
        for c in near:
            covered |= self.mask(z, c)
        return float(covered.mean())


def offered(categories: list[ServiceCategory]) -> frozenset[ServiceCategory]:
    """Categories a centre offers (none listed: all six)."""
    return frozenset(categories) if categories else frozenset(CATEGORIES)


class ServiceCircles:
    """The ``service_centre`` service model."""

    def __init__(self, ctx: Context, schedules: list[FacilitySchedule]) -> None:
        self.ctx, self.schedules = ctx, schedules
        zones = [(z.x_km, z.y_km, z.radius_km) for z in ctx.scenario.zones]
        centres = [(zones[s.zone][0], zones[s.zone][1]) for s in schedules]
        self.coverage = Coverage(zones, centres, ctx.scenario.services.service_centre.walk_km)
        self.offers = [offered(s.facility.categories) for s in schedules]
        n_t = len(ctx.times)
        self.fac = {k: [np.zeros(n_t) for _ in schedules] for k in ("capacity", "served")}  # nobody waits
        self.table: dict[str, list[object]] = {"zone": [], "date": [], "category": [], "share": [], "residents": []}
        self._cache: tuple[tuple[int, ...], np.ndarray] | None = None

    def start(self) -> None:
        for s in self.schedules:
            s.start()

    def shares(self, open_centres: list[int]) -> np.ndarray:
        """Covered shares ``(Z, 6 + 2)``: each category, all six, any centre."""
        out = np.zeros((len(self.coverage.zones), len(CATEGORIES) + 2))
        for z in range(out.shape[0]):
            for k, cat in enumerate(CATEGORIES):
                out[z, k] = self.coverage.share(z, [c for c in open_centres if cat in self.offers[c]])
            full = [c for c in open_centres if len(self.offers[c]) == len(CATEGORIES)]
            # All six may also come from several centres together: take the grid
            # intersection of the categories' unions unless one full centre decides it.
            out[z, -2] = self._all_six(z, open_centres, full, out[z, : len(CATEGORIES)])
            out[z, -1] = self.coverage.share(z, open_centres)
        return out

    def _all_six(self, z: int, open_centres: list[int], full: list[int], per_cat: np.ndarray) -> float:
        if len(full) == len(open_centres):  # every open centre offers all six
            return float(per_cat[0]) if full else 0.0
        cov = self.coverage
        every = np.ones(RINGS * SPOKES, dtype=bool)
        for cat in CATEGORIES:
            union = np.zeros(RINGS * SPOKES, dtype=bool)
            for c in open_centres:
                if cat in self.offers[c]:
                    union |= cov.mask(z, c)
            every &= union
        return float(every.mean())

    def sample(self, i: int, t: float) -> None:
        open_centres = [c for c, s in enumerate(self.schedules) if s.capacity(t) > 0.0 and t >= s.opened_at]
        key = tuple(open_centres)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self.shares(open_centres))
        shares = self._cache[1]
        # Every resident is in one care state, so the states' counts sum to the residents.
        residents = np.array([sum(c) for c in self.ctx.pop.care_counts], dtype=float)
        self._facilities(i, t, residents)
        self._record(i, shares, residents)

    def _facilities(self, i: int, t: float, residents: np.ndarray) -> None:
        for c, s in enumerate(self.schedules):
            cap = s.capacity(t)
            reach = sum(residents[z] * self.coverage.share(z, [c]) for z in range(len(residents)))
            self.fac["capacity"][c][i] = cap
            self.fac["served"][c][i] = min(cap, reach)

    def _record(self, i: int, shares: np.ndarray, residents: np.ndarray) -> None:
        date = self.ctx.dates[i]
        labels = [c.value for c in CATEGORIES] + [ALL, ANY]
        for z, zone in enumerate(self.ctx.zone_index):
            for k, label in enumerate(labels):
                self.table["zone"].append(zone)
                self.table["date"].append(date)
                self.table["category"].append(label)
                self.table["share"].append(float(shares[z, k]))
                self.table["residents"].append(float(residents[z]))

    def output(self) -> ServiceOutput:
        zones = list(self.ctx.zone_index)
        keys = [FacilityKey(s.facility.id, Service.SERVICE_CENTRE.value, zones[s.zone]) for s in self.schedules]
        table = {k: np.array(v, dtype=float if k in ("share", "residents") else object) for k, v in self.table.items()}
        return ServiceOutput(
            facility_keys=keys,
            facility_series=self.fac,
            tables={"coverage": table},
        )


def build_service_circles(ctx: Context) -> ServiceCircles | None:
    """The model, or ``None`` when the scenario has no service centre."""
    schedules = schedules_for(ctx, Service.SERVICE_CENTRE)
    return ServiceCircles(ctx, schedules) if schedules else None
