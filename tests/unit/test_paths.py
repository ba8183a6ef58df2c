"""Key paths for sweeps: read a value, make a new validated variant, shift a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.scenario import (
    DAYS_PER_MONTH,
    HousingType,
    Scenario,
    ScenarioError,
    get_path,
    load_scenario,
    set_path,
    shift_date_path,
)

MINIMAL = Path(__file__).resolve().parents[2] / "tests" / "scenarios" / "minimal.yaml"


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(MINIMAL)


def _lines(info: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return info.value.lines()


def test_get_path_reads_values_by_key_id_and_index(base: Scenario) -> None:
    assert get_path(base, "demography.tfr") == 1.1
    assert get_path(base, "housing[north_estate].phases[0].date") == dt.date(2020, 6, 30)
    assert get_path(base, "housing[north_estate].phases[-1].units") == 300
    assert get_path(base, "facilities[core_kg].opens") == dt.date(2021, 9, 1)
    assert get_path(base, "zones[1].id") == "village"
    assert get_path(base, "household_profiles.commodity.partner_share") == 0.85
    assert get_path(base, "housing_defaults.delay_months") == 0.0


def test_set_path_returns_a_new_scenario_and_leaves_the_original(base: Scenario) -> None:
    before = base.model_dump()
    variant = set_path(base, "demography.tfr", 1.3)
    assert variant is not base
    assert variant.demography.tfr == 1.3
    assert base.demography.tfr == 1.1
    assert base.model_dump() == before
    assert variant.zones == base.zones


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("housing[north_estate].phases[0].date", dt.date(2021, 1, 15)),
        ("facilities[core_kg].opens", dt.date(2023, 9, 1)),
        ("housing_defaults.delay_months", 6.5),
        ("household_profiles.commodity.occupancy.points[0][1]", 0.6),
        ("demography.fertility_age_shares", {"20-29": 0.7, "30-39": 0.3}),
    ],
)
def test_set_path_sets_each_kind_of_path(base: Scenario, path: str, value: object) -> None:
    assert get_path(set_path(base, path, value), path) == value


def test_set_path_accepts_text_as_a_file_would_hold_it(base: Scenario) -> None:
    variant = set_path(base, "facilities[core_kg].opens", "2022-03-01")
    assert variant.facility("core_kg").opens == dt.date(2022, 3, 1)
    assert HousingType.COMMODITY in variant.household_profiles


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "housing[north_estate].phases[0].units",
            -5,
            "housing[north_estate].phases[0].units: must be >= 0, got -5",
        ),
        ("demography.tfr", "high", "demography.tfr: must be a number, got 'high'"),
        (
            "facilities[core_kg].opens",
            dt.date(2035, 1, 1),
            "facilities[core_kg].opens: must lie inside the horizon 2019-01-01 to 2030-12-31, got 2035-01-01",
        ),
        (
            "facilities[core_kg].zone",
            "nowhere",
            "facilities[core_kg].zone: unknown zone 'nowhere' (zones: core, village)",
        ),
        (
            "housing_defaults.delay_months",
            500,
            "housing_defaults.delay_months: must be between -120 and 120, got 500",
        ),
    ],
)
def test_invalid_variants_raise_with_the_key_path(
    base: Scenario, path: str, value: object, expected: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        set_path(base, path, value)
    assert _lines(info) == [expected]


def test_setting_an_unknown_key_is_rejected_like_in_a_file(base: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        set_path(base, "demography.colour", "red")
    [line] = _lines(info)
    assert line.startswith("demography.colour: unknown key 'colour' (allowed: tfr, ")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("facilities[nope].opens", "facilities[nope].opens: no item with id 'nope'"),
        ("zones[7].name", "zones[7].name: index 7 is out of range (the list has 2 items)"),
        ("demography.tfr.x", "demography.tfr.x: 'x' is not inside a mapping"),
        (
            "demography..tfr",
            "demography..tfr: not a key path (write it like housing[my_project].phases[0].date)",
        ),
        ("nothing.here", "nothing.here: no key 'nothing'"),
    ],
)
def test_paths_that_name_nothing_are_errors(base: Scenario, path: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        get_path(base, path)
    assert _lines(info) == [expected]
    with pytest.raises(ScenarioError):
        set_path(base, path, 1)


@pytest.mark.parametrize(
    ("months", "days"),
    [(1, 30), (-1, -30), (0.5, 15), (12, 365), (-2.25, -68), (24, 730), (0, 0)],
)
def test_shift_date_path_moves_by_julian_months(base: Scenario, months: float, days: int) -> None:
    path = "housing[north_estate].phases[0].date"
    shifted = shift_date_path(base, path, months)
    assert get_path(shifted, path) == dt.date(2020, 6, 30) + dt.timedelta(days=days)
    assert get_path(base, path) == dt.date(2020, 6, 30)
    assert DAYS_PER_MONTH == 30.4375


def test_shift_date_path_needs_a_date_and_stays_in_the_horizon(base: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        shift_date_path(base, "facilities[village_home].opens", 3)
    assert _lines(info) == ["facilities[village_home].opens: holds no date to shift (it is None)"]
    with pytest.raises(ScenarioError) as info:
        shift_date_path(base, "facilities[core_kg].opens", -48)
    assert _lines(info) == [
        "facilities[core_kg].opens: must lie inside the horizon 2019-01-01 to 2030-12-31, got 2017-09-01"
    ]
