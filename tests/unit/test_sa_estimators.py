"""Sensitivity estimators on hand-made outputs: what SALib is asked, what is written here
(σ's interval, tornado bars, the noise share), and how failed runs are handled."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris

from sim.engine import EVENT_KINDS, SERIES_FIELDS, Results
from sim.experiments.sa_design import make_design, salib_problem
from sim.experiments.sa_estimators import (
    Estimate,
    Settings,
    elementary_effects,
    estimate,
    noise_share,
)
from sim.experiments.sa_spec import MorrisMethod, TornadoMethod
from sim.outputs.gap_outcomes import GapOutcomes
from sim.outputs.metrics import per_rep_gaps
from sim.outputs.tables import series_table
from sim.scenario.model import UncertainInput


def _inputs(n: int) -> list[UncertainInput]:
    return [UncertainInput.model_validate({"id": f"x{i}", "path": f"zones[z{i}].x_km", "source": "s",
                                           "distribution": {"kind": "uniform", "low": 0, "high": 10}})
            for i in range(n)]


def _value(point: tuple[tuple[int, float], ...], n: int, default: float = 5.0) -> np.ndarray:
    x = np.full(n, default)
    for i, v in point:
        x[i] = v
    return x


def test_elementary_effects_are_salibs_and_a_linear_function_gives_its_slopes() -> None:
    design = make_design(MorrisMethod(kind="morris", trajectories=6, levels=4, seed=3), _inputs(3))
    assert design.unit is not None
    y = design.unit @ np.array([3.0, -2.0, 0.5])  # slopes per unit of the design
    ee = elementary_effects(design.unit, y, per=4)
    assert ee == pytest.approx(np.repeat([[3.0], [-2.0], [0.5]], 6, axis=1))
    si = salib_morris.analyze(salib_problem(design.inputs), design.unit, y, num_levels=4, seed=1)
    assert np.abs(ee).mean(axis=1) == pytest.approx(si["mu_star"])
    assert ee.std(axis=1, ddof=1) == pytest.approx(si["sigma"], abs=1e-12)


def test_a_failed_point_drops_its_trajectory_and_says_so() -> None:
    design = make_design(MorrisMethod(kind="morris", trajectories=5, levels=4, seed=3), _inputs(2))
    assert design.unit is not None
    y = (design.unit @ np.array([4.0, 1.0]))[:, None].repeat(2, axis=1)
    y[4, 1] = np.nan  # a replication of trajectory 1's second point failed
    est = estimate(design, y, Settings(bootstrap=50))
    assert est.notes == ["1 of 15 design points dropped: a replication failed",
                         "Morris: 1 of 5 trajectories dropped (a point failed)"]
    mu = {r["input"]: r["index"] for r in est.rows if r["method"] == "morris_mu_star"}
    assert mu == pytest.approx({"x0": 4.0, "x1": 1.0})
    assert all(np.isfinite([r["index"], r["low"], r["high"]]).all() for r in est.rows)


def test_an_outcome_that_never_changes_has_no_index_and_a_note() -> None:
    design = make_design(MorrisMethod(kind="morris", trajectories=3, levels=4, seed=3), _inputs(2))
    est = estimate(design, np.full((len(design.points), 2), 7.0), Settings(bootstrap=20))
    assert est.rows == [] and est.notes == ["no index: the outcome is the same at every design point"]


def test_tornado_bars_are_paired_differences_from_the_scenario_with_t_intervals() -> None:
    design = make_design(TornadoMethod(kind="tornado", low_quantile=0.1, high_quantile=0.9), _inputs(2))
    assert [len(p) for p in design.points] == [0, 1, 1, 1, 1]
    chance = np.array([0.0, 1.0, -1.0, 2.0])  # common to every point of a replication
    slopes = np.array([3.0, -1.0])
    y = np.array([[slopes @ _value(p, 2) + c for c in chance] for p in design.points])
    est = estimate(design, y, Settings())
    bars = {(r["method"], r["input"]): (r["index"], r["low"], r["high"]) for r in est.rows}
    # x0 at its 10th and 90th percentiles (1 and 9) against 5: -12 and +12, no noise left.
    assert bars[("tornado_low", "x0")] == pytest.approx((-12.0, -12.0, -12.0))
    assert bars[("tornado_high", "x1")] == pytest.approx((-4.0, -4.0, -4.0))


def test_noise_share_is_the_interaction_variance_over_that_of_the_point_averages() -> None:
    # y = signal_p + common_r + e_pr: Var(signal) = 4, Var(e) = 1, R = 4, so the
    # averages carry noise 1/4 of 4.25 in all; the common part cancels under CRN.
    rng = np.random.default_rng(0)
    p, r = 2000, 4
    y = rng.normal(0, 2, p)[:, None] + rng.normal(0, 5, r)[None, :] + rng.normal(0, 1, (p, r))
    est = Estimate()
    noise_share(y, Settings(bootstrap=200), est)
    (row,) = est.rows
    # Over 30 seeds the estimate's sd is 0.0024 here: 0.012 is 5 sd of room.
    assert row["index"] == pytest.approx(0.25 / 4.25, abs=0.012)
    assert row["low"] < 0.25 / 4.25 < row["high"]


def test_gap_outcomes_agree_with_the_run_summary_metrics() -> None:
    dates = (dt.date(2020, 1, 1), dt.date(2020, 7, 1), dt.date(2021, 1, 1), dt.date(2021, 7, 1))
    unmet = np.array([0.0, 10.0, 30.0, 5.0])
    series = {f: np.zeros((4, 1, 1)) for f in SERIES_FIELDS}
    series["unmet"][:, 0, 0] = unmet
    series["demand"][:, 0, 0] = unmet + 100
    res = Results("t", 1, dates, ("z",), np.zeros((4, 1, 8), dtype=np.int64), np.zeros((4, 1), dtype=np.int64),
                  np.zeros(1, dtype=np.int64), {k: np.zeros((4, 1), dtype=np.int64) for k in EVENT_KINDS},
                  ("kindergarten",), series)
    got = GapOutcomes()(res).set_index(["metric", "year"])["value"]
    ref = per_rep_gaps(series_table([res])).iloc[0]
    assert got[("peak_unmet", 0)] == ref["peak_unmet"] == 30
    assert got[("unmet_seat_years", 0)] == pytest.approx(ref["unmet_seat_years"])
    assert got[("first_shortfall_days", 0)] == (pd.Timestamp(ref["first_shortfall"]) - pd.Timestamp(dates[0])).days
    assert got[("backlog_end", 0)] == 5.0
    assert (got[("unmet", 2020)], got[("unmet", 2021)]) == (10.0, 30.0)
