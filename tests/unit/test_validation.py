"""The validation table: observed figures beside the simulation, by hand arithmetic.

Tiny hand-made result tables (two replications, a few report dates) whose
simulated figures can be worked out on paper: crude rates per 1,000
person-years, classes to seat a first grade, bed occupancy, the 65+ share,
and the 5-95 % range with the ``inside`` flag.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.outputs.validation import COLUMNS, validation_table
from sim.scenario import load_scenario_text

SCENARIO = """
name: observed_town
horizon: {start: 2020-01-01, end: 2022-12-31}
zones:
  - {id: a}
  - {id: b}
demography:
  tfr: 1.1
  fertility_age_shares: {20-29: 1.0}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
facilities:
  - {id: school, service: [primary, middle], zone: a, catchment: [a, b], capacity: {classes: 18}}
  - {id: beds, service: eldercare_bed, zone: b, capacity: {units: 100}}
observed:
  - {quantity: crude_birth_rate_per_1000, year: 2020, value: 10.0, source: "test", used_for: calibration}
  - {quantity: residents, zone: a, date: 2021-01-02, value: 1150, source: "test", used_for: validation}
  - {quantity: share_65_plus, date: 2021-01-01, value: 0.5, source: "test", used_for: validation}
  - {quantity: mean_household_size, zone: a, date: 2021-01-01, value: 2.5, source: "test", used_for: validation}
  - {quantity: first_grade_classes, facility: school, service: primary, year: 2021, value: 3, source: "test", used_for: validation}
  - {quantity: bed_occupancy, zone: b, year: 2021, value: 0.6, source: "test", used_for: validation}
"""

DATES = [dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2022, 1, 1)]


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    pop, ev, fac, older, grades = [], [], [], [], []
    for rep in (0, 1):
        for k, d in enumerate(DATES):
            # Zone a: 1000, 1100, 1200 residents (rep 1: 100 more); zone b: 500 throughout.
            a = 1000 + 100 * k + 100 * rep
            pop += [{"rep": rep, "date": d, "zone": "a", "age_band": "18-59", "residents": a, "households": 400},
                    {"rep": rep, "date": d, "zone": "b", "age_band": "18-59", "residents": 500, "households": 250}]
            ev += [{"rep": rep, "date": d, "zone": z, "births": (0 if k == 0 else 12 + 3 * rep), "deaths": 0}
                   for z in ("a", "b")]
            older += [{"rep": rep, "date": d, "zone": z, "residents_65_plus": 300 + 100 * rep} for z in ("a", "b")]
            fac += [{"rep": rep, "date": dd, "facility": "beds", "service": "eldercare_bed", "zone": "b",
                     "capacity": 100.0, "served": 50.0 + 20 * rep + 10 * m, "waiting": 0.0}
                    for m, dd in enumerate([dt.date(2021, 4, 1), dt.date(2021, 10, 1)])]
        for z, pupils in (("a", 80.0 + 10 * rep), ("b", 50.0)):
            grades.append({"rep": rep, "date": dt.date(2021, 9, 1), "zone": z, "service": "primary", "pupils": pupils})
    frame = pd.DataFrame
    return frame(pop), frame(ev), frame(fac), {"residents_65_plus": frame(older), "first_grades": frame(grades)}


def test_each_observed_figure_is_computed_as_defined() -> None:
    sc = load_scenario_text(SCENARIO)
    pop, ev, fac, extra = _tables()
    v = validation_table(sc, pop, ev, fac, extra, min_replications=2)
    assert list(v.columns) == COLUMNS and len(v) == 6
    rows = v.set_index("quantity")

    # Crude birth rate 2020: 24 births (rep 0; 30 in rep 1) over 366 days, the town
    # growing from 1,500 to 1,600 residents (rep 1: 1,600 to 1,700): trapezoid person-years.
    py = [(1500 + 1600) / 2 * 366 / 365.25, (1600 + 1700) / 2 * 366 / 365.25]
    rates = np.array([24 / py[0], 30 / py[1]]) * 1000
    cbr = rows.loc["crude_birth_rate_per_1000"]
    assert cbr["sim_median"] == pytest.approx(rates.mean())
    assert cbr["sim_low"] == pytest.approx(np.quantile(rates, 0.05))
    assert cbr["sim_high"] == pytest.approx(np.quantile(rates, 0.95))
    assert cbr["used_for"] == "calibration" and cbr["date"] == "2020"

    # Residents of zone a at the report nearest 2021-01-02 (2021-01-01): 1,100 and 1,200.
    res = rows.loc["residents"]
    assert (res["sim_low"], res["sim_high"]) == pytest.approx((1105.0, 1195.0))
    assert bool(res["inside"]) and res["date"] == "2021-01-02"
    # 65+ share of all zones: (300 + 300) / 1,600 and (400 + 400) / 1,700.
    assert rows.loc["share_65_plus", "sim_median"] == pytest.approx((600 / 1600 + 800 / 1700) / 2)
    assert not bool(rows.loc["share_65_plus", "inside"])  # 0.5 lies above both
    # Household size of zone a: 1,100 / 400 and 1,200 / 400.
    assert rows.loc["mean_household_size", "sim_median"] == pytest.approx((2.75 + 3.0) / 2)
    # First grade of the school's catchment (a and b): 130 and 140 pupils, classes of 45 -> 3 and 4.
    assert (rows.loc["first_grade_classes", "sim_low"], rows.loc["first_grade_classes", "sim_high"]) == pytest.approx((3.05, 3.95))
    # Bed occupancy over 2021: (50 + 60) / 200 and (70 + 80) / 200.
    assert rows.loc["bed_occupancy", "sim_median"] == pytest.approx((0.55 + 0.75) / 2)
    assert bool(rows.loc["bed_occupancy", "inside"])


def test_too_few_replications_leave_the_range_unjudged() -> None:
    """Two replications give a range, but not a 90 % one: ``inside`` is left empty, never False."""
    sc = load_scenario_text(SCENARIO)
    v = validation_table(sc, *_tables())
    assert v["inside"].isna().all()
    assert v["sim_median"].notna().all()


def test_the_run_summary_line_counts_only_judged_figures(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from sim.cli.run import print_validation

    rows = {"used_for": ["validation", "validation", "calibration"], "inside": [None, None, None]}
    print_validation(pd.DataFrame(rows), Path("out"))
    assert "2 validation figures beside the simulation, not judged" in capsys.readouterr().out
    rows["inside"] = [True, False, True]
    print_validation(pd.DataFrame(rows), Path("out"))
    assert "Observed figures: 1 of 2 validation figures inside the simulated 90 % range (1 more set inputs)" in (
        capsys.readouterr().out)
