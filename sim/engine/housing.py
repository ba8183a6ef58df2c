"""Housing: phases delivered with slippage, units occupied along a curve, dwellings re-let.

A *stock* (:class:`sim.engine.market.Stock`) is a set of dwellings that share a
zone and a household profile: a housing project, or a zone's existing housing.
Each phase of a project is a SimPy process that waits for its (slipped)
delivery date, decides which units will be occupied and when (and which of the
others are on the market), and moves households in at their dates. A dwelling
whose household leaves or dies out is on the market until it is let again,
``relet_months`` later, to a new household of the same profile (ASSUMPTION:
steady turnover), unless a seeker took it from the market first.

A zone's existing housing starts in steady state: besides the households living
there, the dwellings vacated in the ``relet_months`` before the start are
already waiting to be let again, so re-lets arrive from the first day at the
rate households leave (no start-up dip).

Resettlement projects with ``relocates_from`` fill units with households that
already live in the named zone: they leave their (demolished) dwelling and move,
so demand moves rather than being added.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from sim.engine.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, Calendar
from sim.engine.households import (
    FAMILY_COLUMNS,
    MAX_MEMBERS,
    MEMBER_DRAWS,
    BandAges,
    Composition,
    Household,
    LifeTables,
    Person,
    compose_family,
    compose_structure,
    depart_times,
    draw_lives,
    household_keys,
    structure_columns,
)
from sim.engine.market import Composer, Market, Relet, Stock, on_market_units
from sim.engine.population import Population
from sim.engine.streams import Stream, Streams
from sim.scenario.model import (
    AgeStructureProfile,
    Delay,
    FamilyProfile,
    HousingProject,
    InitialPopulation,
    OccupancyCurve,
    Scenario,
)

RELET_BATCH_DAYS = 3 * DAYS_PER_MONTH
"""Dwellings vacated within one quarter are re-let as one batch."""


def make_households(
    stock: Stock,
    arrival: np.ndarray,
    gen: np.random.Generator,
    life: LifeTables,
    rows: np.ndarray | None = None,
) -> list[Household]:
    """Compose households of ``stock`` for the units ``rows`` (default: all) of a batch
    of ``len(arrival)`` units arriving at model times ``arrival``.

    Draw order is fixed (composition, member clocks, departure and key), and row
    ``i`` of every draw belongs to unit ``i`` whether or not it is occupied, so a
    unit's household does not depend on which other units are occupied.
    """
    n = len(arrival)
    u_hh = gen.random((n, stock.columns))
    u_m = gen.random((n, MAX_MEMBERS, MEMBER_DRAWS))
    u_x = gen.random((n, 2))
    u_home = gen.random((n, MAX_MEMBERS))
    if rows is not None:
        u_hh, u_m, u_x, u_home, arrival = u_hh[rows], u_m[rows], u_x[rows], u_home[rows], arrival[rows]
    return build_households(stock, stock.compose(u_hh), arrival, u_m, u_x, life, u_home)


def build_households(
    stock: Stock,
    comp: Composition,
    arrival: np.ndarray,
    u_m: np.ndarray,
    u_x: np.ndarray,
    life: LifeTables,
    u_home: np.ndarray | None = None,
) -> list[Household]:
    """Turn a composition and its draws into household objects."""
    lives = draw_lives(comp, arrival, u_m, life, u_home)
    depart = depart_times(arrival, u_x[:, 0], life.leaving)
    keys = household_keys(u_x[:, 1])
    members: list[list[Person]] = [[] for _ in range(comp.n)]
    for h, b, f, d, nb, c, nc, lh in zip(
        comp.household.tolist(),
        lives.birth.tolist(),
        comp.female.tolist(),
        lives.death.tolist(),
        lives.next_birth.tolist(),
        lives.care.tolist(),
        lives.next_care.tolist(),
        lives.leave_home.tolist(),
        strict=True,
    ):
        members[h].append(Person(b, f, d, nb, c, nc, lh))
    dep = depart.tolist()
    return [Household(stock.zone, members[i], dep[i], keys[i], stock.index) for i in range(comp.n)]


def composer(
    profile: FamilyProfile | AgeStructureProfile,
    female_share: float,
    survival: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[int, Composer]:
    """Columns per household and the composing function of a profile.

    ``survival`` shapes ages within the bands of an age structure
    (:class:`~sim.engine.households.BandAges`); ``None``: flat within a band.
    """
    if isinstance(profile, FamilyProfile):
        return FAMILY_COLUMNS, lambda u: compose_family(profile, u, female_share)
    ages_of = BandAges(profile.age_shares, survival)
    return structure_columns(), lambda u: compose_structure(profile.household_size, ages_of, u)


def _as_profile(ip: InitialPopulation) -> AgeStructureProfile:
    """A zone's existing population as a household profile (for composing and re-letting)."""
    return AgeStructureProfile(
        kind="age_structure",
        household_size=ip.household_size,
        age_shares=ip.age_shares,
        occupancy=OccupancyCurve(points=[(1.0, 1.0)]),
    )


