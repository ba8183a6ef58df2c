"""``compare``: scenarios paired on common random numbers have narrower intervals
of their differences than the same scenarios run on independent seeds."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.cli import main
from sim.experiments.compare import run_paired
from sim.experiments.executors import InProcess
from sim.outputs.intervals import t_halfwidth
from sim.outputs.outcomes import Outcomes
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASE, LATE = SCENARIOS / "minimal.yaml", SCENARIOS / "minimal_housing_late.yaml"
REPS = 8


def test_compare_housing_a_year_late_paired_intervals_narrower_than_unpaired(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    status = main(["compare", str(BASE), str(LATE), "--reps", str(REPS), "--seed", "1",
                   "--workers", "0", "--out", str(out)])
    assert status == 0
    assert "minimal_housing_late vs minimal" in capsys.readouterr().out
    assert (out / "comparison.png").stat().st_size > 10_000
    paired = pd.read_csv(out / "comparison.csv")
    a = pd.read_csv(out / "outcomes.csv")
    a = a[a["scenario"] == "minimal"]
    # The late scenario again, on independent seeds (experiment seed 2).
    with InProcess() as ex:
        runs, _ = run_paired([load_scenario(LATE)], ["late"], REPS, 2, Outcomes(), ex)
    b = runs.table()
    sd = pd.concat([a.groupby(["zone", "service", "metric"])["value"].std().rename("sd_a"),
                    b.groupby(["zone", "service", "metric"])["value"].std().rename("sd_b")], axis=1)
    checked = 0
    for metric in ("peak_unmet", "unmet_seat_years"):
        for service in ("primary", "middle"):
            row = paired[(paired["zone"] == "core") & (paired["service"] == service) & (paired["metric"] == metric)].iloc[0]
            assert row["n"] == REPS
            assert row["diff_mean"] < 0  # later housing, later and smaller school peak in the horizon
            s = sd.loc[("core", service, metric)]
            unpaired = t_halfwidth(math.sqrt(s["sd_a"] ** 2 + s["sd_b"] ** 2), REPS)
            assert row["half_width"] < 0.6 * unpaired, (service, metric, row["half_width"], unpaired)
            checked += 1
    assert checked == 4
    # Existing residents of the village are the same people in both: no difference at all.
    village = paired[(paired["zone"] == "village") & (paired["service"] == "primary")]
    assert (village["diff_mean"].abs() < 1e-9).all() and len(village) > 0


def test_compare_needs_two_scenarios(capsys) -> None:
    assert main(["compare", str(BASE), "--reps", "3", "--workers", "0"]) == 2
    assert "at least two scenarios" in capsys.readouterr().err


def test_until_halfwidth_adds_replications_and_reports_in_the_manifest(tmp_path: Path) -> None:
    import json

    out = tmp_path / "until"
    status = main(["compare", str(BASE), str(LATE), "--reps", "3", "--seed", "1", "--workers", "0",
                   "--until-halfwidth", "peak_unmet[core/primary]=0.001", "--max-reps", "5", "--out", str(out)])
    assert status == 0
    stop = json.loads((out / "manifest.json").read_text())["until_halfwidth"]
    assert stop["rule"] == "peak_unmet[core/primary]=0.001" and stop["reached"] is False
    assert [h["reps"] for h in stop["history"]] == [3, 5] and stop["reps"] == 5
    per_rep = pd.read_csv(out / "outcomes.csv")
    assert sorted(per_rep["rep"].unique()) == [0, 1, 2, 3, 4]


def test_compare_and_sweep_help_teach_with_examples(capsys) -> None:
    for command in ("compare", "sweep"):
        try:
            main([command, "--help"])
        except SystemExit as exc:
            assert exc.code == 0
        text = capsys.readouterr().out
        assert "examples:" in text and "--scheduler" in text and "--cluster" in text
