"""Problems in an experiment spec file (sensitivity, planning), at the file, line and key path.

Pydantic reports where a value failed as a tuple of keys, indices and the names
of union members it tried (``inputs.list[…].0.distribution.uniform.high``).
Walking that tuple beside the data keeps the keys and indices that exist there
and drops the member names; an error in a member that does not fit the data's
shape (the list member when text was given) is dropped. Messages are rephrased
as the scenario's are: ``must be >= 1, got 0``, ``unknown key 'colour'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario import Problem
from sim.scenario.errors import Loc, format_path, lookup_key, render_value
from sim.scenario.yamlio import Node

_COMPARISONS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
_TYPES = {"int": "a whole number", "float": "a number", "bool": "true or false", "string": "text",
          "list": "a list", "dict": "a mapping of keys", "model": "a mapping of keys", "date": "a date like 2024-09-01"}


def spec_problems(exc: ValidationError, data: Any, tree: Node) -> list[Problem]:
    """Pydantic's errors on a spec's data as problems at the file and line of the value."""
    out: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors():
        cleaned = _clean(err["loc"], data, err["type"] == "missing")
        if cleaned is None:
            continue
        loc = cleaned
        kind, value = err["type"], err["input"]
        if kind == "missing":
            message, loc = f"missing required key '{loc[-1]}'", loc[:-1]
        elif kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            ctx = err.get("ctx", {})
            allowed = str(ctx.get("expected_tags", "")).replace("'", "")
            key = str(ctx.get("discriminator", "kind")).strip("'")
            loc = (*loc, key)
            told = (f"unknown {key} {render_value(ctx.get('tag'))}" if kind == "union_tag_invalid"
                    else f"missing required key '{key}'")
            message = f"{told} (allowed: {allowed})"
        elif kind in _COMPARISONS:
            bound = next(iter(err.get("ctx", {}).values()))
            message = f"must be {_COMPARISONS[kind]} {bound}, got {render_value(value)}"
        elif kind.split("_")[0] in _TYPES and kind.endswith(("_type", "_parsing")):
            message = f"must be {_TYPES[kind.split('_')[0]]}, got {render_value(value)}"
        else:
            text = str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
            got = "" if kind == "value_error" else f", got {render_value(value)}"
            message = text[:1].lower() + text[1:] + got
        path = format_path(loc, data)
        if path in seen:  # one problem per place: the first union member's complaint
            continue
        seen.add(path)
        node = tree.locate(loc)
        out.append(Problem(node.file, node.line, path, message))
    return out


def _clean(loc: tuple[int | str, ...], data: Any, missing: bool) -> Loc | None:
    """Keep the keys and indices found in ``data``; drop union member names.

    ``None`` when the error belongs to a union member of another shape than
    the data (a list member when text was given, or the reverse).
    """
    out: list[str | int] = []
    current: Any = data
    for i, elem in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(elem, int) and isinstance(current, list) and 0 <= elem < len(current):
            out.append(elem)
            current = current[elem]
        elif isinstance(current, Mapping) and lookup_key(current, elem) is not None:
            out.append(elem)
            current = lookup_key(current, elem)
        elif last and missing:
            out.append(elem)
        elif isinstance(elem, str) and elem.startswith("list[") != isinstance(current, list):
            return None
        # Anything else names a union member (a tag such as 'uniform', a type such as 'str'): drop it.
    return tuple(out)
