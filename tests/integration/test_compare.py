"""``compare``: scenarios paired on common random numbers have narrower intervals
of their differences than the same scenarios run on independent seeds.

Run on independent seeds, the difference of two scenarios' outcomes has variance
Var(A) + Var(B); paired on common random numbers, Var(A) + Var(B) - 2 Cov(A, B).
So the paired interval is the narrower exactly when the pairs are positively
correlated, and that is tested directly: under independence (no common random
numbers) the sample correlation r of n pairs satisfies
r sqrt(n - 2) / sqrt(1 - r^2) ~ t(n - 2) (normal outcomes), so r above the
one-sided 95 % critical value ``R_CRIT`` has probability 0.05 at most: with
pairing broken, each checked outcome fails here with probability 0.95.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.cli import main
from sim.outputs.intervals import t_halfwidth

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASE, LATE = SCENARIOS / "minimal.yaml", SCENARIOS / "minimal_housing_late.yaml"
REPS = 8
T_CRIT = float(stats.t.ppf(0.95, REPS - 2))
R_CRIT = T_CRIT / math.sqrt(REPS - 2 + T_CRIT**2)  # 0.62 for 8 pairs


def test_compare_housing_a_year_late_paired_intervals_narrower_than_unpaired(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    status = main(["compare", str(BASE), str(LATE), "--reps", str(REPS), "--seed", "1",
                   "--workers", "0", "--out", str(out)])
    assert status == 0
    assert "minimal_housing_late vs minimal" in capsys.readouterr().out
    assert (out / "comparison.png").stat().st_size > 10_000
    paired = pd.read_csv(out / "comparison.csv")
    runs = pd.read_csv(out / "outcomes.csv")
    checked = 0
    for metric in ("peak_unmet", "unmet_seat_years"):
        for service in ("primary", "middle"):
            row = paired[(paired["zone"] == "core") & (paired["service"] == service) & (paired["metric"] == metric)].iloc[0]
            assert row["n"] == REPS
            assert row["diff_mean"] < 0  # later housing, later and smaller school peak in the horizon
            pick = runs[(runs["zone"] == "core") & (runs["service"] == service) & (runs["metric"] == metric)]
            a = pick[pick["scenario"] == "minimal"].sort_values("rep")["value"].to_numpy()
            b = pick[pick["scenario"] == "minimal_housing_late"].sort_values("rep")["value"].to_numpy()
            r = float(np.corrcoef(a, b)[0, 1])
            unpaired = t_halfwidth(math.sqrt(a.var(ddof=1) + b.var(ddof=1)), REPS)
            assert r > R_CRIT, (service, metric, r, row["half_width"] / unpaired)
            # The same in interval widths: the paired interval is the narrower.
            assert row["half_width"] < unpaired
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
