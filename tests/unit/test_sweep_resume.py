"""Resuming a sweep: runs already recorded are skipped; failed runs are run again
only when asked (``--retry-failed``). A stand-in model and an in-memory sink, so
that which runs run is read directly (12 runs: 4 points x 3 replications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.experiments.executors import InProcess
from sim.experiments.spec import load_sweep
from sim.experiments.sweep import DONE, FAILED, run_sweep

SMALL_SPEC = Path(__file__).resolve().parents[1] / "scenarios" / "sweeps" / "small.yaml"


class MemorySink:
    """The results store's protocol, in memory; remembers which runs were recorded now."""

    def __init__(self, earlier: dict[tuple[int, int], str]) -> None:
        self.earlier = {k: {"point": k[0], "rep": k[1], "status": s} for k, s in earlier.items()}
        self.now: list[tuple[int, int]] = []

    def records(self) -> dict[tuple[int, int], dict[str, Any]]:
        return dict(self.earlier)

    def record(self, record: dict[str, Any], rows: pd.DataFrame | None) -> None:
        self.now.append((record["point"], record["rep"]))


def stand_in(scenario: Any, seed: int) -> Any:
    return seed


def reduce(result: Any) -> pd.DataFrame:
    return pd.DataFrame({"value": [float(result)]})


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
