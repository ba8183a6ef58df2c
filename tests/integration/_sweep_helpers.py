"""Helpers shared by the sweep tests: a shortened sweep and a model that fails on purpose."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd

from sim.engine import Results, simulate
from sim.experiments.executors import Executor
from sim.experiments.spec import Sweep, load_sweep
from sim.experiments.sweep import SweepReport, run_sweep
from sim.outputs.outcomes import Outcomes
from sim.outputs.store import SweepStore
from sim.scenario import Scenario, set_path

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SMALL_SPEC = SCENARIOS / "sweeps" / "small.yaml"
KEYS = ["point", "rep", "zone", "service", "metric"]


def short_sweep(replications: int = 2, end: dt.date = dt.date(2026, 12, 31)) -> Sweep:
    """The small test sweep with its base cut to a shorter horizon (faster runs)."""
    sweep = load_sweep(SMALL_SPEC)
    spec = sweep.spec.model_copy(update={"replications": replications})
    return dataclasses.replace(sweep, spec=spec, base=set_path(sweep.base, "horizon.end", end))


def run_into(sweep: Sweep, root: Path, executor: Executor, model=simulate) -> tuple[SweepStore, SweepReport]:
    """Run ``sweep`` into a new store at ``root``; return the store and the report."""
    store = SweepStore(root, {"fingerprint": "test", "name": sweep.spec.name})
    with executor as ex:
        report = run_sweep(sweep, store, ex, Outcomes(), model=model)
    return store, report


def sorted_outcomes(store: SweepStore) -> pd.DataFrame:
    """The store's outcome rows in a canonical order."""
    return store.outcomes().sort_values(KEYS, kind="stable").reset_index(drop=True)


def failing_model(scenario: Scenario, seed: int) -> Results:
    """The engine, except that it raises for scenarios with housing a year late."""
    if scenario.housing_defaults.delay_months == 12:
        raise RuntimeError("boom: a model failure on purpose")
    return simulate(scenario, seed)
