"""Replications of scenarios on common random numbers, and how many to run.

Replication ``r`` of every scenario in an experiment runs on
:func:`~sim.experiments.seeds.replication_seed` ``(seed, r)``, so scenarios are
compared on the same random streams. :func:`replicate` returns whole results;
:func:`replicate_reduced` reduces each result where it ran (a worker process)
and returns only what the caller asked for. :func:`replicate_until` keeps
adding replications until a 95 % interval is as narrow as asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sim.engine import Results, simulate
from sim.experiments.executors import Executor, InProcess
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario

T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """One replication to run: a scenario and its replication number."""

    scenario: Scenario
    rep: int
    seed: int


def run_task(task: Task) -> Results:
    """Run one replication (a module-level function, so worker processes can import it)."""
    return simulate(task.scenario, task.seed)


@dataclass(frozen=True)
class ReducedTask(Generic[T]):
    """A replication whose result is reduced by ``reduce`` before it leaves the worker.

    ``key`` identifies the task to the caller (a scenario's index, say).
    """

    key: Any
    scenario: Scenario
    rep: int
    seed: int
    reduce: Callable[[Results], T]


def run_reduced(task: ReducedTask[T]) -> T:
    """Run one replication and reduce it (module level, for worker processes)."""
    return task.reduce(simulate(task.scenario, task.seed))


def replicate(
    scenario: Scenario,
    reps: int,
    seed: int | None = None,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list[Results]:
    """Run ``reps`` replications of ``scenario``; results in replication order.

    Replication ``r`` uses :func:`replication_seed` ``(seed, r)``, so two
    scenarios replicated with the same seed share their random streams.
    """
    root = scenario.seed if seed is None else seed
    tasks = [Task(scenario, r, replication_seed(root, r)) for r in range(reps)]
    out: dict[int, Results] = {}
    with executor or InProcess() as ex:
        for task, result in ex.submit_all(run_task, tasks):
            out[task.rep] = result
            if on_done is not None:
                on_done(task.rep)
    return [out[r] for r in range(reps)]


def paired_tasks(
    scenarios: Sequence[Scenario], reps: Iterable[int], seed: int, reduce: Callable[[Results], T]
) -> Iterator[ReducedTask[T]]:
    """Tasks for replications ``reps`` of every scenario; replication ``r`` of each
    runs on the same seed (common random numbers). ``key`` is the scenario's index."""
    for r in reps:
        s = replication_seed(seed, r)
        for i, scenario in enumerate(scenarios):
            yield ReducedTask(i, scenario, r, s, reduce)


def replicate_reduced(
    scenarios: Sequence[Scenario],
    reps: Iterable[int],
    seed: int,
    reduce: Callable[[Results], T],
    executor: Executor,
    on_done: Callable[[ReducedTask[T], T], None],
) -> None:
    """Run replications ``reps`` of each scenario on ``executor`` (already entered),
    calling ``on_done(task, reduced)`` as each finishes, in any order."""
    for task, result in executor.submit_all(run_reduced, paired_tasks(scenarios, reps, seed, reduce)):
        on_done(task, result)


# ------------------------------------------------------------------ sequential stopping

_RULE = re.compile(r"^\s*([a-z_]+)(?:\[([^/\]]+)/([^\]]+)\])?\s*=\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class HalfwidthRule:
    """Stop adding replications when the 95 % half-width of ``metric`` is below ``tolerance``.

    Without ``zone`` and ``service`` the widest interval over every zone and
    service counts. Written ``METRIC=TOL`` or ``METRIC[zone/service]=TOL``.
    """

    metric: str
    tolerance: float
    zone: str | None = None
    service: str | None = None

    @classmethod
    def parse(cls, text: str) -> HalfwidthRule:
        """Read ``unmet_seat_years=50`` or ``peak_unmet[liaohe_core/kindergarten]=30``."""
        m = _RULE.match(text)
        if m is None:
            raise ValueError(f"expected METRIC=TOL or METRIC[zone/service]=TOL, got {text!r}")
        tol = float(m.group(4))
        if not tol > 0:
            raise ValueError(f"the tolerance must be > 0, got {text!r}")
        return cls(m.group(1), tol, m.group(2), m.group(3))

    def __str__(self) -> str:
        where = f"[{self.zone}/{self.service}]" if self.zone else ""
        return f"{self.metric}{where}={self.tolerance:g}"


@dataclass
class StopReport:
    """How a sequential run of replications ended (for the manifest)."""

    rule: str
    max_reps: int
    reps: int = 0
    half_width: float = math.nan
    reached: bool = False
    history: list[tuple[int, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        hw = None if math.isnan(self.half_width) else self.half_width
        return {"rule": self.rule, "max_reps": self.max_reps, "reps": self.reps, "half_width": hw,
                "reached": self.reached,
                "history": [{"reps": n, "half_width": None if math.isnan(h) else h} for n, h in self.history]}


def next_reps(n: int, half_width: float, tolerance: float, max_reps: int) -> int:
    """Replications to have after ``n`` gave ``half_width``: the half-width shrinks
    as 1/√n, so aim for ``n·(hw/tol)²``, at least one more, at most double."""
    want = 2 * n if math.isnan(half_width) else math.ceil(n * (half_width / tolerance) ** 2 - 1e-9)
    return min(max_reps, max(n + 1, min(want, 2 * n)))


def replicate_until(
    run_reps: Callable[[range], None],
    half_width: Callable[[], float],
    rule: HalfwidthRule,
    start: int,
    max_reps: int,
) -> StopReport:
    """Run replications in batches until ``half_width()`` is at most the rule's tolerance.

    Parameters
    ----------
    run_reps
        Runs the given replications and keeps their outcomes.
    half_width
        The current half-width of the rule's metric over all outcomes kept so far
        (NaN while it cannot be computed).
    rule
        The metric and tolerance.
    start, max_reps
        Replications of the first batch, and the most to run in all.

    Returns
    -------
    StopReport
        Replications run, the final half-width and whether the tolerance was met.
    """
    report = StopReport(str(rule), max_reps)
    n = 0
    target = max(2, min(start, max_reps))
    while True:
        run_reps(range(n, target))
        n = target
        hw = half_width()
        report.history.append((n, hw))
        report.reps, report.half_width = n, hw
        report.reached = bool(hw <= rule.tolerance)
        if report.reached or n >= max_reps:
            return report
        target = next_reps(n, hw, rule.tolerance, max_reps)
