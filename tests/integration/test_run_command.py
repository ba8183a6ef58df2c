"""``python run.py run``: the results folder, its manifest and reproducibility."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "scenarios" / "small_town.yaml"
TABLES = ("population.parquet", "series.parquet", "events.parquet")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), "run", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def digest(folder: Path, name: str) -> str:
    return hashlib.sha256((folder / name).read_bytes()).hexdigest()


def test_run_writes_the_folder_and_the_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    first = run(str(SMALL), "--reps", "2", "--workers", "2", "--out", str(a))
    assert first.returncode == 0, first.stderr
    assert run(str(SMALL), "--reps", "2", "--workers", "0", "--out", str(b), "--no-figures").returncode == 0
    assert run(str(SMALL), "--reps", "2", "--seed", "99", "--out", str(c), "--no-figures").returncode == 0
    for name in (*TABLES, "summary.csv", "population_summary.csv", "shortfall_probability.csv",
                 "facilities.parquet", "deliveries.parquet", "manifest.json"):
        assert (a / name).is_file(), name
    assert (a / "figures" / "population_by_zone.png").is_file()
    assert (a / "figures" / "population_pyramid.png").is_file()
    for name in TABLES:
        assert digest(a, name) == digest(b, name), name
    assert digest(a, "population.parquet") != digest(c, "population.parquet")

    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["scenario"] == "small_town" and manifest["reps"] == 2 and manifest["seed"] == 11
    assert len(manifest["scenario_sha256"]) == 64
    for key in ("version", "git_commit", "started", "wall_seconds"):
        assert key in manifest

    pop = pd.read_parquet(a / "population.parquet")
    assert list(pop.columns) == ["rep", "date", "zone", "age_band", "residents", "households"]
    assert set(pop["rep"]) == {0, 1}
    assert list(pop["age_band"].cat.categories) == ["0-2", "3-5", "6-11", "12-14", "15-17", "18-59", "60-79", "80+"]
    events = pd.read_parquet(a / "events.parquet")
    assert list(events.columns) == ["rep", "date", "zone", "arrivals", "births", "deaths", "departures"]
    series = pd.read_parquet(a / "series.parquet")
    assert list(series.columns[:4]) == ["rep", "date", "zone", "service"]


def test_an_existing_folder_is_never_overwritten_silently(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = run(str(SMALL), "--out", str(out), "--no-figures")
    assert r.returncode == 2
    assert "already exists" in r.stderr and "Traceback" not in r.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing half-written

    # Without --out, a second run goes to a new folder and says so.
    assert run(str(SMALL), "--no-figures", cwd=tmp_path).returncode == 0
    second = run(str(SMALL), "--no-figures", cwd=tmp_path)
    assert second.returncode == 0
    assert (tmp_path / "results" / "small_town").is_dir() and (tmp_path / "results" / "small_town-2").is_dir()
    assert "small_town-2" in second.stdout


def test_a_broken_scenario_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("tfr: 1.3", "tfr: -1"))
    r = run(str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"{bad}:18: demography.tfr: must be >= 0, got -1"]
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
