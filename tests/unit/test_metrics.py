"""Gap metrics and the static requirement, on series small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.outputs.metrics import gap_summary, per_rep_gaps, static_requirement, summarise_gaps
from sim.scenario.model import StaticNorms

DATES = pd.to_datetime(["2020-01-01", "2020-07-01", "2021-01-01", "2021-07-01", "2022-01-01"])


def series(unmet_by_rep: list[list[float]], capacity: float = 100.0) -> pd.DataFrame:
    rows = []
    for rep, unmet in enumerate(unmet_by_rep):
        for d, u in zip(DATES, unmet, strict=True):
            rows.append({"rep": rep, "date": d, "zone": "z", "service": "kindergarten",
                         "demand": capacity + u, "capacity_located": capacity, "served_residents": capacity, "unmet": u,
                         "waiting": 0.0})
    return pd.DataFrame(rows)


def test_per_replication_metrics_by_hand() -> None:
    got = per_rep_gaps(series([[0, 10, 30, 0, 0]])).iloc[0]
    assert got["first_shortfall"] == pd.Timestamp("2020-07-01")
    assert got["peak_unmet"] == 30 and got["peak_date"] == pd.Timestamp("2021-01-01")
    # Held from 2020-07-01 (184 days) and 2021-01-01 (181 days) to the next report.
    assert got["unmet_seat_years"] == pytest.approx((10 * 184 + 30 * 181) / 365.25)
    assert got["months_in_shortfall"] == pytest.approx((184 + 181) / 365.25 * 12)
    assert bool(got["any_shortfall"])


def test_the_last_report_date_stands_for_as_long_as_the_one_before() -> None:
    # Unmet only at the last report (2022-01-01): it is held as long as the interval
    # before it, 2021-07-01 to 2022-01-01 = 184 days.
    got = per_rep_gaps(series([[0, 0, 0, 0, 30]])).iloc[0]
    assert got["unmet_seat_years"] == pytest.approx(30 * 184 / 365.25)
    assert got["months_in_shortfall"] == pytest.approx(184 / 365.25 * 12)
    assert got["first_shortfall"] == got["peak_date"] == pd.Timestamp("2022-01-01")
    # And the first report date stands for the interval after it (182 days).
    first = per_rep_gaps(series([[30, 0, 0, 0, 0]])).iloc[0]
    assert first["unmet_seat_years"] == pytest.approx(30 * 182 / 365.25)


def test_no_shortfall_gives_no_dates_and_zero_totals() -> None:
    got = per_rep_gaps(series([[0, 0, 0, 0, 0]])).iloc[0]
    assert pd.isna(got["first_shortfall"]) and pd.isna(got["peak_date"])
    assert got["unmet_seat_years"] == 0 and not bool(got["any_shortfall"])


def test_across_replications_medians_shares_and_interval() -> None:
    per = per_rep_gaps(series([[0, 10, 30, 0, 0], [0, 0, 0, 0, 0], [0, 0, 20, 20, 0]]))
    s = summarise_gaps(per).iloc[0]
    assert s["share_reps_shortfall"] == pytest.approx(2 / 3)
    assert s["peak_unmet_median"] == 20
    assert s["first_shortfall_median"] == pd.Timestamp("2020-10-01")  # median of two dates
    # Seat-years 10 x 184/365.25 + 30 x 181/365.25, 0, 20 x (181 + 184)/365.25: the
    # 95 % Student-t interval of their mean, t(0.975, 2) = 4.302652729911275 (tables).
    years = np.array([(10 * 184 + 30 * 181) / 365.25, 0.0, 20 * 365 / 365.25])
    half = 4.302652729911275 * years.std(ddof=1) / math.sqrt(3)
    assert s["unmet_seat_years_mean"] == pytest.approx(years.mean())
    assert s["unmet_seat_years_ci_low"] == pytest.approx(years.mean() - half)
    assert s["unmet_seat_years_ci_high"] == pytest.approx(years.mean() + half)


def test_medians_and_90th_percentile_across_replications_by_hand() -> None:
    # First shortfalls 2020-07-01, 2021-01-01 and 2022-01-01: the median is the
    # middle date (their mean would be 2021-03-03). Peaks 30, 0, 20, 40: the 90th
    # percentile interpolates between 30 and 40 at rank 0.9 x 3 = 2.7, giving 37.
    per = per_rep_gaps(series([[0, 10, 30, 0, 0], [0, 0, 0, 0, 0], [0, 0, 20, 0, 0], [0, 0, 0, 0, 40]]))
    s = summarise_gaps(per).iloc[0]
    assert s["first_shortfall_median"] == pd.Timestamp("2021-01-01")
    assert s["peak_unmet_p90"] == pytest.approx(37.0)
    assert s["peak_unmet_median"] == pytest.approx(25.0)
    assert s["share_reps_shortfall"] == pytest.approx(3 / 4)


def test_without_a_shortfall_the_summary_stands_at_the_date_of_peak_demand() -> None:
    s = series([[0, 0, 0, 0, 0]])
    s["demand"] = [50.0, 90.0, 70.0, 60.0, 40.0]
    pop = pd.DataFrame({"rep": 0, "date": DATES, "zone": "z", "age_band": "18-59",
                        "residents": [1000, 2000, 4000, 4000, 4000], "households": 1})
    out = gap_summary(s, pop, StaticNorms()).iloc[0]
    assert out["at_date"] == pd.Timestamp("2020-07-01") and out["demand_at_date"] == 90.0
    assert out["static_requirement_at_date"] == pytest.approx(30.0 * 2)


def test_the_interval_of_the_mean_covers_it_95_percent_of_the_time() -> None:
    # 300 zones of 3 replications each, unmet seat-years drawn normal with mean
    # 10: the share of intervals that contain 10 is 0.95 if they are 95 %
    # intervals (binomial SE sqrt(0.95 x 0.05 / 300) = 0.013; allowed 4 SE).
    # A normal-quantile interval would cover only P(|t_2| < 1.96) = 0.81.
    n_zones, reps = 300, 3
    values = np.random.default_rng(2).normal(10.0, 3.0, (n_zones, reps))
    per = pd.DataFrame({
        "zone": np.repeat([f"z{i}" for i in range(n_zones)], reps), "service": "kindergarten",
        "unmet_seat_years": values.ravel(), "any_shortfall": True, "peak_unmet": 1.0,
        "months_in_shortfall": 1.0, "first_shortfall": pd.NaT, "peak_date": pd.NaT,
        "backlog_at_start": 0.0, "backlog_cleared": pd.NaT, "months_in_backlog": 0.0,
    })
    s = summarise_gaps(per)
    covered = ((s["unmet_seat_years_ci_low"] <= 10.0) & (s["unmet_seat_years_ci_high"] >= 10.0)).mean()
    assert abs(covered - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / n_zones), covered


def test_static_requirement_is_the_quota_times_residents() -> None:
    pop = pd.DataFrame({
        "rep": 0, "date": DATES[0], "zone": "z",
        "age_band": ["0-2", "3-5", "6-11", "12-14", "15-17", "18-59", "60-79", "80+"],
        "residents": [300, 300, 600, 300, 300, 6000, 1800, 400],  # 10,000 residents, 2,200 aged 60+
        "households": 4000,
    })
    req = static_requirement(pop, StaticNorms()).set_index("service")["static_requirement"]
    assert req["kindergarten"] == pytest.approx(30.0 * 10)  # 30 seats per 1,000 residents
    assert req["eldercare_bed"] == pytest.approx(35.0 * 2.2)  # 35 beds per 1,000 aged 60+
    assert req["health_centre"] == 50000  # one centre (of 50,000 residents) is needed


def test_summary_places_the_static_requirement_beside_the_simulation() -> None:
    s = series([[0, 10, 30, 0, 0]])
    pop = pd.DataFrame({"rep": 0, "date": DATES, "zone": "z", "age_band": "18-59",
                        "residents": [1000, 2000, 4000, 4000, 4000], "households": 1})
    out = gap_summary(s, pop, StaticNorms()).iloc[0]
    assert out["at_date"] == pd.Timestamp("2021-01-01")
    assert out["demand_at_date"] == 130 and out["capacity_located_at_date"] == 100
    assert out["static_requirement_at_date"] == pytest.approx(30.0 * 4)
    assert out["simulated_to_static_ratio"] == pytest.approx(130 / 120)


def test_a_gap_at_the_start_is_a_backlog_not_a_shortfall() -> None:
    # rep 0: no backlog, a shortfall from 2020-07-01; rep 1: a backlog of 5 cleared on
    # 2021-01-01, then a new shortfall on 2021-07-01; rep 2: a backlog never cleared.
    per = per_rep_gaps(series([[0, 10, 30, 0, 0], [5, 5, 0, 7, 0], [5, 5, 5, 5, 5]])).set_index("rep")
    assert list(per["backlog_at_start"]) == [0, 5, 5]
    assert pd.isna(per.loc[0, "backlog_cleared"]) and pd.isna(per.loc[2, "backlog_cleared"])
    assert per.loc[1, "backlog_cleared"] == pd.Timestamp("2021-01-01")
    assert per.loc[0, "first_shortfall"] == pd.Timestamp("2020-07-01")
    assert per.loc[1, "first_shortfall"] == pd.Timestamp("2021-07-01")
    assert pd.isna(per.loc[2, "first_shortfall"])  # the starting backlog is not a new shortfall
    # The backlog lasts from the start to 2021-01-01: 366 days held.
    assert per.loc[1, "months_in_backlog"] == pytest.approx(366 / 365.25 * 12)
    assert per.loc[2, "months_in_backlog"] == pytest.approx(per.loc[2, "months_in_shortfall"])
    s = summarise_gaps(per.reset_index()).iloc[0]
    assert s["share_reps_backlog"] == pytest.approx(2 / 3) and s["share_reps_new_shortfall"] == pytest.approx(2 / 3)
    assert s["share_reps_shortfall"] == 1.0 and s["backlog_at_start_median"] == 5


def test_shortfall_probability_by_year_is_the_share_of_replications_short() -> None:
    from sim.outputs.metrics import shortfall_probability

    # 2020: rep 0 short (10), rep 1 not, rep 2 not; 2021: reps 0 and 2 short; 2022: none.
    got = shortfall_probability(series([[0, 10, 30, 0, 0], [0, 0, 0, 0, 0], [0, 0, 20, 20, 0]]))
    p = got.set_index("year")["p_shortfall"]
    assert p[2020] == pytest.approx(1 / 3) and p[2021] == pytest.approx(2 / 3) and p[2022] == 0
    assert set(got["reps"]) == {3}
