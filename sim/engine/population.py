"""The town's residents: counts kept current, and each household's life as events.

A household waits, as one SimPy event in the schedule, for the earliest of its
members' clocks (a death, a birth, a change of care need, a child leaving home)
or its own departure; the event's handler handles it and schedules the next.
Others learn of residents' events by subscribing to them
(:class:`PopulationEvent`, :meth:`Population.subscribe`; who listens to what is
declared in :mod:`sim.engine.wiring`). What a child leaving home does (leave
town, or move into a dwelling on the market) is decided by the one handler of
:data:`PopulationEvent.LEAVE_HOME`, the home-leaving source
(:mod:`sim.engine.home_leaving`); a household may also be made to leave town
by a source (:meth:`Population.evict`, a worker household whose job ended).
Ageing needs no events: ages follow from birth times. Counts of residents by
zone and day of birth are kept current at every event, so that residents by age
band, or a school cohort by age at a cut-off, can be read at any moment without
visiting residents.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import Any

import numpy as np
import simpy
from simpy.events import Event

from sim.engine.agenda import Agenda, Wake, schedule_at
from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.hazards import INF
from sim.engine.households import Care, Household, LifeTables, Person, newborn_clocks
from sim.engine.results import AGE_BANDS, EVENT_KINDS
from sim.engine.streams import household_rng

MAX_AGE_YEARS = 115
"""Birth-day counts reach back this far; anyone older is counted in the oldest day."""

ARRIVALS, BIRTHS, DEATHS, DEPARTURES = range(4)

_DEATH, _BIRTH, _CARE, _DEPART, _HOME = range(5)


class PopulationEvent(Enum):
    """What the population tells its listeners, and the arguments a handler takes.

    Handlers are called synchronously, after the population's own counts are
    updated, in the order they subscribed (:mod:`sim.engine.wiring` declares
    every subscription). A handler must not draw from any household's
    generator (common random numbers).
    """

    SETTLE = "settle"  # (household): it starts living in its zone (at the start, moving in, formed in town)
    RELOCATE = "relocate"  # (household, old zone): it moved to another zone (resettlement)
    CARE = "care"  # (household, person): the person's care need changed
    DEATH = "death"  # (household, person): the person died
    LEAVE = "leave"  # (household): it left town or died out; its dwelling is empty
    LEAVE_HOME = "leave_home"  # (household, person): a child's home-leaving clock rang; one handler decides


class Population:
    """Residents of every zone, with their counts and flows."""

    def __init__(self, env: simpy.Environment, n_zones: int, end: float, life: LifeTables) -> None:
        self.env = env
        self.end = end
        self.life = life
        self.offset = int(math.ceil(MAX_AGE_YEARS * DAYS_PER_YEAR))
        self.width = self.offset + int(end) + 2
        self._by_birth_day = np.zeros(n_zones * 2 * self.width, dtype=np.int64)
        # Count changes are queued as flat indices and applied in bulk when read:
        # appending to a list costs far less than updating a NumPy array in place.
        self._added: list[int] = []
        self._removed: list[int] = []
        self._cum: np.ndarray | None = None
        self._cum_total: np.ndarray | None = None
        self.households = [0] * n_zones
        self.flows = [[0] * n_zones for _ in EVENT_KINDS]
        self.care_counts = [[0] * len(Care) for _ in range(n_zones)]  # per zone, by Care value
        self.queues: dict[int, deque[Household]] = {}
        self.handlers: dict[PopulationEvent, list[Callable[..., None]]] = {e: [] for e in PopulationEvent}
        # The same lists under short names, for the hot paths.
        h = self.handlers
        self._on_settle, self._on_relocate = h[PopulationEvent.SETTLE], h[PopulationEvent.RELOCATE]
        self._on_care, self._on_death = h[PopulationEvent.CARE], h[PopulationEvent.DEATH]
        self._on_leave, self._on_leave_home = h[PopulationEvent.LEAVE], h[PopulationEvent.LEAVE_HOME]
        self.n_events = 0
        self.agenda = Agenda(env, self._schedule)

    def subscribe(self, event: PopulationEvent, handler: Callable[..., None]) -> None:
        """Call ``handler`` at every ``event`` (see :class:`PopulationEvent` for its arguments)."""
        if event is PopulationEvent.LEAVE_HOME and self._on_leave_home:
            raise ValueError("one source decides where a child leaving home goes")
        self.handlers[event].append(handler)

    # ----------------------------------------------------------------- counting

    def _count(self, zone: int, p: Person, sign: int) -> None:
        day = p.birth + self.offset
        i = (2 * zone + p.female) * self.width + (int(day) if day > 0.0 else 0)
        if sign > 0:
            self._added.append(i)
        else:
            self._removed.append(i)
        self.care_counts[zone][p.care] += sign

    @property
    def by_birth_day(self) -> np.ndarray:
        """Residents by zone, sex (0 male, 1 female) and day of birth, ``(Z, 2, days)``."""
        self._apply()
        return self._by_birth_day.reshape(len(self.households), 2, self.width)

    def _apply(self) -> bool:
        """Apply queued count changes; True if there were any."""
        if not (self._added or self._removed):
            return False
        flat = self._by_birth_day
        for changes, sign in ((self._added, 1), (self._removed, -1)):
            if not changes:
                continue
            idx = np.asarray(changes)
            if len(idx) * 20 > flat.size:
                flat += sign * np.bincount(idx, minlength=flat.size)
            else:
                np.add.at(flat, idx, sign)
            changes.clear()
        self._cum = self._cum_total = None
        return True

    def _cumulative(self, by_sex: bool = False) -> np.ndarray:
        """Counts born up to each day, ``(Z, days + 1)`` (or ``(2Z, …)`` by sex).

        Computed once per state and kind: every query at a report reuses it.
        The sexes are summed before the cumulative sum (half the work); the
        count by sex is computed only when asked for (the pyramids).
        """
        self._apply()
        if self._cum_total is None:
            counts = self._by_birth_day.reshape(len(self.households), 2, self.width).sum(axis=1)
            self._cum_total = _with_zero_column(counts)
        if not by_sex:
            return self._cum_total
        if self._cum is None:
            self._cum = _with_zero_column(self._by_birth_day.reshape(-1, self.width))
        return self._cum

    def age_band_counts(self, t: float) -> np.ndarray:
        """Residents by zone and reporting age band at time ``t``, ``(Z, B)``."""
        cum = self._cumulative()
        out = np.empty((cum.shape[0], len(AGE_BANDS)), dtype=np.int64)
        for b, (_, lo, hi) in enumerate(AGE_BANDS):
            out[:, b] = self._prefix(cum, t, lo) - self._prefix(cum, t, hi)
        return out

    def cohort_counts(self, t: float, lo_years: float, hi_years: float) -> np.ndarray:
        """Residents per zone aged in ``[lo_years, hi_years)`` at time ``t``, ``(Z,)``."""
        cum = self._cumulative()
        return np.asarray(self._prefix(cum, t, lo_years) - self._prefix(cum, t, hi_years))

    def cohort_table(self, t: float, edges_years: list[float]) -> np.ndarray:
        """Residents per zone between consecutive age edges at ``t``, ``(Z, len(edges) - 1)``.

        One cumulative count serves every interval ``[edges[k], edges[k + 1])``.
        """
        cum = self._cumulative()
        prefix = [self._prefix(cum, t, a) for a in edges_years]
        return np.stack([lo - hi for lo, hi in zip(prefix, prefix[1:], strict=False)], axis=1)

    def cohort_slots(self, t: float, edges_years: list[float]) -> list[int]:
        """Birth-day slots that split residents at ``t`` by the age edges (for
        :meth:`zone_cohorts` and :meth:`cohorts_of`; the same split as :meth:`cohort_table`)."""
        return [self._prefix_index(t, a) for a in edges_years]

    def zone_cohorts(self, zone: int, slots: list[int]) -> np.ndarray:
        """One zone's residents between consecutive age edges (:meth:`cohort_slots`),
        reading only the birth days in range: cheap enough for one household's event."""
        self._apply()
        days = self._by_birth_day.reshape(len(self.households), 2, self.width)[zone, :, slots[-1] : slots[0]]
        cum = np.concatenate([[0], np.cumsum(days.sum(axis=0))])
        return np.asarray(cum[np.subtract(slots[:-1], slots[-1])] - cum[np.subtract(slots[1:], slots[-1])])

    def cohorts_of(self, people: list[Person], slots: list[int]) -> list[int]:
        """For each person, the index ``k`` of the age interval ``[edges[k], edges[k + 1])``
        that counts them (:meth:`cohort_slots`), or -1 if none."""
        # A person in slot i is aged at least edge k when i < slots[k]; negated,
        # the slots increase and the person is in k when -slots[k] < -i <= -slots[k + 1].
        neg = [-k for k in slots]
        out = []
        for p in people:
            day = p.birth + self.offset
            m = bisect.bisect_left(neg, -(int(day) if day > 0.0 else 0))
            out.append(m - 1 if 0 < m < len(neg) else -1)
        return out

    def _prefix_index(self, t: float, age_years: float) -> int:
        """Birth-day slots below this index are residents aged at least ``age`` at ``t``."""
        k = int(math.floor(t - age_years * DAYS_PER_YEAR)) + self.offset + 1
        return min(max(k, 0), self.width)

    def pyramid(self, t: float, width_years: float = 5.0, top: float = 100.0) -> np.ndarray:
        """Whole-town residents by sex and age group at ``t``: ``(2, groups)``,
        groups of ``width_years`` from 0 with the last open-ended at ``top``."""
        cum = self._cumulative(by_sex=True)
        edges = [*np.arange(0.0, top + width_years / 2, width_years).tolist(), math.inf]
        out = np.stack([self._prefix(cum, t, lo) - self._prefix(cum, t, hi) for lo, hi in zip(edges, edges[1:], strict=False)], axis=1)
        return np.asarray(out.reshape(len(self.households), 2, -1).sum(axis=0))

    def _prefix(self, cum: np.ndarray, t: float, age_years: float) -> np.ndarray:
        """Residents per zone born on or before ``t - age`` (aged at least ``age``)."""
        if math.isinf(age_years):
            return np.zeros(cum.shape[0], dtype=np.int64)
        return np.asarray(cum[:, self._prefix_index(t, age_years)])

    def take_flows(self) -> list[list[int]]:
        """Flows since the last call, and start counting afresh."""
        out, self.flows = self.flows, [[0] * len(self.households) for _ in EVENT_KINDS]
        return out

    # ----------------------------------------------------------------- arrivals and moves

    def settle(self, hh: Household, *, initial: bool = False) -> None:
        """A household starts living in its zone (at the start, or moving in).

        ``initial``: it lives there from the start (or was formed in town), so no
        arrival is counted.
        """
        hh.present = True
        z = hh.zone
        self.households[z] += 1
        added, care, off = self._added.append, self.care_counts[z], self.offset
        base = 2 * z * self.width
        for p in hh.members:  # _count(z, p, +1), inlined: this runs for every resident
            day = p.birth + off
            added(base + p.female * self.width + (int(day) if day > 0.0 else 0))
            care[p.care] += 1
        if not initial:
            self.flows[ARRIVALS][z] += len(hh.members)
            self.n_events += 1
        for handler in self._on_settle:
            handler(hh)
        self._start(hh)

    def relocate(self, hh: Household, zone: int, stock: int) -> None:
        """Move a present household to another zone and dwelling (resettlement)."""
        old = hh.zone
        self.households[old] -= 1
        self.flows[DEPARTURES][old] += len(hh.members)
        for p in hh.members:
            self._count(old, p, -1)
        # The dwelling left behind is demolished (shantytown renovation): not re-let.
        hh.zone, hh.stock = zone, stock
        self.households[zone] += 1
        self.flows[ARRIVALS][zone] += len(hh.members)
        for p in hh.members:
            self._count(zone, p, +1)
        for handler in self._on_relocate:
            handler(hh, old)

    def evict(self, hh: Household) -> None:
        """A present household leaves town now (its process ends at its next wake-up)."""
        hh.depart = self.env.now
        self._leave(hh, DEPARTURES)

    def move_out(self, hh: Household, p: Person, new: Household | None = None) -> None:
        """Member ``p`` leaves ``hh``: out of town (``new`` is None) or into ``new``,
        a household of their own in town (composed by the caller with no members)."""
        hh.members.remove(p)
        self._count(hh.zone, p, -1)
        if new is None:
            self.flows[DEPARTURES][hh.zone] += 1
            return
        if new.zone != hh.zone:
            self.flows[DEPARTURES][hh.zone] += 1
            self.flows[ARRIVALS][new.zone] += 1
        new.members.append(p)
        self.settle(new, initial=True)

    def queue_for_relocation(self, zone: int, hh: Household) -> None:
        """Offer a household of ``zone`` to resettlement projects (first come, first moved)."""
        self.queues.setdefault(zone, deque()).append(hh)

    def next_relocatable(self, zone: int) -> Household | None:
        """The longest-waiting household of ``zone`` still living there, if any."""
        q = self.queues.get(zone)
        while q:
            hh = q.popleft()
            if hh.present and hh.zone == zone:
                return hh
        return None

    # ----------------------------------------------------------------- lives

    def _start(self, hh: Household) -> None:
        nxt = _next_event(hh)
        if nxt[0] < self.end:
            self._wait(hh, nxt)

    def _wait(self, hh: Household, nxt: tuple[float, int, Person | None]) -> None:
        """Put the household's next event on the agenda; :meth:`_wake` handles it when it comes."""
        now = self.env.now
        # A clock computed as birth + age can round to a hair before now when
        # the hazard is very high (the oldest ages, a steep Gompertz): no earlier.
        t = nxt[0]
        # The time a timeout of this delay would have: now + delay, rounded as SimPy rounds it.
        self.agenda.add(now + (t - now if t > now else 0.0), (hh, nxt[1], nxt[2]))

    def _schedule(self, at: float, entry: tuple[Household, int, Person | None]) -> None:
        """Put an agenda entry into SimPy's schedule at its exact time."""
        schedule_at(self.env, Wake(self.env, self._wake, entry), at)

    def _wake(self, ev: Event) -> None:
        """A household's event came (the household's life, one event at a time)."""
        assert isinstance(ev, Wake)
        hh, kind, who = ev.entry
        if not hh.present:  # made to leave town meanwhile (evict)
            return
        # ``who`` may have moved out meanwhile (a home-leaver): their clocks went with them.
        if who is None or who in hh.members:
            self.n_events += 1
            if kind == _DEPART:
                self._leave(hh, DEPARTURES)
                return
            assert who is not None
            if kind == _DEATH:
                self._death(hh, who)
            elif kind == _BIRTH:
                self._birth(hh, who)
            elif kind == _CARE:
                self._care(hh, who)
            else:
                self._on_leave_home[0](hh, who)
            if not hh.members:
                if hh.present:  # (a home-leaver's source may already have ended it)
                    self._leave(hh, DEPARTURES)
                return
        nxt = _next_event(hh)
        if nxt[0] < self.end:
            self._wait(hh, nxt)

    def _death(self, hh: Household, p: Person) -> None:
        hh.members.remove(p)
        self._count(hh.zone, p, -1)
        self.flows[DEATHS][hh.zone] += 1
        for handler in self._on_death:
            handler(hh, p)

    def _leave(self, hh: Household, flow: int) -> None:
        z = hh.zone
        for p in hh.members:
            self._count(z, p, -1)
        self.flows[flow][z] += len(hh.members)
        self.households[z] -= 1
        hh.present = False
        for handler in self._on_leave:
            handler(hh)

    def _rng(self, hh: Household) -> Any:
        if hh.rng is None:
            hh.rng = household_rng(hh.key)
        return hh.rng

    def _birth(self, mother: Household, p: Person) -> None:
        t = self.env.now
        rng = self._rng(mother)
        baby = newborn_clocks(t, rng, self.life)
        mother.members.append(baby)
        self._count(mother.zone, baby, +1)
        self.flows[BIRTHS][mother.zone] += 1
        p.next_birth = self.life.births.next_time(p.birth, t, -math.log1p(-rng.random()))

    def _care(self, hh: Household, p: Person) -> None:
        counts = self.care_counts[hh.zone]
        counts[p.care] -= 1
        p.care += 1
        counts[p.care] += 1
        if p.care == Care.COMMUNITY:
            age = (self.env.now - p.birth) / DAYS_PER_YEAR
            e = -math.log1p(-self._rng(hh).random())
            p.next_care = p.birth + self.life.to_institutional.next_age_scalar(age, e) * DAYS_PER_YEAR
        else:
            p.next_care = INF
        for handler in self._on_care:
            handler(hh, p)


def _with_zero_column(counts: np.ndarray) -> np.ndarray:
    """Cumulative sums along each row, after a leading zero: ``(R, C + 1)``."""
    cum = np.zeros((counts.shape[0], counts.shape[1] + 1), dtype=np.int64)
    np.cumsum(counts, axis=1, out=cum[:, 1:])
    return cum


def _next_event(hh: Household) -> tuple[float, int, Person | None]:
    """The household's earliest pending event: (time, kind, person)."""
    best, kind, who = hh.depart, _DEPART, None
    for p in hh.members:
        if p.death < best:
            best, kind, who = p.death, _DEATH, p
        if p.next_birth < best:
            best, kind, who = p.next_birth, _BIRTH, p
        if p.next_care < best:
            best, kind, who = p.next_care, _CARE, p
        if p.leave_home < best:
            best, kind, who = p.leave_home, _HOME, p
    return best, kind, who
