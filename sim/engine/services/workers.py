"""Worker households: jobs bring households, who live in the new town or commute.

Every ``jobs_per_household`` jobs created in a park (a firm's first jobs and
every job gained later; lost jobs remove no one) make one worker household:
after ``c`` jobs created the park has made ``floor(c / jobs_per_household)``.
A share ``live_in_town_share`` of them wants to live in the new town. Such a
household takes a vacant dwelling of the first preferred type that has one
(talent and staff apartments first, then commodity housing), nearest to the
park first. A dwelling is vacant when it is delivered and neither occupied nor
reserved for a household already scheduled to move in
(:meth:`sim.engine.housing.Housing.take_vacant`). The household is composed
from that dwelling's profile (stream ``workers``, keyed by park, profile
group and batch, so a park's n-th household of a profile is always the same)
and then lives like any other: it has children, ages, may leave, and its
dwelling is let again when it does.

A household that finds no vacant dwelling commutes for good (ASSUMPTION: once
settled outside the new town it does not move again within the horizon).

The ``housing`` service counts stocks at each report date, per zone of the
park where the jobs are: served = worker households living in town now (housed
and not yet gone), unmet = those commuting now, demand = the two together.
Its capacity is the number of vacant dwellings of the preferred types located
in each zone at the report date. The flows (households moving in, starting to
commute, housed ones leaving town) are counted separately, per interval
between report dates, for the ``worker_households`` table.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.households import Household, LifeTables, Person
from sim.engine.housing import Stock, make_households
from sim.engine.services.base import Context
from sim.engine.streams import Stream, household_rng
from sim.scenario.model import WorkerHousing

ROUNDING = 1e-9
"""Guards ``floor(c / jobs_per_household)`` against binary rounding (11 / 1.1)."""

FLOWS = ("moved_in", "started_commuting", "left_town")
"""Worker-household flows counted between report dates."""

BATCH = 32
"""Worker households composed at once per park and profile group."""


def shift_clocks(household: Household, t: float) -> None:
    """Move a household composed as arriving at time 0 to arrive at ``t``."""
    household.depart += t
    for p in household.members:
        p.birth += t
        p.death += t
        p.next_birth += t
        p.next_care += t


def redraw_calendar_clocks(household: Household, t: float, life: LifeTables) -> None:
    """Draw again, at arrival time ``t``, the clocks whose rates follow the calendar.

    Shifting is exact for clocks of age only (care needs); deaths, births and
    departure depend on the dates a life passes through when a rate is a dated
    schedule. The new draws come from the household's own generator (keyed,
    so common random numbers hold), which then goes on serving its births.
    """
    rng = household_rng(household.key)
    household.rng = rng
    household.depart = life.leaving.next_time(t, t, -math.log1p(-rng.random()))
    for p in household.members:
        p.death = life.deaths.next_time(p.birth, t, -math.log1p(-rng.random()))
        if p.female:
            p.next_birth = life.births.next_time(p.birth, t, -math.log1p(-rng.random()))


class WorkerHouseholds:
    """Worker households made by each park's new jobs, housed or commuting.

    Parameters
    ----------
    ctx
        The replication's context (housing, population, streams).
    park_zones
        Zone index of each park.
    policy
        The scenario's worker-housing assumptions.
    """

    def __init__(self, ctx: Context, park_zones: list[int], policy: WorkerHousing) -> None:
        self.ctx, self.park_zones, self.policy = ctx, park_zones, policy
        n = len(park_zones)
        self.jobs_created = [0] * n
        self.made = [0] * n
        self.choice = [ctx.streams.generator(Stream.WORKERS, p) for p in range(n)]
        self.housed = np.zeros(ctx.n_zones, dtype=np.int64)  # stock: living in town now
        self.commuting = np.zeros(ctx.n_zones, dtype=np.int64)  # stock: commuting now
        # Flows since the last report: moved in, started commuting, housed ones left town.
        self.flows = {k: np.zeros(ctx.n_zones, dtype=np.int64) for k in FLOWS}
        self.living: dict[int, int] = {}  # id(household) -> park zone, for housed worker households
        ctx.pop.listeners.append(self)
        self.types = list(policy.preferred_types)
        self.preferred = [i for i, p in enumerate(ctx.scenario.housing) if p.type in self.types]
        self.near = [ctx.distance_km[z].tolist() for z in park_zones]
        self.ready: dict[tuple[int, int], list[Household]] = {}
        self.batches: dict[tuple[int, int], int] = {}

    def hire(self, park: int, jobs: int) -> None:
        """``jobs`` new jobs in ``park``: make the worker households they bring."""
        self.jobs_created[park] += jobs
        target = math.floor(self.jobs_created[park] / self.policy.jobs_per_household + ROUNDING)
        while self.made[park] < target:
            self.made[park] += 1
            if self.choice[park].random() < self.policy.live_in_town_share:
                self._seek(park)

    def _seek(self, park: int) -> None:
        ctx, zone = self.ctx, self.park_zones[park]
        stock = ctx.housing.take_vacant(self.types, self.near[park])
        if stock is None:
            self.commuting[zone] += 1
            self.flows["started_commuting"][zone] += 1
            return
        self.housed[zone] += 1
        self.flows["moved_in"][zone] += 1
        household = self._household(park, stock)
        self.living[id(household)] = zone
        ctx.pop.settle(household)

    # ----------------------------------------------------------------- population events

    def on_leave(self, hh: Household) -> None:
        zone = self.living.pop(id(hh), None)
        if zone is not None:  # a housed worker household leaves town (or dies out)
            self.housed[zone] -= 1
            self.flows["left_town"][zone] += 1

    def on_settle(self, hh: Household) -> None: ...

    def on_relocate(self, hh: Household, old_zone: int) -> None: ...

    def on_care(self, hh: Household, p: Person) -> None: ...

    def on_death(self, hh: Household, p: Person) -> None: ...

    def _household(self, park: int, stock: Stock) -> Household:
        """The park's next household of the stock's profile, moving in now.

        Households are composed in batches of :data:`BATCH` per (park, profile
        group), from the stream keyed (park, group, batch), as if arriving at
        time 0, and shifted to now when they move in: every clock of a
        household is its arrival time plus a duration, so the shift is exact
        and composing one household at a time (≈0.5 ms each) is avoided.
        """
        key = (park, stock.group)
        ready = self.ready.setdefault(key, [])
        if not ready:
            batch = self.batches.get(key, 0)
            self.batches[key] = batch + 1
            gen = self.ctx.streams.generator(Stream.WORKERS, park, stock.group, batch)
            ready += reversed(make_households(stock, np.zeros(BATCH), gen, self.ctx.pop.life))
        household = ready.pop()
        shift_clocks(household, self.ctx.env.now)
        life = self.ctx.pop.life
        if not life.time_invariant:
            redraw_calendar_clocks(household, self.ctx.env.now, life)
        household.zone, household.stock = stock.zone, stock.index
        return household

    def vacant_by_zone(self) -> np.ndarray:
        """Vacant dwellings of the preferred types in each zone, now."""
        out = np.zeros(self.ctx.n_zones)
        for i in self.preferred:
            stock = self.ctx.housing.stocks[i]
            out[stock.zone] += stock.vacant
        return out

    def record(self, i: int, series: dict[str, np.ndarray]) -> None:
        """Store report ``i`` of the ``housing`` service in ``series`` (field -> (T, Z)): stocks now."""
        series["demand"][i] = self.housed + self.commuting
        series["served"][i] = self.housed
        series["unmet"][i] = self.commuting
        series["capacity"][i] = self.vacant_by_zone()

    def take_flows(self) -> dict[str, np.ndarray]:
        """Flows since the last call, per zone; counting starts afresh."""
        out = self.flows
        self.flows = {k: np.zeros(self.ctx.n_zones, dtype=np.int64) for k in FLOWS}
        return out
