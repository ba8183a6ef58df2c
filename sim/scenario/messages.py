"""Pydantic's validation errors, rephrased as plain-words scenario problems.

Pydantic reports where a value failed as a tuple of keys and indices, with the
members of a union spelled into it (``service.str-enum[Service]``,
``household_profiles.commodity.family.head_age``). This module removes those
union members, keeps one error per place, maps the place back to the file and
line where the value was written, and rewrites the message in the scenario's
own words: ``must be >= 0, got -5``, ``must be between 0 and 110, got 999``,
``unknown key 'colour' (allowed: …)``, ``must be a date like 2021-09-01, got 'soon'``.
A number above a range bounded on both sides is told the whole range.

The same conversion serves every file checked by a pydantic model: a scenario
(:func:`problems_from_validation`) and an experiment spec, a sweep or a
sensitivity analysis (:func:`model_problems`, given the spec's model class).
"""

from __future__ import annotations

import difflib
import enum
import re
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from sim.scenario.declared import (
    choose,
    is_model,
    is_union,
    member_named,
    step,
    strip_annotated,
    type_at,
    value_at,
)
from sim.scenario.errors import Loc, Problem, format_path, render_value
from sim.scenario.model import HousingType, ReportEvery, Scenario, Service, ServiceCategory
from sim.scenario.yamlio import Node

_ENUM_NOUNS: dict[type[enum.Enum], str] = {
    Service: "service",
    HousingType: "housing type",
    ServiceCategory: "service category",
    ReportEvery: "report interval",
}
_ID_PATTERN = "^[a-z][a-z0-9_]*$"
_MAX_LISTED_KEYS = 16
_COMPARISONS = {
    "greater_than_equal": ">=",
    "greater_than": ">",
    "less_than_equal": "<=",
    "less_than": "<",
}
_SIMPLE: dict[str, str] = {
    "int": "must be a whole number",
    "float": "must be a number",
    "bool": "must be true or false",
    "date": "must be a date like 2021-09-01",
    "datetime": "must be a date like 2021-09-01",
    "string": "must be text",
    "list": "must be a list",
    "tuple": "must be a list",
    "set": "must be a list",
    "dict": "must be a mapping of keys",
    "model": "must be a mapping of keys",
    "finite": "must be a finite number",
}


def problems_from_validation(
    exc: ValidationError, data: Any, tree: Node | None, limit: int | None = None
) -> list[Problem]:
    """Turn a pydantic :class:`ValidationError` on scenario data into problems.

    Parameters
    ----------
    exc
        The error raised by ``Scenario.model_validate(data)``.
    data
        The plain data that was validated.
    tree
        The same data as read from files, for file and line; ``None`` when the
        data came from no file.
    limit
        Stop after this many problems (``None``: no limit).

    Returns
    -------
    list of Problem
        One problem per place and message, in pydantic's order.
    """
    return model_problems(Scenario, exc, data, tree, limit=limit)


def model_problems(
    model: type[BaseModel],
    exc: ValidationError,
    data: Any,
    tree: Node | None,
    *,
    limit: int | None = None,
    list_allowed_keys: bool = True,
    one_per_place: bool = False,
    path_of: Callable[[Loc, Any], str] = format_path,
) -> list[Problem]:
    """Turn a pydantic :class:`ValidationError` on the data of ``model`` into problems.

    Parameters
    ----------
    model
        The model class that validated ``data`` (``Scenario``, a spec's class).
    exc, data, tree, limit
        As for :func:`problems_from_validation`.
    list_allowed_keys
        Whether an unknown key is told the keys allowed in its place.
    one_per_place
        Keep only the first message at each key path (the first union member's).
    path_of
        Renders a location as the key path shown to the user.

    Returns
    -------
    list of Problem
        One problem per place and message (or per place), in pydantic's order.
    """
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    places: set[str] = set()
    for err in exc.errors():
        if limit is not None and len(problems) >= limit:
            break
        cleaned = _clean_loc(err["loc"], data, model)
        if cleaned is None:
            continue
        loc, is_key = cleaned
        message = _message(err, loc, data, is_key, model, list_allowed_keys)
        if err["type"] == "missing":
            loc = loc[:-1]
        elif err["type"] == "union_tag_invalid":
            loc = (*loc, str(err.get("ctx", {}).get("discriminator", "kind")).strip("'"))
        path = path_of(loc, data)
        if (path, message) in seen or (one_per_place and path in places):
            continue
        seen.add((path, message))
        places.add(path)
        node = tree.locate(loc) if tree is not None else None
        problems.append(
            Problem(node.file if node else None, node.line if node else None, path, message)
        )
    return problems


