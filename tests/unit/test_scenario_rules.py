"""The scenario format's rules, one by one, at their boundaries.

Each case changes one thing in the minimal fixture and says, from the format's
documentation, whether the result is valid and, if not, which key the problem
is reported at. Values just inside a rule are accepted and values just outside
it are rejected, so a rule that is dropped, loosened or tightened fails here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.scenario import ScenarioError, load_merged_mapping, load_scenario_text

MINIMAL = Path(__file__).resolve().parents[1] / "scenarios" / "minimal.yaml"
BASE: dict[str, Any] = load_merged_mapping(MINIMAL)
_DATE = re.compile(r'"@date:(\d{4}-\d{2}-\d{2})"')
_LINE = re.compile(r"^rules\.yaml:\d+: ([^\s:][^:]*): .+$")


def to_yaml(data: dict[str, Any]) -> str:
    def default(value: Any) -> str:
        if isinstance(value, dt.date):
            return f"@date:{value.isoformat()}"
        raise TypeError(type(value).__name__)

    return _DATE.sub(r"\1", json.dumps(data, indent=2, ensure_ascii=False, default=default))


def problems_after(change: Callable[[dict[str, Any]], None]) -> list[str]:
    """Key paths of the problems of the fixture after ``change`` (empty: valid)."""
    data = copy.deepcopy(BASE)
    change(data)
    try:
        load_scenario_text(to_yaml(data), "rules.yaml")
    except ScenarioError as exc:
        paths = []
        for line in exc.lines():
            m = _LINE.match(line)
            assert m is not None, line
            paths.append(m.group(1))
        return paths
    return []


def _set(*loc_then_value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the place given by all but the last argument to the last argument."""
    *loc, value = loc_then_value

    def change(data: dict[str, Any]) -> None:
        node = data
        for k in loc[:-1]:
            node = node[k]
        node[loc[-1]] = value
    return change


PROFILE = ("household_profiles", "commodity")
HOME = ("facilities", 2)  # village_home, eldercare beds
D = dt.date

