"""Beds as a queue: one waiting list in arrival order, stays that end by events.

An elder who seeks a bed joins the list of their zone and is admitted to the
nearest facility that serves the zone (its catchment first, then any within the
overflow distance) and has a free bed. When a bed frees, it goes to the
longest-waiting elder of any zone the facility serves (docs/model.md §4: "beds are a
queue: a waiting list in arrival order, a stay that ends at death or
discharge"). A stay ends when its owner calls :meth:`BedQueue.leave` (death, the
household leaving town) or at a discharge event the queue schedules itself
(exponential with rate ``discharge_per_day``, from the stay's own Exp(1) draw).

Every join ends in one recorded outcome (:attr:`BedQueue.outcomes`): admitted
(at once or after a wait), died while waiting, left town while waiting, or
blocked (loss system); those still on the list at the end are
:meth:`BedQueue.still_waiting`. A discharge is announced to ``on_discharge``.

The queue knows nothing of households: it serves :class:`Stay` records. With
``loss=True`` nobody waits (an Erlang loss system): an elder finding no free bed
is blocked and counted. Each zone's list is a heap keyed by the time of joining
with lazy deletion, so every operation is O(log n) and costs a few microseconds.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence

import simpy

WAITING, IN_BED, DONE = range(3)

ADMITTED, DIED, LEFT, BLOCKED = range(4)
"""How a join ended (:attr:`BedQueue.outcomes`)."""


class Stay:
    """One elder's claim on a bed: waiting, in a bed, or done.

    ``episode`` counts the elder's earlier claims (0: the first; a discharged
    elder who seeks a bed again makes a new claim).
    """

    __slots__ = ("zone", "joined", "admitted", "state", "facility", "version", "stay_e", "owner", "episode")

    def __init__(self, zone: int, stay_e: float, owner: object = None, episode: int = 0) -> None:
        self.zone = zone
        self.joined = 0.0
        self.admitted = 0.0
        self.state = WAITING
        self.facility = -1
        self.version = 0  # bumped whenever a heap entry or discharge event goes stale
        self.stay_e = stay_e  # Exp(1) draw; the stay lasts stay_e / discharge rate
        self.owner = owner
        self.episode = episode


class BedQueue:
    """Facilities' beds and the zones' waiting lists.

    Parameters
    ----------
    env
        The SimPy environment (discharges are scheduled on it).
    n_zones
        Number of zones.
    served_zones
        For each facility, the zones it may admit from (catchment and overflow).
    preference
        For each zone, the facilities it may use, most preferred (nearest) first.
    discharge_per_day
        Rate of leaving a bed other than by :meth:`leave`; 0: never.
    loss
        If true, an elder who finds no free bed is blocked instead of waiting.
    on_discharge
        Called with the stay at each discharge (after the bed is freed).
    """

    def __init__(
        self,
        env: simpy.Environment,
        n_zones: int,
        served_zones: Sequence[Sequence[int]],
        preference: Sequence[Sequence[int]],
        discharge_per_day: float = 0.0,
        loss: bool = False,
        on_discharge: Callable[[Stay], None] | None = None,
    ) -> None:
        self.env = env
        self.served_zones = [list(z) for z in served_zones]
        self.preference = [list(f) for f in preference]
        self.rate = discharge_per_day
        self.loss = loss
        self.capacity = [0.0] * len(self.served_zones)
        self.occupied = [0] * len(self.served_zones)
        self.waiting = [0] * n_zones
        self.in_bed = [0] * n_zones
        self.blocked = 0
        self.joins = 0
        self._heaps: list[list[tuple[float, int, int, Stay]]] = [[] for _ in range(n_zones)]
        self._seq = itertools.count()
        self._n_waiting = 0
        self._area = 0.0  # time integral of the total list length
        self._last = env.now
        self.waits: list[tuple[int, float, float]] = []  # (zone, admitted at, days waited)
        self.stays: list[tuple[int, float, float]] = []  # (zone, left the bed at, days in bed)
        self.outcomes: list[tuple[int, float, float, int, int]] = []  # (zone, joined, ended, outcome, episode)
        self.on_discharge = on_discharge

    # ----------------------------------------------------------------- levels

    def _level(self, dn: int) -> None:
        now = self.env.now
        self._area += self._n_waiting * (now - self._last)
        self._last = now
        self._n_waiting += dn

    def area(self) -> float:
        """Time integral of the total waiting-list length up to now (list-days)."""
        return self._area + self._n_waiting * (self.env.now - self._last)

    # ----------------------------------------------------------------- events

    def join(self, stay: Stay) -> None:
        """An elder seeks a bed now: admitted to a free bed, put on the list, or blocked."""
        self.joins += 1
        stay.joined = self.env.now
        for f in self.preference[stay.zone]:
            if self.occupied[f] < self.capacity[f]:
                self._admit(stay, f)
                return
        if self.loss:
            stay.state = DONE
            self.blocked += 1
            self._record(stay, BLOCKED)
            return
        self._enlist(stay)

    def leave(self, stay: Stay, outcome: int = LEFT) -> None:
        """The elder's claim ends (``outcome``: :data:`DIED` or :data:`LEFT` town):
        off the list, or the bed frees."""
        if stay.state == WAITING:
            self.waiting[stay.zone] -= 1
            self._level(-1)
            self._record(stay, outcome)
        elif stay.state == IN_BED:
            self._free(stay)
        stay.state = DONE
        stay.version += 1

    def move(self, stay: Stay, zone: int) -> None:
        """The elder's household moves to ``zone``; a waiter keeps their place in time."""
        old, stay.zone = stay.zone, zone
        if stay.state == IN_BED:
            self.in_bed[old] -= 1
            self.in_bed[zone] += 1
        elif stay.state == WAITING:
            self.waiting[old] -= 1
            self._level(-1)
            for f in self.preference[zone]:
                if self.occupied[f] < self.capacity[f]:
                    self._admit(stay, f)
                    return
            self._enlist(stay)

    def set_capacity(self, f: int, beds: float) -> None:
        """Facility ``f`` has ``beds`` from now on; admit waiters into any free beds.

        A lower capacity evicts nobody: admissions stop until occupancy falls below it.
        """
        self.capacity[f] = beds
        self._refill(f)

    def still_waiting(self) -> list[Stay]:
        """The elders on a waiting list now, in no particular order."""
        return [e[3] for heap in self._heaps for e in heap if e[3].version == e[2] and e[3].state == WAITING]

    # ----------------------------------------------------------------- internals

    def _record(self, stay: Stay, outcome: int) -> None:
        self.outcomes.append((stay.zone, stay.joined, self.env.now, outcome, stay.episode))

    def _enlist(self, stay: Stay) -> None:
        stay.state = WAITING
        stay.version += 1
        heapq.heappush(self._heaps[stay.zone], (stay.joined, next(self._seq), stay.version, stay))
        self.waiting[stay.zone] += 1
        self._level(+1)

    def _admit(self, stay: Stay, f: int) -> None:
        stay.state, stay.facility = IN_BED, f
        stay.version += 1
        self.occupied[f] += 1
        self.in_bed[stay.zone] += 1
        stay.admitted = self.env.now
        self.waits.append((stay.zone, self.env.now, self.env.now - stay.joined))
        self._record(stay, ADMITTED)
        if self.rate > 0.0:
            ev = self.env.timeout(stay.stay_e / self.rate)
            version = stay.version
            ev.callbacks.append(lambda _ev: self._discharge(stay, version))

    def _discharge(self, stay: Stay, version: int) -> None:
        if stay.version == version and stay.state == IN_BED:
            self._free(stay)
            stay.state = DONE
            stay.version += 1
            if self.on_discharge is not None:
                self.on_discharge(stay)

    def _free(self, stay: Stay) -> None:
        f = stay.facility
        self.occupied[f] -= 1
        self.in_bed[stay.zone] -= 1
        self.stays.append((stay.zone, self.env.now, self.env.now - stay.admitted))
        self._refill(f)

    def _refill(self, f: int) -> None:
        while self.occupied[f] < self.capacity[f]:
            stay = self._first_waiting(f)
            if stay is None:
                return
            self.waiting[stay.zone] -= 1
            self._level(-1)
            self._admit(stay, f)

    def _first_waiting(self, f: int) -> Stay | None:
        """Pop the longest-waiting elder of the zones ``f`` serves, if any."""
        best: tuple[float, int, int, Stay] | None = None
        best_zone = -1
        for z in self.served_zones[f]:
            heap = self._heaps[z]
            while heap and (heap[0][3].version != heap[0][2] or heap[0][3].state != WAITING):
                heapq.heappop(heap)
            if heap and (best is None or heap[0][:2] < best[:2]):
                best, best_zone = heap[0], z
        if best is None:
            return None
        heapq.heappop(self._heaps[best_zone])
        return best[3]
