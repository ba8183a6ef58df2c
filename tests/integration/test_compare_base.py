"""``compare`` on the shipped base and "housing delivered a year late": the paired
intervals of the differences are narrower than intervals from independent seeds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.experiments.compare import run_paired
from sim.experiments.executors import LocalPool
from sim.outputs.intervals import paired_differences, t_halfwidth
from sim.outputs.outcomes import Outcomes
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPS = 5
KEEP = Outcomes(metrics=("peak_unmet", "unmet_seat_years"), services=("primary", "middle"),
                zones=("liaohe_core", "liaohe_north", "liaohe_south"))


@pytest.mark.slow
def test_paired_intervals_on_the_base_are_narrower_than_unpaired() -> None:
    base = load_scenario(SCENARIOS / "liaohe_base.yaml")
    late = load_scenario(SCENARIOS / "liaohe_housing_late.yaml")
    with LocalPool(2) as pool:
        paired_runs, _ = run_paired([base, late], ["base", "late"], REPS, 1, KEEP, pool)
        independent, _ = run_paired([late], ["late"], REPS, 2, KEEP, pool)
    runs = paired_runs.table()
    diffs = paired_differences(runs, "base").set_index(["zone", "service", "metric"])
    sd_base = runs[runs["scenario"] == "base"].groupby(["zone", "service", "metric"])["value"].std()
    sd_late = independent.table().groupby(["zone", "service", "metric"])["value"].std()
    ratios = {}
    for key, sd_a in sd_base.items():
        unpaired = t_halfwidth(math.sqrt(sd_a**2 + sd_late[key] ** 2), REPS)
        if unpaired > 0:
            ratios[key] = diffs.loc[key, "half_width"] / unpaired
    seat_years = {k: r for k, r in ratios.items() if k[2] == "unmet_seat_years"}
    assert len(seat_years) >= 4
    # Unmet seat-years integrate a whole trajectory: pairing narrows every interval.
    assert all(r < 1 for r in seat_years.values()), seat_years
    # Over every metric, the typical paired interval is well under the unpaired one
    # (a single peak can go either way with five replications).
    assert sorted(ratios.values())[len(ratios) // 2] < 0.6, ratios
