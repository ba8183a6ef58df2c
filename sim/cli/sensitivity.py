"""``run.py sensitivity``: which uncertain inputs drive each gap (Morris, Sobol, tornado)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli._executor import EXECUTOR_HELP, add_executor_options, executor_from_args
from sim.outputs.atomic import write_text_atomic

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    from sim.experiments.sa_design import Design
    from sim.experiments.sa_indices import Indices
    from sim.experiments.sa_spec import Sensitivity
    from sim.outputs.store import SweepStore

LOCK = ".sensitivity.lock"
HELP = "sensitivity analysis: which uncertain inputs drive each gap (Morris, Sobol, tornado)"
DESCRIPTION = """\
Vary the spec's inputs over their distributions by the spec's method, run every
design point for its replications (the same seeds at every point, averaged),
and compute for each gap (zone x service: peak unmet, unmet seat-years, first
shortfall, backlog at the end, and the unmet demand of each year) how much each
input moves it. Runs are recorded as they finish, like a sweep's: a killed
analysis resumes with the same command, and failed runs are reported with what
the estimators did about them."""
EPILOG = f"""examples:
  python run.py sensitivity scenarios/sensitivity/base_morris.yaml --workers 2
  python run.py sensitivity scenarios/sensitivity/base_morris.yaml --out results/sa --no-figures

a spec (YAML; every key is checked, problems name file, line and key path):
  name: base_morris
  base: ../liaohe_base.yaml            # relative to the spec
  seed: 20240601
  replications: 2                      # per design point, on common random numbers, averaged
  method: {{kind: morris, trajectories: 8, levels: 4, seed: 1}}
        # or {{kind: sobol, samples: 256, seed: 1}} or {{kind: tornado, low_quantile: 0.05, high_quantile: 0.95}}
  inputs:                              # as a scenario's uncertain_inputs, or `inputs: scenario`
    - {{id: tfr, path: demography.tfr, apply: scale,
       distribution: {{kind: triangular, low: 0.909, mode: 1.0, high: 1.273}}, source: "facts.md §5"}}
  outcomes: {{metrics: [peak_unmet, unmet_seat_years], services: [kindergarten, primary],
             zone_groups: {{new_town: [liaohe_core, liaohe_north, liaohe_south]}}, yearly: true}}

writes to --out (default results/sensitivity/NAME):
  indices.csv       method, outcome, zone, service, year (or all), input, index, low, high;
                    method is morris_mu_star, morris_sigma, sobol_first, sobol_total,
                    tornado_low, tornado_high or noise_share (input replication_noise)
  sensitivity.json  the design, runs, failed points and how each estimator handled them
  manifest.json     the command, base scenario, seed, method, runs, code version, wall time
  scenario.json     the base scenario as run, its files and its assumptions
  report.html       which inputs drive each gap, the index figures, the methods (--no-report skips it)
  figures/          Morris mu*-sigma, Sobol bars, tornado, indices over time
  points.csv, manifest.jsonl, parts/   the design and every run's outcome rows
The folder is locked while the analysis writes it (a second analysis into it stops
at once); the same command resumes a killed analysis from what it recorded.

{EXECUTOR_HELP}
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sensitivity`` command."""
    parser = subparsers.add_parser("sensitivity", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", metavar="SPEC.yaml", help="the sensitivity spec")
    parser.add_argument("--out", metavar="DIR", help="results folder (default results/sensitivity/NAME)")
    parser.add_argument("--no-figures", action="store_true", help="skip the figures")
    parser.add_argument("--no-report", action="store_true", help="skip report.html")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_executor_options(parser)
    parser.set_defaults(handler=run)


def open_store(sa: Sensitivity, design: Design, out: Path) -> SweepStore:
    """The analysis's results store, new or resumed (same spec, base and seed only)."""
    import pandas as pd

    from sim.outputs.store import SweepStore, fingerprint

    meta: dict[str, Any] = {
        "name": sa.spec.name, "spec_file": sa.file, "kind": "sensitivity",
        "fingerprint": fingerprint(sa.spec.model_dump_json(), sa.base.model_dump_json(), str(sa.seed)),
        "seed": sa.seed, "method": design.method, "inputs": [i.id for i in design.inputs],
        "points": len(design.points), "replications": sa.spec.replications,
    }
    points = pd.DataFrame(design.table_rows())
    return SweepStore(out, meta, sa.text, points, spec_name="sensitivity.yaml")


