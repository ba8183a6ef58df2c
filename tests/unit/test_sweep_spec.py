"""Sweep specs: strict validation with file, line and key path; designs; applying points."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.experiments.design import apply_point, design_points
from sim.experiments.spec import load_sweep
from sim.scenario import ScenarioError, get_path

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
MINIMAL = (SCENARIOS / "minimal.yaml").as_posix()


def write_spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"name: s\nbase: {MINIMAL}\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    return info.value.lines()


def test_small_spec_loads_with_a_two_by_two_grid() -> None:
    sweep = load_sweep(SCENARIOS / "sweeps" / "small.yaml")
    assert sweep.points == ((0.0, 0.0), (0.0, 12.0), (12.0, 0.0), (12.0, 12.0))
    assert sweep.runs == 12 and sweep.seed == 7
    assert sweep.factor_names == ("housing_delay_months", "kg_opening_lag_months")


def test_opening_lag_delays_kindergartens_that_open_with_their_housing() -> None:
    sweep = load_sweep(SCENARIOS / "sweeps" / "small.yaml")
    s = apply_point(sweep.base, sweep.spec.factors, (6.0, 9.0))
    assert get_path(s, "housing_defaults.delay_months") == 6.0
    delay = get_path(s, "facilities[core_kg].construction_delay_months")
    assert (delay.distribution, delay.mean) == ("fixed", 9.0)
    assert get_path(s, "facilities[core_kg].opens_with") == "north_estate"
    assert get_path(s, "facilities[core_school].construction_delay_months") is None
    assert get_path(sweep.base, "facilities[core_kg].construction_delay_months") is None  # base untouched


def test_unknown_key_and_bad_values_are_reported_at_their_lines(tmp_path: Path) -> None:
    path = write_spec(tmp_path, """\
        replications: 0
        design: {kind: grid}
        factors:
          - name: d
            kind: number
            path: housing_defaults.delay_months
            range: [0, 12]
            colour: red
          - {name: e, kind: date_shift, path: "facilities[core_school].opens", range: [12, 0]}
        """)
    lines = problems(path)
    assert f"{path}:3: replications: must be >= 1, got 0" in lines
    assert f"{path}:10: factors[d].colour: unknown key 'colour'" in lines
    assert any(x.startswith(f"{path}:11: factors[e]: range must be [low, high]") for x in lines)


def test_paths_ids_and_names_are_checked_against_the_base(tmp_path: Path) -> None:
    path = write_spec(tmp_path, """\
        design: {kind: grid}
        factors:
          - {name: a, kind: number, path: demography.tfrr, levels: [1.0]}
          - {name: b, kind: date_shift, path: demography.tfr, levels: [1.0]}
          - {name: c, kind: opening_lag, service: kindergarten, facilities: [core_kg, nowhere], levels: [1]}
        outcomes: {services: [kindergarden]}
        """)
    lines = problems(path)
    assert f"{path}:5: factors[a].path: no key 'tfrr'" in lines
    assert f"{path}:6: factors[b].path: holds no date to shift (it is 1.1)" in lines
    assert f"{path}:7: factors[c].facilities[1]: no facility 'nowhere' in the base scenario" in lines
    assert any(x.startswith(f"{path}:8: outcomes.services[0]: unknown service 'kindergarden'") for x in lines)


def test_unknown_factor_kind_names_the_allowed_kinds(tmp_path: Path) -> None:
    path = write_spec(tmp_path, """\
        design: {kind: grid}
        factors:
          - {name: a, kind: lever, path: demography.tfr, levels: [1.0]}
        """)
    (line,) = problems(path)
    assert line.startswith(f"{path}:5: factors[a].kind:") and "number" in line and "opening_lag" in line


def spec_with_design(tmp_path: Path, design: str) -> Path:
    return write_spec(tmp_path, f"""\
        design: {design}
        factors:
          - {{name: a, kind: number, path: demography.tfr, range: [0, 10]}}
          - {{name: b, kind: choice, path: demography.out_migration_per_year, values: [0.01, 0.02]}}
        """)


def test_latin_hypercube_puts_one_point_in_each_tenth_of_a_range(tmp_path: Path) -> None:
    spec = load_sweep(spec_with_design(tmp_path, "{kind: latin_hypercube, points: 10, seed: 3}")).spec
    points = design_points(spec)
    a = np.array([p[0] for p in points])
    assert sorted(np.floor(a).astype(int)) == list(range(10))
    assert {p[1] for p in points} == {0.01, 0.02}
    assert design_points(spec) == points  # the seed reproduces the design


def test_sobol_points_depend_on_the_seed_only(tmp_path: Path) -> None:
    one = load_sweep(spec_with_design(tmp_path, "{kind: sobol, points: 8, seed: 1}")).spec
    again = design_points(one)
    other = design_points(one.model_copy(update={"design": one.design.model_copy(update={"seed": 2})}))
    assert design_points(one) == again and again != other
    assert len(again) == 8 and all(0 <= p[0] <= 10 for p in again)


def test_grid_spreads_a_range_over_the_levels_asked(tmp_path: Path) -> None:
    spec = load_sweep(spec_with_design(tmp_path, "{kind: grid, levels: 3}")).spec
    assert design_points(spec) == [(0.0, 0.01), (0.0, 0.02), (5.0, 0.01), (5.0, 0.02), (10.0, 0.01), (10.0, 0.02)]


def test_shipped_sweep_spec_is_valid() -> None:
    sweep = load_sweep(Path(__file__).resolve().parents[2] / "scenarios" / "sweeps" / "housing_delay_kg_lag.yaml")
    assert len(sweep.points) == 16
