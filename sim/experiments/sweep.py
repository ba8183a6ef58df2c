"""Running a sweep: every design point × replication, recorded as it finishes.

Each run builds its point's scenario from the base (in the worker), simulates
replication ``r`` on :func:`~sim.experiments.seeds.replication_seed` ``(seed, r)``
(the same seed at every point: common random numbers across the design) and
reduces the result to its outcome rows before sending it back. A run that
fails — an invalid point, an exception inside the model — comes back as a
failed record with its error; the sweep goes on.

Runs already in the sink (the results store's manifest) are skipped, so the
same command resumes an interrupted sweep without losing or repeating a run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from sim.engine import Results, simulate
from sim.experiments.design import AnyFactor, apply_point
from sim.experiments.executors import Executor
from sim.experiments.seeds import replication_seed
from sim.experiments.spec import Sweep
from sim.scenario import Scenario, ScenarioError

Model = Callable[[Scenario, int], Results]
Reduce = Callable[[Results], pd.DataFrame]

DONE, FAILED = "done", "failed"


@dataclass(frozen=True)
class RunTask:
    """One run of a sweep, with everything a worker needs to do it."""

    point: int
    rep: int
    seed: int
    base: Scenario
    factors: tuple[AnyFactor, ...]
    values: tuple[Any, ...]
    reduce: Reduce
    model: Model = simulate


@dataclass(frozen=True)
class RunRecord:
    """What a worker sends back: the run's status, its wall time, error and rows."""

    point: int
    rep: int
    seed: int
    status: str
    wall_s: float
    error: str | None = None
    rows: pd.DataFrame | None = None

    def manifest_fields(self) -> dict[str, Any]:
        return {"point": self.point, "rep": self.rep, "seed": self.seed, "status": self.status,
                "wall_s": round(self.wall_s, 4), "error": self.error}


def run_one(task: RunTask) -> RunRecord:
    """Build the point's scenario, simulate and reduce; failures become a failed record."""
    start = time.perf_counter()
    try:
        scenario = apply_point(task.base, task.factors, task.values)
    except ScenarioError as exc:
        error = "invalid point: " + "; ".join(exc.lines())
        return RunRecord(task.point, task.rep, task.seed, FAILED, time.perf_counter() - start, error)
    try:
        rows = task.reduce(task.model(scenario, task.seed))
    except Exception as exc:  # a model error must not stop the sweep
        error = f"model error: {type(exc).__name__}: {exc}"
        return RunRecord(task.point, task.rep, task.seed, FAILED, time.perf_counter() - start, error)
    return RunRecord(task.point, task.rep, task.seed, DONE, time.perf_counter() - start, None, rows)


class Sink(Protocol):
    """Where finished runs go (the results store)."""

    def records(self) -> dict[tuple[int, int], dict[str, Any]]: ...

    def record(self, record: dict[str, Any], rows: pd.DataFrame | None) -> None: ...


@dataclass
class SweepReport:
    """How a sweep went: runs in all, already recorded, run now, failed and why."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """A short printed summary."""
        out = [f"{self.total} runs: {self.skipped} already recorded, {self.done} done now, "
               f"{self.failed} failed now"]
        for reason, n in self.reasons.most_common(5):
            out.append(f"  {n} x {reason}")
        return out


def failure_kind(error: str) -> str:
    """A failure's reason without its details, for counting alike failures together."""
    head = error.split(";")[0]
    return head if len(head) <= 120 else head[:117] + "..."


def tasks_for(sweep: Sweep, skip: set[tuple[int, int]], reduce: Reduce, model: Model) -> Iterator[RunTask]:
    """The sweep's runs not in ``skip``, point by point, made lazily."""
    factors = tuple(sweep.spec.factors)
    for p, values in enumerate(sweep.points):
        for r in range(sweep.spec.replications):
            if (p, r) not in skip:
                yield RunTask(p, r, replication_seed(sweep.seed, r), sweep.base, factors, tuple(values), reduce, model)


def tag_rows(record: RunRecord, names: Sequence[str], values: Sequence[Any]) -> pd.DataFrame | None:
    """The run's rows with ``point, rep, seed`` and the factor values in front."""
    if record.rows is None:
        return None
    front = {"point": record.point, "rep": record.rep, "seed": record.seed}
    front.update({n: _scalar(v) for n, v in zip(names, values, strict=True)})
    rows = record.rows.reset_index(drop=True)
    head = pd.DataFrame({k: [v] * len(rows) for k, v in front.items()})
    return pd.concat([head, rows], axis=1)


def _scalar(value: Any) -> Any:
    return value if isinstance(value, int | float | str | bool) else str(value)


def run_sweep(
    sweep: Sweep,
    sink: Sink,
    executor: Executor,
    reduce: Reduce,
    model: Model = simulate,
    on_run: Callable[[RunRecord], None] | None = None,
    retry_failed: bool = False,
) -> SweepReport:
    """Run the sweep's runs missing from ``sink`` on ``executor`` (already entered).

    Parameters
    ----------
    sweep
        The loaded sweep.
    sink
        The results store: runs it holds are skipped; each finished run is
        recorded there as soon as it comes back.
    executor
        Where runs run.
    reduce
        Turns a replication's results into outcome rows, inside the worker.
    model
        The simulation (default :func:`sim.engine.simulate`).
    on_run
        Called after each run is recorded (a progress bar, say).
    retry_failed
        Run again the runs recorded as failed.

    Returns
    -------
    SweepReport
    """
    recorded = sink.records()
    skip = {k for k, rec in recorded.items() if rec.get("status") == DONE or not retry_failed}
    report = SweepReport(total=sweep.runs, skipped=len(skip))
    names = sweep.factor_names
    for _task, rec in executor.submit_all(run_one, tasks_for(sweep, skip, reduce, model)):
        sink.record(rec.manifest_fields(), tag_rows(rec, names, sweep.points[rec.point]))
        if rec.status == DONE:
            report.done += 1
        else:
            report.failed += 1
            report.reasons[failure_kind(rec.error or "")] += 1
        if on_run is not None:
            on_run(rec)
    return report
