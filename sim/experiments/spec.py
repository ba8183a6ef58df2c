"""Loading a sweep spec: safe YAML in, a checked :class:`Sweep` out.

The file is read with the scenario layer's loader (plain YAML only, duplicate
keys refused, every value remembering its line), validated against
:class:`~sim.experiments.design.SweepSpec`, then checked against its base
scenario: every key path must name a value there, and every zone, service and
facility must exist. Problems come out as the scenario's do, one line each::

    scenarios/sweep.yaml:14: factors[0].range: must be a list of 2 numbers, got 'soon'
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.experiments.design import (
    AnyFactor,
    ChoiceFactor,
    DateShiftFactor,
    OpeningLagFactor,
    SweepSpec,
    design_points,
    opening_lag_targets,
)
from sim.outputs.outcomes import GAP_METRICS, POPULATION, POPULATION_METRICS
from sim.scenario import Problem, Scenario, ScenarioError, Service, get_path, load_scenario
from sim.scenario.errors import Loc, format_path, render_value
from sim.scenario.files import read_text
from sim.scenario.messages import model_problems
from sim.scenario.yamlio import Node, read_tree


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep: its spec, its file and text, the base scenario and the design points."""

    spec: SweepSpec
    file: str
    text: str
    base: Scenario
    points: tuple[tuple[Any, ...], ...]

    @property
    def seed(self) -> int:
        """The experiment seed: the spec's, else the base scenario's."""
        return self.base.seed if self.spec.seed is None else self.spec.seed

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.spec.factors)

    @property
    def runs(self) -> int:
        return len(self.points) * self.spec.replications


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Load and check a sweep spec, its base scenario and its design.

    Parameters
    ----------
    path
        The spec file; its ``base`` is relative to the file's directory.

    Returns
    -------
    Sweep
        The spec with its base scenario loaded and its points generated.

    Raises
    ------
    ScenarioError
        With every problem, each as ``file:line: key.path: message``.
    """
    file = os.fspath(path)
    text = read_text(file, "sweep spec")
    tree = read_tree(text, file)
    if not any(str(k) in SweepSpec.model_fields for k in tree.value):  # never echo what it holds
        raise ScenarioError([Problem(file, None, "", (
            "not a sweep spec: none of its keys is a sweep-spec key (name, base, factors, design, …)"))])
    data = tree.plain()
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(model_problems(SweepSpec, exc, data, tree, list_allowed_keys=False,
                                           path_of=_format)) from None
    base_file = str(Path(file).parent / spec.base)
    try:
        base = load_scenario(base_file)
    except ScenarioError as exc:
        head = _at(tree, data, ("base",), f"the base scenario {base_file} is not valid (below)")
        raise ScenarioError([head, *exc.problems]) from None
    problems = check_against_base(spec, data, tree, base)
    if problems:
        raise ScenarioError(problems)
    return Sweep(spec, file, text, base, tuple(design_points(spec)))


def _at(tree: Node, data: Any, loc: Loc, message: str) -> Problem:
    node = tree.locate(loc)
    return Problem(node.file, node.line, _format(loc, data), message)


def _format(loc: Loc, data: Any) -> str:
    """The key path, naming a factor by its ``name`` (``factors[housing_delay]``)."""
    path = format_path(loc, data)
    if len(loc) >= 2 and loc[0] == "factors" and isinstance(loc[1], int):
        factors = data.get("factors") if isinstance(data, dict) else None
        item = factors[loc[1]] if isinstance(factors, list) and 0 <= loc[1] < len(factors) else None
        name = item.get("name") if isinstance(item, dict) else None
        names = [f.get("name") for f in factors if isinstance(f, dict)] if isinstance(factors, list) else []
        if isinstance(name, str) and names.count(name) == 1:
            path = path.replace(f"factors[{loc[1]}]", f"factors[{name}]", 1)
    return path


def check_against_base(spec: SweepSpec, data: Any, tree: Node, base: Scenario) -> list[Problem]:
    """Problems of a valid spec against its base scenario (paths, ids, names)."""
    problems: list[Problem] = []
    for i, factor in enumerate(spec.factors):
        for loc, message in _factor_problems(factor, base):
            problems.append(_at(tree, data, ("factors", i, *loc), message))
    allowed = {
        "metrics": set(GAP_METRICS) | set(POPULATION_METRICS),
        "services": {s.value for s in Service} | {POPULATION},
        "zones": {z.id for z in base.zones},
    }
    for key, names in allowed.items():
        for j, name in enumerate(getattr(spec.outcomes, key) or []):
            if name not in names:
                problems.append(_at(tree, data, ("outcomes", key, j),
                                    f"unknown {key[:-1]} {name!r} (allowed: {', '.join(sorted(names))})"))
    return problems


def _factor_problems(factor: AnyFactor, base: Scenario) -> list[tuple[Loc, str]]:
    if isinstance(factor, OpeningLagFactor):
        ids = {f.id: f for f in base.facilities}
        targets = opening_lag_targets(base, factor)
        found: list[tuple[Loc, str]] = [
            (("facilities", j), f"no facility '{fid}' in the base scenario")
            for j, fid in enumerate(targets) if fid not in ids
        ]
        if not targets:
            found.append((("service",), f"no {factor.service.value} facility opens during the horizon"))
        return found
    paths = factor.paths_list()
    found = []
    for j, path in enumerate(paths):
        where: Loc = ("path", j) if not isinstance(factor.path, str) else ("path",)
        try:
            value = get_path(base, path)
        except ScenarioError as exc:
            found.append((where, exc.problems[0].message))
            continue
        if isinstance(factor, DateShiftFactor) and not isinstance(value, dt.date):
            found.append((where, f"holds no date to shift (it is {render_value(value)})"))
        if not isinstance(factor, ChoiceFactor | DateShiftFactor) and isinstance(value, dt.date):
            found.append((where, "holds a date: use kind: date_shift"))
    return found
