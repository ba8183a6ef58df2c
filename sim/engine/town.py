"""Wiring of one replication: ``simulate(scenario, seed) -> Results``."""

from __future__ import annotations

import simpy

from sim.engine.calendar import Calendar
from sim.engine.hazards import MortalityHazard, PiecewiseHazard
from sim.engine.households import LifeTables
from sim.engine.housing import Housing
from sim.engine.monitor import Monitor
from sim.engine.population import Population
from sim.engine.results import Results
from sim.engine.streams import Streams
from sim.scenario.model import Demography, Scenario, parse_band


def life_tables(d: Demography) -> LifeTables:
    """The scenario's demographic rates as hazards in years."""
    fert = []
    for label, share in d.fertility_age_shares.items():
        lo, hi = parse_band(label)
        width = hi + 1 - lo
        fert.append((float(lo), float(hi + 1), d.tfr * share / width))
    care = d.care_needs
    return LifeTables(
        mortality=MortalityHazard(d.mortality.gompertz.a, d.mortality.gompertz.b, d.mortality.infant),
        fertility=PiecewiseHazard(fert),
        to_community=PiecewiseHazard.from_labels(care.to_community_per_year if care else {}),
        to_institutional=PiecewiseHazard.from_labels(care.to_institutional_per_year if care else {}),
        female_share_at_birth=1.0 / (1.0 + d.sex_ratio_at_birth),
        out_migration_per_year=d.out_migration_per_year,
    )


def report_dates(scenario: Scenario, cal: Calendar) -> list:
    """The regular report grid plus every school-year intake, in order."""
    grid = set(cal.grid(scenario.report_every.value))
    grid.update(cal.yearly(scenario.services.school_year.intake))
    return sorted(grid)


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
    seed = scenario.seed if seed is None else int(seed)
    cal = Calendar(scenario.horizon.start, scenario.horizon.end)
    env = simpy.Environment()
    streams = Streams(seed)
    pop = Population(env, len(scenario.zones), cal.end_time, life_tables(scenario.demography))
    housing = Housing(env, scenario, pop, streams, cal)
    dates = report_dates(scenario, cal)
    monitor = Monitor(env, pop, dates, [cal.time(d) for d in dates])
    housing.start()
    initial = pop.age_band_counts(0.0).sum(axis=1)
    monitor.start()
    env.run(until=cal.end_time + 1.0)
    return Results(
        scenario=scenario.name,
        seed=seed,
        dates=tuple(dates),
        zones=tuple(z.id for z in scenario.zones),
        residents=monitor.residents,
        households=monitor.households,
        initial=initial,
        events=monitor.events,
        n_events=pop.n_events,
    )
