"""``run.py validate`` on broken scenarios: exit status 2, no traceback, and the exact
one-line problem (file as given, line, key path, message) for each file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "tests/scenarios/broken"
SERVICES = (
    "kindergarten, primary, middle, vocational, eldercare_bed, day_care, senior_canteen, "
    "family_doctor, health_centre, service_centre, factory_space, housing"
)
FACILITY_KEYS = (
    "id, name, service, zone, catchment, capacity, capacity_changes, opens, "
    "construction_delay_months, opens_with, fill, categories, source"
)

EXPECTED: dict[str, list[str]] = {
    "unknown_key.yaml": [
        f"5: facilities[core_kg].colour: unknown key 'colour' (allowed: {FACILITY_KEYS})"
    ],
    "wrong_type.yaml": ["3: demography.tfr: must be a number, got 'lots'"],
    "bad_date.yaml": ["4: facilities[core_kg].opens: must be a date like 2021-09-01, got 'soon'"],
    "impossible_date.yaml": [
        "5: housing[north_estate].phases[0].date: must be a date like 2021-09-01, got '2021-02-30'"
    ],
    "date_outside_horizon.yaml": [
        "6: housing[north_estate].phases[1].date: must lie inside the horizon 2019-01-01 to 2030-12-31, "
        "got 2035-06-30"
    ],
    "unknown_zone.yaml": [
        "5: facilities[far_clinic].zone: unknown zone 'nowhere' (zones: core, village)"
    ],
    "unknown_opens_with.yaml": [
        "4: facilities[core_kg].opens_with: unknown housing project 'south_estate' (projects: north_estate)"
    ],
    "negative_units.yaml": ["5: housing[north_estate].phases[0].units: must be >= 0, got -5"],
    "negative_capacity.yaml": ["4: facilities[village_home].capacity.units: must be >= 0, got -50"],
    "shares_not_summing.yaml": [
        "5: zones[village].initial_population.age_shares: age shares must sum to 1, got 0.9"
    ],
    "yaml_syntax.yaml": [
        "4: YAML syntax error: expected ',' or '}', but got ':' (while parsing a flow mapping on line 3)"
    ],
    "extends_cycle_a.yaml": [
        "!extends_cycle_b.yaml:2: extends: forms a cycle: "
        f"{BROKEN}/extends_cycle_a.yaml -> {BROKEN}/extends_cycle_b.yaml -> {BROKEN}/extends_cycle_a.yaml"
    ],
    "extends_cycle_b.yaml": [
        "!extends_cycle_a.yaml:2: extends: forms a cycle: "
        f"{BROKEN}/extends_cycle_b.yaml -> {BROKEN}/extends_cycle_a.yaml -> {BROKEN}/extends_cycle_b.yaml"
    ],
    "extends_self.yaml": [
        f"2: extends: forms a cycle: {BROKEN}/extends_self.yaml -> {BROKEN}/extends_self.yaml"
    ],
    "missing_parent.yaml": [f"3: extends: parent file not found: {BROKEN}/no_such_parent.yaml"],
    "missing_required.yaml": ["3: facilities[lost_canteen]: missing required key 'zone'"],
    "missing_top_level.yaml": ["1: scenario: missing required key 'demography'"],
    "python_object_tag.yaml": [
        "4: description: unsupported YAML tag '!!python/object/apply:os.system' "
        "(only plain YAML data is allowed)"
    ],
    "duplicate_id.yaml": ["5: zones[2].id: duplicate id 'core'"],
    "duplicate_key.yaml": ["3: seed: duplicate key 'seed'"],
    "capacity_units_for_school.yaml": [
        "6: facilities[core_primary].capacity.units: primary capacity is given in classes, not units"
    ],
    "teams_for_beds.yaml": [
        "6: facilities[core_home].capacity.teams: eldercare_bed capacity is given in units, not teams"
    ],
    "multi_service.yaml": [
        "4: facilities[campus].service: only primary and middle may share one facility "
        "(a nine-year school), got kindergarten, primary"
    ],
    "bad_month_day.yaml": ["4: services.school_year.intake: '13-01' is not a day of the year"],
    "unknown_service.yaml": [
        f"4: facilities[core_kg].service: unknown service 'nursery' (allowed: {SERVICES})"
    ],
    "categories_not_service_centre.yaml": [
        "4: facilities[village_home].categories: categories are only for service_centre facilities"
    ],
    "missing_profile.yaml": [
        "5: housing[village_resettlement].type: no household profile for housing type 'resettlement' "
        "(add household_profiles.resettlement)"
    ],
    "remove_unknown.yaml": [
        "3: facilities[ghost_school]: cannot remove 'ghost_school': no such item to remove"
    ],
    "bad_id.yaml": [
        "3: zones[East-Side].id: must be an id (lowercase letters, digits and _, starting with a letter), "
        "got 'East-Side'"
    ],
    "many_problems.yaml": [
        "3: seed: must be >= 0, got -1",
        "6: demography.out_migration_per_year: must be between 0 and 1, got 2",
        "9: facilities[core_kg].fill: must be one of 'all_grades' or 'grade_by_grade', got 'someday'",
    ],
}
"""Expected stderr lines per broken file. A line starts with the line number in the
broken file itself, or with ``!other.yaml:`` for a problem reported in a sibling file."""


def _full(name: str, line: str) -> str:
    if line.startswith("!"):
        return f"{BROKEN}/{line[1:]}"
    return f"{BROKEN}/{name}:{line}"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python run.py ARGS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_every_broken_file_has_an_expected_message() -> None:
    on_disk = {p.name for p in (ROOT / BROKEN).glob("*.yaml")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_reports_the_problem_and_exits_2(name: str) -> None:
    result = run_cli("validate", f"{BROKEN}/{name}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [_full(name, line) for line in EXPECTED[name]]


def test_validate_reports_each_file_and_fails_if_any_is_broken() -> None:
    result = run_cli("validate", "tests/scenarios/minimal.yaml", f"{BROKEN}/wrong_type.yaml")
    assert result.returncode == 2
    assert (
        result.stdout
        == "ok: tests/scenarios/minimal.yaml (minimal, 2 zones, 1 housing projects, 3 facilities)\n"
    )
    assert (
        result.stderr
        == f"{BROKEN}/wrong_type.yaml:3: demography.tfr: must be a number, got 'lots'\n"
    )


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        f'name: x\nseed: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8"
    )
    result = run_cli("validate", str(hostile))
    assert result.returncode == 2
    assert not marker.exists()
    assert result.stderr == (
        f"{hostile}:2: seed: unsupported YAML tag '!!python/object/apply:os.system' "
        "(only plain YAML data is allowed)\n"
    )
