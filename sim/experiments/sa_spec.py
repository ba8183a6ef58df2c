"""Sensitivity specs: which inputs to vary, by which method, and which gaps to watch.

A spec is YAML, read with the scenario layer's loader (plain YAML only,
duplicate keys refused, every value remembering its line) and validated
strictly; every problem names the file, the line and the key path::

    name: base_morris
    base: ../liaohe_base.yaml             # relative to the spec
    seed: 20240601                        # replication r runs on the same seed at every point
    replications: 2                       # per design point, averaged (common random numbers)
    method: {kind: morris, trajectories: 10, levels: 4, seed: 1}
    inputs:                               # as a scenario's uncertain_inputs; or `inputs: scenario`
      - {id: tfr, path: demography.tfr, apply: scale,
         distribution: {kind: triangular, low: 0.909, mode: 1.0, high: 1.273}, source: "..."}
    outcomes:
      metrics: [peak_unmet, unmet_seat_years, first_shortfall_days, backlog_end]
      services: [kindergarten, primary]
      zone_groups: {new_town: [liaohe_core, liaohe_north, liaohe_south, qilin_island]}
      yearly: true                        # also the unmet demand of each year (indices over time)

Methods: ``morris`` (elementary effects on ``trajectories`` one-at-a-time
paths over a grid of ``levels``), ``sobol`` (Saltelli's design with ``samples``
base rows, first-order and total indices) and ``tornado`` (each input alone at
its ``low_quantile`` and ``high_quantile``, the others at the scenario's values).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.scenario import Problem, Scenario, ScenarioError, Service, load_scenario
from sim.scenario.errors import format_path
from sim.scenario.files import read_text
from sim.scenario.messages import model_problems
from sim.scenario.model import UncertainInput
from sim.scenario.uncertain import extreme_findings, input_findings
from sim.scenario.yamlio import Node, read_tree

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]

GAP_OUTCOMES: tuple[str, ...] = ("peak_unmet", "unmet_seat_years", "first_shortfall_days", "backlog_end")
"""Gap metrics a sensitivity analysis can watch (see :mod:`sim.outputs.gap_outcomes`)."""


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MorrisMethod(_Spec):
    """Elementary effects (Morris 1991; Campolongo et al. 2007 for μ*)."""

    kind: Literal["morris"]
    trajectories: int = Field(ge=2, le=10_000, description="One-at-a-time paths; each has inputs + 1 points.")
    levels: int = Field(default=4, ge=2, le=100, description="Grid levels per input (even).")
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _even(self) -> MorrisMethod:
        if self.levels % 2:
            raise ValueError(f"levels must be even (the Morris step is levels/2 grid steps), got {self.levels}")
        return self


class SobolMethod(_Spec):
    """Variance-based indices on Saltelli's design (first order: Saltelli 2010; total: Jansen 1999)."""

    kind: Literal["sobol"]
    samples: int = Field(ge=4, le=1_000_000, description="Base rows N; the design has N x (inputs + 2) points.")
    seed: int = Field(default=0, ge=0)


class TornadoMethod(_Spec):
    """Each input alone at a low and a high quantile, the others at the scenario's values."""

    kind: Literal["tornado"]
    low_quantile: float = Field(default=0.05, gt=0.0, lt=0.5)
    high_quantile: float = Field(default=0.95, gt=0.5, lt=1.0)


Method = Annotated[MorrisMethod | SobolMethod | TornadoMethod, Field(discriminator="kind")]


GapMetric = Literal["peak_unmet", "unmet_seat_years", "first_shortfall_days", "backlog_end"]


def _all_metrics() -> list[GapMetric]:
    return ["peak_unmet", "unmet_seat_years", "first_shortfall_days", "backlog_end"]


class OutcomeChoice(_Spec):
    """Which gaps the indices are computed for."""

    metrics: list[GapMetric] = Field(default_factory=lambda: _all_metrics(), min_length=1)
    services: list[Service] | None = Field(default=None, description="Default: every service with demand.")
    zones: list[Id] | None = Field(default=None, description="Default: every zone.")
    zone_groups: dict[Id, list[Id]] = Field(
        default_factory=dict, description="Named groups of zones whose unmet demand is added up (e.g. the new town).")
    yearly: bool = Field(default=True, description="Also the largest unmet demand of each year (indices over time).")


