"""Sensitivity analysis recovers the known indices of standard test functions.

The test functions stand in for the simulation (``tests/theory/_sa_doubles.py``); every
other step is the model's own: the spec is loaded, the design applied to a
scenario's key paths, runs go through an executor into a results store, are
reduced by the same gap-outcome reducer, and read back by the estimators.

* Ishigami (a = 7, b = 0.1, x uniform on [-π, π]), analytic indices
  (Ishigami and Homma 1990; Saltelli et al. 2008, §4.9): V = a²/8 + bπ⁴/5 +
  b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = b²π⁸(1/18 − 1/50);
  S1 = V1/V, S2 = V2/V, S3 = 0; ST1 = (V1 + V13)/V, ST2 = S2, ST3 = V13/V.
* Sobol G with a = (0, 1, 4.5, 9, 99, 99, 99, 99): input i's first-order
  variance is (1/3)/(1 + a_i)², so importance falls as a_i grows; Morris's μ*
  must rank x1 > x2 > x3 > x4 > each of x5…x8 (Saltelli et al. 2008, §3.7).

The Sobol check uses the machinery's own 99 % bootstrap intervals (the spec's
``confidence``): with six indices, a 95 % level would miss one of them by
chance about a quarter of the time, 99 % about one time in twenty. The seed is
fixed, so the test is deterministic.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from _sa_doubles import ishigami_model, sobol_g_model

from sim.experiments.executors import InProcess
from sim.experiments.sa_design import make_design
from sim.experiments.sa_estimators import Settings
from sim.experiments.sa_indices import compute_indices
from sim.experiments.sa_spec import load_sensitivity
from sim.experiments.sensitivity import run_analysis
from sim.outputs.gap_outcomes import GapOutcomes
from sim.outputs.store import SweepStore

SPECS = Path(__file__).resolve().parents[1] / "scenarios" / "sensitivity"


def analyse(spec_name: str, model, root: Path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Run a spec through the analysis loop with ``model`` in place of the simulation."""
    sa = load_sensitivity(SPECS / spec_name)
    design = make_design(sa.spec.method, sa.inputs)
    store = SweepStore(root, {"fingerprint": spec_name})
    o = sa.spec.outcomes
    reduce = GapOutcomes(tuple(o.metrics), None, tuple(o.zones or ()), (), o.yearly)
    with InProcess() as ex:
        report = run_analysis(design, sa.base, sa.seed, sa.spec.replications, store, ex, reduce, model,
                              sa.spec.points_per_task)
    assert report.failed_points == 0
    settings = Settings(getattr(sa.spec.method, "levels", 4), sa.spec.bootstrap, sa.spec.confidence)
    table = compute_indices(design, store.outcomes(), sa.spec.replications, settings).table
    return table.set_index(["method", "input"])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[tuple[str, str], float]:
    pi4, pi8 = math.pi**4, math.pi**8
    v1, v2, v13 = 0.5 * (1 + b * pi4 / 5) ** 2, a**2 / 8, b**2 * pi8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {("sobol_first", "x1"): v1 / v, ("sobol_first", "x2"): v2 / v, ("sobol_first", "x3"): 0.0,
            ("sobol_total", "x1"): (v1 + v13) / v, ("sobol_total", "x2"): v2 / v, ("sobol_total", "x3"): v13 / v}


def test_sobol_recovers_the_ishigami_indices_within_its_bootstrap_intervals(tmp_path: Path) -> None:
    got = analyse("ishigami_sobol.yaml", ishigami_model, tmp_path)
    truth = ishigami_indices()
    assert truth[("sobol_first", "x1")] == pytest.approx(0.3139, abs=1e-4)  # the published values
    assert truth[("sobol_total", "x3")] == pytest.approx(0.2437, abs=1e-4)
    for key, value in truth.items():
        row = got.loc[key]
        assert row["low"] <= value <= row["high"], (key, value, row.to_dict())
    # The intervals separate what the analytic indices separate: x3 acts only
    # through its interaction with x1, and x1's total exceeds its first order.
    assert got.loc[("sobol_first", "x3"), "high"] < truth[("sobol_total", "x3")]
    assert got.loc[("sobol_first", "x1"), "high"] < truth[("sobol_total", "x1")]
    assert got.loc[("sobol_total", "x1"), "low"] > truth[("sobol_first", "x1")]


def test_morris_ranks_the_sobol_g_inputs_in_the_analytic_order(tmp_path: Path) -> None:
    got = analyse("g_morris.yaml", sobol_g_model, tmp_path)
    mu = got.xs("morris_mu_star", level="method")["index"]
    assert mu["x1"] > mu["x2"] > mu["x3"] > mu["x4"] > max(mu[f"x{i}"] for i in range(5, 9))
    # μ*'s intervals keep the important four apart from the unimportant ones.
    lows = got.xs("morris_mu_star", level="method")["low"]
    highs = got.xs("morris_mu_star", level="method")["high"]
    assert lows["x4"] > max(highs[f"x{i}"] for i in range(5, 9))
