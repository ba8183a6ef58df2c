"""Eldercare: institutional beds as a waiting list; day care and canteens from counts.

**Beds** (``eldercare_bed``: nursing homes, the demonstration centre's beds,
mutual-aid homes). The model listens to the population: an elder who enters
the "needs institutional care" state, or arrives in it, seeks a bed with
probability ``services.eldercare_bed.institutional_share`` and joins the
:class:`~sim.engine.services.beds.BedQueue`. A stay ends at death, at the
household's leaving town, or at discharge (exponential at
``discharge_per_year``); a discharged elder seeks a bed again after an
exponential time at ``reseek_per_year`` (ASSUMPTION; default 0: never), while
alive and in town. Facilities open and change capacity at their dates (the three
subdistrict nursing homes upgraded, docs/seed.md §1). Common random numbers: the
choice and the stay's Exp(1) draw come from a hash of the root seed, the
household key and the elder's birth time (and, for a later claim, its number:
the delay before seeking again and that stay's draw), never from a household's
generator or a population stream, so changing a facility leaves every life
unchanged.
Series per zone: demand = waiting + in a bed, served = the zone's elders in a
bed anywhere, unmet = waiting = the zone's list; capacity = beds located in
the zone (:mod:`~sim.engine.services.allocation`).
The list belongs to zones, so facility rows carry capacity and occupied beds only.
Table ``bed_waits``: every join by zone and year of joining, counted by outcome
(admitted, died waiting, left town, still waiting), with waits summarised with
the censoring explicit (:mod:`~sim.engine.services.bed_waits`); ``bed_stays``:
completed stays in a bed by zone and year they ended (number, mean length).

**Day care** (``day_care``): residents needing community care × uptake.
**Canteens** (``senior_canteen``): residents aged ``min_age``+ (default 80) or
needing community care, × uptake × meals per person per day. Residents needing
community care below ``min_age`` are counted by :class:`YoungCommunityCare`,
so that nobody is counted twice. Norms beside them: 35 beds and 7 day-care
places per 1,000 aged 60+ (docs/facts.md §1 [13], §5; State Council 2013).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.households import Care, Household, Person
from sim.engine.results import FacilityKey
from sim.engine.services.allocation import located_capacity, reach, schedules_for
from sim.engine.services.base import Context, ServiceOutput
from sim.engine.services.bed_waits import wait_table
from sim.engine.services.beds import DIED, LEFT, BedQueue, Stay
from sim.engine.services.facilities import FacilitySchedule
from sim.engine.streams import hash_uniform, keyed_hash, mix, salt
from sim.scenario.model import Service

_SALT = salt(Service.ELDERCARE_BED.value)


def person_uniforms(seed: int, household_key: int, birth: float, episode: int = 0) -> tuple[float, float]:
    """Two uniforms in [0, 1) keyed to one resident (root seed, household, birth
    time) and to their ``episode``-th claim on a bed (0: the first)."""
    h = keyed_hash(seed, _SALT, household_key, birth)
    if episode:
        h = mix(h ^ mix(episode))
    return hash_uniform(h), hash_uniform(mix(h))


class EldercareBeds:
    """The ``eldercare_bed`` service model (see the module docstring)."""

    def __init__(self, ctx: Context, schedules: list[FacilitySchedule]) -> None:
        self.ctx, self.schedules = ctx, schedules
        policy = ctx.scenario.services.eldercare_bed
        self.share = policy.institutional_share
        self.seed = ctx.streams.seed
        self.reach = reach(ctx, schedules)
        self.reseek_per_day = policy.reseek_per_year / DAYS_PER_YEAR
        self.queue = BedQueue(
            ctx.env, ctx.n_zones, self.reach.served_zones, self.reach.preference,
            discharge_per_day=policy.discharge_per_year / DAYS_PER_YEAR,
            on_discharge=self._discharged if self.reseek_per_day > 0 else None,
        )
        self.stays: dict[int, Stay] = {}  # id(person) -> claim; the claim holds the person
        self.keys: dict[int, int] = {}  # id(person) -> household key, for the keyed draws of a new claim
        self._initial: list[tuple[float, Stay]] | None = []  # seekers settled before start()
        self.series = ctx.series_arrays()
        n_t = len(ctx.times)
        self.fac = {k: [np.zeros(n_t) for _ in schedules] for k in ("capacity", "served", "waiting")}

    # ----------------------------------------------------------------- population events

    def _seek(self, hh: Household, p: Person) -> None:
        u_choice, u_stay = person_uniforms(self.seed, hh.key, p.birth)
        if u_choice < self.share:
            stay = Stay(hh.zone, -math.log1p(-u_stay), owner=p)
            self.stays[id(p)] = stay
            if self.reseek_per_day > 0:
                self.keys[id(p)] = hh.key
            if self._initial is not None:
                self._initial.append((u_choice, stay))
            else:
                self.queue.join(stay)

    def on_settle(self, hh: Household) -> None:
        for p in hh.members:
            if p.care == Care.INSTITUTIONAL:
                self._seek(hh, p)

    def on_care(self, hh: Household, p: Person) -> None:
        if p.care == Care.INSTITUTIONAL:
            self._seek(hh, p)

    def on_death(self, hh: Household, p: Person) -> None:
        stay = self.stays.pop(id(p), None)
        if stay is not None:
            self.queue.leave(stay, DIED)

    def on_leave(self, hh: Household) -> None:
        pop = self.stays.pop
        for p in hh.members:
            stay = pop(id(p), None)
            if stay is not None:
                self.queue.leave(stay, LEFT)

    def _discharged(self, stay: Stay) -> None:
        """A discharged elder seeks a bed again after an exponential time (keyed draw)."""
        p = stay.owner
        assert isinstance(p, Person)
        u_wait, u_stay = person_uniforms(self.seed, self.keys[id(p)], p.birth, stay.episode + 1)
        delay = -math.log1p(-u_wait) / self.reseek_per_day
        if self.ctx.env.now + delay < self.ctx.cal.end_time:
            ev = self.ctx.env.timeout(delay)
            ev.callbacks.append(lambda _ev: self._reseek(stay, -math.log1p(-u_stay)))

    def _reseek(self, old: Stay, stay_e: float) -> None:
        p = old.owner
        if self.stays.get(id(p)) is not old:  # died or left town meanwhile
            return
        stay = Stay(old.zone, stay_e, owner=p, episode=old.episode + 1)
        self.stays[id(p)] = stay
        self.queue.join(stay)

    def on_relocate(self, hh: Household, old_zone: int) -> None:
        for p in hh.members:
            stay = self.stays.get(id(p))
            if stay is not None:
                self.queue.move(stay, hh.zone)

    # ----------------------------------------------------------------- capacity

    def start(self) -> None:
        """Open the beds there are at the start, then let the existing residents who
        seek one join in a keyed random order (settling zone by zone is no queue)."""
        for f, s in enumerate(self.schedules):
            s.start()
            if s.opened.triggered:
                self.queue.set_capacity(f, s.capacity(0.0))
            self.ctx.env.process(self._capacity(f, s))
        initial, self._initial = sorted(self._initial or [], key=lambda x: x[0]), None
        for _, stay in initial:
            self.queue.join(stay)

    def _capacity(self, f: int, s: FacilitySchedule) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        yield s.opened
        self.queue.set_capacity(f, s.capacity(env.now))
        for t in s.change_times:
            if t > env.now:
                yield env.timeout(t - env.now)
                self.queue.set_capacity(f, s.capacity(env.now))

    # ----------------------------------------------------------------- reporting

    def sample(self, i: int, t: float) -> None:
        q, row = self.queue, self.series
        waiting = np.array(q.waiting, dtype=float)
        served = np.array(q.in_bed, dtype=float)
        row["waiting"][i] = waiting
        row["unmet"][i] = waiting
        row["served"][i] = served
        row["demand"][i] = waiting + served
        cap = np.array([s.capacity(t) for s in self.schedules])
        row["capacity"][i] = located_capacity(cap, [s.zone for s in self.schedules], self.ctx.n_zones)
        for f in range(len(self.schedules)):
            self.fac["capacity"][f][i] = cap[f]
            self.fac["served"][f][i] = q.occupied[f]

    def output(self) -> ServiceOutput:
        zones = list(self.ctx.zone_index)
        keys = [FacilityKey(s.facility.id, Service.ELDERCARE_BED.value, zones[s.zone]) for s in self.schedules]
        return ServiceOutput(
            series={Service.ELDERCARE_BED: self.series},
            facility_keys=keys,
            facility_series=self.fac,
            tables={
                "bed_waits": self.waits(),
                "bed_stays": stay_table(self.queue.stays, zones, self.ctx),
            },
        )

    def waits(self) -> dict[str, np.ndarray]:
        """Every join by zone, year of joining and outcome (:mod:`~sim.engine.services.bed_waits`);
        those still waiting are censored at the end of the horizon."""
        q, cal = self.queue, self.ctx.cal
        return wait_table(q.outcomes, q.still_waiting(), cal.end_time, list(self.ctx.zone_index), cal)


def stay_table(
    stays: list[tuple[int, float, float]], zones: list[str], ctx: Context
) -> dict[str, np.ndarray]:
    """Completed stays in a bed (death, discharge, leaving town) by zone and year the
    stay ended: how many and their mean length. Stays still running at the end are
    not in it."""
    groups: dict[tuple[int, int], list[float]] = {}
    for z, at, days in stays:
        groups.setdefault((z, ctx.cal.date(at).year), []).append(days)
    keys = sorted(groups)
    return {
        "zone": np.array([zones[z] for z, _ in keys], dtype=object),
        "year": np.array([y for _, y in keys], dtype=np.int64),
        "stays_ended": np.array([len(groups[k]) for k in keys], dtype=np.int64),
        "stay_mean_days": np.array([float(np.mean(groups[k])) for k in keys]),
    }


def build_eldercare_beds(ctx: Context) -> EldercareBeds | None:
    """The bed model, or ``None`` when the scenario has no bed facility."""
    schedules = schedules_for(ctx, Service.ELDERCARE_BED)
    return EldercareBeds(ctx, schedules) if schedules else None


# --------------------------------------------------------------------- community care


class YoungCommunityCare:
    """Residents per zone who need community care and are younger than ``min_age``.

    Kept current from the population's events; an elder leaves the count on
    reaching ``min_age`` (a heap of those dates, applied when counts are read),
    on needing institutional care, at death or when the household leaves.
    """

    def __init__(self, ctx: Context, min_age_years: float) -> None:
        self.env = ctx.env
        self.min_age_days = min_age_years * DAYS_PER_YEAR
        self.count = [0] * ctx.n_zones
        self.members: dict[int, Person] = {}
        self._ageing: list[tuple[float, int, Person, Household]] = []
        self._seq = itertools.count()

    def _add(self, hh: Household, p: Person) -> None:
        cross = p.birth + self.min_age_days
        if self.env.now < cross:
            self.members[id(p)] = p
            self.count[hh.zone] += 1
            heapq.heappush(self._ageing, (cross, next(self._seq), p, hh))

    def _remove(self, hh: Household, p: Person) -> None:
        if self.members.pop(id(p), None) is not None:
            self.count[hh.zone] -= 1

    def on_settle(self, hh: Household) -> None:
        for p in hh.members:
            if p.care == Care.COMMUNITY:
                self._add(hh, p)

    def on_care(self, hh: Household, p: Person) -> None:
        if p.care == Care.COMMUNITY:
            self._add(hh, p)
        else:
            self._remove(hh, p)

    def on_death(self, hh: Household, p: Person) -> None:
        self._remove(hh, p)

    def on_leave(self, hh: Household) -> None:
        if self.members:
            for p in hh.members:
                self._remove(hh, p)

    def on_relocate(self, hh: Household, old_zone: int) -> None:
        for p in hh.members:
            if id(p) in self.members:
                self.count[old_zone] -= 1
                self.count[hh.zone] += 1

    def counts(self, t: float) -> np.ndarray:
        """The count per zone at ``t`` (``t`` not before the last call)."""
        heap = self._ageing
        while heap and heap[0][0] <= t:
            _, _, p, hh = heapq.heappop(heap)
            if self.members.get(id(p)) is p:
                self._remove(hh, p)
        return np.array(self.count, dtype=float)