def run(args: argparse.Namespace) -> int:
    """Load the spec, lock its folder, run what is missing, compute and write the indices."""
    from sim.experiments.sa_design import make_design
    from sim.experiments.sa_spec import load_sensitivity
    from sim.outputs.locks import FileLock, LockHeld

    sa = load_sensitivity(args.spec)
    design = make_design(sa.spec.method, sa.inputs)
    out = Path(args.out or Path("results") / "sensitivity" / sa.spec.name)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(out / LOCK):
            return _run_locked(args, sa, design, out)
    except LockHeld as held:
        who = f" (process {held.owner})" if held.owner else ""
        print(f"run.py sensitivity: {out} is being written by another analysis{who}: wait for it to finish, "
              "or choose another --out", file=sys.stderr)
        return 2


def _run_locked(args: argparse.Namespace, sa: Sensitivity, design: Design, out: Path) -> int:
    """Open or resume the store at ``out`` (locked), run what is missing, write the results."""
    from tqdm import tqdm

    from sim.experiments.sensitivity import blocks, run_analysis
    from sim.outputs.gap_outcomes import GapOutcomes
    from sim.outputs.store import StoreMismatch

    try:
        store = open_store(sa, design, out)
    except StoreMismatch as exc:
        print(f"run.py sensitivity: {exc}", file=sys.stderr)
        return 2
    store.remove_temporary()  # what a killed analysis was writing (we hold the lock)
    o = sa.spec.outcomes
    reduce = GapOutcomes(tuple(o.metrics), tuple(s.value for s in o.services) if o.services else None,
                         tuple(o.zones) if o.zones is not None else None,
                         tuple((k, tuple(v)) for k, v in o.zone_groups.items()), o.yearly)
    tasks = len(blocks(design, sa.spec.replications, sa.spec.points_per_task))
    print(f"{sa.spec.name}: {design.method}, {len(design.inputs)} inputs, {len(design.points)} points x "
          f"{sa.spec.replications} replications = {len(design.points) * sa.spec.replications} runs", file=sys.stderr)
    start = time.perf_counter()
    bar = tqdm(total=tasks, unit="task", desc=sa.spec.name, disable=args.no_progress, smoothing=0.1)
    try:
        with executor_from_args(args) as ex:
            bar.update(len(store.records()))
            report = run_analysis(design, sa.base, sa.seed, sa.spec.replications, store, ex, reduce,
                                  per_task=sa.spec.points_per_task, on_task=lambda _r: _progress(bar))
    except KeyboardInterrupt as stop:
        bar.close()
        print(f"interrupted: {len(store.records())} of {tasks} tasks recorded in {out}; "
              "run the same command to resume", file=sys.stderr)
        return 128 + int(getattr(stop, "signum", signal.SIGINT))
    except Exception as exc:  # a broken pool, a killed Dask worker, a cluster that went away
        bar.close()
        print(f"run.py sensitivity: the executor failed ({type(exc).__name__}: {exc}); {len(store.records())} of "
              f"{tasks} tasks recorded in {out}; run the same command to resume", file=sys.stderr)
        return 1
    bar.close()
    for line in report.lines():
        print(line)
    _finish(sa, design, store, out, time.perf_counter() - start, ex.name, not args.no_figures)
    _record_and_report(sa, design, out, ex.name, not args.no_report, getattr(args, "started_at", None) or start)
    return 0


def _progress(bar: Any) -> None:
    from sim.cli import _signals

    bar.update(1)
    _signals.check()  # a stop that Python dropped on the way stops here


