"""Firms: arrivals in parks, whole-job growth, failure, and the incubator pipeline.

A firm is a SimPy process that sleeps until its next event: the next job it
gains (or loses) or its failure. Jobs change one at a time, at exponential
times whose rate depends on the current jobs ``n`` (docs/model.md §3):

* growth ``r > 0``: a stochastic logistic, gaining a job at rate
  ``r n (1 - n / K)`` per year towards ``K = max_jobs``; far below ``K`` this is
  a Yule process, whose mean grows as ``n0 e^{rt}``;
* decline ``r < 0``: losing a job at rate ``|r| n``; a firm that loses its last
  job closes.

A firm fails at an exponential time with rate ``failure_per_year`` and loses
all its jobs. Its first jobs are geometric on 1, 2, … with mean
``initial_jobs_mean`` (ASSUMPTION: firm sizes are skewed, most firms small),
capped at ``max_jobs``. Every firm draws only from its own ``random.Random``,
seeded by a key that its arrival stream drew, so a firm's life depends on no
other part of the town (common random numbers).

Incubator pipeline (docs/seed.md §2, Changsha's Liuzhi Action, 4,279 → 466 → 56):
projects are screened as a Poisson process; after ``months_to_incubate`` a
project is incubated with probability ``incubation_rate``, receives the grant
and starts as a firm in the incubator's park (incubated-firm profile); after a
further ``months_to_finance`` it is financed with probability
``financing_rate``. ASSUMPTION: financing is decided at incubation and a firm
that will be financed does not fail before it is (it is one of the survivors
that investors pick), so financed / incubated matches the Changsha ratio;
financing is reported and does not change a firm's jobs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.engine.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.engine.hazards import INF
from sim.scenario.model import FirmProfile, Incubator

ESTABLISHED, INCUBATED = 0, 1
"""Firm kinds; each has its own profile."""

KEY_LIMIT = 2**63

JobsChanged = Callable[[int, int], None]
"""Called as ``jobs_changed(park, delta)`` whenever a park's live jobs change:
``delta`` > 0 for jobs gained, < 0 for jobs lost (worker households follow)."""

SpaceRule = Callable[[int, float], bool]
"""Called as ``rule(park, u)`` when a firm is founded: whether it rents standard
factory space, given a uniform ``u`` (the park must offer such space then)."""


class Firm:
    """One enterprise: its park, kind, current jobs, failure time (model days) and
    whether it rents standard factory space."""

    __slots__ = ("park", "kind", "jobs", "fail_at", "rng", "alive", "in_standard_space", "untied")

    def __init__(self, park: int, kind: int, jobs: int, fail_at: float, rng: random.Random) -> None:
        self.park = park
        self.kind = kind
        self.jobs = jobs
        self.fail_at = fail_at
        self.rng = rng
        self.alive = True
        self.in_standard_space = False
        self.untied = 0  # jobs held by households already in town (an existing firm's first jobs)


def initial_jobs(profile: FirmProfile, u: float, mean: float | None = None) -> int:
    """A firm's first jobs: geometric on 1, 2, … with mean ``mean`` (default: the
    profile's ``initial_jobs_mean``), capped at ``max_jobs``."""
    cap = max(1, int(profile.max_jobs))
    mean = profile.initial_jobs_mean if mean is None else mean
    if mean <= 1.0:
        return 1
    n = 1 + int(math.log1p(-u) / math.log1p(-1.0 / mean))
    return min(n, cap)


def job_rate_per_day(profile: FirmProfile, jobs: int) -> float:
    """Rate of the next change of one job: gains for growth >= 0, losses for decline."""
    r = profile.job_growth_per_year
    if r >= 0.0:
        return r * jobs * max(0.0, 1.0 - jobs / profile.max_jobs) / DAYS_PER_YEAR
    return -r * jobs / DAYS_PER_YEAR


def exp_time(rng: random.Random, rate_per_day: float) -> float:
    """An exponential waiting time in days (``inf`` for rate 0)."""
    return -math.log1p(-rng.random()) / rate_per_day if rate_per_day > 0.0 else INF


