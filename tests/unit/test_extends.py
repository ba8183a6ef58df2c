"""``extends``: merge by id, removal, whole-list replacement, and line numbers that
point into the file where each value was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.scenario import ScenarioError, Service, load_scenario

ROOT = Path(__file__).resolve().parents[2]
CHILD = "tests/scenarios/extends/child.yaml"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_child_merges_items_by_id(in_root: None) -> None:
    s = load_scenario(CHILD)
    kg = s.facility("core_kg")
    assert kg.capacity.classes == 9  # from the child
    assert kg.opens == dt.date(2021, 9, 1)  # kept from the parent
    assert kg.opens_with == "north_estate"


def test_child_removes_and_appends_items(in_root: None) -> None:
    s = load_scenario(CHILD)
    assert [f.id for f in s.facilities] == ["core_kg", "core_school", "village_clinic"]
    assert s.facility("village_clinic").services == (Service.HEALTH_CENTRE,)


def test_lists_without_ids_are_replaced_whole(in_root: None) -> None:
    phases = load_scenario(CHILD).project("north_estate").phases
    assert [(p.date, p.units) for p in phases] == [(dt.date(2021, 6, 30), 500)]


def test_resolved_scenario_keeps_the_child_name_and_extends(in_root: None) -> None:
    s = load_scenario(CHILD)
    assert (s.name, s.extends) == ("minimal_child", "../minimal.yaml")
    assert len(s.zones) == 2


def test_problems_point_into_the_file_that_wrote_the_value(in_root: None) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("tests/scenarios/extends/grandchild_broken.yaml")
    outside = "must lie inside the horizon 2019-01-01 to 2022-01-01"
    assert sorted(info.value.lines()) == sorted(
        [
            "tests/scenarios/extends/grandchild_broken.yaml:9: facilities[far_kg].zone: "
            "unknown zone 'far_away' (zones: core, village)",
            f"tests/scenarios/minimal.yaml:52: facilities[core_school].opens: {outside}, got 2022-09-01",
            f"tests/scenarios/extends/child.yaml:13: facilities[village_clinic].opens: {outside}, got 2024-01-01",
        ]
    )


def test_a_parent_with_a_syntax_error_is_reported_in_the_parent(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text("name: p\nzones: [\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "child.yaml")
    [line] = info.value.lines()
    assert line.startswith(f"{tmp_path / 'parent.yaml'}:3: YAML syntax error")


def test_extends_must_name_a_file(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text("name: c\nextends: [a, b]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "child.yaml")
    assert info.value.lines() == [
        f"{tmp_path / 'child.yaml'}:2: extends: must be the name of a scenario file"
    ]
