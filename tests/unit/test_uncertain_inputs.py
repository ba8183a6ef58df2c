"""Uncertain inputs in a scenario: what may be declared, the problems reported at file,
line and key path, and the variants made with drawn values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.scenario import ScenarioError, load_scenario, load_scenario_text
from sim.scenario.uncertain import apply_inputs, scaled

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "scenarios" / "minimal.yaml"
SMALL = ROOT / "tests" / "scenarios" / "sensitivity" / "small_base.yaml"


def _with_inputs(block: str) -> str:
    return f"extends: {MINIMAL}\nname: u\nuncertain_inputs:\n{block}"


def _problems(block: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(_with_inputs(block), "u.yaml")
    return info.value.lines()


def test_declared_inputs_load_with_their_distributions_and_sources() -> None:
    s = load_scenario(SMALL)
    assert [i.id for i in s.uncertain_inputs] == ["tfr", "occupancy", "kg_enrolment"]
    tfr = s.uncertain_input("tfr")
    assert (tfr.apply, tfr.distribution.kind, tfr.source) == ("scale", "triangular", "ASSUMPTION: test fixture")


@pytest.mark.parametrize(("block", "expected"), [
    ("  - {id: a, path: demography.tfr, distribution: {kind: uniform, low: 1, high: 0}, source: s}\n",
     "u.yaml:4: uncertain_inputs[a].distribution: need low < high, got low 1.0 and high 0.0"),
    ("  - {id: a, path: demography.tfr, distribution: {kind: unifrom, low: 0, high: 1}, source: s}\n",
     "u.yaml:4: uncertain_inputs[a].distribution.kind: unknown kind 'unifrom' (allowed: uniform, triangular, "
     "truncated_normal, lognormal, choice)"),
    ("  - {id: a, path: demography.tfrr, distribution: {kind: uniform, low: 0, high: 1}, source: s}\n",
     "u.yaml:4: uncertain_inputs[a].path: no key 'tfrr'"),
    ("  - {id: a, path: 'facilities[core_kg].opens', distribution: {kind: uniform, low: 0, high: 1}, source: s}\n",
     "u.yaml:4: uncertain_inputs[a].path: holds a date: use apply: shift_months"),
    ("  - {id: a, path: demography.tfr, apply: shift_months, distribution: {kind: uniform, low: 0, high: 1}, "
     "source: s}\n",
     "u.yaml:4: uncertain_inputs[a].path: holds no date to shift (it is 1.1)"),
    ("  - {id: a, path: household_profiles.commodity.occupancy, distribution: {kind: uniform, low: 0, high: 1}, "
     "source: s}\n",
     "u.yaml:4: uncertain_inputs[a].path: holds a schedule: use apply: scale to multiply its values"),
    ("  - {id: a, path: demography.tfr, apply: scale, distribution: {kind: uniform, low: -1, high: 1}, source: s}\n",
     "u.yaml:4: uncertain_inputs[a]: a scale factor must be >= 0; the distribution reaches below 0"),
    ("  - {id: a, path: demography.tfr, distribution: {kind: uniform, low: 0, high: 1}}\n",
     "u.yaml:4: uncertain_inputs[a]: missing required key 'source'"),
])
def test_a_bad_input_is_one_line_at_its_file_line_and_key_path(block: str, expected: str) -> None:
    assert _problems(block) == [expected]


def test_two_inputs_on_one_value_are_refused() -> None:
    lines = _problems(
        "  - {id: a, path: demography.tfr, distribution: {kind: uniform, low: 0.5, high: 1}, source: s}\n"
        "  - {id: b, path: demography, apply: scale, distribution: {kind: uniform, low: 0.5, high: 1}, source: s}\n")
    assert lines == ["u.yaml:5: uncertain_inputs[b].path: holds nothing to scale (it is a mapping)",
                     "u.yaml:5: uncertain_inputs[b].path: overlaps demography.tfr, which uncertain input 'a' acts on"]


def test_a_range_whose_extreme_breaks_the_scenario_is_refused_when_loaded() -> None:
    # 1.2 x the occupancy curve's last share 0.9 is 1.08: not a share.
    lines = _problems("  - id: occ\n    path: household_profiles.commodity.occupancy\n    apply: scale\n"
                      "    distribution: {kind: triangular, low: 0.8, mode: 1.0, high: 1.2}\n    source: s\n")
    assert lines == ["u.yaml:7: uncertain_inputs[occ].distribution: at its high (1.2) the scenario is invalid: "
                     "household_profiles.commodity.occupancy.points[1][1]: must be between 0 and 1, got 1.08"]


def test_scale_multiplies_a_number_a_whole_number_and_every_value_of_a_curve() -> None:
    s = load_scenario(SMALL)
    occ, tfr = s.uncertain_input("occupancy"), s.uncertain_input("tfr")
    v = apply_inputs(s, [(occ, 0.5), (tfr, 1.2)])
    assert v.demography.tfr == pytest.approx(1.1 * 1.2)
    assert v.household_profiles["commodity"].occupancy.points == [(1.0, 0.25), (3.0, 0.45)]  # type: ignore[index]
    assert scaled(7, 1.3) == 9 and isinstance(scaled(7, 1.3), int)
    assert s.demography.tfr == 1.1  # the original is untouched


def test_scale_multiplies_every_value_of_a_dated_schedule() -> None:
    class Schedule(BaseModel):  # the shape of a dated rate schedule: points of [date, value]
        interpolation: str
        points: list[tuple[dt.date, float]]

    sched = Schedule(interpolation="step", points=[(dt.date(2020, 1, 1), 1.0), (dt.date(2030, 1, 1), 1.3)])
    assert scaled(sched, 0.9)["points"] == [[dt.date(2020, 1, 1), 0.9], [dt.date(2030, 1, 1), pytest.approx(1.17)]]


def test_shift_months_moves_a_date_by_months_of_365_25_over_12_days() -> None:
    s = load_scenario_text(_with_inputs(
        "  - {id: late, path: 'housing[north_estate].phases[0].date', apply: shift_months,\n"
        "     distribution: {kind: choice, values: [0, 12]}, source: s}\n"), "u.yaml")
    v = apply_inputs(s, [(s.uncertain_inputs[0], 12)])
    assert v.project("north_estate").phases[0].date == dt.date(2020, 6, 30) + dt.timedelta(days=365)


def test_a_variant_may_remove_an_inherited_input_by_id(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SMALL}\nname: child\nuncertain_inputs:\n  - {{id: tfr, remove: true}}\n",
                     encoding="utf-8")
    assert [i.id for i in load_scenario(child).uncertain_inputs] == ["occupancy", "kg_enrolment"]


def test_the_base_scenario_declares_the_inputs_planners_are_unsure_of_with_sources() -> None:
    base = load_scenario(ROOT / "scenarios" / "liaohe_base.yaml")
    paths = {p for i in base.uncertain_inputs for p in i.paths}
    assert {"demography.tfr", "household_profiles.commodity.occupancy", "housing_defaults.slippage_months.mean",
            "enterprises.workers.live_in_town_share", "services.eldercare_bed.institutional_share"} <= paths
    assert all("facts.md" in i.source or "ASSUMPTION" in i.source for i in base.uncertain_inputs)


def test_the_shipped_morris_spec_varies_exactly_the_base_scenarios_uncertain_inputs() -> None:
    from sim.experiments.sa_spec import load_sensitivity

    sa = load_sensitivity(ROOT / "scenarios" / "sensitivity" / "base_morris.yaml")
    strip = [i.model_copy(update={"description": ""}) for i in sa.base.uncertain_inputs]
    assert [(i.id, i.paths, i.apply, i.distribution) for i in sa.inputs] == \
        [(i.id, i.paths, i.apply, i.distribution) for i in strip]
