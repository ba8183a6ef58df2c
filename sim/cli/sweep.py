"""``run.py sweep``: run a sweep spec's design, recording every run in a results store."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli._executor import EXECUTOR_HELP, add_executor_options, executor_from_args
from sim.experiments.sweep import DONE
from sim.outputs.atomic import write_text_atomic

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    from sim.experiments.spec import Sweep
    from sim.experiments.sweep import SweepReport
    from sim.outputs.store import SweepStore

LOCK = ".sweep.lock"
"""Held by the sweep writing a folder (released by the system if it is killed)."""

HELP = "run a sweep over scenario factors; resumable, results appended to a Parquet store"
DESCRIPTION = """\
Run every point of a sweep spec's design for its replications. Each run is
recorded as it finishes: its outcome rows in a Parquet part file, then a line in
the manifest. A run that fails (an invalid point, an error inside the model) is
recorded with its error and the sweep goes on. An interrupted sweep (Ctrl-C, a
killed process, a lost worker) resumes with the same command: runs in the
manifest are not run again. The folder is locked while a sweep writes it: a
second sweep into the same folder stops at once."""
EPILOG = f"""examples:
  python run.py sweep scenarios/sweeps/housing_delay_kg_lag.yaml --workers 2
  python run.py sweep scenarios/sweeps/housing_delay_kg_lag.yaml --cluster local --workers 4
  python run.py sweep scenarios/sweeps/housing_delay_kg_lag.yaml --scheduler tcp://10.0.0.5:8786
  python run.py sweep SPEC.yaml --retry-failed      (run again the runs that failed)

a spec (YAML; every key is checked, problems name file, line and key path):
  name: housing_delay_x_kg_lag
  base: liaohe_base.yaml            # relative to the spec
  seed: 20240501                    # replication r runs on the same seed at every point
  replications: 5
  design: {{kind: grid, levels: 3}}   # or {{kind: latin_hypercube | sobol, points: 32, seed: 1}}
  factors:
    - {{name: housing_delay_months, kind: number, path: housing_defaults.delay_months, range: [0, 24]}}
    - {{name: kg_opening_lag_months, kind: opening_lag, service: kindergarten, levels: [0, 6, 12]}}
    - {{name: school_shift, kind: date_shift, path: "facilities[liaohe_north_middle].opens", range: [-12, 12]}}
    - {{name: tfr, kind: choice, path: demography.tfr, values: [0.9, 1.1, 1.3]}}
  outcomes: {{metrics: [first_shortfall_days, peak_unmet, unmet_seat_years], services: [kindergarten]}}