def _record_and_report(sa: Sensitivity, design: Design, out: Path, executor: str, report: bool,
                       started: float) -> None:
    """``manifest.json`` and ``scenario.json`` (the base as run), and the report unless asked not to."""
    from sim.cli.run import system
    from sim.outputs.run_folder import code_version, scenario_sha256
    from sim.scenario.provenance import scenario_record

    base_file = Path(sa.file).parent / sa.spec.base
    write_text_atomic(out / "scenario.json",
                      json.dumps(scenario_record(base_file, sa.base), indent=1, ensure_ascii=False, default=str))
    manifest = {
        "command": "sensitivity", "name": sa.spec.name, "spec_file": sa.file, "scenario": sa.base.name,
        "scenario_file": str(base_file), "scenario_sha256": scenario_sha256(sa.base), "seed": sa.seed,
        "method": design.method, "inputs": [i.id for i in design.inputs], "points": len(design.points),
        "replications": sa.spec.replications, "runs": len(design.points) * sa.spec.replications,
        **code_version(), "executor": executor, **system(),
        "wall_s": round(time.perf_counter() - started, 2),
    }
    write_text_atomic(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    if report:
        from sim.outputs.report import write_report

        print(f"report: {write_report(out)}")


def _finish(sa: Sensitivity, design: Design, store: SweepStore, out: Path, wall: float, executor: str,
            figures: bool) -> None:
    from sim.experiments.sa_estimators import Settings
    from sim.experiments.sa_indices import compute_indices
    from sim.outputs.sa_files import summary_lines, write_figures

    method = sa.spec.method
    settings = Settings(getattr(method, "levels", 4), sa.spec.bootstrap, sa.spec.confidence, getattr(method, "seed", 0))
    indices = compute_indices(design, store.outcomes(), sa.spec.replications, settings)
    write_text_atomic(out / "indices.csv", indices.table.to_csv(index=False))
    write_text_atomic(out / "sensitivity.json", json.dumps(_record(sa, design, store, indices, wall, executor),
                                                           indent=2, ensure_ascii=False, default=str))
    if figures:
        write_figures(indices.table, design.method, out / "figures")
    for line in summary_lines(indices.table, design.method, metric=sa.spec.outcomes.metrics[0]):
        print(line)
    counts = indices.note_counts()
    for note, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  note ({n} outcomes): {note}")
    print(f"wrote {out}/ (indices.csv, sensitivity.json{', figures/' if figures else ''}, points.csv, parts/)")


def _record(sa: Sensitivity, design: Design, store: SweepStore, indices: Indices, wall: float,
            executor: str) -> dict[str, Any]:
    """``sensitivity.json``: what ran, what failed and how the estimators handled it."""
    failed: dict[str, str] = {}
    for rec in store.records().values():
        failed.update(rec.get("failed_points") or {})
    noise = indices.table[indices.table["method"] == "noise_share"]["index"]
    return {
        "name": sa.spec.name, "spec_file": sa.file, "base": sa.base.name, "seed": sa.seed,
        "method": sa.spec.method.model_dump(), "inputs": [i.model_dump(mode="json") for i in design.inputs],
        "points": len(design.points), "replications": sa.spec.replications,
        "runs": len(design.points) * sa.spec.replications,
        "confidence": sa.spec.confidence, "bootstrap": sa.spec.bootstrap,
        "failed_points": dict(sorted(failed.items(), key=lambda kv: int(kv[0]))),
        "failure_handling": ("a design point with a failed replication is dropped whole (averaging the rest would "
                             "break common random numbers), with the Morris trajectory or Sobol base row it "
                             "belongs to; the tornado loses that bar. Per outcome, 'notes' says what was dropped."),
        "censoring": "first_shortfall_days: a replication without a shortfall counts as the last report date",
        "outcomes": indices.outcomes, "notes": indices.notes,
        "noise_share": {"outcomes": int(noise.size), "median": float(noise.median()) if noise.size else None,
                        "max": float(noise.max()) if noise.size else None},
        "executor": executor, "last_wall_s": round(wall, 2),
    }
