"""Worker households: a population source tied to the parks' live jobs.

Every ``jobs_per_household`` live jobs in a park hold one worker household: the
park holds ``floor(live jobs / jobs_per_household)`` of them at every moment.
The firms tell this source of every job gained or lost through one call,
:meth:`WorkerHouseholds.jobs_changed`.

* **A job is filled**: a new worker household wants to live in the new town
  with probability ``live_in_town_share``; otherwise it lives elsewhere. One
  that wants to live in town takes a dwelling *on the market*
  (:class:`sim.engine.market.Market`: re-lets, and the on-market share of the
  units the occupancy curves leave empty) of the first preferred type that has
  one, nearest to the park first; if none is free (or others are already
  waiting) it commutes and joins the market's waiting list, served longest
  waiting first every ``housing_defaults.market_retry_months``.
* **A job ends**: one of the park's worker households, at random, loses its
  tie (an unfilled job first, see below). A household living in town leaves
  town with probability ``leave_town_when_job_ends`` (its dwelling is let
  again) and otherwise stays as an ordinary household; a commuter or a
  household living elsewhere simply stops counting.
* **A household living in town leaves on its own** (out-migration, or its
  members died): a new worker household fills its job at once.

A housed household is composed from its dwelling's profile (stream
``workers``, keyed by park, profile group and batch, so a park's n-th
household of a profile is always the same) and then lives like any other.
Choices (live in town, which tie ends, leave or stay) come from the park's own
stream. ASSUMPTION throughout: the shares are scenario values without a source.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from sim.engine.households import Household, LifeTables
from sim.engine.housing import Housing, make_households
from sim.engine.market import Seeker, Stock
from sim.engine.population import Population
from sim.engine.streams import Stream, Streams, household_rng
from sim.scenario.model import WorkerHousing

ROUNDING = 1e-9
"""Guards ``floor(n / jobs_per_household)`` against binary rounding (11 / 1.1)."""

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
        p.leave_home += t


def redraw_calendar_clocks(household: Household, t: float, life: LifeTables) -> None:
    """Draw again, at arrival time ``t``, the clocks whose rates follow the calendar.

    Shifting is exact for clocks of age only (care needs, leaving home); deaths,
    births and departure depend on the dates a life passes through when a rate
    is a dated schedule. The new draws come from the household's own generator
    (keyed, so common random numbers hold), which then goes on serving its births.
    """
    rng = household_rng(household.key)
    household.rng = rng
    household.depart = life.leaving.next_time(t, t, -math.log1p(-rng.random()))
    for p in household.members:
        p.death = life.deaths.next_time(p.birth, t, -math.log1p(-rng.random()))
        if p.female:
            p.next_birth = life.births.next_time(p.birth, t, -math.log1p(-rng.random()))


class Commuter(Seeker):
    """A worker household of ``park`` that wants to live in town and has no dwelling yet."""

    __slots__ = ("source", "park", "index", "cancelled")

    def __init__(self, source: WorkerHouseholds, park: int) -> None:
        super().__init__(source.types, source.near[park])
        self.source, self.park = source, park
        self.index = -1  # position in the source's list of the park's commuters
        self.cancelled = False  # its job ended while it waited

    def looking(self, now: float) -> bool:
        return not self.cancelled

    def found(self, stock: Stock) -> None:
        self.source.commuter_housed(self, stock)


class WorkerHouseholds:
    """Worker households held by each park's live jobs: housed, commuting or living elsewhere.

    Parameters
    ----------
    env, pop, housing, streams
        The replication's environment, population, housing and streams.
    park_zones
        Zone index of each park.
    policy
        The scenario's worker-housing assumptions.
    distance_km
        Distances between zone centroids, ``(Z, Z)``.
    end
        Model time of the horizon end.
    """

    def __init__(
        self,
        env: simpy.Environment,
        pop: Population,
        housing: Housing,
        streams: Streams,
        park_zones: list[int],
        policy: WorkerHousing,
        distance_km: np.ndarray,
        end: float,
    ) -> None:
        self.env, self.pop, self.housing, self.streams = env, pop, housing, streams
        self.park_zones, self.policy, self.end = park_zones, policy, end
        n = len(park_zones)
        self.live = [0] * n  # live jobs per park
        self.elsewhere = [0] * n  # worker households that chose to live outside the new town
        self.commuters: list[list[Commuter]] = [[] for _ in range(n)]  # want to live in town, no dwelling yet
        self.unfilled = [0] * n  # jobs whose household just left town on its own, refilled at once
        self.housed: list[list[Household]] = [[] for _ in range(n)]
        self.where: dict[Household, tuple[int, int]] = {}  # housed household -> (park, index in housed)
        self.left_town = [0] * n  # cumulative: housed households that left when their job ended
        self.stayed = [0] * n  # cumulative: housed households that stayed when their job ended
        self.choice = [streams.generator(Stream.WORKERS, p) for p in range(n)]
        self.types = list(policy.preferred_types)
        self.near = [distance_km[z].tolist() for z in park_zones]
        self.ready: dict[tuple[int, int], list[Household]] = {}
        self.batches: dict[tuple[int, int], int] = {}

    # ----------------------------------------------------------------- jobs

    @property
    def commuting(self) -> list[int]:
        """Commuting worker households per park, now."""
        return [len(c) for c in self.commuters]

    def tied(self, park: int) -> int:
        """Worker households the park's live jobs hold now (with jobs about to be refilled)."""
        return self.elsewhere[park] + len(self.commuters[park]) + len(self.housed[park]) + self.unfilled[park]

    def jobs_changed(self, park: int, delta: int) -> None:
        """``delta`` jobs gained (> 0) or lost (< 0) in ``park``: make or end worker households."""
        self.live[park] += delta
        target = math.floor(self.live[park] / self.policy.jobs_per_household + ROUNDING)
        while self.tied(park) < target:
            self._fill(park)
        while self.tied(park) > target:
            self._end(park)

    def _fill(self, park: int) -> None:
        if self.choice[park].random() >= self.policy.live_in_town_share:
            self.elsewhere[park] += 1
            return
        commuter = Commuter(self, park)
        commuter.index = len(self.commuters[park])
        self.commuters[park].append(commuter)
        self.housing.market.seek(commuter)

    def _end(self, park: int) -> None:
        """One tie of ``park`` ends: an unfilled job first, else a household at random."""
        if self.unfilled[park] > 0:
            self.unfilled[park] -= 1
            return
        rng = self.choice[park]
        housed, commuters, elsewhere = self.housed[park], self.commuters[park], self.elsewhere[park]
        k = int(rng.random() * (elsewhere + len(commuters) + len(housed)))
        if k < elsewhere:
            self.elsewhere[park] -= 1
        elif k < elsewhere + len(commuters):
            commuter = commuters[k - elsewhere]
            self._drop(commuter)
            commuter.cancelled = True
        else:
            hh = housed[k - elsewhere - len(commuters)]
            self._untie(hh)
            if rng.random() < self.policy.leave_town_when_job_ends:
                self.left_town[park] += 1
                self.pop.evict(hh)
            else:
                self.stayed[park] += 1

    # ----------------------------------------------------------------- housed households

    def commuter_housed(self, commuter: Commuter, stock: Stock) -> None:
        """The market gave ``commuter`` a dwelling: it moves in now."""
        self._drop(commuter)
        self._house(commuter.park, stock)

    def _drop(self, commuter: Commuter) -> None:
        commuters = self.commuters[commuter.park]
        last = commuters.pop()
        if last is not commuter:
            commuters[commuter.index] = last
            last.index = commuter.index

    def _house(self, park: int, stock: Stock) -> None:
        hh = self._household(park, stock)
        self.where[hh] = (park, len(self.housed[park]))
        self.housed[park].append(hh)
        self.pop.settle(hh)

    def _untie(self, hh: Household) -> None:
        park, i = self.where.pop(hh)
        housed = self.housed[park]
        last = housed.pop()
        if last is not hh:
            housed[i] = last
            self.where[last] = (park, i)

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
            gen = self.streams.generator(Stream.WORKERS, park, stock.group, batch)
            ready += reversed(make_households(stock, np.zeros(BATCH), gen, self.pop.life))
        household = ready.pop()
        shift_clocks(household, self.env.now)
        if not self.pop.life.time_invariant:
            redraw_calendar_clocks(household, self.env.now, self.pop.life)
        household.zone, household.stock = stock.zone, stock.index
        return household

    # ----------------------------------------------------------------- population events

    def on_leave(self, hh: Household) -> None:
        """A housed worker household left town on its own: a new one fills its job."""
        if hh in self.where:
            park = self.where[hh][0]
            self._untie(hh)
            self.unfilled[park] += 1
            # Refilled just after the population has finished with this departure.
            self.env.process(self._refill(park))

    def _refill(self, park: int) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(0.0)
        if self.unfilled[park] > 0:  # unless the job itself ended meanwhile
            self.unfilled[park] -= 1
            self._fill(park)

    # ----------------------------------------------------------------- reports

    def by_zone(self, counts: list[int], n_zones: int) -> np.ndarray:
        """Per-park ``counts`` summed by the parks' zones."""
        out = np.zeros(n_zones, dtype=np.int64)
        for park, zone in enumerate(self.park_zones):
            out[zone] += counts[park]
        return out

    def housed_counts(self) -> list[int]:
        """Worker households living in town now, per park."""
        return [len(h) for h in self.housed]

    def on_market_by_zone(self, n_zones: int) -> np.ndarray:
        """Dwellings of the preferred types on the market in each zone, now."""
        return self.housing.market.on_market_by_zone(self.types, n_zones)
