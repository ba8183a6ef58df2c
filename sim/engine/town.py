"""Wiring of one replication: ``simulate(scenario, seed) -> Results``.

The sources of population sit together here: the housing (deliveries,
re-lets, existing residents), the worker households held by the parks' live
jobs and the young adults leaving home. They alone write into the population
and the dwellings; service models only read them (and listen to residents'
events).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import simpy

from sim.engine.calendar import Calendar
from sim.engine.hazards import MortalityHazard, PiecewiseHazard
from sim.engine.home_leaving import HomeLeavers
from sim.engine.households import LifeTables
from sim.engine.housing import Housing
from sim.engine.lifelines import TimeCurve, fertility_line, mortality_line, rate_line
from sim.engine.market import DwellingCounts
from sim.engine.monitor import Monitor
from sim.engine.population import Population
from sim.engine.results import SERIES_FIELDS, FacilityKey, Results
from sim.engine.services import SERVICE_MODELS, Context, ServiceOutput
from sim.engine.services.base import distance_matrix, facility_field
from sim.engine.streams import Streams
from sim.engine.wiring import wire
from sim.engine.workers import WorkerHouseholds
from sim.scenario.model import Demography, Scenario, Service, parse_band


def life_tables(d: Demography, start: dt.date = dt.date(2019, 1, 1)) -> LifeTables:
    """The scenario's demographic rates as hazards, on a horizon that starts ``start``.

    Fertility is the age pattern per unit of TFR (``share / band width``) times the
    TFR of the time; mortality the Gompertz and infant hazard times the level of the
    time; out-migration a rate per household and year (each a number or a schedule).
    """
    shape = []
    for label, share in d.fertility_age_shares.items():
        lo, hi = parse_band(label)
        shape.append((float(lo), float(hi + 1), share / (hi + 1 - lo)))
    care = d.care_needs
    mortality = MortalityHazard(d.mortality.gompertz.a, d.mortality.gompertz.b, d.mortality.infant)
    return LifeTables(
        mortality=mortality,
        deaths=mortality_line(mortality, TimeCurve.from_rate(d.mortality.level, start)),
        births=fertility_line(PiecewiseHazard(shape), TimeCurve.from_rate(d.tfr, start)),
        to_community=PiecewiseHazard.from_labels(care.to_community_per_year if care else {}),
        to_institutional=PiecewiseHazard.from_labels(care.to_institutional_per_year if care else {}),
        female_share_at_birth=1.0 / (1.0 + d.sex_ratio_at_birth),
        leaving=rate_line(TimeCurve.from_rate(d.out_migration_per_year, start)),
        leave_home_age=d.home_leaving.age_years if d.home_leaving is not None else None,
    )


def report_dates(scenario: Scenario, cal: Calendar) -> list[dt.date]:
    """The regular report grid plus every school-year intake, in order."""
    grid = set(cal.grid(scenario.report_every.value))
    grid.update(cal.yearly(scenario.services.school_year.intake))
    return sorted(grid)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one replication.

    A replication creates hundreds of thousands of long-lived residents and
    households; the collector would scan them again and again (about a third
    of the run time) to find the few reference cycles SimPy leaves, which are
    collected once at the end instead. Memory use is unchanged.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def simulate(scenario: Scenario, seed: int | None = None) -> Results:
    """Run one replication of ``scenario`` with root ``seed`` (default: the scenario's).

    Parameters
    ----------
    scenario
        A validated scenario.
    seed
        Root seed of every random stream; replication ``r`` of an experiment uses
        a seed derived from the experiment's seed and ``r``.

    Returns
    -------
    Results
        Arrays on the report grid; see :class:`sim.engine.results.Results`.
    """
    with _cyclic_gc_paused():
        return _simulate(scenario, seed)


def _simulate(scenario: Scenario, seed: int | None) -> Results:
    seed = scenario.seed if seed is None else int(seed)
    cal = Calendar(scenario.horizon.start, scenario.horizon.end)
    env = simpy.Environment()
    streams = Streams(seed)
    pop = Population(env, len(scenario.zones), cal.end_time, life_tables(scenario.demography, scenario.horizon.start))
    housing = Housing(env, scenario, pop, streams, cal)
    dates = report_dates(scenario, cal)
    times = [cal.time(d) for d in dates]
    monitor = Monitor(env, pop, dates, times)
    distance = distance_matrix(scenario)
    workers = _worker_source(scenario, env, pop, housing, streams, cal, distance)
    d = scenario.demography
    leavers = None if d.home_leaving is None else HomeLeavers(env, pop, housing.market, d.home_leaving, seed, distance)
    dwellings = DwellingCounts(housing.stocks, [z.id for z in scenario.zones])
    ctx = Context(
        env=env,
        scenario=scenario,
        cal=cal,
        pop=pop,
        housing=housing,
        streams=streams,
        dates=tuple(dates),
        times=tuple(times),
        zone_index={z.id: i for i, z in enumerate(scenario.zones)},
        distance_km=distance,
        workers=workers,
    )
    # Services are built and wired before the existing residents settle, so that
    # models listening to residents' events hear them arrive.
    models = [m for m in (build(ctx) for build in SERVICE_MODELS) if m is not None]
    wire(pop, housing, workers, leavers, models)
    housing.start()
    initial = pop.age_band_counts(0.0).sum(axis=1)
    monitor.probes.append(dwellings.sample)
    if leavers is not None:
        monitor.probes.append(leavers.sample)
    for m in models:
        m.start()
        monitor.probes.append(m.sample)
    monitor.start()
    env.run(until=cal.end_time + 1.0)
    outputs = [m.output() for m in models]
    services, series = _stack_series(outputs, len(times), len(scenario.zones))
    keys, fseries, tables = _stack_facilities(outputs, len(times))
    tables["pyramid"] = monitor.pyramid_table()
    tables["residents_65_plus"] = monitor.older_table(list(ctx.zone_index))
    tables["deliveries"] = housing.deliveries_table()
    tables["dwellings"] = dwellings.table(dates)
    if leavers is not None:
        tables["home_leaving"] = leavers.table(tuple(dates), tuple(ctx.zone_index))
    return Results(
        scenario=scenario.name,
        seed=seed,
        dates=tuple(dates),
        zones=tuple(ctx.zone_index),
        residents=monitor.residents,
        households=monitor.households,
        initial=initial,
        events=monitor.events,
        services=services,
        series=series,
        facility_keys=keys,
        facility_series=fseries,
        tables=tables,
        n_events=pop.n_events,
    )


def _worker_source(
    scenario: Scenario,
    env: simpy.Environment,
    pop: Population,
    housing: Housing,
    streams: Streams,
    cal: Calendar,
    distance: np.ndarray,
) -> WorkerHouseholds | None:
    """The worker households held by the parks' jobs, or ``None`` without enterprises or parks."""
    e = scenario.enterprises
    if not e.enabled or not e.parks:
        return None
    zones = {z.id: i for i, z in enumerate(scenario.zones)}
    parks = [zones[p.zone] for p in e.parks]
    return WorkerHouseholds(env, pop, housing, streams, parks, e.workers, distance, cal.end_time)


def _stack_series(outputs: list[ServiceOutput], t: int, z: int) -> tuple[tuple[str, ...], dict[str, np.ndarray]]:
    found = {svc: arrays for out in outputs for svc, arrays in out.series.items()}
    services = [s for s in Service if s in found]
    series = {
        f: np.stack([found[s][f] for s in services], axis=2) if services else np.zeros((t, z, 0))
        for f in SERIES_FIELDS
    }
    return tuple(s.value for s in services), series


def _stack_facilities(
    outputs: list[ServiceOutput], t: int
) -> tuple[tuple[FacilityKey, ...], dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
    keys: list[FacilityKey] = []
    cols: dict[str, list[np.ndarray]] = {"capacity": [], "served": [], "waiting": []}
    tables: dict[str, dict[str, np.ndarray]] = {}
    for out in outputs:
        keys += out.facility_keys
        for f in cols:
            cols[f] += facility_field(out, f, t)
        tables.update(out.tables)
    fseries = {f: np.stack(v, axis=1) if v else np.zeros((t, 0)) for f, v in cols.items()}
    return tuple(keys), fseries, tables
