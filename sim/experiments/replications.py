"""Replications of one scenario on common random numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.engine import Results, simulate
from sim.experiments.executors import Executor, InProcess
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario


@dataclass(frozen=True)
class Task:
    """One replication to run: a scenario and its replication number."""

    scenario: Scenario
    rep: int
    seed: int


def run_task(task: Task) -> Results:
    """Run one replication (a module-level function, so worker processes can import it)."""
    return simulate(task.scenario, task.seed)


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
