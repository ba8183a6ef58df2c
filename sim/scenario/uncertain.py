"""Uncertain inputs acting on a scenario: checks when it is loaded, and variants with drawn values.

:class:`~sim.scenario.model.UncertainInput` says what may be declared. Here:

* :func:`input_findings` — every path resolves, holds a value the input's
  ``apply`` can act on, and no two inputs act on the same value (run with the
  other cross-checks whenever a scenario is validated);
* :func:`extreme_findings` — each input at the lowest and highest value of its
  distribution (for a lognormal, its 0.1th and 99.9th percentiles; for a
  choice, each value) still makes a valid scenario (run when a file is loaded,
  so a range that would break a replication is refused before anything runs);
* :func:`apply_inputs` — the scenario with drawn values in place, validated once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import Loc, ScenarioError, render_value
from sim.scenario.model import Scenario, UncertainInput
from sim.scenario.paths import DAYS_PER_MONTH, get_path, parse_path, set_paths

Finding = tuple[Loc, str]


def input_findings(scenario: Scenario) -> list[Finding]:
    """Problems of the declared uncertain inputs against the scenario they are in."""
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for i, inp in enumerate(scenario.uncertain_inputs):
        for j, path in enumerate(inp.paths):
            where: Loc = ("uncertain_inputs", i, "path") + ((j,) if isinstance(inp.path, list) else ())
            try:
                value = get_path(scenario, path)
            except ScenarioError as exc:
                findings.append((where, exc.problems[0].message))
                continue
            message = _kind_problem(inp, value)
            if message:
                findings.append((where, message))
            for other_path, other_id in seen.items():
                if path == other_path:
                    findings.append((where, f"uncertain input '{other_id}' already acts on this value"))
                elif _overlap(path, other_path):
                    findings.append((where, f"overlaps {other_path}, which uncertain input '{other_id}' acts on"))
            seen[path] = inp.id
    return findings


def _kind_problem(inp: UncertainInput, value: Any) -> str | None:
    """Why ``inp`` cannot act on ``value``, or ``None``."""
    is_date = isinstance(value, dt.date)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    is_schedule = isinstance(value, BaseModel) and isinstance(getattr(value, "points", None), list)
    if inp.apply == "shift_months":
        return None if is_date else f"holds no date to shift (it is {_what(value)})"
    if is_date:
        return "holds a date: use apply: shift_months"
    if inp.apply == "scale":
        return None if is_number or is_schedule else f"holds nothing to scale (it is {_what(value)})"
    if is_schedule:
        return "holds a schedule: use apply: scale to multiply its values"
    if inp.distribution.numeric and not is_number and value is not None:
        return f"holds {_what(value)}, not a number"
    return None


def _what(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "a mapping"
    return render_value(value)


def _overlap(a: str, b: str) -> bool:
    """Whether one path is the other or lies inside it."""
    pa, pb = parse_path(a), parse_path(b)
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def extreme_findings(scenario: Scenario) -> list[Finding]:
    """Problems that an input's extreme values would cause, one finding per input and value."""
    findings: list[Finding] = []
    for i, inp in enumerate(scenario.uncertain_inputs):
        for label, value in inp.distribution.check_values():
            try:
                apply_inputs(scenario, [(inp, value)])
            except ScenarioError as exc:
                first = exc.problems[0]
                more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
                findings.append((("uncertain_inputs", i, "distribution"),
                                 f"at its {label} ({render_value(value)}) the scenario is invalid: "
                                 f"{first.path}: {first.message}{more}"))
                break
    return findings


def input_changes(scenario: Scenario, inp: UncertainInput, value: Any) -> dict[str, Any]:
    """The new value at each of ``inp``'s paths when it takes ``value``."""
    changes: dict[str, Any] = {}
    for path in inp.paths:
        current = get_path(scenario, path)
        if inp.apply == "set":
            changes[path] = value
        elif inp.apply == "scale":
            changes[path] = scaled(current, float(value))
        else:
            changes[path] = current + dt.timedelta(days=round(float(value) * DAYS_PER_MONTH))
    return changes


def scaled(value: Any, factor: float) -> Any:
    """``value`` times ``factor``: a number (whole numbers stay whole), or every
    value of a schedule or curve (the second item of each of its ``points``)."""
    if isinstance(value, BaseModel):
        data = value.model_dump()
        data["points"] = [[p[0], p[1] * factor] for p in data["points"]]
        return data
    if isinstance(value, int) and not isinstance(value, bool):
        return int(round(value * factor))
    return float(value) * factor


def apply_inputs(scenario: Scenario, values: Sequence[tuple[UncertainInput, Any]]) -> Scenario:
    """The scenario with each input at its value (a new scenario, validated once).

    Raises
    ------
    ScenarioError
        When the values make an invalid scenario; problems carry key paths.
    """
    if not values:
        return scenario
    changes: dict[str, Any] = {}
    for inp, value in values:
        changes.update(input_changes(scenario, inp, value))
    return set_paths(scenario, changes)
