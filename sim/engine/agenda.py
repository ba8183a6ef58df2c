"""The households' agenda: far-off events wait in monthly buckets outside SimPy's schedule.

Most households' next event (a death, a birth, a departure) is years away, so
hundreds of thousands of them would sit in SimPy's schedule (a binary heap),
and every event would pay for a heap that deep. The agenda keeps an event due
after the current month in the bucket of its month, and moves a bucket's events
into SimPy's schedule, each at its exact time, when that month begins. SimPy's
heap then holds about one month of events. Nothing changes but where an event
waits: every event still happens at its exact time, in time order.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

from sim.engine.calendar import DAYS_PER_MONTH

Schedule = Callable[[float, Any], None]
"""Puts one waiting entry into SimPy's schedule at its exact time: ``schedule(t, entry)``
(with :func:`schedule_at`)."""


def schedule_at(env: simpy.Environment, event: Event, at: float) -> None:
    """Schedule a triggered ``event`` at the exact time ``at`` (not before now).

    ``Environment.schedule`` takes a delay and adds it to now, which can round
    the time by a unit in the last place; an entry that waited in a bucket keeps
    the very time it would have had if scheduled when it was added.
    """
    heappush(env._queue, (at, NORMAL, next(env._eid), event))


class Wake(Event):
    """An event that is already triggered, whose one callback handles ``entry``.

    Cheaper than a SimPy process per waiting agent (no generator to resume, no
    start-up event); the caller schedules it (:func:`schedule_at`).
    """

    def __init__(self, env: simpy.Environment, handler: Callable[[Event], None], entry: Any) -> None:
        # Event.__init__, inlined, for an event that is already triggered.
        self.env = env
        self.callbacks = [handler]
        self._ok = True
        self._value = None
        self.entry = entry


class Agenda:
    """Monthly buckets of entries due later than the current month.

    Parameters
    ----------
    env
        The replication's environment.
    schedule
        Called as ``schedule(t, entry)`` to put an entry into SimPy's schedule
        (when it is due this month, or when its month begins).
    width_days
        Width of a bucket (default: one month of 30.4375 days).
    """

    def __init__(self, env: simpy.Environment, schedule: Schedule, width_days: float = DAYS_PER_MONTH) -> None:
        self.env, self.schedule, self.width = env, schedule, width_days
        self.buckets: dict[int, list[tuple[float, Any]]] = {}

    def add(self, t: float, entry: Any) -> None:
        """``entry`` is due at time ``t`` (not before now)."""
        month = int(t // self.width)
        if month <= int(self.env.now // self.width):
            self.schedule(t, entry)
            return
        bucket = self.buckets.get(month)
        if bucket is None:
            bucket = self.buckets[month] = []
            # The start of the month: its bucket's entries enter SimPy's schedule.
            schedule_at(self.env, Wake(self.env, self._release, month), month * self.width)
        bucket.append((t, entry))

    def _release(self, ev: Event) -> None:
        assert isinstance(ev, Wake)
        schedule = self.schedule
        for t, entry in self.buckets.pop(ev.entry):
            schedule(t, entry)