CASES: list[tuple[str, Callable[[dict[str, Any]], None], str | None]] = [
    # The horizon ends after it starts.
    ("horizon of no length", _set("horizon", "end", D(2019, 1, 1)), "horizon"),
    ("horizon ending before it starts", _set("horizon", "end", D(2018, 12, 31)), "horizon"),
    # A gamma delay with a mean needs a spread; a uniform one needs high >= low.
    ("gamma slippage without sd", _set("housing", 0, "slippage_months", {"distribution": "gamma", "mean": 4, "sd": 0}),
     "housing[north_estate].slippage_months"),
    ("gamma slippage of mean 0", _set("housing", 0, "slippage_months", {"distribution": "gamma", "mean": 0, "sd": 0}), None),
    ("uniform delay high = low", _set("housing", 0, "slippage_months", {"distribution": "uniform", "low": 2, "high": 2}), None),
    ("uniform delay high < low", _set("housing", 0, "slippage_months", {"distribution": "uniform", "low": 3, "high": 2}),
     "housing[north_estate].slippage_months"),
    # Occupancy: years increase, shares never decrease; a share is at most 1.
    ("occupancy flat", _set(*PROFILE, "occupancy", "points", [[1, 0.5], [3, 0.5]]), None),
    ("occupancy falling", _set(*PROFILE, "occupancy", "points", [[1, 0.5], [3, 0.4]]),
     "household_profiles.commodity.occupancy.points"),
    ("occupancy years repeated", _set(*PROFILE, "occupancy", "points", [[1, 0.5], [1, 0.9]]),
     "household_profiles.commodity.occupancy.points"),
    ("occupancy share above 1", _set(*PROFILE, "occupancy", "points", [[1, 0.5], [3, 1.01]]),
     "household_profiles.commodity.occupancy.points[1][1]"),
    # An age range is ordered: min <= mean <= max.
    ("head age mean at its max", _set(*PROFILE, "head_age", {"mean": 60, "sd": 5, "min": 20, "max": 60}), None),
    ("head age mean above its max", _set(*PROFILE, "head_age", {"mean": 61, "sd": 5, "min": 20, "max": 60}),
     "household_profiles.commodity.head_age"),
    # Age bands: "a-b" with b >= a, contiguous, from 0 for age shares.
    ("one-year band", _set("zones", 1, "initial_population", "age_shares", {"0-14": 0.2, "15-15": 0.05, "16-110": 0.75}), None),
    ("band ending before it starts", _set("zones", 1, "initial_population", "age_shares", {"0-14": 0.2, "64-15": 0.65, "65-110": 0.15}),
     "zones[village].initial_population.age_shares"),
    ("overlapping bands", _set("zones", 1, "initial_population", "age_shares", {"0-14": 0.2, "14-64": 0.65, "65-110": 0.15}),
     "zones[village].initial_population.age_shares"),
    ("a gap between bands", _set("zones", 1, "initial_population", "age_shares", {"0-14": 0.2, "16-64": 0.65, "65-110": 0.15}),
     "zones[village].initial_population.age_shares"),
    ("age shares not from 0", _set("zones", 1, "initial_population", "age_shares", {"1-14": 0.2, "15-64": 0.65, "65-110": 0.15}),
     "zones[village].initial_population.age_shares"),
    # Fertility bands lie within ages 12-55.
    ("fertility from 12 to 55", _set("demography", "fertility_age_shares", {"12-29": 0.6, "30-55": 0.4}), None),
    ("fertility to 56", _set("demography", "fertility_age_shares", {"12-29": 0.6, "30-56": 0.4}), "demography.fertility_age_shares"),
    ("fertility from 11", _set("demography", "fertility_age_shares", {"11-29": 0.6, "30-55": 0.4}), "demography.fertility_age_shares"),
    ("one fertility band ending before it starts", _set("demography", "fertility_age_shares", {"35-20": 1.0}),
     "demography.fertility_age_shares"),
    # Children 0-8, household sizes 1-12.
    ("eight children", _set(*PROFILE, "children", {0: 0.5, 8: 0.5}), None),
    ("nine children", _set(*PROFILE, "children", {0: 0.5, 9: 0.5}), "household_profiles.commodity.children"),
    ("households of 12", _set("zones", 1, "initial_population", "household_size", {1: 0.5, 12: 0.5}), None),
    ("households of 13", _set("zones", 1, "initial_population", "household_size", {1: 0.5, 13: 0.5}),
     "zones[village].initial_population.household_size"),
    ("households of 0", _set("zones", 1, "initial_population", "household_size", {0: 0.5, 2: 0.5}),
     "zones[village].initial_population.household_size"),
    # Shares are within [0, 1].
    ("partner share 1", _set(*PROFILE, "partner_share", 1.0), None),
    ("partner share above 1", _set(*PROFILE, "partner_share", 1.01), "household_profiles.commodity.partner_share"),
    ("infant deaths above 1", _set("demography", "mortality", "infant", 1.5), "demography.mortality.infant"),
    ("enrolment above 1", _set("services", "kindergarten", "enrolment_rate", 1.2), "services.kindergarten.enrolment_rate"),
    # Capacity: exactly one measure; changes in strictly increasing date order.
    ("capacity with no measure", _set(*HOME, "capacity", {}), "facilities[village_home].capacity"),
    ("capacity with two measures", _set(*HOME, "capacity", {"units": 5, "classes": 1}), "facilities[village_home].capacity"),
    ("capacity change with no measure", _set(*HOME, "capacity_changes", [{"date": D(2025, 1, 1)}]),
     "facilities[village_home].capacity_changes[0]"),
    ("two changes in order", _set(*HOME, "capacity_changes", [{"date": D(2025, 1, 1), "units": 80}, {"date": D(2025, 1, 2), "units": 90}]), None),
    ("two changes on one date", _set(*HOME, "capacity_changes", [{"date": D(2025, 1, 1), "units": 80}, {"date": D(2025, 1, 1), "units": 90}]),
     "facilities[village_home].capacity_changes"),
    # Rates and ratios within their documented ranges.
    ("TFR 8", _set("demography", "tfr", 8.0), None),
    ("TFR above 8", _set("demography", "tfr", 8.01), "demography.tfr"),
    ("out-migration above 1 a year", _set("demography", "out_migration_per_year", 1.01), "demography.out_migration_per_year"),
    ("Gompertz a of 0", _set("demography", "mortality", "gompertz", "a", 0.0), "demography.mortality.gompertz.a"),
    ("class of 100", _set("services", "kindergarten", "class_size", 100), None),
    ("class of 101", _set("services", "kindergarten", "class_size", 101), "services.kindergarten.class_size"),
]


@pytest.mark.parametrize(("name", "change", "blamed"), CASES, ids=[c[0] for c in CASES])
def test_rule(name: str, change: Callable[[dict[str, Any]], None], blamed: str | None) -> None:
    got = problems_after(change)
    if blamed is None:
        assert got == [], got
    else:
        assert got and all(p.startswith(blamed) for p in got), (blamed, got)
