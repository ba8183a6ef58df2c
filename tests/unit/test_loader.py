"""Loading scenarios: safe YAML, dates, line numbers, every problem at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.scenario import (
    HousingType,
    Problem,
    Scenario,
    ScenarioError,
    Service,
    load_scenario,
    load_scenario_text,
)

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "scenarios" / "minimal.yaml"


def test_minimal_fixture_loads_into_a_frozen_scenario() -> None:
    s = load_scenario(MINIMAL)
    assert isinstance(s, Scenario)
    assert (s.name, len(s.zones), len(s.housing), len(s.facilities)) == ("minimal", 2, 1, 3)
    assert s.facility("core_school").services == (Service.PRIMARY, Service.MIDDLE)
    assert HousingType.COMMODITY in s.household_profiles
    with pytest.raises(ValueError):
        s.seed = 2  # type: ignore[misc]


def test_yaml_dates_become_dates_and_month_days_stay_text() -> None:
    s = load_scenario(MINIMAL)
    assert s.facility("core_kg").opens == dt.date(2021, 9, 1)
    assert s.project("north_estate").phases[0].date == dt.date(2020, 6, 30)
    assert s.services.school_year.intake == "09-01"
    assert s.services.school_year.age_cutoff == "08-31"


def test_text_and_file_loading_agree() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    assert load_scenario_text(text, str(MINIMAL)) == load_scenario(MINIMAL)


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    return info.value.lines()


def test_every_problem_is_reported_with_its_line() -> None:
    text = (
        MINIMAL.read_text(encoding="utf-8")
        .replace("tfr: 1.1", "tfr: -1")
        .replace("seed: 1", "seed: x")
    )
    lines = _problems(text)
    assert lines == [
        "s.yaml:7: seed: must be a whole number, got 'x'",
        "s.yaml:18: demography.tfr: must be >= 0, got -1",
    ]


def test_problem_prints_as_file_line_path_message() -> None:
    p = Problem(
        "scenarios/x.yaml",
        42,
        "housing[longcheng_gongguan].phases[0].units",
        "must be >= 0, got -5",
    )
    assert (
        str(p)
        == "scenarios/x.yaml:42: housing[longcheng_gongguan].phases[0].units: must be >= 0, got -5"
    )
    assert (
        str(Problem(None, None, "demography.tfr", "must be a number"))
        == "demography.tfr: must be a number"
    )
    assert str(ScenarioError([p, p])) == f"{p}\n{p}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "s.yaml:1: the file is empty (a scenario is a mapping of keys)"),
        ("- 1\n- 2\n", "s.yaml:1: a scenario must be a mapping of keys"),
        (
            "a: 1\nb: [1,\n",
            "s.yaml:3: YAML syntax error: expected the node content, but found '<stream end>'",
        ),
        (
            "a: !!set {x}\n",
            "s.yaml:1: a: unsupported YAML tag '!!set' (only plain YAML data is allowed)",
        ),
        ("a: &x [*x]\n", "s.yaml:1: a[0]: too many or recursive aliases"),
        (
            "a: !!python/name:os.system\n",
            "s.yaml:1: a: unsupported YAML tag '!!python/name:os.system' (only plain YAML data is allowed)",
        ),
    ],
)
def test_unsafe_or_malformed_yaml_gives_one_clear_line(text: str, expected: str) -> None:
    assert _problems(text) == [expected]


def test_extends_in_text_is_relative_to_its_source(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    s = load_scenario_text("extends: base.yaml\nname: from_text\n", str(tmp_path / "variant.yaml"))
    assert (s.name, s.extends, len(s.facilities)) == ("from_text", "base.yaml", 3)


def test_a_missing_file_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("no/such/file.yaml")
    assert info.value.lines() == ["no/such/file.yaml: file not found"]


def test_deeply_nested_values_are_a_scenario_error() -> None:
    assert _problems("a: " + "[" * 5000 + "]" * 5000 + "\n") == [
        "s.yaml: values are nested too deeply"
    ]
