"""Young adults leaving home: a population source that moves residents out of their household.

A child of a household (a resident younger than the home-leaving age's
minimum when the household moved in, or born in town) carries a clock: the age
at which they leave home, drawn from ``demography.home_leaving.age_years``
(:func:`sim.engine.households.draw_lives`). When it rings, the population
calls :meth:`HomeLeavers.leave`, which decides, with a uniform keyed to the
resident (root seed, household key, birth time):

* with ``leave_town_share``: they leave town to study or work elsewhere;
* with ``own_household_share``: they form a household of their own in a
  dwelling on the market (:class:`sim.engine.market.Market`) of
  ``housing_types``, nearest their home zone first; if none is free (or others
  are already waiting) they wait at home on the market's list, served in order
  of waiting, until the age's maximum, then stay for good;
* otherwise they stay in the parental home.

A young adult who needs care stays at home (ASSUMPTION). The new household
has one member, keeps that member's clocks (later births happen where they
live) and draws its out-migration time and generator key from uniforms keyed
to the resident, so no other household's draws move. ASSUMPTION throughout:
the shares and ages are scenario values without a source, checked against the
Shandong 2020 mean household size of 2.70 (docs/facts.md §2 [19]).
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.hazards import INF
from sim.engine.households import Care, Household, Person
from sim.engine.market import Market, Seeker, Stock
from sim.engine.population import Population
from sim.engine.streams import keyed_uniform, salt
from sim.engine.tables import date_zone_columns
from sim.scenario.model import HomeLeaving

_CHOICE, _KEY, _DEPART = salt("home_leaving.choice"), salt("home_leaving.key"), salt("home_leaving.depart")

LEFT_TOWN, OWN_HOUSEHOLD, STAYED, WAITING = range(4)
COLUMNS = ("left_town", "own_household", "stayed_home", "waiting")
"""Counts reported per zone: cumulative, left town (by the zone left), formed a
household (by the zone of the new household), stayed at home for good (by the
home zone); and now, waiting at home for a dwelling (by the home zone)."""


class HomeSeeker(Seeker):
    """A young adult at home waiting for a dwelling of their own on the market."""

    __slots__ = ("source", "hh", "person", "give_up", "zone")

    def __init__(self, source: HomeLeavers, hh: Household, person: Person, give_up: float) -> None:
        super().__init__(source.types, source.near[hh.zone])
        self.source, self.hh, self.person, self.give_up = source, hh, person, give_up
        self.zone = hh.zone  # home zone when they started waiting

    def at_home(self) -> bool:
        # Person has no __eq__: ``in`` compares identity, in C.
        return self.hh.present and self.person in self.hh.members

    def looking(self, now: float) -> bool:
        return now <= self.give_up and self.hh.present and self.person in self.hh.members

    def found(self, stock: Stock) -> None:
        self.source.move_out(self, stock)

    def gone(self, now: float) -> None:
        self.source.gone(self, now)


class HomeLeavers:
    """Decides where each young adult goes when they leave home (see the module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        pop: Population,
        market: Market,
        rule: HomeLeaving,
        seed: int,
        distance_km: np.ndarray,
    ) -> None:
        self.env, self.pop, self.market, self.rule, self.seed = env, pop, market, rule, seed
        self.near = [row.tolist() for row in distance_km]
        self.types = list(rule.housing_types)
        self.max_age_days = rule.age_years.max * DAYS_PER_YEAR
        self.counts = np.zeros((len(COLUMNS), distance_km.shape[0]), dtype=np.int64)
        self.rows: list[np.ndarray] = []

    def leave(self, hh: Household, p: Person) -> None:
        """``p``'s home-leaving clock rang: leave town, look for a dwelling, or stay."""
        p.leave_home = INF
        u = keyed_uniform(self.seed, _CHOICE, hh.key, p.birth)
        rule = self.rule
        if p.care != Care.INDEPENDENT or u >= rule.leave_town_share + rule.own_household_share:
            self.counts[STAYED, hh.zone] += 1
        elif u < rule.leave_town_share:
            self.counts[LEFT_TOWN, hh.zone] += 1
            self.pop.move_out(hh, p)
        else:
            self.counts[WAITING, hh.zone] += 1
            self.market.seek(HomeSeeker(self, hh, p, p.birth + self.max_age_days))

    def move_out(self, seeker: HomeSeeker, stock: Stock) -> None:
        """``seeker`` got a dwelling of ``stock``: a household of their own, from now."""
        hh, p, now = seeker.hh, seeker.person, self.env.now
        self.counts[WAITING, seeker.zone] -= 1
        u_key = keyed_uniform(self.seed, _KEY, hh.key, p.birth)
        u_dep = keyed_uniform(self.seed, _DEPART, hh.key, p.birth)
        depart = self.pop.life.leaving.next_time(now, now, -math.log1p(-u_dep))  # the rate of the dates ahead
        new = Household(stock.zone, [], depart, int(u_key * 2.0**63), stock.index)
        self.counts[OWN_HOUSEHOLD, stock.zone] += 1
        self.pop.move_out(hh, p, new)
        if not hh.members and hh.present:  # they lived alone: their old household ends here
            self.pop.evict(hh)

    def gone(self, seeker: HomeSeeker, now: float) -> None:
        """``seeker`` stopped waiting: too old (stays at home for good), died or left town."""
        self.counts[WAITING, seeker.zone] -= 1
        if seeker.at_home():
            self.counts[STAYED, seeker.zone] += 1

    # ----------------------------------------------------------------- reports

    def sample(self, i: int, t: float) -> None:
        """Keep the cumulative counts at report ``i``."""
        self.rows.append(self.counts.copy())

    def table(self, dates: tuple, zones: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Table ``home_leaving``: per report date and zone, the cumulative counts of :data:`COLUMNS`."""
        n_z = len(zones)
        out = date_zone_columns(dates, zones)
        stacked = np.stack(self.rows) if self.rows else np.zeros((0, 3, n_z), dtype=np.int64)
        for k, name in enumerate(COLUMNS):
            out[name] = stacked[:, k, :].reshape(-1)
        return out