def problems_and_more(
    exc: ValidationError, data: Any, tree: Node | None, limit: int
) -> tuple[list[Problem], int]:
    """At most ``limit`` problems from :func:`problems_from_validation`, and how many
    more places pydantic found wrong (naming each place costs a walk of the data)."""
    problems = problems_from_validation(exc, data, tree, limit)
    if len(problems) < limit:
        return problems, 0
    places = sum(1 for err in exc.errors() if _clean_loc(err["loc"], data) is not None)
    return problems, max(places - limit, 0)


def _clean_loc(
    loc: tuple[int | str, ...], data: Any, root: Any = Scenario
) -> tuple[Loc, bool] | None:
    """Drop union-member tags from ``loc``, walking the declared types beside the data.

    Returns ``None`` for an error in a union member that does not match the shape
    of the input (the list member when a single value was given, or the reverse).
    """
    out: list[str | int] = []
    tp: Any = root
    current: Any = data
    is_key = False
    for elem in loc:
        if elem == "[key]":
            is_key = True
        elif is_union(tp):
            if str(elem).startswith("list[") != isinstance(current, list):
                return None
            member = member_named(tp, str(elem))
            if member is None:
                tp = choose(tp, current)
            elif is_model(member) != isinstance(current, Mapping):
                return None  # a number where a mapping was meant, or the reverse
            else:
                tp = member
        else:
            out.append(elem)
            tp = step(choose(tp, current), elem)
            current = value_at(current, elem)
    return tuple(out), is_key


def _message(
    err: ErrorDetails, loc: Loc, data: Any, is_key: bool, root: Any = Scenario,
    list_allowed_keys: bool = True,
) -> str:
    kind, ctx, value = err["type"], err.get("ctx", {}), err["input"]
    got = f", got {render_value(value)}"
    if kind == "missing":
        if isinstance(loc[-1], int):  # an item of a fixed-length list (a pair)
            return f"missing item [{loc[-1]}]"
        return f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        if not list_allowed_keys:
            return f"unknown key '{loc[-1]}'"
        return f"unknown key '{loc[-1]}' ({_allowed_keys(loc[:-1], data, str(loc[-1]), root)})"
    if kind in _COMPARISONS:
        both = range_text(loc, data, root) if kind.startswith("less") else None
        if both is not None:  # too large: say the whole range, the upper bound may surprise
            return f"must be {both}{got}"
        return f"must be {_COMPARISONS[kind]} {_num(next(iter(ctx.values())))}{got}"
    if kind == "enum":
        return _enum_message(str(ctx.get("expected", "")), value)
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        one = re.fullmatch(r"'[^']*'|[^',]+", expected) is not None  # a single allowed value
        return f"must be {'' if one else 'one of '}{expected}{got}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _ID_PATTERN:
            return f"must be an id (lowercase letters, digits and _, starting with a letter){got}"
        return f"must match the pattern {ctx.get('pattern')}{got}"
    if kind in ("too_short", "too_long"):
        word = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length", ctx.get("max_length"))
        return f"must have {word} {limit} item{'s' if limit != 1 else ''}"
    if kind in ("string_too_short", "string_too_long"):
        word = "at least" if kind == "string_too_short" else "at most"
        return f"must have {word} {ctx.get('min_length', ctx.get('max_length'))} characters{got}"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return _tag_message(err, loc, data, root)
    if kind in ("value_error", "assertion_error"):
        return re.sub(r"^(Value error|Assertion failed), ", "", err["msg"])
    prefix = kind.split("_", 1)[0]
    if prefix in _SIMPLE:
        # A boolean or an infinite number is told the range a number must lie in.
        wrong = prefix == "finite" or (prefix in ("int", "float") and isinstance(value, bool))
        both = range_text(loc, data, root) if wrong and not is_key else None
        return ("key " if is_key else "") + _SIMPLE[prefix] + (f" {both}" if both else "") + got
    text = err["msg"]
    return text[:1].lower() + text[1:] + got


