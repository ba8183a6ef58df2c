"""The education model against enrolments worked out by hand.

A small town is wired by hand (the engine's own population, housing, monitor
and schools) and given households whose children were born on known dates, so
that every child's grade in every school year follows from the birthday rule
("aged six by 31 August"), and every seat count below is arithmetic on those
dates and the facilities' classes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import simpy

from sim.engine.calendar import Calendar
from sim.engine.hazards import INF
from sim.engine.households import Household, Person
from sim.engine.housing import Housing
from sim.engine.monitor import Monitor
from sim.engine.population import Population
from sim.engine.results import SERIES_FIELDS
from sim.engine.services import ServiceOutput
from sim.engine.services.base import Context, distance_matrix
from sim.engine.services.school_year import SchoolCalendar, school_stages
from sim.engine.services.schools import build_schools
from sim.engine.streams import Streams
from sim.engine.town import life_tables, report_dates, simulate
from sim.scenario.model import Scenario, Services

DEMOGRAPHY: dict[str, Any] = {
    "tfr": 0.0,
    "fertility_age_shares": {"20-29": 0.5, "30-39": 0.5},
    "mortality": {"gompertz": {"a": 1e-12, "b": 1e-6}, "infant": 0.0},
    "out_migration_per_year": 0.0,
}


def scenario(facilities: list[dict[str, Any]], system: str = "6-3", **services: Any) -> Scenario:
    """Two zones 1 km apart, no housing, the given schools; reports every 1 January and 1 September."""
    return Scenario.model_validate(
        {
            "name": "schools",
            "horizon": {"start": "2019-01-01", "end": "2032-12-31"},
            "report_every": "year",
            "zones": [{"id": "a", "x_km": 0.0}, {"id": "b", "x_km": 1.0}],
            "demography": DEMOGRAPHY,
            "housing_defaults": {"relet_months": None},
            "facilities": facilities,
            "services": {"school_year": {"system": system}, **services},
        }
    )


def children(zone: int, born: dt.date, n: int, start: dt.date, depart: float = INF) -> Household:
    """A household of ``n`` children born at noon on ``born``, who never die."""
    birth = float((born - start).days) + 0.5
    kids = [Person(birth, False, INF, INF, 0, INF) for _ in range(n)]
    return Household(zone, kids, depart, 0, -1)


def run(sc: Scenario, households: list[Household]) -> tuple[ServiceOutput, list[dt.date]]:
    """Run the schools of ``sc`` over a town of exactly ``households``."""
    cal = Calendar(sc.horizon.start, sc.horizon.end)
    env = simpy.Environment()
    streams = Streams(sc.seed)
    pop = Population(env, len(sc.zones), cal.end_time, life_tables(sc.demography))
    housing = Housing(env, sc, pop, streams, cal)  # not wired: these households have no dwelling to let again
    dates = report_dates(sc, cal)
    times = [cal.time(d) for d in dates]
    monitor = Monitor(env, pop, dates, times)
    ctx = Context(env, sc, cal, pop, housing, streams, tuple(dates), tuple(times), {z.id: i for i, z in enumerate(sc.zones)}, distance_matrix(sc))
    model = build_schools(ctx)
    assert model is not None
    for hh in households:
        pop.settle(hh, initial=True)
    model.start()
    monitor.probes.append(model.sample)
    monitor.start()
    env.run(until=cal.end_time + 1.0)
    return model.output(), dates


def school_year(d: dt.date) -> int:
    """The school year (named by its intake year) in progress on ``d``."""
    return d.year if d >= dt.date(d.year, 9, 1) else d.year - 1


def check_rows(out: ServiceOutput, service: str, zone: int, dates: list[dt.date], expected: dict[int, tuple[float, float]]) -> None:
    """Demand and served of one zone on every report date; (0, 0) in years not listed."""
    rows = out.series[next(s for s in out.series if s.value == service)]
    for i, d in enumerate(dates):
        demand, served = expected.get(school_year(d), (0.0, 0.0))
        got = (rows["demand"][i, zone], rows["served"][i, zone], rows["unmet"][i, zone])
        assert got == pytest.approx((demand, served, demand - served), abs=1e-9), (service, zone, d)


# --------------------------------------------------------------------- the town by hand

START = dt.date(2019, 1, 1)
K_BORN = dt.date(2015, 3, 15)  # aged 3 on 2018-08-31, 4 on 2019-08-31 ...
P_BORN = dt.date(2012, 6, 10)  # aged 6 on 2018-08-31
LEAVE = float((dt.date(2020, 3, 1) - START).days)

FACILITIES: list[dict[str, Any]] = [
    {"id": "kg_a", "service": "kindergarten", "zone": "a", "capacity": {"classes": 1}},
    {"id": "p_b", "service": "primary", "zone": "b", "catchment": ["a", "b"], "capacity": {"classes": 1, "class_size": 40}},
    {"id": "p_a", "service": "primary", "zone": "a", "capacity": {"classes": 1}, "opens": "2022-09-01"},
    {"id": "m_b", "service": "middle", "zone": "b", "catchment": ["a", "b"], "capacity": {"classes": 1, "class_size": 35}, "opens": "2025-09-01"},
]
RATES: dict[str, Any] = {"kindergarten": {"enrolment_rate": 0.9, "class_size": 30}, "vocational": {"share": 0.5}}


def hand_town() -> list[Household]:
    """10 children in zone a born 2015-03-15; 50 in zone b born 2012-06-10,
    20 of whom leave town on 2020-03-01."""
    return [
        children(0, K_BORN, 10, START),
        children(1, P_BORN, 20, START, depart=LEAVE),
        children(1, P_BORN, 30, START),
    ]


def test_enrolments_by_hand_six_three() -> None:
    out, dates = run(scenario(FACILITIES, "6-3", **RATES), hand_town())
    # Zone a's cohort: kindergarten at ages 3-5 (school years 2018-20), 10 x 0.9 = 9 seats of 30.
    check_rows(out, "kindergarten", 0, dates, {y: (9.0, 9.0) for y in (2018, 2019, 2020)})
    # Zone b's cohort, primary at 6-11 (2018-23): 40 seats at p_b for 50 children until
    # 20 leave; the 30 left then all hold seats. Zone a's cohort reaches primary in
    # 2021, takes p_b's 10 free seats and keeps them after p_a opens in 2022.
    check_rows(out, "primary", 1, dates, {2018: (50, 40), 2019: (50, 40)} | {y: (30, 30) for y in range(2020, 2024)})
    check_rows(out, "primary", 0, dates, {y: (10, 10) for y in range(2021, 2027)})
    # Middle at 12-14: zone b's 30 wait for m_b (opens 2025-09-01), zone a's 10 find it free in 2027.
    check_rows(out, "middle", 1, dates, {2024: (30, 0), 2025: (30, 30), 2026: (30, 30)})
    check_rows(out, "middle", 0, dates, {y: (10, 10) for y in range(2027, 2030)})
    # Vocational at 15-17 x share 0.5, and no vocational school: all unmet.
    check_rows(out, "vocational", 1, dates, {y: (15, 0) for y in range(2027, 2030)})
    check_rows(out, "vocational", 0, dates, {y: (5, 0) for y in range(2030, 2033)})


def test_enrolments_by_hand_five_four() -> None:
    out, dates = run(scenario(FACILITIES, "5-4", **RATES), hand_town())
    check_rows(out, "kindergarten", 0, dates, {y: (9.0, 9.0) for y in (2018, 2019, 2020)})
    # Primary at 6-10: zone b's cohort in 2018-22, zone a's in 2021-25.
    check_rows(out, "primary", 1, dates, {2018: (50, 40), 2019: (50, 40)} | {y: (30, 30) for y in range(2020, 2023)})
    check_rows(out, "primary", 0, dates, {y: (10, 10) for y in range(2021, 2026)})
    # Middle at 11-14: zone b's 30 from 2023 (m_b from 2025); in 2026 zone a's 10
    # arrive while zone b's 30 still hold 30 of the 35 seats: 5 placed, 5 unmet,
    # and all 10 placed once zone b's cohort has left.
    check_rows(out, "middle", 1, dates, {2023: (30, 0), 2024: (30, 0), 2025: (30, 30), 2026: (30, 30)})
    check_rows(out, "middle", 0, dates, {2026: (10, 5), 2027: (10, 10), 2028: (10, 10), 2029: (10, 10)})


def test_pupils_placed_next_door_move_to_their_own_school_when_it_opens() -> None:
    out, dates = run(scenario(FACILITIES, "6-3", **RATES), hand_town())
    primary = next(v for k, v in out.series.items() if k.value == "primary")
    served = {k.facility: out.facility_series["served"][j] for j, k in enumerate(out.facility_keys)}
    opened = dt.date(2022, 9, 1)
    for i, d in enumerate(dates):
        assert primary["capacity"][i, 1] == 40.0
        assert primary["capacity"][i, 0] == (45.0 if d >= opened else 0.0)
        if dt.date(2021, 9, 1) <= d < opened:
            assert (served["p_a"][i], served["p_b"][i]) == (0.0, 40.0)  # zone a's 10 at p_b, 1 km away
        elif opened <= d < dt.date(2024, 9, 1):
            assert (served["p_a"][i], served["p_b"][i]) == (10.0, 30.0)  # back to zone a's own school


# --------------------------------------------------------------------- nine-year and grade by grade


@pytest.mark.parametrize(("system", "primary", "middle"), [("6-3", 30 * 45, 15 * 50), ("5-4", 25 * 45, 20 * 50)])
def test_nine_year_school_splits_classes_by_grades(system: str, primary: float, middle: float) -> None:
    nine = {"id": "nine", "service": ["primary", "middle"], "zone": "a", "capacity": {"classes": 45}}
    out, _ = run(scenario([nine], system), [])
    caps = {k.service: out.facility_series["capacity"][j] for j, k in enumerate(out.facility_keys)}
    assert caps["primary"][0] == primary
    assert caps["middle"][0] == middle


def test_nine_year_pupils_go_on_to_its_middle_stage() -> None:
    # 9 classes of 10: 60 primary seats, 30 middle. Zone b's 20 children, aged 11 on
    # 2018-08-31, are in its last primary grade; zone a's 25, of the same age, at p_a.
    # At the 2019 intake zone b's 20 keep middle seats at the nine-year school
    # (a fresh placement would favour zone a, 0 km away); zone a gets the other 10.
    facilities = [
        {"id": "nine", "service": ["primary", "middle"], "zone": "a", "catchment": ["a", "b"],
         "capacity": {"classes": 9, "class_size": 10}},
        {"id": "p_a", "service": "primary", "zone": "a", "capacity": {"classes": 1}},
    ]
    born = dt.date(2007, 5, 1)
    out, dates = run(scenario(facilities), [children(0, born, 25, START), children(1, born, 20, START)])
    i = dates.index(dt.date(2019, 9, 1))
    middle = next(v for k, v in out.series.items() if k.value == "middle")
    primary = next(v for k, v in out.series.items() if k.value == "primary")
    assert (primary["served"][i - 1, 0], primary["served"][i - 1, 1]) == (25.0, 20.0)
    assert (middle["served"][i, 0], middle["served"][i, 1]) == (10.0, 20.0)


def cohorts(zone: int, years: list[int], n: int) -> list[Household]:
    """``n`` children born on 1 March of each year."""
    return [children(zone, dt.date(y, 3, 1), n, START) for y in years]


@pytest.mark.parametrize("fill", ["grade_by_grade", "all_grades"])
def test_new_school_fills_grade_by_grade(fill: str) -> None:
    # 6 classes x 45 = 270 seats, 45 per grade; cohorts of 60 aged 5, 6, 7, 8 on 2020-08-31.
    school = {"id": "p", "service": "primary", "zone": "a", "capacity": {"classes": 6}, "opens": "2020-09-01", "fill": fill}
    out, dates = run(scenario([school]), cohorts(0, [2015, 2014, 2013, 2012], 60))
    j = [k.facility for k in out.facility_keys].index("p")
    cap, served = out.facility_series["capacity"][j], out.facility_series["served"][j]
    at = {y: dates.index(dt.date(y, 9, 1)) for y in (2020, 2021, 2022)}
    if fill == "grade_by_grade":
        # Year 1: grade 1 only (45 of the age-6 cohort). Year 2: grades 1-2, the age-5 cohort
        # enters grade 1 and the first pupils move up (45 + 45). Year 3: three grades
        # open (135 seats) but grade 3's 45 seats hold the first pupils already.
        assert [cap[at[y]] for y in at] == [45.0, 90.0, 135.0]
        assert [served[at[y]] for y in at] == [45.0, 90.0, 90.0]
    else:
        # Every grade admits at once: ages 6-8 in 2020 (180), ages 6-9 in 2021 and 7-10 in 2022 (240).
        assert [cap[at[y]] for y in at] == [270.0] * 3
        assert [served[at[y]] for y in at] == [180.0, 240.0, 240.0]


def test_overflow_takes_children_beyond_the_catchment() -> None:
    school = {"id": "p", "service": "primary", "zone": "a", "capacity": {"classes": 2}}
    town = [children(1, P_BORN, 30, START)]
    strict, dates = run(scenario([school]), town)
    loose, _ = run(scenario([school], allocation={"overflow_km": 1.5}), town)
    i = dates.index(dt.date(2019, 9, 1))
    rows = {k.value: v for k, v in strict.series.items()}
    assert rows["primary"]["served"][i, 1] == 0.0
    rows = {k.value: v for k, v in loose.series.items()}
    assert rows["primary"]["served"][i, 1] == 30.0


def test_nearer_zone_has_the_first_claim() -> None:
    # 45 seats in zone a; 40 children in each zone, catchment both: zone a first (0 km), zone b gets 5.
    school = {"id": "p", "service": "primary", "zone": "a", "catchment": ["a", "b"], "capacity": {"classes": 1}}
    out, dates = run(scenario([school]), [children(0, P_BORN, 40, START), children(1, P_BORN, 40, START)])
    rows = {k.value: v for k, v in out.series.items()}["primary"]
    assert rows["served"][0, 0] == 40.0
    assert rows["served"][0, 1] == 5.0


def test_capacity_cut_sheds_pupils() -> None:
    school = {
        "id": "p", "service": "primary", "zone": "a", "capacity": {"classes": 2},
        "capacity_changes": [{"date": "2020-01-01", "classes": 1}],
    }
    out, dates = run(scenario([school]), [children(0, P_BORN, 80, START)])
    rows = {k.value: v for k, v in out.series.items()}["primary"]
    assert rows["served"][dates.index(dt.date(2019, 9, 1)), 0] == 80.0
    assert rows["served"][dates.index(dt.date(2020, 1, 1)), 0] == 45.0


# --------------------------------------------------------------------- the school calendar


def test_ages_follow_the_birthday_rule() -> None:
    sc = scenario(FACILITIES)
    cal = Calendar(sc.horizon.start, sc.horizon.end)
    school = SchoolCalendar(cal, sc.services.school_year)
    env = simpy.Environment()
    pop = Population(env, 2, cal.end_time, life_tables(sc.demography))
    # Born on the cut-off date six years earlier: six. Born a day later: five.
    for born in (dt.date(2013, 8, 31), dt.date(2013, 9, 1), dt.date(2012, 9, 1), dt.date(2016, 2, 29)):
        pop.settle(children(0, born, 1, START), initial=True)
    k = school.year_of(cal.time(dt.date(2019, 10, 1)))
    assert school.cutoffs[k] == dt.date(2019, 8, 31)
    ages = school.ages(pop, k)[0]  # ages 3..17
    assert ages[6 - 3] == 2.0  # 2013-08-31 and 2012-09-01
    assert ages[5 - 3] == 1.0  # 2013-09-01
    assert ages[3 - 3] == 1.0  # 2016-02-29
    assert ages.sum() == 4.0


def test_stages_under_each_system() -> None:
    six_three = [(s.service.value, s.first_age, s.grades) for s in school_stages(Services())]
    assert six_three == [("kindergarten", 3, 3), ("primary", 6, 6), ("middle", 12, 3), ("vocational", 15, 3)]
    five_four = school_stages(Services.model_validate({"school_year": {"system": "5-4"}}))
    assert [(s.first_age, s.grades) for s in five_four] == [(3, 3), (6, 5), (11, 4), (15, 3)]


# --------------------------------------------------------------------- pupil yield


def test_kindergarten_demand_is_the_pupil_yield() -> None:
    """With variation off: units x long-run occupancy x children aged 3-5 per
    household x enrolment rate (docs/model.md §8)."""
    units, occupancy, rate = 4000, 0.8, 0.95
    sc = Scenario.model_validate(
        {
            "name": "pupil_yield",
            "horizon": {"start": "2019-01-01", "end": "2022-12-31"},
            "zones": [{"id": "a"}],
            "demography": DEMOGRAPHY,
            "household_profiles": {
                "commodity": {
                    "kind": "family",
                    "head_age": {"mean": 30, "sd": 0, "min": 30, "max": 30},
                    "partner_share": 1.0,
                    "partner_age_gap_sd": 0.0,
                    "children": {1: 1.0},
                    "child_max_age": 12,
                    "occupancy": {"points": [[1, occupancy]]},
                }
            },
            "housing": [{"id": "estate", "zone": "a", "type": "commodity", "phases": [{"date": "2019-09-02", "units": units}]}],
            "facilities": [{"id": "kg", "service": "kindergarten", "zone": "a", "capacity": {"classes": 100}}],
            "services": {"kindergarten": {"enrolment_rate": rate, "class_size": 30}},
            "variation": {"slippage": False, "occupancy": False, "construction_delay": False},
        }
    )
    res = simulate(sc, seed=7)
    i = res.dates.index(dt.date(2021, 9, 1))
    kg = res.services.index("kindergarten")
    # Every household moved in within a year of delivery, so on 2021-08-31 its child's
    # age is uniform on [s, 12 + s) with 1 <= s <= 2: a quarter are aged 3-5.
    share = 3 / 12
    expected = units * occupancy * 1 * share * rate
    n = units * occupancy
    sd = rate * np.sqrt(n * share * (1 - share))  # binomial sampling error of the child ages
    assert res.series["demand"][i, 0, kg] == pytest.approx(expected, abs=4 * sd)


def test_series_have_every_field() -> None:
    out, dates = run(scenario(FACILITIES, **RATES), hand_town())
    for rows in out.series.values():
        assert set(rows) == set(SERIES_FIELDS)
        assert np.all(rows["waiting"] == 0.0)
        assert np.allclose(rows["served"] + rows["unmet"], rows["demand"])
