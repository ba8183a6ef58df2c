"""Whatever is wrong with a scenario, loading it either succeeds or raises
:class:`ScenarioError` with well-formed one-line problems; never anything else."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import Scenario, ScenarioError, load_merged_mapping, load_scenario_text

MINIMAL = Path(__file__).resolve().parents[2] / "tests" / "scenarios" / "minimal.yaml"
BASE: dict[str, Any] = load_merged_mapping(MINIMAL)
SOURCE = "mutant.yaml"
LINE = re.compile(r"^mutant\.yaml:(\d+): ([^\s:][^:\n]*): [^\n]+$")
_DATE = re.compile(r'"@date:(\d{4}-\d{2}-\d{2})"')

REPLACEMENTS: list[Any] = [
    "x",
    "soon",
    -1,
    -(10**9),
    10**18,
    1e308,
    -0.5,
    0,
    None,
    True,
    [],
    {},
    [1, "a"],
    {"nested": 1},
    "2021-13-45",
    "09-99",
    dt.date(1900, 1, 1),
    dt.date(2999, 12, 31),
    "Bad Id",
    "core",
]


def _paths(value: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the data: mapping keys and list indices from the root."""
    found = [loc] if loc else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*loc, i))
    return found


def _parent(data: Any, loc: tuple[Any, ...]) -> Any:
    for elem in loc[:-1]:
        data = data[elem]
    return data


def _mutate(data: dict[str, Any], draw: st.DrawFn) -> None:
    loc = draw(st.sampled_from(_paths(data)))
    parent, last = _parent(data, loc), loc[-1]
    op = draw(st.sampled_from(["delete", "replace", "unknown_key", "break_id", "date_text"]))
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
    elif op == "unknown_key" and isinstance(parent[last], dict):
        parent[last][draw(st.sampled_from(["colour", "zone", "id", "kind", "extends"]))] = "x"
    elif op == "break_id" and isinstance(parent, dict) and "id" in parent:
        parent["id"] = draw(
            st.sampled_from(["core", "village", "north_estate", "core_kg", "", "Bad Id", 7])
        )
    elif op == "date_text" and isinstance(parent[last], dt.date):
        parent[last] = draw(
            st.sampled_from(["soon", "2021/09/01", "01-09-2021", parent[last].isoformat()])
        )
    else:
        parent[last] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))


@st.composite
def mutants(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not _paths(data):
            break
        _mutate(data, draw)
    return data


def to_yaml(data: dict[str, Any]) -> str:
    """Write data as YAML (indented JSON is YAML) with dates left as YAML dates."""

    def default(value: Any) -> str:
        if isinstance(value, dt.date):
            return f"@date:{value.isoformat()}"
        raise TypeError(type(value).__name__)

    text = json.dumps(data, indent=2, ensure_ascii=False, default=default)
    return _DATE.sub(r"\1", text)


def test_unmutated_fixture_round_trips() -> None:
    assert isinstance(load_scenario_text(to_yaml(BASE), SOURCE), Scenario)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_mutated_scenarios_load_or_fail_cleanly(data: dict[str, Any]) -> None:
    text = to_yaml(data)
    n_lines = text.count("\n") + 1
    try:
        scenario = load_scenario_text(text, SOURCE)
    except ScenarioError as exc:
        assert exc.problems
        for line in exc.lines():
            m = LINE.match(line)
            assert m is not None, line
            assert 1 <= int(m.group(1)) <= n_lines, line
    else:
        assert isinstance(scenario, Scenario)
