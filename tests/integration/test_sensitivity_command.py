"""``run.py sensitivity``: its files, its problems, and a killed analysis that resumes
(SIGKILL part-way, the same command again) with exactly the indices of one that
was never interrupted."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests" / "scenarios" / "sensitivity"
SMALL = SPECS / "small_morris.yaml"
TASKS = 16  # 2 trajectories x (3 inputs + 1) points x 2 replications


def cli(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "run.py", "sensitivity", str(spec), "--workers", "0", "--no-progress",
            "--out", str(out), *extra]


def lines(out: Path) -> int:
    manifest = out / "manifest.jsonl"
    return manifest.read_text(encoding="utf-8").count("\n") if manifest.exists() else 0


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An uninterrupted run of the small analysis: its folder and what it printed."""
    out = tmp_path_factory.mktemp("sensitivity") / "clean"
    done = subprocess.run(cli(SMALL, out), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_a_killed_analysis_resumes_to_the_indices_of_an_uninterrupted_one(
        clean: tuple[Path, str], tmp_path: Path) -> None:
    killed = tmp_path / "killed"
    proc = subprocess.Popen(cli(SMALL, killed, "--no-figures"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and lines(killed) < 3 and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = lines(killed)
    assert 3 <= before < TASKS, "the kill came part-way through the runs"
    resumed = subprocess.run(cli(SMALL, killed, "--no-figures"), cwd=ROOT, capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{TASKS} tasks: {before} already recorded, {TASKS - before} run now" in resumed.stdout
    want = pd.read_csv(clean[0] / "indices.csv")
    got = pd.read_csv(killed / "indices.csv")
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want)
    # Each task recorded exactly once.
    keys = [(json.loads(x)["point"], json.loads(x)["rep"])
            for x in (killed / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == TASKS


def test_the_folder_holds_indices_a_record_and_figures(clean: tuple[Path, str]) -> None:
    out, stdout = clean
    table = pd.read_csv(out / "indices.csv")
    assert list(table.columns) == ["method", "outcome", "zone", "service", "year", "input", "index", "low", "high"]
    assert set(table["method"]) == {"morris_mu_star", "morris_sigma", "noise_share"}
    assert set(table.loc[table["method"] != "noise_share", "input"]) == {"tfr", "occupancy", "kg_enrolment"}
    assert {"all", "2021"} <= set(table["year"].astype(str))
    assert table[["index", "low", "high"]].notna().all().all()  # never a silent NaN
    record = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert record["runs"] == TASKS and record["failed_points"] == {}
    assert "dropped whole" in record["failure_handling"]
    assert (out / "figures" / "morris_peak_unmet.png").is_file()
    assert (out / "figures" / "morris_over_time.png").is_file()
    assert "top inputs by mu* of peak_unmet" in stdout


def test_the_folder_is_a_results_folder_whose_report_has_the_sensitivity_sections(
        clean: tuple[Path, str], tmp_path: Path) -> None:
    out, stdout = clean
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "sensitivity" and manifest["program"] == "liaohe-sim"
    assert manifest["runs"] == TASKS and manifest["scenario"] == "small_uncertain"
    assert json.loads((out / "scenario.json").read_text(encoding="utf-8"))["resolved"]["name"] == "small_uncertain"
    assert f"report: {out / 'report.html'}" in stdout
    # `run.py report FOLDER` redraws it from the folder's files alone.
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("report.html"))
    done = subprocess.run([sys.executable, "run.py", "report", str(copy)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for folder in (out, copy):
        html = (folder / "report.html").read_text(encoding="utf-8")
        sections = re.findall(r'<section id="([^"]+)"', html)
        assert sections[:3] == ["headline", "indices", "over-time"] and sections[-1] == "methods"
        # The headline names, for each outcome, zone and service, the input with the largest
        # mu* in indices.csv.
        table = pd.read_csv(folder / "indices.csv")
        whole = table[(table["method"] == "morris_mu_star") & (table["year"].astype(str) == "all")]
        keys = ["outcome", "zone", "service"]
        top = whole.loc[whole.groupby(keys)["index"].idxmax()]
        want = {(r.outcome, r.zone, r.service): r.input for r in top.itertuples()}
        got = {(o, z, s): i for o, z, s, i in re.findall(
            r'data-outcome="([^"]+)" data-zone="([^"]+)" data-service="([^"]+)" data-top-input="([^"]+)"', html)}
        assert len(want) > 1
        assert got == want


def test_a_second_analysis_into_a_folder_being_written_stops_at_once(tmp_path: Path) -> None:
    from sim.outputs.locks import FileLock

    out = tmp_path / "busy"
    out.mkdir()
    with FileLock(out / ".sensitivity.lock"):
        done = subprocess.run(cli(SMALL, out), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"{out} is being written by another analysis (process {os.getpid()})" in done.stderr
    assert not (out / "manifest.jsonl").exists()


def test_a_bad_spec_names_file_line_and_key_path_and_runs_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"name: bad\nbase: {SPECS / 'small_base.yaml'}\nmethod: {{kind: morris, trajectories: 1}}\n"
                    "inputs:\n  - {id: t, path: demography.tfrr, distribution: {kind: uniform, low: 0, high: 1},"
                    " source: s}\n", encoding="utf-8")
    done = subprocess.run(cli(spec, tmp_path / "out"), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"{spec}:3: method.trajectories: must be >= 2, got 1"]
    assert not (tmp_path / "out").exists()
