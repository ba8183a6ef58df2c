"""The JSON Schema printed by ``run.py schema`` accepts every shipped scenario (with its
``extends`` resolved) and the minimal fixture, and rejects an unknown key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sim.scenario import load_merged_mapping

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    result = subprocess.run(
        [sys.executable, "run.py", "schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    schema: dict[str, Any] = json.loads(result.stdout)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator: jsonschema.protocols.Validator, path: Path) -> list[str]:
    data = load_merged_mapping(path, iso_dates=True)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_schema_accepts_each_shipped_scenario(
    validator: jsonschema.protocols.Validator, path: Path
) -> None:
    assert _errors(validator, path) == []


def test_the_shipped_scenarios_are_all_checked() -> None:
    # The parametrised test above runs once per file found: the base and its
    # three variants must be among them, or it would check nothing.
    names = {p.name for p in SHIPPED}
    assert {"liaohe_base.yaml", "liaohe_housing_late.yaml", "liaohe_kg_not_in_step.yaml",
            "liaohe_beds_doubled.yaml"} <= names


@pytest.mark.parametrize("name", ["minimal.yaml", "extends/child.yaml"])
def test_schema_accepts_the_fixtures(validator: jsonschema.protocols.Validator, name: str) -> None:
    assert _errors(validator, ROOT / "tests" / "scenarios" / name) == []


def test_schema_rejects_an_unknown_key(validator: jsonschema.protocols.Validator) -> None:
    errors = _errors(validator, ROOT / "tests" / "scenarios" / "broken" / "unknown_key.yaml")
    assert len(errors) == 1
    assert "colour" in errors[0]
