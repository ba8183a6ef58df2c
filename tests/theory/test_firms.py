"""Firms and the incubator pipeline against closed forms.

Tolerances are three standard errors of the estimator, derived from the model's
own distribution (binomial for conversions and survival, Poisson for counts,
the sample standard deviation for mean jobs), not tuned to pass.
"""

from __future__ import annotations

import math
import random

import numpy as np
import simpy

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.firms import (
    ESTABLISHED,
    INCUBATED,
    Economy,
    Pipeline,
    established_arrivals,
    initial_jobs,
)
from sim.engine.streams import Stream, Streams
from sim.scenario.model import FirmProfile, Incubator

STEADY = FirmProfile(initial_jobs_mean=5.0, job_growth_per_year=0.0, max_jobs=500.0, failure_per_year=0.0)


def _economy(profile: FirmProfile, years: float) -> tuple[simpy.Environment, Economy]:
    env = simpy.Environment()
    return env, Economy(env, years * DAYS_PER_YEAR, (profile, profile), n_parks=1)


def _found_many(env: simpy.Environment, economy: Economy, n: int, seed: int) -> None:
    for k in range(n):
        economy.found(0, ESTABLISHED, random.Random(seed * 1_000_003 + k))


def test_pipeline_conversions_match_the_configured_rates() -> None:
    # Changsha's Liuzhi Action: 466 / 4,279 incubated, 56 / 466 financed (docs/seed.md §2).
    inc = Incubator(park="p", screened_per_year=150.0, months_to_incubate=6.0, months_to_finance=24.0)
    years, seeds = 20.0, 40
    screened, inc_yes, inc_no, fin_yes, fin_no = 0, 0, 0, 0, 0
    for seed in range(seeds):
        env, economy = _economy(STEADY, years)
        pipe = Pipeline(economy, inc, 0, Streams(seed).generator(Stream.ENTERPRISES, 1, 0))
        pipe.start()
        env.run(until=years * DAYS_PER_YEAR + 1.0)
        c = pipe.counts
        screened += c.screened
        inc_yes, inc_no = inc_yes + c.incubated, inc_no + c.not_incubated
        fin_yes, fin_no = fin_yes + c.financed, fin_no + c.not_financed
    for yes, no, p in ((inc_yes, inc_no, 466 / 4279), (fin_yes, fin_no, 56 / 466)):
        n = yes + no
        se = math.sqrt(p * (1.0 - p) / n)
        assert abs(yes / n - p) < 3.0 * se, (yes, n, p)
    # Screening is Poisson: mean count 150 x 20 = 3,000 per run, variance equal to the mean.
    mean = 150.0 * years
    assert abs(screened / seeds - mean) < 3.0 * math.sqrt(mean / seeds)


def test_each_incubated_project_gets_the_grant_and_founds_one_firm() -> None:
    inc = Incubator(park="p", screened_per_year=400.0, incubation_rate=0.5, grant_yuan=200_000.0)
    env, economy = _economy(STEADY, 10.0)
    pipe = Pipeline(economy, inc, 0, Streams(7).generator(Stream.ENTERPRISES, 1, 0))
    pipe.start()
    env.run(until=10.0 * DAYS_PER_YEAR + 1.0)
    assert pipe.counts.incubated > 0
    assert pipe.counts.grants_yuan == 200_000.0 * pipe.counts.incubated
    assert economy.arrived[0] == pipe.counts.incubated
    assert all(f.kind == INCUBATED for f in economy.firms)


def test_established_firms_arrive_as_a_poisson_process() -> None:
    years, seeds, rate = 10.0, 200, 4.0
    total = 0
    for seed in range(seeds):
        env, economy = _economy(STEADY, years)
        env.process(established_arrivals(economy, 0, rate, Streams(seed).generator(Stream.ENTERPRISES, 0, 0)))
        env.run(until=years * DAYS_PER_YEAR + 1.0)
        total += economy.arrived[0]
    mean = rate * years  # 40 firms per run
    assert abs(total / seeds - mean) < 3.0 * math.sqrt(mean / seeds)


