"""Sensitivity specs: every problem at its file, line and key path, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.sa_spec import load_sensitivity
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SMALL_BASE = ROOT / "tests" / "scenarios" / "sensitivity" / "small_base.yaml"
MINIMAL = ROOT / "tests" / "scenarios" / "minimal.yaml"
GOOD_INPUT = "  - {id: t, path: demography.tfr, distribution: {kind: uniform, low: 0.5, high: 1.5}, source: s}\n"


def _problems(tmp_path: Path, body: str, base: Path = SMALL_BASE) -> list[str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: s\nbase: {base}\n{body}", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_sensitivity(spec)
    return [line.replace(f"{spec}:", "spec.yaml:") for line in info.value.lines()]


@pytest.mark.parametrize(("body", "expected"), [
    ("method: {kind: morriss}\ninputs: scenario\n",
     "spec.yaml:3: method.kind: unknown kind 'morriss' (allowed: morris, sobol, tornado)"),
    ("method: {kind: morris, trajectories: 4, levels: 3}\ninputs: scenario\n",
     "spec.yaml:3: method: levels must be even (the Morris step is levels/2 grid steps), got 3"),
    ("method: {kind: sobol, samples: 8}\ninputs: scenaria\n",
     "spec.yaml:4: inputs: must be 'scenario', got 'scenaria'"),
    ("method: {kind: sobol, samples: 8}\ninputs:\n  - {id: t, path: demography.tfr, "
     "distribution: {kind: uniform, low: 0.5}, source: s}\n",
     "spec.yaml:5: inputs[t].distribution: missing required key 'high'"),
    ("method: {kind: tornado}\nreplications: 1\ninputs: scenario\n",
     "spec.yaml:4: replications: a tornado's intervals need replications >= 2"),
    ("method: {kind: sobol, samples: 8}\ninputs:\n" + GOOD_INPUT + "outcomes: {zones: [core, moon]}\n",
     "spec.yaml:6: outcomes.zones[1]: no zone 'moon' in the base scenario"),
    ("method: {kind: sobol, samples: 8}\ninputs:\n  - {id: t, path: demography.tfr, apply: scale, "
     "distribution: {kind: uniform, low: 0.5, high: 9}, source: s}\n",
     "spec.yaml:5: inputs[t].distribution: at its high (9.0) the scenario is invalid: demography.tfr: "
     "must be between 0 and 8, got 9.9"),
])
def test_a_bad_spec_is_one_line_at_its_file_line_and_key_path(tmp_path: Path, body: str, expected: str) -> None:
    assert _problems(tmp_path, body) == [expected]


def test_inputs_scenario_needs_a_base_that_declares_some(tmp_path: Path) -> None:
    assert _problems(tmp_path, "method: {kind: sobol, samples: 8}\ninputs: scenario\n", MINIMAL) == [
        "spec.yaml:4: inputs: no inputs to vary (the base declares no uncertain_inputs)"]


def test_inputs_scenario_takes_the_base_scenarios_own(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: s\nbase: {SMALL_BASE}\nmethod: {{kind: sobol, samples: 8}}\ninputs: scenario\n",
                    encoding="utf-8")
    assert [i.id for i in load_sensitivity(spec).inputs] == ["tfr", "occupancy", "kg_enrolment"]
