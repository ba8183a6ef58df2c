"""Count-based community services: day care, senior canteens, family doctors, health centres.

One model reads residents by age once per report date (:class:`AgeCounts`)
and serves each service's demand nearest first
(:func:`~sim.engine.services.allocation.allocate`). The demand formulas live
with their services: :mod:`sim.engine.services.eldercare` (day care, canteens)
and :mod:`sim.engine.services.health` (family doctors, health centres).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.engine.households import Care
from sim.engine.services.allocation import CountService, merge_outputs, schedules_for
from sim.engine.services.base import Context, ServiceOutput
from sim.engine.services.demand import AgeCounts
from sim.engine.services.eldercare import YoungCommunityCare
from sim.engine.services.health import family_doctor_demand, health_centre_demand
from sim.scenario.model import Service

Demand = Callable[[AgeCounts, float], np.ndarray]


class CommunityServices:
    """Several :class:`CountService` fed from one age count per report date."""

    def __init__(
        self,
        ctx: Context,
        parts: list[tuple[CountService, Demand]],
        edges: list[float],
        young: YoungCommunityCare | None = None,
    ) -> None:
        self.ctx, self.parts, self.edges = ctx, parts, edges
        self.young = young  # residents under the canteen age who need community care (a population listener)

    def start(self) -> None:
        for service, _ in self.parts:
            service.start()

    def sample(self, i: int, t: float) -> None:
        ages = AgeCounts(self.ctx.pop, t, self.edges)
        for service, demand in self.parts:
            service.record(i, t, demand(ages, t))

    def output(self) -> ServiceOutput:
        return merge_outputs([s.output() for s, _ in self.parts], len(self.ctx.times))


def _demands(ctx: Context, young: YoungCommunityCare | None) -> dict[Service, Demand]:
    sv, pop = ctx.scenario.services, ctx.pop

    def day_care(ages: AgeCounts, t: float) -> np.ndarray:
        return np.array([c[Care.COMMUNITY] for c in pop.care_counts], dtype=float) * sv.day_care.uptake

    canteen = sv.senior_canteen

    def senior_canteen(ages: AgeCounts, t: float) -> np.ndarray:
        assert young is not None
        people = ages.between(canteen.min_age, None) + young.counts(t)
        return np.asarray(people * canteen.uptake * canteen.meals_per_person_per_day)

    return {
        Service.DAY_CARE: day_care,
        Service.SENIOR_CANTEEN: senior_canteen,
        Service.FAMILY_DOCTOR: lambda ages, t: family_doctor_demand(sv.family_doctor, ages),
        Service.HEALTH_CENTRE: lambda ages, t: health_centre_demand(ages),
    }


def build_community_services(ctx: Context) -> CommunityServices | None:
    """The model, or ``None`` when the scenario has no facility for any of its services."""
    canteen = ctx.scenario.services.senior_canteen
    young = YoungCommunityCare(ctx, canteen.min_age) if any(
        Service.SENIOR_CANTEEN in f.services for f in ctx.scenario.facilities
    ) else None
    parts = []
    for service, demand in _demands(ctx, young).items():
        schedules = schedules_for(ctx, service)
        if schedules:
            parts.append((CountService(ctx, service, schedules), demand))
    edges = [0.0, 18.0, 65.0, float(ctx.scenario.services.senior_canteen.min_age)]
    return CommunityServices(ctx, parts, edges, young) if parts else None
