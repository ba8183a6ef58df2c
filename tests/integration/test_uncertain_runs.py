"""``run`` and ``compare`` with a scenario's uncertain inputs: drawn per replication by
default and recorded, the same values for replication r of every scenario,
``--fixed-inputs`` keeps the scenario's own values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.inputs import draw_inputs
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests" / "scenarios" / "sensitivity"
SMALL, BIGGER = SPECS / "small_base.yaml", SPECS / "small_base_bigger_kg.yaml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_run_draws_each_replication_records_the_values_and_fixed_inputs_turns_it_off(tmp_path: Path) -> None:
    drawn, fixed = tmp_path / "drawn", tmp_path / "fixed"
    assert cli("run", str(SMALL), "--reps", "3", "--workers", "0", "--seed", "4", "--out", str(drawn),
               "--no-figures").returncode == 0
    assert cli("run", str(SMALL), "--reps", "3", "--workers", "0", "--seed", "4", "--out", str(fixed),
               "--no-figures", "--fixed-inputs").returncode == 0
    draws = pd.read_parquet(drawn / "draws.parquet")
    scenario = load_scenario(SMALL)
    want = draw_inputs(scenario.uncertain_inputs, 4, range(3))
    assert list(draws.columns) == ["rep", "tfr", "occupancy", "kg_enrolment"]
    assert draws.drop(columns="rep").to_numpy().tolist() == [list(v) for v in want.values]
    manifest = json.loads((drawn / "manifest.json").read_text(encoding="utf-8"))["uncertain_inputs"]
    assert manifest["mode"] == "drawn" and [d["rep"] for d in manifest["draws"]] == [0, 1, 2]
    assert json.loads((fixed / "manifest.json").read_text(encoding="utf-8"))["uncertain_inputs"]["mode"] == "fixed"
    assert not (fixed / "draws.parquet").exists()
    # The drawn kindergarten enrolment reaches the model: demand differs from the fixed run.
    kg = [pd.read_parquet(f / "series.parquet").query("service == 'kindergarten'")["demand"].sum()
          for f in (drawn, fixed)]
    assert kg[0] != pytest.approx(kg[1])


def test_compare_gives_replication_r_of_every_scenario_the_same_inputs(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    done = cli("compare", str(SMALL), str(BIGGER), "--reps", "2", "--workers", "0", "--out", str(out))
    assert done.returncode == 0, done.stderr
    draws = pd.read_parquet(out / "draws.parquet")
    a, b = (draws[draws["scenario"] == n].drop(columns="scenario").reset_index(drop=True)
            for n in ("small_uncertain", "small_uncertain_bigger_kg"))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["uncertain_inputs"]) == {"small_uncertain", "small_uncertain_bigger_kg"}
