"""When a facility opens and what capacity it has at any time.

A facility opens at its planned date plus a random construction delay (its own
keyed stream), or, with ``opens_with``, when the named housing project's first
phase is delivered (plus the delay). Capacity then follows ``capacity_changes``.
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from typing import Any

import simpy

from sim.engine.hazards import INF
from sim.engine.housing import delay_days
from sim.engine.services.base import Context
from sim.engine.streams import Stream
from sim.scenario.model import Capacity, CapacityChange, Facility, Service


def capacity_value(
    c: Capacity | CapacityChange,
    service: Service,
    ctx: Context,
    class_size: int | None = None,
    panel_size: int | None = None,
) -> float:
    """Capacity in the service's unit: seats, beds, places, meals/day, m², residents.

    ``class_size`` and ``panel_size`` are the facility's own, which hold for its
    capacity changes too (a change gives classes or teams, not their size).
    """
    if c.classes is not None:
        size = class_size or getattr(c, "class_size", None) or _default_class_size(service, ctx)
        return float(c.classes * size)
    if c.teams is not None:
        panel = panel_size or getattr(c, "panel_size", None) or ctx.scenario.services.family_doctor.panel_size
        return float(c.teams * panel)
    assert c.units is not None
    return float(c.units)


def _default_class_size(service: Service, ctx: Context) -> int:
    sv = ctx.scenario.services
    sizes = {
        Service.KINDERGARTEN: sv.kindergarten.class_size,
        Service.PRIMARY: sv.primary.class_size,
        Service.MIDDLE: sv.middle.class_size,
        Service.VOCATIONAL: sv.vocational.class_size,
    }
    return sizes.get(service, 1)


class FacilitySchedule:
    """Opening time and capacity steps of one facility for one service."""

    def __init__(self, ctx: Context, index: int, facility: Facility, service: Service) -> None:
        self.ctx, self.index, self.facility, self.service = ctx, index, facility, service
        self.zone = ctx.zone_index[facility.zone]
        self.catchment = [ctx.zone_index[z] for z in (facility.catchment or [facility.zone])]
        size, panel = facility.capacity.class_size, facility.capacity.panel_size
        self.base = capacity_value(facility.capacity, service, ctx, size, panel)
        self.change_times = [ctx.cal.time(c.date) for c in facility.capacity_changes]
        self.change_values = [capacity_value(c, service, ctx, size, panel) for c in facility.capacity_changes]
        self.opened_at = INF if (facility.opens is not None or facility.opens_with is not None) else 0.0
        self.opened = simpy.Event(ctx.env)
        if self.opened_at == 0.0:
            self.opened.succeed()

    def start(self) -> None:
        if self.opened_at > 0.0:
            self.ctx.env.process(self._open())

    def _open(self) -> Generator[simpy.Event, Any, None]:
        f, ctx = self.facility, self.ctx
        gen = ctx.streams.generator(Stream.CONSTRUCTION, self.index)
        delay = delay_days(f.construction_delay_months, gen, ctx.scenario.variation.construction_delay) if f.construction_delay_months else 0.0
        if f.opens_with is not None:
            yield ctx.housing.first_delivery[f.opens_with]
            planned = ctx.env.now
            if f.opens is not None:
                planned = max(planned, ctx.cal.time(f.opens))
        else:
            assert f.opens is not None
            planned = ctx.cal.time(f.opens)
        when = planned + delay
        if when > ctx.cal.end_time:
            return
        yield ctx.env.timeout(max(when - ctx.env.now, 0.0))
        self.opened_at = ctx.env.now
        self.opened.succeed()

    def capacity(self, t: float) -> float:
        """Capacity at model time ``t`` (0 before opening)."""
        if t < self.opened_at:
            return 0.0
        k = bisect.bisect_right(self.change_times, t)
        return self.change_values[k - 1] if k else self.base
