"""Replications of scenarios on common random numbers, and how many to run.

Replication ``r`` of every scenario in an experiment runs on
:func:`~sim.experiments.seeds.replication_seed` ``(seed, r)``, so scenarios are
compared on the same random streams; a scenario's uncertain inputs are drawn
per replication (:mod:`sim.experiments.inputs`) and put in place in the worker. :func:`replicate` returns whole results;
:func:`replicate_reduced` reduces each result where it ran (a worker process)
and returns only what the caller asked for. :func:`replicate_until` keeps
adding replications until a 95 % interval is as narrow as asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sim.engine import Results, simulate
from sim.experiments.executors import Executor, InProcess
from sim.experiments.inputs import InputDraws, draw_inputs
from sim.experiments.seeds import replication_seed
from sim.scenario import Problem, ScenarioError
from sim.scenario.model import Scenario, UncertainInput
from sim.scenario.uncertain import apply_inputs

T = TypeVar("T")


Drawn = tuple[tuple[UncertainInput, Any], ...]
"""A replication's uncertain inputs and their drawn values (empty: the scenario's own)."""


@dataclass(frozen=True)
class Task:
    """One replication to run: a scenario, its replication number and drawn inputs."""

    scenario: Scenario
    rep: int
    seed: int
    inputs: Drawn = ()


def run_task(task: Task) -> Results:
    """Run one replication (a module-level function, so worker processes can import it)."""
    return simulate(with_inputs(task.scenario, task.inputs, task.rep), task.seed)


def with_inputs(scenario: Scenario, inputs: Drawn, rep: int) -> Scenario:
    """The replication's scenario: ``scenario`` with its drawn inputs in place.

    Raises
    ------
    ScenarioError
        When the drawn values make an invalid scenario; the first problem says
        which replication and which values.
    """
    if not inputs:
        return scenario
    try:
        return apply_inputs(scenario, inputs)
    except ScenarioError as exc:
        drawn = ", ".join(f"{inp.id}={value}" for inp, value in inputs)
        head = Problem(None, None, "uncertain_inputs",
                       f"replication {rep}: the drawn values ({drawn}) make an invalid scenario (below)")
        raise ScenarioError([head, *exc.problems]) from None


def draws_for(scenario: Scenario, seed: int, block: range, fixed: bool = False) -> InputDraws | None:
    """The scenario's uncertain inputs drawn for replications ``block``; ``None``
    when it declares none or ``fixed`` keeps the scenario's values."""
    if fixed or not scenario.uncertain_inputs:
        return None
    return draw_inputs(scenario.uncertain_inputs, seed, block)


def _drawn(draws: InputDraws | None, rep: int) -> Drawn:
    return draws.for_rep(rep) if draws is not None else ()


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
    inputs: Drawn = ()


def run_reduced(task: ReducedTask[T]) -> T:
    """Run one replication and reduce it (module level, for worker processes)."""
    return task.reduce(simulate(with_inputs(task.scenario, task.inputs, task.rep), task.seed))


def replicate(
    scenario: Scenario,
    reps: int,
    seed: int | None = None,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
    fixed_inputs: bool = False,
) -> list[Results]:
    """Run ``reps`` replications of ``scenario``; results in replication order.

    Replication ``r`` uses :func:`replication_seed` ``(seed, r)``, so two
    scenarios replicated with the same seed share their random streams. When the
    scenario declares uncertain inputs, each replication draws its own values
    (:func:`draws_for`; the same seed gives the same values) unless
    ``fixed_inputs`` keeps the scenario's values.
    """
    root = scenario.seed if seed is None else seed
    draws = draws_for(scenario, root, range(reps), fixed_inputs)
    tasks = [Task(scenario, r, replication_seed(root, r), _drawn(draws, r)) for r in range(reps)]
    out: dict[int, Results] = {}
    with executor or InProcess() as ex:
        for task, result in ex.submit_all(run_task, tasks):
            out[task.rep] = result
            if on_done is not None:
                on_done(task.rep)
    return [out[r] for r in range(reps)]


def paired_tasks(
    scenarios: Sequence[Scenario], reps: range, seed: int, reduce: Callable[[Results], T],
    draws: Sequence[InputDraws | None] | None = None,
) -> Iterator[ReducedTask[T]]:
    """Tasks for replications ``reps`` of every scenario; replication ``r`` of each
    runs on the same seed (common random numbers) and with its scenario's drawn
    inputs (``draws``, one per scenario; ``None``: the scenarios' own values).
    ``key`` is the scenario's index."""
    draws = draws if draws is not None else [None] * len(scenarios)
    for r in reps:
        s = replication_seed(seed, r)
        for i, scenario in enumerate(scenarios):
            yield ReducedTask(i, scenario, r, s, reduce, _drawn(draws[i], r))


def replicate_reduced(
    scenarios: Sequence[Scenario],
    reps: range,
    seed: int,
    reduce: Callable[[Results], T],
    executor: Executor,
    on_done: Callable[[ReducedTask[T], T], None],
    fixed_inputs: bool = False,
) -> list[InputDraws | None]:
    """Run replications ``reps`` of each scenario on ``executor`` (already entered),
    calling ``on_done(task, reduced)`` as each finishes, in any order.

    The block ``reps`` is one Latin hypercube of each scenario's uncertain inputs
    (shared inputs get the same values in every scenario); returns each
    scenario's draws (``None`` where it has none, or with ``fixed_inputs``).
    """
    draws = [draws_for(scenario, seed, reps, fixed_inputs) for scenario in scenarios]
    tasks = paired_tasks(scenarios, reps, seed, reduce, draws)
    for task, result in executor.submit_all(run_reduced, tasks):
        on_done(task, result)
    return draws


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