class Economy:
    """Every park's firms and running counts of jobs and firms.

    Parameters
    ----------
    env
        The SimPy environment.
    end
        Model time of the horizon end; nothing is scheduled beyond it.
    profiles
        Firm profiles by kind (:data:`ESTABLISHED`, :data:`INCUBATED`).
    n_parks
        Number of parks.
    jobs_changed
        Called with ``(park, delta)`` whenever live jobs change (gains and losses).
    """

    def __init__(
        self,
        env: simpy.Environment,
        end: float,
        profiles: tuple[FirmProfile, FirmProfile],
        n_parks: int,
        jobs_changed: JobsChanged | None = None,
        space: SpaceRule | None = None,
    ) -> None:
        self.env, self.end, self.profiles, self.jobs_changed = env, end, profiles, jobs_changed
        self.space = space
        self.jobs = [[0, 0] for _ in range(n_parks)]  # per park, per kind
        self.space_jobs = [[0, 0] for _ in range(n_parks)]  # jobs of firms in standard factory space
        self.untied = [0] * n_parks  # jobs held by households in town at the start (no worker households)
        self.alive = [0] * n_parks
        self.arrived = [0] * n_parks
        self.failed = [0] * n_parks
        self.created = [0] * n_parks  # jobs created, cumulative
        self.lost = [0] * n_parks  # jobs lost, cumulative
        self.firms: list[Firm] = []

    def found(
        self, park: int, kind: int, rng: random.Random, safe_until: float = 0.0, *,
        jobs_mean: float | None = None, existing: bool = False,
    ) -> Firm:
        """Start a firm now; it cannot fail before ``safe_until``.

        ``jobs_mean`` overrides the profile's mean first jobs. An ``existing`` firm
        (in its park when the horizon starts) brings no worker households for the
        jobs it already has: those workers live in the town already, and those
        jobs are the first it loses (ASSUMPTION: their households' departures are
        in the town's out-migration rate already). Whether the
        firm rents standard factory space is decided now, once (:data:`SpaceRule`),
        from a uniform of its own generator drawn whatever the answer, so that a
        change of factories changes nothing else in the firm's life.
        """
        profile = self.profiles[kind]
        jobs = initial_jobs(profile, rng.random(), jobs_mean)
        rate = profile.failure_per_year / DAYS_PER_YEAR
        fail_at = max(self.env.now, safe_until) + exp_time(rng, rate)
        firm = Firm(park, kind, 0, fail_at, rng)
        u_space = rng.random()
        firm.in_standard_space = self.space is not None and self.space(park, u_space)
        self.firms.append(firm)
        self.alive[park] += 1
        self.arrived[park] += 1
        self._gain(firm, jobs, tied=not existing)
        self.env.process(self._life(firm))
        return firm

    def floor_m2(self, park: int) -> float:
        """Floor space used by the park's live firms, m² (their own buildings included)."""
        return self._m2(self.jobs[park])

    def standard_space_m2(self, park: int) -> float:
        """Floor space of standard factory buildings wanted by the park's live firms
        that rent it, m²: the factory-space demand."""
        return self._m2(self.space_jobs[park])

    def _m2(self, jobs: list[int]) -> float:
        return jobs[ESTABLISHED] * self.profiles[ESTABLISHED].m2_per_job + jobs[INCUBATED] * self.profiles[INCUBATED].m2_per_job

    def park_jobs(self, park: int) -> int:
        """Jobs in the park's live firms."""
        return sum(self.jobs[park])

    def _life(self, firm: Firm) -> Generator[simpy.Event, Any, None]:
        env, profile = self.env, self.profiles[firm.kind]
        step = 1 if profile.job_growth_per_year >= 0.0 else -1
        while True:
            t = env.now + exp_time(firm.rng, job_rate_per_day(profile, firm.jobs))
            failing = firm.fail_at <= t
            t = min(t, firm.fail_at)
            if t >= self.end:
                return
            yield env.timeout(t - env.now)
            if failing:
                self._close(firm)
                return
            if step > 0:
                self._gain(firm, 1)
            else:
                self._lose(firm, 1)
                if firm.jobs == 0:
                    self._close(firm)
                    return

    def _gain(self, firm: Firm, n: int, tied: bool = True) -> None:
        firm.jobs += n
        self.jobs[firm.park][firm.kind] += n
        if firm.in_standard_space:
            self.space_jobs[firm.park][firm.kind] += n
        self.created[firm.park] += n
        if not tied:  # held by households already in town: no worker households follow
            firm.untied += n
            self.untied[firm.park] += n
        elif self.jobs_changed is not None:
            self.jobs_changed(firm.park, n)

    def _lose(self, firm: Firm, n: int) -> None:
        firm.jobs -= n
        self.jobs[firm.park][firm.kind] -= n
        if firm.in_standard_space:
            self.space_jobs[firm.park][firm.kind] -= n
        self.lost[firm.park] += n
        untied = min(n, firm.untied)  # jobs held by no worker household go first
        firm.untied -= untied
        self.untied[firm.park] -= untied
        if self.jobs_changed is not None and n > untied:
            self.jobs_changed(firm.park, untied - n)

    def _close(self, firm: Firm) -> None:
        self._lose(firm, firm.jobs)
        firm.alive = False
        self.alive[firm.park] -= 1
        self.failed[firm.park] += 1


