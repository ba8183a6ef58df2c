"""The declared type of a value, found by walking a pydantic model beside its data.

Pydantic's error locations and a scenario's key paths name keys and indices;
which model or type they lead to depends on the data where the model declares
a union (a number or a schedule, one of several ``kind`` s). These helpers
follow a location through the declared types and the data together, choosing
at each union the member the data is meant to be. The error messages of
:mod:`sim.scenario.messages` use them to find a value's bounds and allowed keys.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from sim.scenario.errors import Loc, lookup_key
from sim.scenario.model import Scenario


def strip_annotated(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def choose(tp: Any, value: Any) -> Any:
    """Reduce ``tp`` to the one type that ``value`` is meant to have."""
    tp = strip_annotated(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return tp
    members = [strip_annotated(m) for m in get_args(tp) if m is not type(None)]
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) == 1 and isinstance(value, Mapping):
        return models[0]
    if len(models) > 1 and isinstance(value, Mapping):
        kind = value.get("kind")
        return next((m for m in models if _has_tag(m, kind)), tp)
    if isinstance(value, list):
        members = [m for m in members if get_origin(m) is list] or members
    else:
        members = [m for m in members if get_origin(m) is not list] or members
    return choose(members[0], value) if len(members) == 1 else tp


def _has_tag(model: type[BaseModel], kind: Any) -> bool:
    """Whether ``kind`` is the tag of union member ``model`` (its default or its literal)."""
    field = model.model_fields.get("kind")
    if field is None:
        return False
    return field.default == kind or kind in get_args(strip_annotated(field.annotation))


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def member_named(tp: Any, tag: str) -> Any:
    """The member of union ``tp`` that pydantic names ``tag`` (``float``, a model's class name)."""
    for member in get_args(strip_annotated(tp)):
        member = strip_annotated(member)
        if isinstance(member, type) and member.__name__ == tag:
            return member
    return None


def is_union(tp: Any) -> bool:
    """Whether pydantic names the member it tried in error locations (a real union)."""
    tp = strip_annotated(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return False
    return len([m for m in get_args(tp) if m is not type(None)]) > 1


def step(tp: Any, elem: str | int) -> Any:
    """Return the declared type one key or index below ``tp`` (``None`` if unknown)."""
    origin = get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(elem))
        return field.annotation if field is not None else None
    if origin is list:
        return get_args(tp)[0]
    if origin is tuple and isinstance(elem, int) and elem < len(get_args(tp)):
        return get_args(tp)[elem]
    if origin is dict:
        return get_args(tp)[1]
    return None


def value_at(value: Any, elem: str | int) -> Any:
    if isinstance(value, Mapping):
        return lookup_key(value, elem)
    if isinstance(value, list) and isinstance(elem, int) and 0 <= elem < len(value):
        return value[elem]
    return None


def type_at(loc: Loc, data: Any, root: Any = Scenario) -> Any:
    """Return the declared type of the value at ``loc`` in data of model ``root``
    (a scenario unless told; ``None`` if unknown)."""
    tp: Any = root
    value: Any = data
    for elem in loc:
        tp = step(choose(tp, value), elem)
        value = value_at(value, elem)
    return choose(tp, value)
