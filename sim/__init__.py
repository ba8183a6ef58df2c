"""Liaohe New Town simulation: a new town's growth and its public-service capacity gaps.

The public API, for notebooks::

    import sim

    base = sim.load_scenario("scenarios/liaohe_base.yaml")
    late = sim.set_path(base, "housing_defaults.delay_months", 12)
    results = sim.replicate(base, reps=10)              # list of sim.Results
    tables = sim.build_tables(results, base)            # tidy pandas tables
    tables.summary                                      # gap metrics per zone and service
    sim.write_report("results/liaohe_base")             # report.html of a results folder

Layers: :mod:`sim.scenario` (YAML in, a frozen Scenario out), :mod:`sim.engine`
(the SimPy model, ``simulate(scenario, seed)``), :mod:`sim.experiments`
(replications, comparisons, sweeps) and :mod:`sim.outputs` (tables, metrics,
figures, the results store).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load on first use (PEP 562), so `import sim.cli` stays quick.
_API = {
    "Results": "sim.engine",
    "simulate": "sim.engine",
    "replicate": "sim.experiments.replications",
    "RunTables": "sim.outputs.run_folder",
    "build_tables": "sim.outputs.run_folder",
    "draw_inputs": "sim.experiments.inputs",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "get_path": "sim.scenario",
    "load_scenario": "sim.scenario",
    "set_path": "sim.scenario",
    "shift_date_path": "sim.scenario",
    "write_report": "sim.outputs.report",
}

if TYPE_CHECKING:
    from sim.engine import Results, simulate
    from sim.experiments.inputs import draw_inputs
    from sim.experiments.replications import replicate
    from sim.outputs.report import write_report
    from sim.outputs.run_folder import RunTables, build_tables
    from sim.scenario import (
        Scenario,
        ScenarioError,
        get_path,
        load_scenario,
        set_path,
        shift_date_path,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "Results",
    "RunTables",
    "Scenario",
    "ScenarioError",
    "build_tables",
    "draw_inputs",
    "get_path",
    "load_scenario",
    "replicate",
    "set_path",
    "shift_date_path",
    "simulate",
    "write_report",
]