def test_initial_jobs_are_geometric_with_the_profile_mean() -> None:
    # P(N > k) = (1 - 1/m)^k for the geometric on 1, 2, ... with mean m.
    u = (np.arange(100_000) + 0.5) / 100_000
    jobs = np.array([initial_jobs(STEADY, float(x)) for x in u])
    assert jobs.min() == 1
    assert abs(jobs.mean() - 5.0) < 0.01
    assert abs((jobs > 3).mean() - 0.8**3) < 1e-4


def test_far_below_the_cap_jobs_grow_as_a_yule_process() -> None:
    # Each job begets another at rate r: E[N(t)] = E[N(0)] e^{rt} = 5 e^{0.2 x 5} = 5e.
    profile = FirmProfile(initial_jobs_mean=5.0, job_growth_per_year=0.2, max_jobs=1e9, failure_per_year=0.0)
    env, economy = _economy(profile, 10.0)
    _found_many(env, economy, 3000, seed=1)
    env.run(until=5.0 * DAYS_PER_YEAR)
    jobs = np.array([f.jobs for f in economy.firms], dtype=float)
    se = jobs.std(ddof=1) / math.sqrt(len(jobs))
    assert abs(jobs.mean() - 5.0 * math.e) < 3.0 * se


def test_declining_firms_lose_jobs_at_the_linear_death_rate() -> None:
    # Each job is lost at rate |r|: E[N(t)] = E[N(0)] e^{-|r| t} = 20 e^{-0.5}; a firm
    # with no job left closes, so closed firms count with zero jobs.
    profile = FirmProfile(initial_jobs_mean=20.0, job_growth_per_year=-0.25, max_jobs=1e9, failure_per_year=0.0)
    env, economy = _economy(profile, 10.0)
    _found_many(env, economy, 3000, seed=2)
    env.run(until=2.0 * DAYS_PER_YEAR)
    jobs = np.array([f.jobs for f in economy.firms], dtype=float)
    se = jobs.std(ddof=1) / math.sqrt(len(jobs))
    assert abs(jobs.mean() - 20.0 * math.exp(-0.5)) < 3.0 * se


def test_logistic_growth_stops_at_max_jobs() -> None:
    profile = FirmProfile(initial_jobs_mean=3.0, job_growth_per_year=1.0, max_jobs=20.0, failure_per_year=0.0)
    env, economy = _economy(profile, 40.0)
    _found_many(env, economy, 500, seed=3)
    env.run(until=40.0 * DAYS_PER_YEAR)
    jobs = [f.jobs for f in economy.firms]
    assert max(jobs) == 20
    assert min(jobs) == 20  # from 19 the gain rate is 19 x (1/20) = 0.95 a year: 40 years is ample


def test_survival_follows_the_failure_hazard() -> None:
    # P(alive at t) = e^{-0.1 x 5}.
    profile = FirmProfile(initial_jobs_mean=5.0, job_growth_per_year=0.0, failure_per_year=0.1)
    env, economy = _economy(profile, 10.0)
    _found_many(env, economy, 4000, seed=4)
    env.run(until=5.0 * DAYS_PER_YEAR)
    p = math.exp(-0.5)
    alive = economy.alive[0] / 4000
    assert abs(alive - p) < 3.0 * math.sqrt(p * (1 - p) / 4000)
    assert economy.failed[0] + economy.alive[0] == 4000
    assert all(f.jobs == 0 for f in economy.firms if not f.alive)


def test_jobs_are_conserved_at_every_moment() -> None:
    for seed, growth in ((5, 0.3), (6, -0.2)):
        profile = FirmProfile(initial_jobs_mean=8.0, job_growth_per_year=growth, max_jobs=60.0, failure_per_year=0.15)
        env, economy = _economy(profile, 20.0)
        env.process(established_arrivals(economy, 0, 30.0, Streams(seed).generator(Stream.ENTERPRISES, 0, 0)))
        for year in range(1, 21):
            env.run(until=year * DAYS_PER_YEAR)
            in_firms = sum(f.jobs for f in economy.firms if f.alive)
            assert in_firms == economy.park_jobs(0) == economy.created[0] - economy.lost[0]
            assert economy.alive[0] == sum(f.alive for f in economy.firms)
