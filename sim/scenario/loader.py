"""Loading scenario files: YAML in, one frozen, validated :class:`Scenario` out.

Loading runs in three stages, and reports every problem of the stage that
failed, each with the file and line where the value was written:

1. read each file safely and resolve ``extends`` (:mod:`sim.scenario.merge`);
2. validate the merged data against the typed models (:mod:`sim.scenario.model`);
3. cross-check references, ids and dates (:mod:`sim.scenario.checks`).
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario.checks import cross_check
from sim.scenario.errors import Loc, Problem, ScenarioError, format_path
from sim.scenario.merge import resolve_file, resolve_tree
from sim.scenario.messages import problems_and_more
from sim.scenario.model import Scenario
from sim.scenario.yamlio import MAX_KEPT_PROBLEMS, Node, read_tree


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load, merge and validate a scenario file.

    Parameters
    ----------
    path
        The scenario file. Problems name it as given, and name a parent file by
        joining its ``extends`` value to the directory of the file that extends it.

    Returns
    -------
    Scenario
        The frozen, validated scenario. Its ``extends`` keeps the file's own value.

    Raises
    ------
    ScenarioError
        With every problem found, each as ``file:line: key.path: message``.

    Examples
    --------
    >>> s = load_scenario("tests/scenarios/minimal.yaml")  # doctest: +SKIP
    >>> s.name  # doctest: +SKIP
    'minimal'
    """
    return validate_tree(resolve_file(os.fspath(path)))


def load_scenario_text(text: str, source: str = "<text>") -> Scenario:
    """Load a scenario from YAML text.

    Parameters
    ----------
    text
        The YAML text.
    source
        The name to report in problems; an ``extends`` in the text is resolved
        relative to this name's directory (the working directory by default).

    Returns
    -------
    Scenario
        The frozen, validated scenario.

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    return validate_tree(resolve_tree(read_tree(text, source), source, []))


def load_merged_mapping(path: str | os.PathLike[str], *, iso_dates: bool = False) -> dict[str, Any]:
    """Return a scenario file's data with ``extends`` resolved, before validation.

    Parameters
    ----------
    path
        The scenario file.
    iso_dates
        Write dates as ISO text (``2021-09-01``) and mapping keys as text, as JSON
        would (for checking against the JSON Schema).

    Returns
    -------
    dict
        The merged mapping, as plain Python data.
    """
    data: dict[str, Any] = resolve_file(os.fspath(path)).plain()
    return _jsonable(data) if iso_dates else data


def validate_tree(tree: Node) -> Scenario:
    """Validate a merged tree read from files, reporting problems at their lines.

    Besides :func:`validate_data`, each uncertain input is tried at the extremes
    of its distribution: a range that would make an invalid scenario is refused
    here, before anything runs.
    """
    # Imported here: editing a scenario needs this module.
    from sim.scenario.uncertain import extreme_findings

    data = tree.plain()
    scenario = validate_data(data, tree)
    findings = extreme_findings(scenario)
    if findings:
        raise _findings_error(findings, data, tree)
    return scenario


def validate_data(data: Mapping[str, Any], tree: Node | None = None) -> Scenario:
    """Validate plain scenario data and cross-check it.

    Parameters
    ----------
    data
        The scenario as plain Python data (mappings, lists, scalars, dates).
    tree
        The same data as read from files, for file and line in problems; ``None``
        reports key paths only.

    Returns
    -------
    Scenario
        The frozen, validated scenario.

    Raises
    ------
    ScenarioError
        With every model problem, or else every cross-check problem.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems, more = problems_and_more(exc, data, tree, MAX_KEPT_PROBLEMS)
        raise ScenarioError(_sorted(problems), more=more) from None
    # Imported here: reading key paths needs this module.
    from sim.scenario.uncertain import input_findings

    findings = cross_check(scenario) + input_findings(scenario)
    if findings:
        raise _findings_error(findings, data, tree)
    return scenario


def _findings_error(findings: list[tuple[Loc, str]], data: Mapping[str, Any], tree: Node | None) -> ScenarioError:
    """Findings as one error: the first few located at their file and line, the rest counted."""
    problems = []
    for loc, message in findings[:MAX_KEPT_PROBLEMS]:  # naming each costs a walk of the data
        node = tree.locate(loc) if tree is not None else None
        file, line = (node.file, node.line) if node is not None else (None, None)
        problems.append(Problem(file, line, format_path(loc, data), message))
    return ScenarioError(_sorted(problems), more=len(findings) - len(problems))


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Order problems by file (in order of first appearance), then line."""
    files: dict[str | None, int] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.line or 0))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _key(key: Any) -> str:
    if isinstance(key, enum.Enum):
        return str(key.value)
    if isinstance(key, bool):
        return "true" if key else "false"
    return key.isoformat() if isinstance(key, dt.date) else str(key)