def established_arrivals(
    economy: Economy, park: int, per_year: float, gen: np.random.Generator
) -> Generator[simpy.Event, Any, None]:
    """Established firms arriving in ``park`` as a Poisson process of rate ``per_year``."""
    env = economy.env
    if per_year <= 0.0:
        return
    while True:
        t = env.now + float(gen.exponential(DAYS_PER_YEAR / per_year))
        key = int(gen.integers(KEY_LIMIT))
        if t >= economy.end:
            return
        yield env.timeout(t - env.now)
        economy.found(park, ESTABLISHED, random.Random(key))


@dataclass
class PipelineCounts:
    """Cumulative counts of the incubator pipeline."""

    screened: int = 0
    incubated: int = 0
    not_incubated: int = 0
    financed: int = 0
    not_financed: int = 0
    grants_yuan: float = 0.0


class Pipeline:
    """The incubator: screened → incubated (grant, a new firm) → financed."""

    def __init__(self, economy: Economy, incubator: Incubator, park: int, gen: np.random.Generator) -> None:
        self.economy, self.incubator, self.park, self.gen = economy, incubator, park, gen
        self.counts = PipelineCounts()

    def start(self) -> None:
        if self.incubator.screened_per_year > 0.0:
            self.economy.env.process(self._screening())

    def _screening(self) -> Generator[simpy.Event, Any, None]:
        env, end, gen = self.economy.env, self.economy.end, self.gen
        mean_gap = DAYS_PER_YEAR / self.incubator.screened_per_year
        while True:
            t = env.now + float(gen.exponential(mean_gap))
            u_inc, u_fin = gen.random(2).tolist()
            key = int(gen.integers(KEY_LIMIT))
            if t >= end:
                return
            yield env.timeout(t - env.now)
            self.counts.screened += 1
            env.process(self._project(u_inc, u_fin, key))

    def _project(self, u_inc: float, u_fin: float, key: int) -> Generator[simpy.Event, Any, None]:
        inc, env, c = self.incubator, self.economy.env, self.counts
        wait = inc.months_to_incubate * DAYS_PER_MONTH
        if env.now + wait >= self.economy.end:
            return
        yield env.timeout(wait)
        if u_inc >= inc.incubation_rate:
            c.not_incubated += 1
            return
        c.incubated += 1
        c.grants_yuan += inc.grant_yuan
        financed = u_fin < inc.financing_rate
        wait = inc.months_to_finance * DAYS_PER_MONTH
        self.economy.found(self.park, INCUBATED, random.Random(key), env.now + wait if financed else 0.0)
        if env.now + wait >= self.economy.end:
            return
        yield env.timeout(wait)
        if financed:
            c.financed += 1
        else:
            c.not_financed += 1
