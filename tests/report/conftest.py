"""Results folders shared by the report tests, each made once per test session.

* ``base_run`` — the base scenario cut to 2019-2026, two replications, with its
  figures and report (the base scenario's report, a few replications, shortened);
* ``compare_folder`` — the minimal scenario against a year's housing delay;
* ``sweep_folder`` — the minimal scenario, housing delay × kindergarten lag, 2 × 2 points;
* ``sensitivity_folder`` — a hand-made sensitivity folder in the agreed file formats.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _report_helpers import write_sensitivity

from sim.cli import main
from sim.experiments.executors import InProcess
from sim.experiments.replications import replicate
from sim.outputs.run_folder import build_tables, code_version, scenario_sha256, write_run_folder
from sim.scenario import load_scenario, set_path
from sim.scenario.provenance import scenario_provenance

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "liaohe_base.yaml"
MINIMAL = ROOT / "tests" / "scenarios" / "minimal.yaml"
LATE = ROOT / "tests" / "scenarios" / "minimal_housing_late.yaml"
END = dt.date(2026, 12, 31)  # every housing phase of the base is planned by then
REPS = 2


@pytest.fixture(scope="session")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = set_path(load_scenario(BASE), "horizon.end", END)
    with InProcess() as ex:
        results = replicate(scenario, REPS, scenario.seed, ex)
    out = tmp_path_factory.mktemp("base") / "liaohe_base"
    manifest = {"command": "run", "scenario": scenario.name, "scenario_file": str(BASE),
                "scenario_sha256": scenario_sha256(scenario), "seed": scenario.seed, "reps": REPS,
                **code_version(), "executor": ex.name}
    record = {"resolved": scenario.model_dump(mode="json"), "provenance": scenario_provenance(BASE)}
    write_run_folder(out, build_tables(results, scenario), manifest, scenario_record=record)
    return out


@pytest.fixture(scope="session")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    assert main(["compare", str(MINIMAL), str(LATE), "--reps", "3", "--seed", "1", "--workers", "0",
                 "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sweep")
    spec = tmp / "spec.yaml"
    spec.write_text(
        "name: tiny_sweep\n"
        f"base: {MINIMAL}\n"
        "seed: 7\nreplications: 2\ndesign: {kind: grid}\n"
        "factors:\n"
        "  - {name: housing_delay_months, kind: number, path: housing_defaults.delay_months, levels: [0, 12]}\n"
        "  - {name: kg_opening_lag_months, kind: opening_lag, service: kindergarten, levels: [0, 12]}\n"
        "outcomes:\n  metrics: [first_shortfall_days, peak_unmet, unmet_seat_years]\n", encoding="utf-8")
    out = tmp / "out"
    assert main(["sweep", str(spec), "--workers", "0", "--no-progress", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def sensitivity_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sensitivity(tmp_path_factory.mktemp("sensitivity") / "sa")
