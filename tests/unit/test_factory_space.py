"""Factory-space demand is the floor space of the live firms that rent standard factories.

Small towns whose firms are fixed (no arrivals, no growth, no failure) so that
the demand can be counted by hand: existing firms with one job each occupy
exactly ``firms x m2_per_job``; a park that no factory serves asks for
nothing; firms founded before the factories open keep their own premises, so
nothing is unmet before the opening date.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest
import simpy

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.firms import ESTABLISHED, INCUBATED, Economy
from sim.engine.results import Results
from sim.engine.town import simulate
from sim.scenario import load_scenario_text, set_path
from sim.scenario.model import FirmProfile

TOWN = """
name: factory_town
horizon: {start: 2019-01-01, end: 2023-12-31}
report_every: quarter
seed: 5
zones:
  - {id: small_micro, x_km: 0.0, y_km: 0.0}
  - {id: big_firms, x_km: 5.0, y_km: 0.0}
demography:
  tfr: 1.1
  fertility_age_shares: {20-29: 0.6, 30-39: 0.4}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
facilities:
  - {id: factories, service: factory_space, zone: small_micro, capacity: {units: 1000000}}
enterprises:
  enabled: true
  parks:
    - {id: smp, zone: small_micro, existing_firms: 120, existing_jobs_mean: 1}
    - {id: big, zone: big_firms, existing_firms: 30, existing_jobs_mean: 50}
  established_firm: {initial_jobs_mean: 20, job_growth_per_year: 0.0, max_jobs: 200, failure_per_year: 0.0, m2_per_job: 40}
  workers: {live_in_town_share: 1.0}
"""


def _series(r: Results, service: str, field: str) -> np.ndarray:
    return np.asarray(r.series[field][:, :, r.services.index(service)])


def test_a_fixed_firm_population_asks_for_exactly_its_occupied_floor_space() -> None:
    r = simulate(load_scenario_text(TOWN))
    demand = _series(r, "factory_space", "demand")
    # 120 firms of one job each at 40 m² a job, open factories from the start, all rent.
    assert (demand[:, 0] == 120 * 40.0).all()
    np.testing.assert_array_equal(_series(r, "factory_space", "served")[:, 0], demand[:, 0])
    # The big firms' park has no standard factories serving it: no demand at all,
    # although its 30 firms use floor space of their own.
    assert (demand[:, 1] == 0.0).all()
    jobs = r.tables["jobs"]
    big = jobs["park"] == "big"
    assert (jobs["floor_m2"][big] == 40.0 * jobs["jobs"][big]).all() and (jobs["jobs"][big] > 30).all()
    # The existing firms' jobs are held by people living in town already: no worker households.
    assert (r.tables["worker_households"]["housed"] == 0).all()
    assert (r.tables["worker_households"]["commuting"] == 0).all()


def test_the_share_renting_is_binomial_over_replications() -> None:
    sc = set_path(load_scenario_text(TOWN), "enterprises.parks[smp].standard_space_share", 0.25)
    firms = np.array([_series(simulate(sc, seed), "factory_space", "demand")[0, 0] / 40.0 for seed in range(30)])
    # Each of the 120 one-job firms rents with probability 1/4: mean 30, variance 120 x 1/4 x 3/4.
    se = math.sqrt(120 * 0.25 * 0.75 / len(firms))
    assert abs(firms.mean() - 30.0) <= 3 * se
    assert firms.std() > 0  # the share is drawn firm by firm, not applied as a fraction


def test_no_demand_and_no_shortfall_before_the_factories_open() -> None:
    sc = set_path(load_scenario_text(TOWN), "facilities[factories].opens", "2021-01-01")
    sc = set_path(sc, "enterprises.parks[smp].established_firms_per_year", 20.0)
    r = simulate(sc)
    dates = np.array(r.dates)
    before = dates < dt.date(2021, 1, 1)
    demand, unmet = _series(r, "factory_space", "demand"), _series(r, "factory_space", "unmet")
    assert (demand[before] == 0).all() and (unmet == 0).all()
    # Firms arriving after the opening rent space: demand grows from zero.
    assert demand[-1, 0] > 0
    # The 120 existing firms were founded before the opening and keep their own premises.
    assert demand[-1, 0] < 40.0 * r.tables["jobs"]["jobs"][r.tables["jobs"]["park"] == "smp"][-1]


def test_the_running_total_equals_the_sum_over_live_renting_firms() -> None:
    profile = FirmProfile(initial_jobs_mean=12.0, job_growth_per_year=0.3, max_jobs=80.0, failure_per_year=0.2, m2_per_job=35.0)
    small = FirmProfile(initial_jobs_mean=4.0, job_growth_per_year=0.5, max_jobs=40.0, failure_per_year=0.3, m2_per_job=20.0)
    env = simpy.Environment()
    economy = Economy(env, 10 * DAYS_PER_YEAR, (profile, small), 2, space=lambda park, u: park == 0 and u < 0.6)
    rng = random.Random(4)
    for k in range(200):
        economy.found(k % 2, ESTABLISHED if k % 3 else INCUBATED, random.Random(rng.getrandbits(63)))
    for years in (0.0, 2.5, 6.0, 9.9):
        env.run(until=years * DAYS_PER_YEAR + 1e-9)
        for park in (0, 1):
            live = [f for f in economy.firms if f.alive and f.park == park and f.in_standard_space]
            by_hand = sum(f.jobs * (profile if f.kind == ESTABLISHED else small).m2_per_job for f in live)
            assert economy.standard_space_m2(park) == by_hand
        assert economy.standard_space_m2(1) == 0.0
    assert 0 < economy.standard_space_m2(0) < economy.floor_m2(0)


@pytest.mark.parametrize("growth", [-0.4, 0.3])
def test_existing_firms_first_jobs_hold_no_worker_households_and_are_lost_first(growth: float) -> None:
    # Worker households follow the jobs reported through jobs_changed. An existing
    # firm's first jobs are held by people already in town: never reported, and the
    # first to go when it shrinks. So at every moment the jobs reported equal, by
    # hand, the live jobs minus those first jobs still held (zero for new firms).
    profile = FirmProfile(initial_jobs_mean=10.0, job_growth_per_year=growth, max_jobs=100.0,
                          failure_per_year=0.1, m2_per_job=10.0)
    reported = [0, 0]

    def jobs_changed(park: int, delta: int) -> None:
        reported[park] += delta

    env = simpy.Environment()
    economy = Economy(env, 8 * DAYS_PER_YEAR, (profile, profile), 2, jobs_changed)
    rng = random.Random(7)
    first = {}
    for k in range(100):
        firm = economy.found(k % 2, ESTABLISHED, random.Random(rng.getrandbits(63)), existing=k % 2 == 0)
        first[id(firm)] = firm.jobs
    assert reported[0] == 0 and reported[1] == sum(f.jobs for f in economy.firms if f.park == 1)
    for years in (1.0, 3.0, 7.9):
        env.run(until=years * DAYS_PER_YEAR)
        for park in (0, 1):
            live = [f for f in economy.firms if f.alive and f.park == park]
            untied = sum(f.untied for f in live)
            assert economy.untied[park] == untied
            assert reported[park] == sum(f.jobs for f in live) - untied
            if park == 1:
                assert untied == 0
            elif growth < 0:  # a shrinking existing firm only ever loses first jobs: nothing reported
                assert untied == sum(f.jobs for f in live) and reported[0] == 0
            else:  # a growing one keeps its first jobs and reports only those it gains
                assert untied == sum(first[id(f)] for f in live)
    if growth > 0:
        assert reported[0] > 0  # jobs gained later do hold worker households
