"""Paired comparison of scenarios on common random numbers.

Replication ``r`` of every scenario runs on the same seed, so each scenario's
outcomes are paired with the first scenario's replication by replication; the
paired differences (:func:`sim.outputs.intervals.paired_differences`) then have
much narrower intervals than two independent sets of runs would give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.engine import Results
from sim.experiments.executors import Executor
from sim.experiments.replications import (
    HalfwidthRule,
    ReducedTask,
    StopReport,
    replicate_reduced,
    replicate_until,
)
from sim.scenario import Scenario


@dataclass
class PairedRuns:
    """Outcome rows of every replication of every scenario, tagged ``scenario, rep``."""

    names: list[str]
    frames: list[pd.DataFrame]
    draws: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per scenario with drawn uncertain inputs: ``rep`` and each input's value."""

    def table(self) -> pd.DataFrame:
        """All rows, ordered by scenario (as given), replication, zone, service, metric."""
        if not self.frames:
            return pd.DataFrame(columns=["scenario", "rep", "zone", "service", "metric", "value"])
        df = pd.concat(self.frames, ignore_index=True)
        df["_s"] = df["scenario"].map({n: i for i, n in enumerate(self.names)})
        df = df.sort_values(["_s", "rep", "zone", "service", "metric"], kind="stable")
        return df.drop(columns="_s").reset_index(drop=True)


def run_paired(
    scenarios: Sequence[Scenario],
    names: Sequence[str],
    reps: int,
    seed: int,
    reduce: Callable[[Results], pd.DataFrame],
    executor: Executor,
    until: HalfwidthRule | None = None,
    half_width: Callable[[PairedRuns], float] | None = None,
    max_reps: int = 200,
    on_done: Callable[[int], None] | None = None,
    fixed_inputs: bool = False,
) -> tuple[PairedRuns, StopReport | None]:
    """Run replications of every scenario on shared seeds (executor already entered).

    Parameters
    ----------
    scenarios, names
        The scenarios and the names their rows carry; the first is the baseline.
    reps
        Replications (the first batch when ``until`` is given).
    seed
        Experiment seed; replication ``r`` of each scenario runs on
        ``replication_seed(seed, r)``.
    reduce
        Turns results into outcome rows inside the worker.
    executor
        Where the runs run.
    until, half_width, max_reps
        Keep adding replications until ``half_width(runs)`` is at most the rule's
        tolerance, up to ``max_reps``.
    on_done
        Called with the replication number of each finished run.
    fixed_inputs
        Keep the scenarios' uncertain inputs at their own values instead of
        drawing them per replication (each batch of replications is one Latin
        hypercube; shared inputs get the same values in every scenario).

    Returns
    -------
    tuple
        The runs, and how the stopping rule ended (``None`` without one).
    """
    runs = PairedRuns(list(names), [])

    def keep(task: ReducedTask[pd.DataFrame], rows: pd.DataFrame) -> None:
        runs.frames.append(rows.assign(scenario=runs.names[task.key], rep=task.rep)
                           [["scenario", "rep", "zone", "service", "metric", "value"]])
        if on_done is not None:
            on_done(task.rep)

    def run_reps(block: range) -> None:
        drawn = replicate_reduced(scenarios, block, seed, reduce, executor, keep, fixed_inputs)
        for name, draws in zip(runs.names, drawn, strict=True):
            if draws is not None:
                runs.draws.setdefault(name, []).extend(draws.rows())

    if until is None:
        run_reps(range(reps))
        return runs, None
    assert half_width is not None, "a stopping rule needs a half-width"
    report = replicate_until(run_reps, lambda: half_width(runs), until, reps, max_reps)
    return runs, report
