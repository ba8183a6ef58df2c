"""Where a scenario's numbers come from: its files, what a variant changes, its assumptions.

A report lists every assumption of the scenario it describes, and for a variant
what it changes against its parent. Both are read here, from the scenario files
themselves, and returned as plain data that the command line writes into the
results folder (the report reads that file; it never reads YAML):

* ``files`` — the scenario file and every file it ``extends``, child first;
* ``overrides`` — for a variant, each value its own file sets, by key path
  (``housing_defaults.delay_months: 12``): what changed against the parent;
* ``assumptions`` — every ``ASSUMPTION`` in the files, with its file, line and
  key path: a ``source:`` value that says ASSUMPTION (kind ``source``), or a
  YAML comment that does (kind ``comment``; consecutive comment lines are one
  entry, attached to the key they stand on or above).
"""

from __future__ import annotations

import os
import re
from typing import Any

from sim.scenario.errors import format_path
from sim.scenario.merge import read_file
from sim.scenario.yamlio import Node

MARK = "ASSUMPTION"
_SKIP_OVERRIDES = {"name", "description", "extends"}


def scenario_provenance(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The files, overrides and assumptions of a scenario file (see the module docstring).

    Parameters
    ----------
    path
        The scenario file, as the user named it.

    Returns
    -------
    dict
        ``{"files": [...], "overrides": [{"key", "value"}], "assumptions":
        [{"file", "line", "key", "kind", "text"}]}``, JSON-ready.
    """
    chain = _chain(os.fspath(path))
    assumptions: list[dict[str, Any]] = []
    for file, tree in chain:
        assumptions += source_assumptions(tree)
        assumptions += comment_assumptions(_read_text(file), tree)
    first = chain[0][1]
    has_parent = len(chain) > 1
    return {
        "files": [file for file, _ in chain],
        "overrides": overrides(first) if has_parent else [],
        "assumptions": assumptions,
    }


def _chain(path: str) -> list[tuple[str, Node]]:
    out: list[tuple[str, Node]] = []
    seen: set[str] = set()
    while path and os.path.realpath(path) not in seen:
        seen.add(os.path.realpath(path))
        tree = read_file(path)
        out.append((path, tree))
        ext = tree.value.get("extends")
        if ext is None or not isinstance(ext.value, str):
            break
        path = os.path.normpath(os.path.join(os.path.dirname(path), ext.value))
    return out


def _read_text(file: str) -> str:
    with open(file, encoding="utf-8") as fh:
        return fh.read()


def _walk(node: Node, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Node]]:
    """Every (key path, node) of a tree, parents before children."""
    out = [(loc, node)]
    if isinstance(node.value, dict):
        for key, child in node.value.items():
            out += _walk(child, (*loc, key))
    elif isinstance(node.value, list):
        for i, child in enumerate(node.value):
            out += _walk(child, (*loc, i))
    return out


def overrides(tree: Node) -> list[dict[str, Any]]:
    """The leaf values a file sets, by key path (a variant's changes to its parent)."""
    plain = tree.plain()
    rows = []
    for loc, node in _walk(tree):
        if not loc or loc[0] in _SKIP_OVERRIDES or isinstance(node.value, dict):
            continue
        if isinstance(node.value, list) and any(isinstance(v.value, dict) for v in node.value):
            continue  # items with ids are walked into; their leaves are listed
        if loc[-1] == "id" or (len(loc) > 1 and loc[-1] == "source"):
            continue
        rows.append({"key": format_path(loc, plain), "value": _jsonable(node.plain())})
    return rows


def source_assumptions(tree: Node) -> list[dict[str, Any]]:
    """``source:`` values that say ASSUMPTION, with the key path of what they describe."""
    plain = tree.plain()
    rows = []
    for loc, node in _walk(tree):
        if loc and loc[-1] == "source" and isinstance(node.value, str) and MARK in node.value:
            rows.append({"file": node.file, "line": node.line, "key": format_path(loc[:-1], plain),
                         "kind": "source", "text": " ".join(node.value.split())})
    return rows


_COMMENT = re.compile(r"""^(?P<code>(?:[^#'"]|'[^']*'|"(?:[^"\\]|\\.)*")*?)(?:^|\s)#(?P<text>.*)$""")


def _comment(line: str) -> tuple[str, str] | None:
    """``(code, comment)`` of a YAML line with a comment, quotes respected."""
    m = _COMMENT.match(line)
    if m is None:
        return None
    return m.group("code"), m.group("text").strip()


def comment_assumptions(text: str, tree: Node) -> list[dict[str, Any]]:
    """YAML comments that say ASSUMPTION, each attached to a key path.

    A comment after a value belongs to that line's key; a block of whole-line
    comments belongs to the next key below it (or to the file header when it
    comes before the first key).
    """
    plain = tree.plain()
    by_line: dict[int, tuple[Any, ...]] = {}
    for loc, node in _walk(tree):
        if loc:
            by_line.setdefault(node.line, loc)
    key_lines = sorted(by_line)
    rows: list[dict[str, Any]] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if block and any(MARK in t for _, t in block):
            start = block[0][0]
            after = next((ln for ln in key_lines if ln > block[-1][0]), None)
            key = "file header" if after is None or after == key_lines[0] and start < key_lines[0] \
                else format_path(by_line[after], plain)
            rows.append({"file": tree.file, "line": start, "key": key, "kind": "comment",
                         "text": " ".join(" ".join(t.strip("-= ") for _, t in block).split())})
        block.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        found = _comment(line)
        if found is None or found[0].strip():
            flush()
            if found is not None and MARK in found[1]:
                found_loc = by_line.get(number)
                key = format_path(found_loc, plain) if found_loc else "file header"
                rows.append({"file": tree.file, "line": number, "key": key, "kind": "comment",
                             "text": " ".join(found[1].split())})
            continue
        text_part = found[1].strip("-= ")
        if text_part:
            block.append((number, found[1]))
        else:
            flush()
    flush()
    return rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def scenario_record(path: str | os.PathLike[str], scenario: Any) -> dict[str, Any]:
    """What a results folder records of its scenario (``scenario.json``).

    Parameters
    ----------
    path
        The scenario file the scenario was loaded from.
    scenario
        The loaded :class:`~sim.scenario.model.Scenario`.

    Returns
    -------
    dict
        ``{"resolved": <the scenario as JSON data>, "provenance": <scenario_provenance(path)>}``.
    """
    return {"resolved": scenario.model_dump(mode="json"), "provenance": scenario_provenance(path)}
