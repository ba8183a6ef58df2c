"""Mutated scenarios: the loader rejects exactly what it must, at the key that is wrong.

Every mutation of the valid fixture below carries a verdict written by hand
from the scenario format, not from the validator: shares scaled off 1 by more
than the rounding tolerance (0.1 %) are rejected, shares moved between bands or
off by less are accepted; a negative number is rejected except for coordinates
and the housing delay; a number written as text, an unknown key, a reference to
an id that does not exist and a date outside the horizon are rejected; doubled
counts and moved coordinates are accepted. A rejection must name the mutated
key path (or the share table that no longer sums to 1) in a well-formed
``file:line: key.path: message`` line. So validation that is loosened (a share
check one-sided, a bound dropped) or tightened (a valid value refused) fails here.

The first test applies every single mutation to every place it fits; the
second combines a few at random (a scenario with any rejectable mutation is
rejected); the third throws arbitrary values at arbitrary places and asks only
that the loader never fails with anything but a clean :class:`ScenarioError`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import Scenario, ScenarioError, load_merged_mapping, load_scenario_text

MINIMAL = Path(__file__).resolve().parents[2] / "tests" / "scenarios" / "minimal.yaml"
BASE: dict[str, Any] = load_merged_mapping(MINIMAL)
# The fixture relies on the default household sizes: give the village its own,
# so that this share table is mutated too.
BASE["zones"][1]["initial_population"]["household_size"] = {1: 0.2, 2: 0.3, 3: 0.3, 4: 0.2}
SOURCE = "mutant.yaml"
LINE = re.compile(r"^mutant\.yaml:(\d+): ([^\s:][^:\n]*): [^\n]+$")
_DATE = re.compile(r'"@date:(\d{4}-\d{2}-\d{2})"')

SHARE_TABLES = {"age_shares", "fertility_age_shares", "children", "household_size"}
SIGNED = {"x_km", "y_km", "delay_months"}  # numbers that may be negative
REFERENCES = {"zone", "opens_with", "relocates_from"}  # and every entry of a catchment
COUNTS = {"residents", "units", "classes"}
TOLERANCE = 1e-3  # shares may sum to 1 +- 0.1 % (planners round percentages)
OFF_BY = (0.5, 0.9, 0.995, 1.005, 1.1, 1.3)  # scale factors off 1 by more than the tolerance
WITHIN = (0.9996, 1.0004)  # and within it


def to_yaml(data: dict[str, Any]) -> str:
    """Write data as YAML (indented JSON is YAML) with dates left as YAML dates."""

    def default(value: Any) -> str:
        if isinstance(value, dt.date):
            return f"@date:{value.isoformat()}"
        raise TypeError(type(value).__name__)

    text = json.dumps(data, indent=2, ensure_ascii=False, default=default)
    return _DATE.sub(r"\1", text)


# --------------------------------------------------------------------- places and paths


def _places(value: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the data: mapping keys and list indices from the root."""
    found = [loc] if loc else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _places(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _places(v, (*loc, i))
    return found


def _get(data: Any, loc: tuple[Any, ...]) -> Any:
    for elem in loc:
        data = data[elem]
    return data


def key_path(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """The loader's spelling of a place: ``facilities[core_kg].capacity.classes``,
    items with an id by id, other list entries by index."""
    out, node = "", data
    for elem in loc:
        if isinstance(node, list):
            item = node[elem]
            out += f"[{item['id']}]" if isinstance(item, dict) and "id" in item else f"[{elem}]"
        else:
            out += f".{elem}" if out else str(elem)
        node = node[elem]
    return out


def _in_share_table(loc: tuple[Any, ...]) -> bool:
    return any(k in SHARE_TABLES for k in loc[:-1])


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# --------------------------------------------------------------------- judged mutations


@dataclass(frozen=True)
class Mutation:
    """One change to one place, with the verdict the format gives it."""

    kind: str
    loc: tuple[Any, ...]  # the place changed
    value: Any  # new value (or scale factor for share tables)
    reject: bool
    blame: str  # the key path a rejection must name (or lie under)

    def apply(self, data: dict[str, Any]) -> None:
        parent, last = _get(data, self.loc[:-1]), self.loc[-1]
        if self.kind in ("scale_shares", "shift_shares"):
            table = parent[last]
            if self.kind == "scale_shares":
                for k in table:
                    table[k] *= self.value
            else:  # move half of the smallest positive share to the largest one
                keys = sorted((k for k in table if table[k] > 0), key=lambda k: table[k])
                move = table[keys[0]] / 2
                table[keys[0]] -= move
                table[keys[-1]] += move
        elif self.kind == "unknown_key":
            parent[last]["colour"] = "red"
        else:
            parent[last] = self.value

    def __str__(self) -> str:
        return f"{self.kind} {'/'.join(map(str, self.loc))} -> {self.value!r}"


def judged_mutations(data: dict[str, Any]) -> list[Mutation]:
    """Every single mutation of ``data`` that has a verdict by the rules above."""
    found: list[Mutation] = []
    for loc in _places(data):
        value, key = _get(data, loc), loc[-1]
        in_catchment = len(loc) > 1 and loc[-2] == "catchment"
        here = key_path(data, loc)
        if isinstance(value, dict) and key in SHARE_TABLES:
            found += [Mutation("scale_shares", loc, f, True, here) for f in OFF_BY]
            found += [Mutation("scale_shares", loc, f, False, here) for f in WITHIN]
            found.append(Mutation("shift_shares", loc, None, False, here))
        elif isinstance(value, dict):
            found.append(Mutation("unknown_key", loc, None, True, here + ".colour"))
        elif _is_number(value):
            blame = key_path(data, loc[:-1]) if _in_share_table(loc) else here
            negative = -1 - abs(value)
            found.append(Mutation("replace", loc, negative, key not in SIGNED, blame))
            found.append(Mutation("replace", loc, "x", True, blame))
            if key in COUNTS and isinstance(value, int):
                found.append(Mutation("replace", loc, 2 * value, False, here))
        elif isinstance(value, str) and (key in REFERENCES or in_catchment):
            found.append(Mutation("replace", loc, "nowhere", True, here))
        elif isinstance(value, dt.date) and "horizon" not in loc:
            found.append(Mutation("replace", loc, dt.date(1900, 1, 1), True, here))
            found.append(Mutation("replace", loc, dt.date(2999, 12, 31), True, here))
    found.append(Mutation("replace", ("colour",), "red", True, "colour"))  # unknown top-level key
    return found


MUTATIONS = judged_mutations(BASE)


def verdict_holds(data: dict[str, Any], mutations: list[Mutation]) -> None:
    """Load the mutated data; assert the verdict and that a rejection names a key
    that must be rejected. (Checks across the scenario, such as dates inside the
    horizon, run only once every part is well-formed, so of several problems
    only some may be reported.)"""
    text = to_yaml(data)
    n_lines = text.count("\n") + 1
    what = "; ".join(map(str, mutations))
    try:
        load_scenario_text(text, SOURCE)
    except ScenarioError as exc:
        paths = []
        for line in exc.lines():
            m = LINE.match(line)
            assert m is not None, line
            assert 1 <= int(m.group(1)) <= n_lines, line
            paths.append(m.group(2))
        assert any(m.reject for m in mutations), f"valid scenario rejected after {what}: {exc.lines()}"
        blamed = [m.blame for m in mutations if m.reject]
        named = any(p == b or p.startswith((b + ".", b + "[")) for p in paths for b in blamed)
        assert named, (what, blamed, paths)
    else:
        assert not any(m.reject for m in mutations), f"accepted after {what}"


def test_the_fixture_is_valid_and_every_kind_of_mutation_applies() -> None:
    assert isinstance(load_scenario_text(to_yaml(BASE), SOURCE), Scenario)
    kinds = {(m.kind, m.reject) for m in MUTATIONS}
    assert {("scale_shares", True), ("scale_shares", False), ("shift_shares", False), ("unknown_key", True),
            ("replace", True), ("replace", False)} <= kinds
    tables = {m.loc[-1] for m in MUTATIONS if m.kind == "scale_shares"}
    assert tables == SHARE_TABLES


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_each_mutation_gets_its_verdict(mutation: Mutation) -> None:
    data = copy.deepcopy(BASE)
    mutation.apply(data)
    verdict_holds(data, [mutation])


def _disjoint(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] != b[:n]


@st.composite
def combined(draw: st.DrawFn) -> list[Mutation]:
    chosen: list[Mutation] = []
    for _ in range(draw(st.integers(min_value=2, max_value=4))):
        m = draw(st.sampled_from(MUTATIONS))
        if all(_disjoint(m.loc, c.loc) for c in chosen):
            chosen.append(m)
    return chosen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(combined())
def test_combined_mutations_are_rejected_if_any_must_be(mutations: list[Mutation]) -> None:
    data = copy.deepcopy(BASE)
    for m in mutations:
        m.apply(data)
    verdict_holds(data, mutations)


# --------------------------------------------------------------------- arbitrary garbage

GARBAGE: list[Any] = [
    "x", "soon", -1, -(10**9), 10**18, 1e308, -0.5, 0, None, True, [], {}, [1, "a"], {"nested": 1},
    "2021-13-45", "09-99", dt.date(1900, 1, 1), dt.date(2999, 12, 31), "Bad Id", "core",
]


@st.composite
def garbled(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = _places(data)
        if not places:
            break
        loc = draw(st.sampled_from(places))
        parent, last = _get(data, loc[:-1]), loc[-1]
        if draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = copy.deepcopy(draw(st.sampled_from(GARBAGE)))
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbled())
def test_garbled_scenarios_load_or_fail_cleanly(data: dict[str, Any]) -> None:
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