class SensitivitySpec(_Spec):
    """A sensitivity analysis of one base scenario."""

    name: Id
    description: str = ""
    base: str = Field(description="Base scenario file, relative to this spec.")
    seed: int | None = Field(default=None, ge=0, description="Experiment seed; default: the base scenario's.")
    replications: int = Field(default=2, ge=1, le=10_000,
                              description="Replications per design point on common random numbers, averaged.")
    method: Method
    inputs: list[UncertainInput] | Literal["scenario"] = Field(
        description="The inputs to vary, as a scenario's uncertain_inputs; 'scenario': the base's own.")
    outcomes: OutcomeChoice = OutcomeChoice()
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0, description="Level of the bootstrap intervals.")
    bootstrap: int = Field(default=1000, ge=10, le=100_000, description="Bootstrap resamples.")
    points_per_task: int = Field(default=1, ge=1, le=100_000,
                                 description="Design points run (and recorded) together: more for a fast model.")



@dataclass(frozen=True)
class Sensitivity:
    """A loaded spec: the spec, its file and text, the base scenario and the inputs varied."""

    spec: SensitivitySpec
    file: str
    text: str
    base: Scenario
    inputs: tuple[UncertainInput, ...]

    @property
    def seed(self) -> int:
        return self.base.seed if self.spec.seed is None else self.spec.seed


def load_sensitivity(path: str | os.PathLike[str]) -> Sensitivity:
    """Load and check a sensitivity spec and its base scenario.

    Raises
    ------
    ScenarioError
        With every problem, each as ``file:line: key.path: message``.
    """
    file = os.fspath(path)
    text = read_text(file, "sensitivity spec")
    tree = read_tree(text, file)
    data = tree.plain()
    try:
        spec = SensitivitySpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(model_problems(SensitivitySpec, exc, data, tree, list_allowed_keys=False,
                                           one_per_place=True)) from None
    base_file = str(Path(file).parent / spec.base)
    try:
        base = load_scenario(base_file)
    except ScenarioError as exc:
        head = _at(tree, data, ("base",), f"the base scenario {base_file} is not valid (below)")
        raise ScenarioError([head, *exc.problems]) from None
    inputs = tuple(base.uncertain_inputs) if spec.inputs == "scenario" else tuple(spec.inputs)
    problems = _against_base(spec, inputs, data, tree, base)
    if problems:
        raise ScenarioError(problems)
    return Sensitivity(spec, file, text, base, inputs)


def _at(tree: Node, data: object, loc: tuple[str | int, ...], message: str) -> Problem:
    node = tree.locate(loc)
    return Problem(node.file, node.line, format_path(loc, data), message)


def _against_base(spec: SensitivitySpec, inputs: tuple[UncertainInput, ...], data: dict[str, Any], tree: Node,
                  base: Scenario) -> list[Problem]:
    """Problems of a valid spec as a whole and against its base: replications a method
    needs, unique input ids, input paths, zone names, something to vary."""
    problems: list[Problem] = []
    if isinstance(spec.method, TornadoMethod) and spec.replications < 2:
        problems.append(_at(tree, data, ("replications",) if "replications" in data else ("method",),
                            "a tornado's intervals need replications >= 2"))
    ids = [i.id for i in inputs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(_at(tree, data, ("inputs",), f"input ids must be unique, repeated: {', '.join(dup)}"))
    if not inputs:
        problems.append(_at(tree, data, ("inputs",), "no inputs to vary (the base declares no uncertain_inputs)"))
    if isinstance(spec.inputs, list):
        # The same checks as a scenario's own uncertain inputs, on the base.
        probe = base.model_copy(update={"uncertain_inputs": list(inputs)})
        found = input_findings(probe)
        for loc, message in found or extreme_findings(probe):
            problems.append(_at(tree, data, ("inputs", *loc[1:]), message))
    zones = {z.id for z in base.zones}
    o = spec.outcomes
    for j, zone in enumerate(o.zones or []):
        if zone not in zones:
            problems.append(_at(tree, data, ("outcomes", "zones", j), f"no zone '{zone}' in the base scenario"))
    for group, members in o.zone_groups.items():
        if group in zones:
            problems.append(_at(tree, data, ("outcomes", "zone_groups", group), "a group must not share a zone's id"))
        for j, zone in enumerate(members):
            if zone not in zones:
                problems.append(_at(tree, data, ("outcomes", "zone_groups", group, j),
                                    f"no zone '{zone}' in the base scenario"))
    return problems
