"""Running a sensitivity analysis: every design point × replication, recorded as it finishes.

A task is a block of ``points_per_task`` consecutive design points for one
replication ``r`` (one point per task for the model; a fast test double runs
many per task, so that the store is not the bottleneck). In the worker each
point's scenario is built from the base (:func:`sim.scenario.uncertain.apply_inputs`),
simulated on :func:`~sim.experiments.seeds.replication_seed` ``(seed, r)`` —
the same seed at every point: common random numbers across the design — and
reduced to outcome rows before it comes back. A point that fails (its values
make an invalid scenario, the model raises) is recorded with its error; the
analysis goes on, and the estimators say how they handled it.

Tasks already in the sink (the results store's manifest) are skipped, so the
same command resumes a killed analysis without losing or repeating a run.
Uses the sweep's store and executors unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine import Results, simulate
from sim.experiments.executors import Executor
from sim.experiments.sa_design import Design, Point
from sim.experiments.seeds import replication_seed
from sim.experiments.sweep import DONE, FAILED, Sink
from sim.scenario import Scenario, ScenarioError
from sim.scenario.model import UncertainInput
from sim.scenario.uncertain import apply_inputs

Model = Callable[[Scenario, int], Results]
Reduce = Callable[[Results], pd.DataFrame]


@dataclass(frozen=True)
class BlockTask:
    """Design points ``first …`` for replication ``rep``, with what a worker needs."""

    first: int
    rep: int
    seed: int
    base: Scenario
    inputs: tuple[UncertainInput, ...]
    points: tuple[Point, ...]
    reduce: Reduce
    model: Model = simulate


@dataclass(frozen=True)
class BlockRecord:
    """What a worker sends back: rows of the points that ran, errors of those that failed."""

    first: int
    rep: int
    seed: int
    n: int
    wall_s: float
    errors: dict[int, str]
    rows: pd.DataFrame | None

    @property
    def status(self) -> str:
        return FAILED if len(self.errors) == self.n else DONE

    def manifest_fields(self) -> dict[str, Any]:
        first_error = next(iter(self.errors.values()), None)
        return {"point": self.first, "rep": self.rep, "seed": self.seed, "points": self.n,
                "status": self.status, "wall_s": round(self.wall_s, 4), "error": first_error,
                "failed_points": {str(p): e for p, e in self.errors.items()}}


def run_block(task: BlockTask) -> BlockRecord:
    """Run the block's points; each failure becomes an error, the others rows."""
    start = time.perf_counter()
    frames: list[pd.DataFrame] = []
    done: list[int] = []
    errors: dict[int, str] = {}
    for k, point in enumerate(task.points):
        p = task.first + k
        try:
            scenario = apply_inputs(task.base, [(task.inputs[i], v) for i, v in point])
        except ScenarioError as exc:
            errors[p] = "invalid point: " + "; ".join(exc.lines())
            continue
        try:
            rows = task.reduce(task.model(scenario, task.seed))
        except Exception as exc:  # a model error must not stop the analysis
            errors[p] = f"model error: {type(exc).__name__}: {exc}"
            continue
        frames.append(rows)
        done.append(p)
    return BlockRecord(task.first, task.rep, task.seed, len(task.points), time.perf_counter() - start, errors,
                       _tagged(frames, done, task.rep))


def _tagged(frames: list[pd.DataFrame], points: list[int], rep: int) -> pd.DataFrame | None:
    """The points' rows as one table with ``point`` and ``rep`` in front."""
    if not frames:
        return None
    rows = pd.concat(frames, ignore_index=True)
    rows.insert(0, "rep", np.full(len(rows), rep, dtype=np.int64))
    rows.insert(0, "point", np.repeat(np.asarray(points, dtype=np.int64), [len(f) for f in frames]))
    return rows


@dataclass
class AnalysisReport:
    """How the runs went: tasks in all, already recorded, run now, points failed."""

    tasks: int
    skipped: int = 0
    done: int = 0
    failed_points: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"{self.tasks} tasks: {self.skipped} already recorded, {self.done} run now, "
               f"{self.failed_points} design points failed now"]
        for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])[:5]:
            out.append(f"  {n} x {reason}")
        return out


def blocks(design: Design, replications: int, per_task: int) -> list[tuple[int, int, int]]:
    """``(first point, points, rep)`` of every task, replication by replication."""
    n = len(design.points)
    return [(first, min(per_task, n - first), r) for r in range(replications) for first in range(0, n, per_task)]


def tasks_for(design: Design, base: Scenario, seed: int, replications: int, per_task: int,
              skip: set[tuple[int, int]], reduce: Reduce, model: Model) -> Iterator[BlockTask]:
    """The analysis's tasks not in ``skip`` (keyed ``(first point, rep)``), made lazily."""
    for first, size, r in blocks(design, replications, per_task):
        if (first, r) not in skip:
            yield BlockTask(first, r, replication_seed(seed, r), base, design.inputs,
                            design.points[first:first + size], reduce, model)


def run_analysis(
    design: Design,
    base: Scenario,
    seed: int,
    replications: int,
    sink: Sink,
    executor: Executor,
    reduce: Reduce,
    model: Model = simulate,
    per_task: int = 1,
    on_task: Callable[[BlockRecord], None] | None = None,
) -> AnalysisReport:
    """Run the design's tasks missing from ``sink`` on ``executor`` (already entered).

    Parameters
    ----------
    design, base, seed, replications
        What to run: each point of ``design`` applied to ``base``, replication
        ``r`` on ``replication_seed(seed, r)``.
    sink
        The results store; each finished task is recorded there at once.
    executor, reduce, model
        Where runs run, how a result becomes outcome rows (in the worker), and
        the simulation (a test double in tests).
    per_task
        Design points per task.
    on_task
        Called after each task is recorded (a progress bar).
    """
    recorded = sink.records()
    report = AnalysisReport(tasks=len(blocks(design, replications, per_task)), skipped=len(recorded))
    tasks = tasks_for(design, base, seed, replications, per_task, set(recorded), reduce, model)
    for _task, rec in executor.submit_all(run_block, tasks):
        sink.record(rec.manifest_fields(), rec.rows)
        report.done += 1
        report.failed_points += len(rec.errors)
        for error in rec.errors.values():
            kind = error.split(";")[0][:120]
            report.reasons[kind] = report.reasons.get(kind, 0) + 1
        if on_task is not None:
            on_task(rec)
    return report