writes to --out (default results/sweeps/NAME):
  manifest.jsonl    one line per run: point, rep, seed, status, wall_s, error
  parts/*.parquet   each run's rows: point, rep, seed, factor values, zone, service, metric, value
  points.csv        the design; summary.csv: mean and 95 % interval per point (after the sweep)
  scenario.json     the base scenario as run, its files and its assumptions
  report.html       the report: envelopes of each gap, the gap against each factor (--no-report skips it)

{EXECUTOR_HELP}
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sweep`` command."""
    parser = subparsers.add_parser("sweep", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", metavar="SPEC.yaml", help="the sweep spec")
    parser.add_argument("--out", metavar="DIR", help="results folder (default results/sweeps/NAME)")
    parser.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-report", action="store_true", help="skip report.html")
    add_executor_options(parser)
    parser.set_defaults(handler=run)


def open_store(sweep: Sweep, out: Path) -> SweepStore:
    """The sweep's results store, new or resumed (same spec and base only)."""
    import pandas as pd

    from sim.outputs.store import SweepStore, fingerprint

    points = pd.DataFrame(list(sweep.points), columns=list(sweep.factor_names))
    points.insert(0, "point", range(len(points)))
    meta: dict[str, Any] = {
        "name": sweep.spec.name, "spec_file": sweep.file,
        "fingerprint": fingerprint(sweep.spec.model_dump_json(), sweep.base.model_dump_json(), str(sweep.seed)),
        "seed": sweep.seed, "factors": list(sweep.factor_names), "points": len(sweep.points),
        "replications": sweep.spec.replications, "runs": sweep.runs,
    }
    return SweepStore(out, meta, sweep.text, points)


def run(args: argparse.Namespace) -> int:
    """Load the spec, lock its folder, run what is missing, write the summary and report."""
    from sim.experiments.spec import load_sweep
    from sim.outputs.locks import FileLock, LockHeld

    sweep = load_sweep(args.spec)
    out = Path(args.out or Path("results") / "sweeps" / sweep.spec.name)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(out / LOCK):
            return _run_locked(args, sweep, out)
    except LockHeld as held:
        who = f" (process {held.owner})" if held.owner else ""
        print(f"run.py sweep: {out} is being written by another sweep{who}: wait for it to finish, "
              "or choose another --out", file=sys.stderr)
        return 2


def _run_locked(args: argparse.Namespace, sweep: Sweep, out: Path) -> int:
    """Open or resume the store at ``out`` (locked), run what is missing, report."""
    from tqdm import tqdm

    from sim.experiments.sweep import run_sweep
    from sim.outputs.outcomes import Outcomes
    from sim.outputs.store import StoreMismatch

    try:
        store = open_store(sweep, out)
    except StoreMismatch as exc:
        print(f"run.py sweep: {exc}", file=sys.stderr)
        return 2
    store.remove_temporary()  # what a killed sweep was writing (we hold the lock)
    o = sweep.spec.outcomes
    reduce = Outcomes(*(tuple(v) if v is not None else None for v in (o.metrics, o.services, o.zones)))
    start = time.perf_counter()
    bar = tqdm(total=sweep.runs, unit="run", desc=sweep.spec.name, disable=args.no_progress, smoothing=0.1)
    try:
        with executor_from_args(args) as ex:
            bar.update(len(store.records()) if not args.retry_failed else _done(store))
            report = run_sweep(sweep, store, ex, reduce, on_run=lambda _r: _progress(bar),
                               retry_failed=args.retry_failed)
    except KeyboardInterrupt as stop:
        bar.close()
        print(f"interrupted: {len(store.records())} of {sweep.runs} runs recorded in {out}; "
              "run the same command to resume", file=sys.stderr)
        return 128 + int(getattr(stop, "signum", signal.SIGINT))
    except Exception as exc:  # a broken pool, a killed Dask worker, a cluster that went away
        bar.close()
        print(f"run.py sweep: the executor failed ({type(exc).__name__}: {exc}); {len(store.records())} of "
              f"{sweep.runs} runs recorded in {out}; run the same command to resume", file=sys.stderr)
        return 1
    bar.close()
    _finish(store, sweep, report, out, time.perf_counter() - start, ex.name)
    _record_and_report(sweep, out, not args.no_report)
    return 0


def _progress(bar: Any) -> None:
    from sim.cli import _signals

    bar.update(1)
    _signals.check()  # a stop that Python dropped on the way stops here


def _record_and_report(sweep: Sweep, out: Path, report: bool) -> None:
    """The base scenario as run (scenario.json), and the report unless asked not to."""
    from sim.scenario.provenance import scenario_record

    base_file = Path(sweep.file).parent / sweep.spec.base
    write_text_atomic(out / "scenario.json",
                      json.dumps(scenario_record(base_file, sweep.base), indent=1, ensure_ascii=False, default=str))
    if report:
        from sim.outputs.report import write_report

        print(f"report: {write_report(out)}")


def _done(store: SweepStore) -> int:
    return sum(1 for r in store.records().values() if r.get("status") == DONE)


def _finish(store: SweepStore, sweep: Sweep, report: SweepReport, out: Path, wall: float, executor: str) -> None:
    from sim.outputs.store import summarise_store

    summary = summarise_store(store, list(sweep.factor_names))
    write_text_atomic(out / "summary.csv", summary.to_csv(index=False))
    records = store.records()
    failed = [r for r in records.values() if r.get("status") != DONE]
    status = {"runs": sweep.runs, "recorded": len(records), "failed": len(failed),
              "executor": executor, "last_wall_s": round(wall, 2)}
    write_text_atomic(out / "status.json", json.dumps(status, indent=2))
    for line in report.lines():
        print(line)
    if failed and not report.failed:
        print(f"  ({len(failed)} runs recorded as failed earlier; --retry-failed runs them again)")
    print(f"wrote {out}/ (manifest.jsonl, parts/, points.csv, summary.csv)")