def delay_days(delay: Delay, gen: np.random.Generator, random: bool) -> float:
    """A delay in model days; with ``random`` off, none."""
    if not random or delay.distribution == "none":
        return 0.0
    if delay.distribution == "fixed":
        months = delay.mean
    elif delay.distribution == "uniform":
        months = float(gen.uniform(delay.low, delay.high))
    elif delay.mean == 0:
        months = 0.0
    else:
        shape = (delay.mean / delay.sd) ** 2
        months = float(gen.gamma(shape, delay.sd**2 / delay.mean))
    return months * DAYS_PER_MONTH


def move_in_lags(curve: OccupancyCurve, u_occ: np.ndarray, u_lag: np.ndarray, random: bool) -> np.ndarray:
    """Years from delivery to move-in per unit; ``nan`` for units left vacant.

    The occupied share follows ``curve`` (piecewise linear from (0, 0)); a unit is
    occupied with the long-run probability and its lag is drawn from the curve
    normalised by that share. With ``random`` off, exactly round(n x long-run)
    units are occupied, at lags spread evenly over the curve's quantiles.
    """
    years = np.array([0.0] + [y for y, _ in curve.points])
    shares = np.array([0.0] + [s for _, s in curve.points])
    long_run = curve.long_run
    n = len(u_occ)
    lag = np.full(n, np.nan)
    if long_run <= 0:
        return lag
    cdf = shares / long_run
    if random:
        occ = u_occ < long_run
        lag[occ] = np.interp(u_lag[occ], cdf, years)
    else:
        k = int(round(n * long_run))
        lag[:k] = np.interp((np.arange(k) + 0.5) / k, cdf, years)
    return lag


