"""Sweeps survive failures and kills: failed runs are recorded and the rest kept;
a sweep killed with SIGKILL resumes with the same command, every run exactly once."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _sweep_helpers import SMALL_SPEC, failing_model, run_into, short_sweep, sorted_outcomes

from sim.experiments.design import DateShiftFactor, design_points
from sim.experiments.executors import InProcess
from sim.outputs.store import SweepStore

ROOT = Path(__file__).resolve().parents[2]


def sweep_cli(spec: Path, out: Path) -> list[str]:
    return [sys.executable, "run.py", "sweep", str(spec), "--workers", "0", "--no-progress", "--out", str(out)]


def manifest_runs(out: Path) -> list[tuple[int, int]]:
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [(json.loads(x)["point"], json.loads(x)["rep"]) for x in lines]


def test_sweep_killed_with_sigkill_resumes_every_run_exactly_once(tmp_path: Path) -> None:
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = subprocess.Popen(sweep_cli(SMALL_SPEC, killed), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    manifest = killed / "manifest.jsonl"
    while time.monotonic() < deadline:
        if manifest.exists() and manifest.read_text().count("\n") >= 3:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = manifest_runs(killed)
    assert 3 <= len(before) < 12, "the kill came part-way through the 12 runs"
    resumed = subprocess.run(sweep_cli(SMALL_SPEC, killed), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(before)} already recorded, {12 - len(before)} done now" in resumed.stdout
    runs = manifest_runs(killed)
    assert sorted(runs) == [(p, r) for p in range(4) for r in range(3)]  # each exactly once
    assert runs[: len(before)] == before
    subprocess.run(sweep_cli(SMALL_SPEC, clean), cwd=ROOT, check=True, capture_output=True, timeout=120)
    meta = {"fingerprint": json.loads((clean / "store.json").read_text())["fingerprint"]}
    got = sorted_outcomes(SweepStore(killed, meta))
    want = sorted_outcomes(SweepStore(clean, meta))
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want)
    # No part file without its run recorded, none left half-written.
    assert sorted(p.name for p in (killed / "parts").iterdir()) == sorted(p.name for p in (clean / "parts").iterdir())


def test_invalid_points_and_model_errors_are_recorded_and_the_rest_kept(tmp_path: Path) -> None:
    sweep = short_sweep(replications=2)
    # Replace the opening lag with a school opening shift that, at 240 months,
    # moves the date past the horizon: those points are invalid scenarios.
    shift = DateShiftFactor(kind="date_shift", name="school_shift_months",
                            path="facilities[core_school].opens", levels=[0.0, 240.0])
    spec = sweep.spec.model_copy(update={"factors": [sweep.spec.factors[0], shift]})
    broken = dataclasses.replace(sweep, spec=spec, points=tuple(design_points(spec)))
    store, report = run_into(broken, tmp_path / "broken", InProcess(), model=failing_model)
    # Points: (0, 0) fine; (0, 240) invalid; (12, 0) model error; (12, 240) invalid.
    records = store.records()
    status = {k: (r["status"], (r["error"] or "").split(":")[0]) for k, r in records.items()}
    assert status == {
        (0, 0): ("done", ""), (0, 1): ("done", ""),
        (1, 0): ("failed", "invalid point"), (1, 1): ("failed", "invalid point"),
        (2, 0): ("failed", "model error"), (2, 1): ("failed", "model error"),
        (3, 0): ("failed", "invalid point"), (3, 1): ("failed", "invalid point"),
    }
    assert "must lie inside the horizon" in records[(1, 0)]["error"]
    assert "RuntimeError: boom" in records[(2, 0)]["error"]
    assert (report.done, report.failed) == (2, 6)
    assert sum(report.reasons.values()) == 6 and len(report.reasons) == 2
    # The good point's rows equal those of a sweep in which nothing failed.
    good, _ = run_into(sweep, tmp_path / "good", InProcess())
    got = sorted_outcomes(store)
    want = sorted_outcomes(good)
    want = want[want["point"] == 0].drop(columns="kg_opening_lag_months").reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns="school_shift_months"), want)


@pytest.mark.parametrize("cut", [1, 17])
def test_manifest_line_cut_by_a_kill_is_dropped_and_the_run_redone(tmp_path: Path, cut: int) -> None:
    store = SweepStore(tmp_path, {"fingerprint": "f"})
    store.record({"point": 0, "rep": 0, "seed": 1, "status": "done"}, pd.DataFrame({"value": [1.0]}))
    with store.manifest_path.open("a") as fh:
        fh.write('{"point": 0, "rep": 1, "seed": 2, "status": "done"}'[:cut])
    reopened = SweepStore(tmp_path, {"fingerprint": "f"})
    assert list(reopened.records()) == [(0, 0)]
    reopened.record({"point": 0, "rep": 1, "seed": 2, "status": "done"}, pd.DataFrame({"value": [2.0]}))
    assert list(SweepStore(tmp_path, {"fingerprint": "f"}).records()) == [(0, 0), (0, 1)]
