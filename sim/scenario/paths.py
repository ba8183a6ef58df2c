"""Key paths into a scenario, for sweeps: read a value, or make a variant with one changed.

A key path names one value in a scenario the way problems name it:
``demography.tfr``, ``housing_defaults.delay_months``,
``housing[longcheng_gongguan].phases[0].date``, ``facilities[liaohe_kg_1].opens``.
A bracket holds a list item's ``id`` or its 0-based index (negative counts from
the end); a dotted name is a key of a mapping (household profiles are keyed by
housing type: ``household_profiles.commodity.partner_share``).

Variants are new scenarios: :func:`set_path` and :func:`shift_date_path` copy the
scenario with one change and validate the copy fully (model and cross-checks);
the original is never modified.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import Loc, Problem, ScenarioError
from sim.scenario.loader import validate_data
from sim.scenario.model import Scenario
from sim.scenario.units import DAYS_PER_MONTH

__all__ = ["DAYS_PER_MONTH", "get_path", "set_path", "shift_date_path"]

_NAME = r"[^.\[\]]+"
_SEL = r"\[[^\[\]]+\]"
_PATH = re.compile(rf"^{_NAME}(?:{_SEL})*(?:\.{_NAME}(?:{_SEL})*)*$")
_STEP = re.compile(r"([^.\[\]]+)|\[([^\[\]]+)\]")

Step = tuple[str, str | int]
"""One step of a path: ``("key", name)``, ``("index", i)`` or ``("id", item_id)``."""


def parse_path(path: str) -> list[Step]:
    """Split a key path into steps.

    Raises
    ------
    ScenarioError
        When ``path`` is not of the form ``name[sel].name…``.
    """
    if not _PATH.match(path):
        raise _error(path, "not a key path (write it like housing[my_project].phases[0].date)")
    steps: list[Step] = []
    for m in _STEP.finditer(path):
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif re.fullmatch(r"-?\d+", m.group(2)):
            steps.append(("index", int(m.group(2))))
        else:
            steps.append(("id", m.group(2)))
    return steps


def get_path(scenario: Scenario, path: str) -> Any:
    """Return the value at a key path.

    Parameters
    ----------
    scenario
        The scenario to read.
    path
        A key path such as ``facilities[liaohe_kg_1].opens``.

    Returns
    -------
    Any
        The value (a model, list, date, number, …) as the scenario holds it.

    Raises
    ------
    ScenarioError
        When the path names nothing in the scenario.
    """
    value: Any = scenario
    for step in parse_path(path):
        _, value = _child(value, step, path)
    return value


def set_path(scenario: Scenario, path: str, value: Any) -> Scenario:
    """Return a new scenario with the value at ``path`` replaced by ``value``.

    Parameters
    ----------
    scenario
        The scenario to start from; it is not modified.
    path
        A key path such as ``demography.tfr`` or
        ``housing[longcheng_gongguan].phases[0].date``. The last step may add a
        key to a mapping (a new age band, say).
    value
        The new value, as it would be written in a scenario file (numbers, dates,
        text, lists, mappings) or as a model.

    Returns
    -------
    Scenario
        The new scenario, validated and cross-checked like a loaded one.

    Raises
    ------
    ScenarioError
        When the path names nothing, or the new scenario is invalid; problems
        carry key paths (and no file).

    Examples
    --------
    >>> later = set_path(base, "facilities[liaohe_kg_1].opens", dt.date(2023, 9, 1))  # doctest: +SKIP
    """
    return set_paths(scenario, {path: value})


def set_paths(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """Return a new scenario with the value at each path replaced, validated once.

    Parameters
    ----------
    scenario
        The scenario to start from; it is not modified.
    changes
        Key path -> new value, as for :func:`set_path`. The paths are resolved in
        ``scenario`` (before any change), so they should not overlap.

    Returns
    -------
    Scenario
        The new scenario, validated and cross-checked like a loaded one.

    Raises
    ------
    ScenarioError
        When a path names nothing, or the new scenario is invalid.
    """
    locs = [(_loc_of(scenario, path), value) for path, value in changes.items()]
    data = scenario.model_dump()
    for loc, value in locs:
        _assign(data, loc, value)
    return validate_data(data)


def _loc_of(scenario: Scenario, path: str) -> Loc:
    """The keys and indices of ``path`` in the dumped scenario; the last step may be a new key."""
    steps = parse_path(path)
    loc: list[str | int] = []
    current: Any = scenario
    for step in steps[:-1]:
        key, current = _child(current, step, path)
        loc.append(key)
    kind, sel = steps[-1]
    if (
        kind == "key"
        and isinstance(current, BaseModel | Mapping)
        and _find_key(current, str(sel)) is None
    ):
        last: str | int = str(sel)  # a new key: validation decides whether it is allowed
    else:
        last, _ = _child(current, steps[-1], path)
    return (*loc, last)


def shift_date_path(scenario: Scenario, path: str, months: float) -> Scenario:
    """Return a new scenario with the date at ``path`` moved by ``months``.

    A month is :data:`DAYS_PER_MONTH` (365.25 / 12) days and the shift is rounded
    to whole days (halves to even), so ``1`` moves a date 30 days, ``-0.5`` moves
    it 15 days earlier and ``12`` moves it 365 days.

    Parameters
    ----------
    scenario
        The scenario to start from; it is not modified.
    path
        Key path of a date, such as ``housing[longcheng_gongguan].phases[0].date``.
    months
        Months to add; fractional and negative values are allowed.

    Returns
    -------
    Scenario
        The new, validated scenario.

    Raises
    ------
    ScenarioError
        When the path holds no date, or the shifted scenario is invalid (a date
        moved outside the horizon, say).
    """
    current = get_path(scenario, path)
    if not isinstance(current, dt.date) or isinstance(current, dt.datetime):
        raise _error(path, f"holds no date to shift (it is {current!r})")
    return set_path(scenario, path, current + dt.timedelta(days=round(months * DAYS_PER_MONTH)))


def _error(path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(None, None, path, message)])


def _find_key(container: Any, name: str) -> Any:
    if isinstance(container, BaseModel):
        return name if name in type(container).model_fields else None
    return next((k for k in container if str(getattr(k, "value", k)) == name), None)


def _child(container: Any, step: Step, path: str) -> tuple[str | int, Any]:
    """Take one step into ``container``; return the key or index taken and the value."""
    kind, sel = step
    if kind == "key":
        if not isinstance(container, BaseModel | Mapping):
            raise _error(path, f"'{sel}' is not inside a mapping")
        key = _find_key(container, str(sel))
        if key is None:
            raise _error(path, f"no key '{sel}'")
        return key, getattr(container, key) if isinstance(container, BaseModel) else container[key]
    if not isinstance(container, list | tuple):
        raise _error(path, f"[{sel}] is not inside a list")
    if kind == "index":
        assert isinstance(sel, int)
        if not -len(container) <= sel < len(container):
            raise _error(path, f"index {sel} is out of range (the list has {len(container)} items)")
        index = sel % len(container)
        return index, container[index]
    for index, item in enumerate(container):
        if getattr(item, "id", None) == sel:
            return index, item
    raise _error(path, f"no item with id '{sel}'")


def _assign(data: Any, loc: Loc, value: Any) -> None:
    """Set ``value`` at ``loc`` in plain dumped data (a fresh copy, so mutation is local)."""
    target = data
    for elem in loc[:-1]:
        if isinstance(target[elem], tuple):  # a pair such as an occupancy point
            target[elem] = list(target[elem])
        target = target[elem]
    target[loc[-1]] = value
