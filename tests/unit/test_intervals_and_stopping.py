"""Confidence intervals (single and paired) and the rule that adds replications."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.experiments.replications import HalfwidthRule, next_reps, replicate_until
from sim.outputs.intervals import interval_table, paired_differences, t_halfwidth, widest_half_width

T_975_4 = 2.7764451051977987  # Student t, 0.975 quantile, 4 degrees of freedom (tables)
T_975_3 = 3.182446305284263


def test_t_halfwidth_matches_the_t_table() -> None:
    assert t_halfwidth(2.0, 5) == pytest.approx(T_975_4 * 2.0 / math.sqrt(5))
    assert math.isnan(t_halfwidth(1.0, 1))


def test_interval_table_leaves_out_missing_values() -> None:
    df = pd.DataFrame({"k": ["a"] * 6, "value": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan]})
    row = interval_table(df, ["k"]).iloc[0]
    assert row["n"] == 5 and row["mean"] == 3.0
    assert row["half_width"] == pytest.approx(T_975_4 * math.sqrt(2.5) / math.sqrt(5))


def long(name: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"scenario": name, "rep": range(len(values)), "zone": "z", "service": "kindergarten",
                         "metric": "peak_unmet", "value": values})


def test_paired_difference_by_hand() -> None:
    per_rep = pd.concat([long("a", [1, 2, 3, 4]), long("b", [2, 4, 5, 5])])
    row = paired_differences(per_rep, "a").iloc[0]
    # d = 1, 2, 2, 1: mean 1.5, sd = sqrt(1/3)
    assert (row["scenario"], row["n"], row["diff_mean"]) == ("b", 4, 1.5)
    assert row["half_width"] == pytest.approx(T_975_3 * math.sqrt(1 / 3) / 2)
    assert row["low"] == pytest.approx(1.5 - row["half_width"])


def test_pairs_with_a_missing_value_are_left_out() -> None:
    per_rep = pd.concat([long("a", [1, np.nan, 3, 4]), long("b", [2, 4, np.nan, 6])])
    row = paired_differences(per_rep, "a").iloc[0]
    assert row["n"] == 2 and row["diff_mean"] == 1.5
    # The means are those of the complete pairs (1, 2) and (4, 6) only.
    assert (row["baseline_mean"], row["scenario_mean"]) == (2.5, 4.0)


def test_widest_half_width_of_one_or_every_pair() -> None:
    table = pd.DataFrame({"zone": ["x", "y"], "service": ["kindergarten"] * 2, "metric": ["peak_unmet"] * 2,
                          "half_width": [3.0, 5.0]})
    assert widest_half_width(table, "peak_unmet") == 5.0
    assert widest_half_width(table, "peak_unmet", "x", "kindergarten") == 3.0
    assert math.isnan(widest_half_width(table, "unmet_seat_years"))


def test_halfwidth_rule_reads_metric_pair_and_tolerance() -> None:
    assert HalfwidthRule.parse("unmet_seat_years=50") == HalfwidthRule("unmet_seat_years", 50.0)
    rule = HalfwidthRule.parse("peak_unmet[liaohe_core/kindergarten]=2.5")
    assert (rule.zone, rule.service, rule.tolerance) == ("liaohe_core", "kindergarten", 2.5)
    assert str(rule) == "peak_unmet[liaohe_core/kindergarten]=2.5"
    for bad in ("peak_unmet", "peak_unmet=0", "peak_unmet=-1"):
        with pytest.raises(ValueError):
            HalfwidthRule.parse(bad)


def test_replications_are_added_until_the_half_width_shrinks_below_the_tolerance() -> None:
    ran: list[int] = []
    # A half-width of 10/sqrt(n): below 2 from n = 25 on.
    report = replicate_until(lambda block: ran.extend(block), lambda: 10 / math.sqrt(len(ran)),
                             HalfwidthRule("peak_unmet", 2.0), start=5, max_reps=100)
    assert ran == list(range(25))  # each replication once, in order
    assert report.reached and report.reps == 25
    assert [n for n, _ in report.history] == [5, 10, 20, 25]


def test_stopping_rule_gives_up_at_the_maximum() -> None:
    ran: list[int] = []
    report = replicate_until(lambda block: ran.extend(block), lambda: 10 / math.sqrt(len(ran)),
                             HalfwidthRule("peak_unmet", 0.1), start=4, max_reps=12)
    assert not report.reached and report.reps == 12 and ran == list(range(12))
    assert report.as_dict()["reached"] is False


def test_next_reps_grows_at_most_double_at_least_one() -> None:
    assert next_reps(10, 1.01, 1.0, 100) == 11
    assert next_reps(10, 100.0, 1.0, 100) == 20
    assert next_reps(10, math.nan, 1.0, 15) == 15