class Housing:
    """Every stock of the town, its deliveries, its re-lets and its market."""

    def __init__(
        self, env: simpy.Environment, scenario: Scenario, pop: Population, streams: Streams, cal: Calendar
    ) -> None:
        self.env, self.scenario, self.pop, self.streams, self.cal = env, scenario, pop, streams, cal
        self.zone_index = {z.id: i for i, z in enumerate(scenario.zones)}
        female = pop.life.female_share_at_birth
        shaped = scenario.demography.ages_within_band == "life_table"
        survival = pop.life.mortality.survival if shaped else None
        self.stocks: list[Stock] = []
        groups: dict[object, int] = {}
        for p in scenario.housing:
            cols, comp = composer(scenario.household_profiles[p.type], female, survival)
            group = groups.setdefault(p.type, len(groups))
            self.stocks.append(Stock(len(self.stocks), self.zone_index[p.zone], group, cols, comp, kind=p.type))
        self.zone_stock: dict[int, int] = {}
        for zi, z in enumerate(scenario.zones):
            if z.initial_population is not None:
                ip = z.initial_population
                self.zone_stock[zi] = len(self.stocks)
                group = groups.setdefault(("zone", zi), len(groups))
                self.stocks.append(Stock(len(self.stocks), zi, group, *composer(_as_profile(ip), female, survival)))
        retry = scenario.housing_defaults.market_retry_months * DAYS_PER_MONTH
        self.market = Market(env, self.stocks, retry, cal.end_time)
        relet = scenario.housing_defaults.relet_months
        self.relet_days = None if relet is None else relet * DAYS_PER_MONTH
        self.pending: dict[tuple[int, int], list[Relet]] = {}  # (group, quarter) -> dwellings to re-let
        self.delivered: list[tuple[str, int, float, int]] = []  # project, phase, time, units
        self.first_delivery = {p.id: simpy.Event(env) for p in scenario.housing}

    # ----------------------------------------------------------------- start

    def start(self) -> None:
        """Settle the existing populations and start every phase's process and the market."""
        origins = {self.zone_index[p.relocates_from] for p in self.scenario.housing if p.relocates_from}
        for zi, si in self.zone_stock.items():
            self._settle_initial(zi, self.stocks[si], relocatable=zi in origins)
        for pi, project in enumerate(self.scenario.housing):
            for phi in range(len(project.phases)):
                self.env.process(self._phase(pi, project, phi))
        self.market.start()

    def _settle_initial(self, zi: int, stock: Stock, relocatable: bool) -> None:
        ip = self.scenario.zones[zi].initial_population
        assert ip is not None
        gen = self.streams.generator(Stream.INITIAL, zi)
        mean_size = sum(k * v for k, v in ip.household_size.items()) / sum(ip.household_size.values())
        n = int(math.ceil(ip.residents / mean_size * 1.25)) + 10
        u_hh = gen.random((n, stock.columns))
        u_m = gen.random((n, MAX_MEMBERS, MEMBER_DRAWS))
        u_x = gen.random((n, 2))
        u_home = gen.random((n, MAX_MEMBERS))
        comp = stock.compose(u_hh)
        m = ip.residents  # keep exactly the stated number of residents
        n_hh = int(comp.household[m - 1]) + 1 if m > 0 else 0
        comp = Composition(n_hh, comp.household[:m], comp.slot[:m], comp.age[:m], comp.female[:m])
        arrival = np.zeros(n_hh)
        life = self.pop.life
        for hh in build_households(stock, comp, arrival, u_m[:n_hh], u_x[:n_hh], life, u_home[:n_hh]):
            stock.delivered += 1
            stock.occupied += 1
            self.pop.settle(hh, initial=True)
            if relocatable:
                self.pop.queue_for_relocation(zi, hh)
        if self.relet_days is not None and n_hh > 0:
            self._start_pipeline(zi, stock, vacate_probability(comp, self.relet_days / DAYS_PER_YEAR, life))

    def _start_pipeline(self, zi: int, stock: Stock, p_vacate: np.ndarray) -> None:
        """Dwellings vacated in the ``relet_months`` before the start, let again in the first.

        In steady state the dwellings waiting to be let at the start are those
        vacated in the last ``relet_months``: as many, on average, as the
        existing households will vacate in the first ``relet_months``
        (``p_vacate`` summed; Poisson), let again at times uniform over that span.
        """
        gen = self.streams.generator(Stream.RELET_PIPELINE, zi)
        k = int(gen.poisson(float(p_vacate.sum())))
        assert self.relet_days is not None
        when = np.sort(gen.random(k)) * self.relet_days
        stock.delivered += k
        when = when[when < self.cal.end_time]
        entries = [Relet(stock.index, t) for t in when.tolist()]
        for entry in entries:
            stock.add_relet(entry)
        households = make_households(stock, when, gen, self.pop.life)
        self.env.process(self._let(entries, when, households))

    # ----------------------------------------------------------------- phases

    def _phase(self, pi: int, project: HousingProject, phi: int) -> Generator[simpy.Event, Any, None]:
        sc = self.scenario
        phase = project.phases[phi]
        slip = project.slippage_months or sc.housing_defaults.slippage_months
        planned = self.cal.time(phase.date) + sc.housing_defaults.delay_months * DAYS_PER_MONTH
        gen = self.streams.generator(Stream.SLIPPAGE, pi, phi)
        delivered = planned + delay_days(slip, gen, sc.variation.slippage)
        if delivered > self.cal.end_time or phase.units == 0:
            return
        yield self.env.timeout(max(delivered - self.env.now, 0.0))
        stock = self.stocks[pi]
        stock.delivered += phase.units
        self.delivered.append((project.id, phi, self.env.now, phase.units))
        if not self.first_delivery[project.id].triggered:
            self.first_delivery[project.id].succeed()
        occ_gen = self.streams.generator(Stream.OCCUPANCY, pi, phi)
        u = occ_gen.random((phase.units, 3))
        curve = project.occupancy or sc.household_profiles[project.type].occupancy
        lag = move_in_lags(curve, u[:, 0], u[:, 1], sc.variation.occupancy)
        share = sc.housing_defaults.on_market_share.share(project.type)
        stock.market += on_market_units(u[:, 0], lag, curve.long_run, share, sc.variation.occupancy)
        arrival = self.env.now + lag * DAYS_PER_YEAR
        units = np.flatnonzero(np.isfinite(lag) & (arrival < self.cal.end_time))
        units = units[np.argsort(arrival[units], kind="stable")]
        gen_hh = self.streams.generator(Stream.HOUSEHOLDS, pi, phi)
        households = make_households(stock, arrival, gen_hh, self.pop.life, rows=units)
        origin = self.zone_index[project.relocates_from] if project.relocates_from else None
        stock.reserved += len(units)
        for unit, household in zip(units.tolist(), households, strict=True):
            yield self.env.timeout(arrival[unit] - self.env.now)
            stock.reserved -= 1
            stock.occupied += 1
            if origin is not None and u[unit, 2] < project.relocation_share:
                mover = self.pop.next_relocatable(origin)
                if mover is not None:
                    old = self.stocks[mover.stock]
                    old.occupied -= 1
                    old.delivered -= 1  # the village dwelling is demolished
                    self.pop.relocate(mover, stock.zone, stock.index)
                    continue
            self.pop.settle(household)

    # ----------------------------------------------------------------- re-letting

    def vacated(self, hh: Household) -> None:
        stock = self.stocks[hh.stock]
        stock.occupied -= 1
        if self.relet_days is None:
            return
        when = self.env.now + self.relet_days
        if when >= self.cal.end_time:
            return
        # Dwellings vacated in one quarter are re-let as one batch per profile group:
        # one composition per batch keeps the cost per re-let low. Each household
        # still moves in at its own date (vacated + relet_months, but not before
        # the quarter has ended). Until then the dwelling is on the market.
        key = (stock.group, int(self.env.now // RELET_BATCH_DAYS))
        waiting = self.pending.setdefault(key, [])
        entry = Relet(stock.index, when)
        waiting.append(entry)
        stock.add_relet(entry)
        if len(waiting) == 1:
            self.env.process(self._relet(key))

    def _relet(self, key: tuple[int, int]) -> Generator[simpy.Event, Any, None]:
        """Let the dwellings of one profile group vacated in one quarter."""
        group, quarter = key
        yield self.env.timeout((quarter + 1) * RELET_BATCH_DAYS - self.env.now)
        batch = sorted(self.pending.pop(key), key=lambda e: e.when)
        arrival = np.maximum(np.array([e.when for e in batch]), self.env.now)
        gen = self.streams.generator(Stream.RELET, group, quarter)
        # Every dwelling of the batch keeps its row of draws, taken from the market or not.
        households = make_households(self.stocks[batch[0].stock], arrival, gen, self.pop.life)
        yield from self._let(batch, arrival, households)

    def _let(
        self, entries: list[Relet], arrival: np.ndarray, households: list[Household]
    ) -> Generator[simpy.Event, Any, None]:
        """Move each re-let household in at its date, unless a seeker took the dwelling."""
        for entry, t, hh in zip(entries, arrival.tolist(), households, strict=True):
            yield self.env.timeout(t - self.env.now)
            if entry.taken:
                continue
            stock = self.stocks[entry.stock]
            hh.zone, hh.stock = stock.zone, entry.stock
            stock.let(entry)
            self.pop.settle(hh)

    def deliveries_table(self) -> dict[str, np.ndarray]:
        """Each delivered phase: project, phase, planned and actual date, units."""
        rows = sorted(self.delivered, key=lambda r: r[2])
        planned = [self.scenario.project(p).phases[k].date for p, k, _, _ in rows]
        return {
            "project": np.array([r[0] for r in rows], dtype=object),
            "phase": np.array([r[1] for r in rows], dtype=np.int64),
            "planned": np.array(planned, dtype=object),
            "delivered": np.array([self.cal.date(r[2]) for r in rows], dtype=object),
            "units": np.array([r[3] for r in rows], dtype=np.int64),
        }


def vacate_probability(comp: Composition, years: float, life: LifeTables) -> np.ndarray:
    """Per household of ``comp`` (ages now), the probability it vacates its dwelling within ``years``.

    A household vacates when it out-migrates (exponential, rate
    ``out_migration_per_year``) or when all its members have died, independently:
    P = 1 - exp(-m t) x (1 - prod_i q_i), with q_i the probability that member i
    dies within ``years`` from the mortality hazard.
    """
    mort = life.mortality
    dh = mort.cumulative(comp.age + years) - mort.cumulative(comp.age)
    log_q = np.log(np.maximum(-np.expm1(-dh), 1e-300))
    all_die = np.exp(np.bincount(comp.household, weights=log_q, minlength=comp.n))
    return np.asarray(1.0 - math.exp(-life.out_migration_per_year * years) * (1.0 - all_die))
