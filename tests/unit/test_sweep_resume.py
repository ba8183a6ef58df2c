"""Running and resuming a sweep: every point's replication ``r`` on the same seed
(common random numbers across the design), rows tagged with their run; runs
already recorded are skipped, and failed runs are run again only when asked
(``--retry-failed``). A stand-in model and an in-memory sink, so that which runs
run, on which seeds, is read directly (12 runs: 4 points x 3 replications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.experiments.executors import InProcess
from sim.experiments.seeds import replication_seed
from sim.experiments.spec import load_sweep
from sim.experiments.sweep import DONE, FAILED, run_sweep

SMALL_SPEC = Path(__file__).resolve().parents[1] / "scenarios" / "sweeps" / "small.yaml"


class MemorySink:
    """The results store's protocol, in memory; remembers which runs were recorded now."""

    def __init__(self, earlier: dict[tuple[int, int], str]) -> None:
        self.earlier = {k: {"point": k[0], "rep": k[1], "status": s} for k, s in earlier.items()}
        self.now: list[tuple[int, int]] = []
        self.rows: list[pd.DataFrame] = []

    def records(self) -> dict[tuple[int, int], dict[str, Any]]:
        return dict(self.earlier)

    def record(self, record: dict[str, Any], rows: pd.DataFrame | None) -> None:
        self.now.append((record["point"], record["rep"]))
        if rows is not None:
            self.rows.append(rows)


def stand_in(scenario: Any, seed: int) -> Any:
    """The model's stand-in: the seed and the point's housing delay."""
    return seed, scenario.housing_defaults.delay_months


def reduce(result: Any) -> pd.DataFrame:
    seed, delay = result
    return pd.DataFrame({"model_seed": [seed], "model_delay": [delay]})


def test_every_point_runs_replication_r_on_the_same_seed_and_rows_name_their_run() -> None:
    sweep = load_sweep(SMALL_SPEC)
    sink = MemorySink({})
    with InProcess() as ex:
        run_sweep(sweep, sink, ex, reduce, model=stand_in)
    rows = pd.concat(sink.rows, ignore_index=True)
    assert len(rows) == 12
    for row in rows.itertuples():
        assert row.model_seed == row.seed == replication_seed(7, row.rep)  # the spec's seed is 7
        levels = sweep.points[row.point]
        assert (row.housing_delay_months, row.kg_opening_lag_months) == levels
        assert row.model_delay == levels[0]  # the point's scenario was run


EARLIER = {(0, 0): DONE, (0, 1): FAILED, (2, 2): FAILED, (3, 0): DONE}
ALL = {(p, r) for p in range(4) for r in range(3)}


@pytest.mark.parametrize("retry", [False, True])
def test_resume_skips_done_runs_and_reruns_failed_ones_only_when_asked(retry: bool) -> None:
    sweep = load_sweep(SMALL_SPEC)
    sink = MemorySink(EARLIER)
    with InProcess() as ex:
        report = run_sweep(sweep, sink, ex, reduce, model=stand_in, retry_failed=retry)
    failed = {(0, 1), (2, 2)}
    expected = ALL - {(0, 0), (3, 0)} - (set() if retry else failed)
    assert sorted(sink.now) == sorted(expected)  # each run at most once
    assert (report.total, report.skipped, report.done, report.failed) == (12, 12 - len(expected), len(expected), 0)
