"""The same seeds give the same result tables on every executor and any number of workers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from _sweep_helpers import run_into, short_sweep, sorted_outcomes

from sim.experiments.executors import DaskExecutor, InProcess, LocalPool, make_executor


def test_sweep_tables_identical_in_process_pool_of_1_and_2_and_dask_cluster_of_2(tmp_path: Path) -> None:
    sweep = short_sweep(replications=2)
    executors = {
        "in_process": InProcess(),
        "workers_1": LocalPool(1),
        "workers_2": LocalPool(2),
        "dask_2": DaskExecutor(workers=2),
    }
    tables = {}
    for name, ex in executors.items():
        store, report = run_into(sweep, tmp_path / name, ex)
        assert (report.done, report.failed) == (sweep.runs, 0), name
        tables[name] = sorted_outcomes(store)
    reference = tables.pop("in_process")
    # Not trivially equal: the factors move the outcomes, and there are rows for every run.
    assert set(zip(reference["point"], reference["rep"], strict=True)) == {(p, r) for p in range(4) for r in range(2)}
    kg = reference[(reference["service"] == "kindergarten") & (reference["metric"] == "unmet_seat_years")]
    assert kg.groupby("point")["value"].mean().nunique() > 1
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, reference, obj=name)


def test_make_executor_chooses_by_options() -> None:
    assert isinstance(make_executor(0), InProcess)
    assert isinstance(make_executor(3), LocalPool)
    assert isinstance(make_executor(2, cluster="local"), DaskExecutor)
    dask = make_executor(scheduler="tcp://127.0.0.1:8786")
    assert isinstance(dask, DaskExecutor) and dask.scheduler == "tcp://127.0.0.1:8786"