def _num(bound: Any) -> Any:
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def range_text(loc: Loc, data: Any, root: Any = Scenario) -> str | None:
    """``between 0 and 110`` for a number bounded on both sides; ``None`` otherwise."""
    lo: Any = None
    hi: Any = None
    lo_open = hi_open = False
    for c in constraints_at(loc, data, root):
        if isinstance(c, at.Ge | at.Gt):
            lo, lo_open = (c.ge, False) if isinstance(c, at.Ge) else (c.gt, True)
        elif isinstance(c, at.Le | at.Lt):
            hi, hi_open = (c.le, False) if isinstance(c, at.Le) else (c.lt, True)
    if lo is None or hi is None:
        return None
    if not lo_open and not hi_open:
        return f"between {_num(lo)} and {_num(hi)}"
    low = f"more than {_num(lo)}" if lo_open else f"at least {_num(lo)}"
    high = f"less than {_num(hi)}" if hi_open else f"at most {_num(hi)}"
    return f"{low} and {high}"


def constraints_at(loc: Loc, data: Any, root: Any = Scenario) -> list[Any]:
    """The constraint objects (``Ge``, ``Le``…) declared for the value at ``loc``
    in data of model ``root`` (a scenario unless told)."""
    if not loc:
        return []
    parent = type_at(loc[:-1], data, root)
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        field = parent.model_fields.get(str(loc[-1]))
        return [] if field is None else [*_named(field.metadata), *_metadata(field.annotation)]
    return _metadata(step(parent, loc[-1]))


def _named(metadata: list[Any]) -> list[Any]:
    """``metadata`` with each validator that names the range it checks (a rate's
    bounds, on every value of a schedule) replaced by that range's constraints."""
    out: list[Any] = []
    for m in metadata:
        named = getattr(getattr(m, "func", None), "constraints", None)
        out.extend(named if isinstance(named, list) else [m])
    return out


def _metadata(tp: Any) -> list[Any]:
    if get_origin(tp) is Annotated:
        base, *extra = get_args(tp)
        out: list[Any] = []
        for m in extra:
            out.extend(_named(m.metadata) if isinstance(m, FieldInfo) else _named([m]))
        return out + _metadata(base)
    if get_origin(tp) in (Union, types.UnionType):
        members = [m for m in get_args(tp) if m is not type(None)]
        return _metadata(members[0]) if len(members) == 1 else []
    return []


def _enum_message(expected: str, value: Any) -> str:
    values = re.findall(r"'([^']*)'", expected)
    allowed = ", ".join(values)
    for cls, noun in _ENUM_NOUNS.items():
        if set(values) == {str(m.value) for m in cls}:
            if not isinstance(value, str):
                return f"must be a {noun} name, got {render_value(value)} (allowed: {allowed})"
            return f"unknown {noun} {render_value(value)} (allowed: {allowed})"
    return f"must be one of {allowed}; got {render_value(value)}"


def _tag_message(err: ErrorDetails, loc: Loc, data: Any, root: Any) -> str:
    ctx = err.get("ctx", {})
    key = str(ctx.get("discriminator", "kind")).strip("'")
    tags = ", ".join(_union_tags(type_at(loc, data, root), key))
    if err["type"] == "union_tag_not_found":
        return f"missing required key '{key}' (one of: {tags})"
    return f"unknown {key} {render_value(ctx.get('tag'))} (allowed: {tags})"


def _union_tags(tp: Any, key: str) -> list[str]:
    tags: list[str] = []
    for member in get_args(strip_annotated(tp)):
        if (
            isinstance(member, type)
            and issubclass(member, BaseModel)
            and key in member.model_fields
        ):
            tags.extend(str(a) for a in get_args(member.model_fields[key].annotation))
    return tags


def _allowed_keys(container: Loc, data: Any, unknown: str, root: Any) -> str:
    model = type_at(container, data, root)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return "not allowed here"
    keys = list(model.model_fields)
    if len(keys) <= _MAX_LISTED_KEYS:
        return "allowed: " + ", ".join(keys)
    close = difflib.get_close_matches(unknown, keys, n=3)
    if close:
        return "did you mean " + " or ".join(f"'{k}'" for k in close) + "?"
    return "see `python run.py schema` for the allowed keys"
