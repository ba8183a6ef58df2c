"""``compare`` on the shipped base and "housing delivered a year late": paired on
common random numbers, the intervals of the differences are narrower than
intervals from independent seeds.

Independent seeds would give the difference B - A the variance Var(A) + Var(B);
common random numbers give Var(A) + Var(B) - 2 Cov(A, B). So pairing narrows the
interval exactly when the paired outcomes are positively correlated, and that is
tested directly on the paired runs (no third, independent set of runs is
needed): with no common random numbers the sample correlation r of n pairs has
r sqrt(n - 2) / sqrt(1 - r^2) ~ t(n - 2) (normal outcomes), so r above the
one-sided 95 % critical value ``R_CRIT`` happens with probability 0.05 at most.
Unmet seat-years integrate a whole trajectory and are checked in every zone and
stage with a shortfall; a single date's peak is noisier, and with five pairs is
checked only on the small scenario (``test_compare.py``, eight pairs). Ten base
replications instead of fifteen: no independent set of runs is needed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.experiments.compare import run_paired
from sim.experiments.executors import LocalPool
from sim.outputs.intervals import paired_differences, t_halfwidth
from sim.outputs.outcomes import Outcomes
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPS = 5
T_CRIT = float(stats.t.ppf(0.95, REPS - 2))
R_CRIT = T_CRIT / math.sqrt(REPS - 2 + T_CRIT**2)  # 0.81 for 5 pairs
KEEP = Outcomes(metrics=("unmet_seat_years",), services=("primary", "middle"),
                zones=("liaohe_core", "liaohe_north", "liaohe_south"))


@pytest.mark.slow
def test_paired_intervals_on_the_base_are_narrower_than_unpaired() -> None:
    base = load_scenario(SCENARIOS / "liaohe_base.yaml")
    late = load_scenario(SCENARIOS / "liaohe_housing_late.yaml")
    with LocalPool(2) as pool:
        paired_runs, _ = run_paired([base, late], ["base", "late"], REPS, 1, KEEP, pool)
    runs = paired_runs.table()
    diffs = paired_differences(runs, "base").set_index(["zone", "service", "metric"])
    wide = runs.pivot_table(index=["zone", "service", "metric", "rep"], columns="scenario", values="value")
    checked = []
    for key, pairs in wide.groupby(level=["zone", "service", "metric"]):
        a, b = pairs["base"].to_numpy(), pairs["late"].to_numpy()
        if a.std() == 0 or b.std() == 0:
            continue
        r = float(np.corrcoef(a, b)[0, 1])
        unpaired = t_halfwidth(math.sqrt(a.var(ddof=1) + b.var(ddof=1)), REPS)
        assert r > R_CRIT, (key, r, diffs.loc[key, "half_width"] / unpaired)
        assert diffs.loc[key, "half_width"] < unpaired
        checked.append(key)
    assert len(checked) >= 4, checked
