"""The bed queue against queueing theory (docs/model.md §8).

One facility of ``c`` beds fed by Poisson arrivals at rate ``lam`` with
exponential stays of rate ``mu`` is an M/M/c queue; without a waiting list it
is the Erlang loss system M/M/c/c. Over independent replications the simulated
mean list length, mean wait and blocking probability must match the closed
forms (Erlang C and B) within three standard errors of the replication mean,
and Little's law L = lambda W must hold on the simulated list itself (exactly,
on a sample path that starts and ends empty).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import simpy

from sim.engine.services.beds import BedQueue, Stay

BEDS, LAM, MU = 5, 4.0, 1.0  # offered load a = 4 Erlangs, utilisation 0.8
HORIZON, WARMUP = 3000.0, 100.0  # in mean stays; relaxation time ~ 1/(c mu (1 - sqrt(rho))^2) ~ 18
REPLICATIONS = 40


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B), by the stable recursion."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c (Erlang C), from Erlang B."""
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


@dataclass
class Run:
    mean_list: float  # time-averaged list length over [WARMUP, HORIZON]
    mean_wait: float  # mean wait of elders who joined in the window and were admitted
    arrival_rate: float  # joins per unit time in the window
    blocked_share: float


def _arrivals(
    env: simpy.Environment, q: BedQueue, rng: np.random.Generator, n: float = math.inf
) -> Generator[simpy.Event, Any, None]:
    k = 0
    while k < n:
        k += 1
        yield env.timeout(rng.exponential(1.0 / LAM))
        q.join(Stay(0, rng.exponential(1.0)))


def replicate(seed: int, loss: bool) -> Run:
    """One replication of the single-facility harness."""
    env = simpy.Environment()
    q = BedQueue(env, 1, [[0]], [[0]], discharge_per_day=MU, loss=loss)
    q.set_capacity(0, BEDS)
    env.process(_arrivals(env, q, np.random.default_rng(seed)))
    env.run(until=WARMUP)
    area0, joins0, blocked0 = q.area(), q.joins, q.blocked
    env.run(until=HORIZON)
    window = HORIZON - WARMUP
    waits = [w for _, at, w in q.waits if at - w >= WARMUP]
    joins = q.joins - joins0
    return Run(
        mean_list=(q.area() - area0) / window,
        mean_wait=float(np.mean(waits)),
        arrival_rate=joins / window,
        blocked_share=(q.blocked - blocked0) / joins,
    )


def within_3_se(samples: list[float], expected: float) -> tuple[float, float]:
    x = np.asarray(samples)
    mean, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x)))
    assert abs(mean - expected) <= 3.0 * se, f"mean {mean:.4f} vs {expected:.4f} (SE {se:.4f})"
    return mean, se


@pytest.fixture(scope="module")
def queue_runs() -> list[Run]:
    return [replicate(1000 + r, loss=False) for r in range(REPLICATIONS)]


def test_closed_forms_by_hand() -> None:
    # B(1, a) = a / (1 + a); C(1, a) = a (M/M/1 waits with probability rho).
    assert erlang_b(1, 0.5) == pytest.approx(1 / 3)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)


def test_mean_waiting_list_matches_erlang_c(queue_runs: list[Run]) -> None:
    a = LAM / MU
    lq = erlang_c(BEDS, a) * a / (BEDS - a)  # L_q = C(c, a) rho / (1 - rho)
    within_3_se([r.mean_list for r in queue_runs], lq)


def test_mean_wait_matches_erlang_c(queue_runs: list[Run]) -> None:
    a = LAM / MU
    wq = erlang_c(BEDS, a) / (BEDS * MU - LAM)  # W_q = C(c, a) / (c mu - lambda)
    within_3_se([r.mean_wait for r in queue_runs], wq)


def test_littles_law_on_the_simulated_list() -> None:
    # On a sample path that starts and ends with an empty list, the area under the
    # list length equals the sum of the waits, so L = lambda W holds exactly with
    # L = area / T, lambda = arrivals / T and W = mean wait (Little 1961; the
    # sample-path form, e.g. El-Taha and Stidham 1999).
    for seed in range(5):
        env = simpy.Environment()
        q = BedQueue(env, 1, [[0]], [[0]], discharge_per_day=MU)
        q.set_capacity(0, BEDS)
        env.process(_arrivals(env, q, np.random.default_rng(seed), n=4000))
        env.run()  # until every stay has ended
        t_end = env.now
        waits = [w for _, _, w in q.waits]
        assert len(waits) == q.joins == 4000 and sum(q.waiting) == 0
        mean_list, rate, mean_wait = q.area() / t_end, q.joins / t_end, float(np.mean(waits))
        assert mean_list == pytest.approx(rate * mean_wait, rel=1e-9)
        assert mean_list > 1.0  # the list was busy: the identity is not 0 = 0


def test_loss_system_blocks_as_erlang_b() -> None:
    runs = [replicate(5000 + r, loss=True) for r in range(REPLICATIONS)]
    within_3_se([r.blocked_share for r in runs], erlang_b(BEDS, LAM / MU))
    assert all(r.mean_list == 0.0 for r in runs)


def test_a_freed_bed_goes_to_the_longest_waiting_elder_of_any_zone() -> None:
    # One facility serving two zones, its one bed taken. Elders join at t = 0.5
    # (zone 1), 1.5 (zone 0), 2.5 (zone 1) and 3.5 (zone 0); beds then free one at
    # a time. The list is in arrival order across zones ("a waiting list in
    # arrival order"), so admissions go zone 1, 0, 1, 0.
    env = simpy.Environment()
    q = BedQueue(env, 2, [[0, 1]], [[0], [0]])
    q.set_capacity(0, 1)
    blocker = Stay(0, 1.0)
    q.join(blocker)  # takes the only bed
    stays = []
    for t, zone in enumerate([1, 0, 1, 0]):
        env.run(until=float(t) + 0.5)
        stays.append(Stay(zone, 1.0))
        q.join(stays[-1])
    assert q.waiting == [2, 2] and q.in_bed == [1, 0]
    q.leave(blocker)  # the bed frees: the first to join (zone 1) is admitted
    assert (q.waiting, q.in_bed) == ([2, 1], [0, 1])
    q.set_capacity(0, 2)  # a second bed: the zone-0 elder who joined at 1
    assert (q.waiting, q.in_bed) == ([1, 1], [1, 1])
    q.leave(stays[0])  # zone 1's first elder dies: zone 1's second (joined at 2)
    assert (q.waiting, q.in_bed) == ([1, 0], [1, 1])
    q.set_capacity(0, 3)
    assert (q.waiting, q.in_bed) == ([0, 0], [2, 1])


def test_an_elder_who_dies_waiting_leaves_the_list_and_its_length() -> None:
    # No bed; three elders join at t = 0, one dies at t = 1, one at t = 3. The
    # list-days up to t = 4 are 3 x 1 + 2 x 2 + 1 x 1 = 8, and the list is one long.
    env = simpy.Environment()
    q = BedQueue(env, 1, [[0]], [[0]])
    stays = [Stay(0, 1.0) for _ in range(3)]
    for s in stays:
        q.join(s)
    env.run(until=1.0)
    q.leave(stays[0])
    env.run(until=3.0)
    q.leave(stays[2])
    env.run(until=4.0)
    assert q.waiting == [1] and q.area() == pytest.approx(8.0)
    q.set_capacity(0, 2)  # the one still waiting is admitted; nobody else
    assert (q.waiting, q.in_bed, q.occupied) == ([0], [1], [1])
