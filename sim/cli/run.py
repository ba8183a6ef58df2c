"""``run.py run``: the main job — replicate one scenario and write its results folder."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli._executor import non_negative

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    import pandas as pd

    from sim.experiments.inputs import InputDraws
    from sim.scenario import Scenario

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = Path("scenarios") / "liaohe_base.yaml"

HELP = "simulate a scenario's replications and write tables, a summary and figures"
EPILOG = """examples:
  python run.py run                                   (the base scenario, 1 replication)
  python run.py run scenarios/liaohe_kg_not_in_step.yaml --reps 20
  python run.py run scenarios/liaohe_base.yaml --reps 50 --seed 7 --workers 2 --out results/base50

The results folder (default results/<scenario name>/) holds manifest.json,
population.parquet, series.parquet, facilities.parquet, events.parquet, further
tables, summary.csv (gap metrics per zone and service beside the static
requirement), population_summary.csv, shortfall_probability.csv and figures/.

A scenario that declares uncertain_inputs (TFR, occupancy, slippage…) draws
one value set per replication, a Latin hypercube across the replications, so
that every table and probability carries input uncertainty as well as chance;
draws.parquet and manifest.json record each replication's values, and
--fixed-inputs keeps the scenario's own values instead. An existing folder is never
overwritten silently: without --out a new name is chosen (results/<name>-2/ …);
with --out an existing folder is an error unless --force is given.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` command."""
    p = subparsers.add_parser(
        "run", help=HELP, description=HELP[:1].upper() + HELP[1:] + ".", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=f"scenario YAML (default {DEFAULT_SCENARIO})")
    p.add_argument("--reps", type=_positive, default=1, metavar="N", help="replications (default 1)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="experiment seed (default: the scenario's)")
    p.add_argument("--workers", type=non_negative, default=None, metavar="W",
                   help="worker processes (default: one per CPU; 0 runs in this process)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="results folder (default results/<name>/)")
    p.add_argument("--force", action="store_true", help="replace an existing --out folder")
    p.add_argument("--no-figures", action="store_true", help="skip the figures (faster)")
    p.add_argument("--fixed-inputs", action="store_true",
                   help="keep the scenario's uncertain inputs at their own values instead of drawing "
                        "them per replication")
    p.set_defaults(handler=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _scenario_path(arg: str | None) -> Path:
    if arg is not None:
        return Path(arg)
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO.exists() else PROJECT_ROOT / DEFAULT_SCENARIO


def _destination(out: Path | None, name: str, force: bool) -> Path | None:
    """Where to write; ``None`` (after a message) when an explicit folder exists."""
    if out is not None:
        if out.exists() and not force:
            print(f"{out} already exists: choose another --out, or pass --force to replace it", file=sys.stderr)
            return None
        return out
    base = Path("results") / name
    candidate, k = base, 2
    while candidate.exists():
        candidate, k = base.with_name(f"{name}-{k}"), k + 1
    if candidate != base:
        print(f"note: {base} exists; writing to {candidate} instead")
    return candidate


def run(args: argparse.Namespace) -> int:
    """Run the replications, write the folder and print a one-screen summary."""
    from tqdm import tqdm

    from sim.experiments.executors import make_executor
    from sim.experiments.replications import draws_for, replicate
    from sim.outputs.run_folder import build_tables, code_version, scenario_sha256, write_run_folder
    from sim.scenario import load_scenario

    path = _scenario_path(args.scenario)
    scenario = load_scenario(path)
    dest = _destination(args.out, scenario.name, args.force)
    if dest is None:
        return 2
    seed = scenario.seed if args.seed is None else args.seed
    workers = args.workers if args.workers is not None else (0 if args.reps == 1 else os.cpu_count() or 1)
    executor = make_executor(min(workers, args.reps) if workers else 0)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    draws = draws_for(scenario, seed, range(args.reps), args.fixed_inputs)
    if draws is not None:
        print(f"{scenario.name}: {len(draws.inputs)} uncertain inputs drawn per replication "
              "(Latin hypercube; --fixed-inputs keeps the scenario's values)", file=sys.stderr)
    with tqdm(total=args.reps, desc=f"{scenario.name}: replications", unit="rep", file=sys.stderr) as bar:
        results = replicate(scenario, args.reps, seed, executor, on_done=lambda _: bar.update(),
                            fixed_inputs=args.fixed_inputs)
    sim_seconds = time.perf_counter() - t0
    tables = build_tables(results, scenario, draws.rows() if draws is not None else None)
    manifest = {
        "scenario": scenario.name,
        "scenario_file": str(path),
        "scenario_sha256": scenario_sha256(scenario),
        "seed": seed,
        "reps": args.reps,
        "uncertain_inputs": inputs_record(scenario, draws),
        **code_version(),
        "executor": executor.name,
        "started": started.isoformat(timespec="seconds"),
        "simulation_seconds": round(sim_seconds, 3),
        "wall_seconds": round(time.perf_counter() - t0, 3),
    }
    write_run_folder(dest, tables, manifest, figures=not args.no_figures, replace=args.force)
    print_summary(scenario.name, args.reps, tables.population_summary, tables.summary, dest, time.perf_counter() - t0)
    return 0


def inputs_record(scenario: Scenario, draws: InputDraws | None) -> dict[str, Any] | None:
    """The manifest's record of the uncertain inputs: drawn values, fixed, or none declared."""
    from sim.experiments.inputs import fixed_inputs

    if draws is not None:
        return draws.describe()
    return fixed_inputs(scenario.uncertain_inputs) if scenario.uncertain_inputs else None


def print_summary(
    name: str, reps: int, pop: pd.DataFrame, gaps: pd.DataFrame, dest: Path, seconds: float
) -> None:
    """A one-screen summary: residents by zone, each service's gaps, where the files are."""
    print(f"\n{name}: {reps} replication(s) in {seconds:.1f} s -> {dest}/")
    print("\nResidents (median across replications)")
    print(pop[["zone", "start", "peak_median", "peak_date", "end_median"]].to_string(index=False, float_format="{:,.0f}".format))
    if gaps.empty:
        print("\nNo services with demand in this scenario.")
    else:
        print("\nCapacity gaps by service (medians across replications)")
        print(service_overview(gaps).to_string(index=False))
    print(f"\nPer zone and service: {dest / 'summary.csv'}; figures in {dest / 'figures'}/")


def service_overview(gaps: pd.DataFrame) -> pd.DataFrame:
    """One line per service: zones short, the earliest shortfall, the largest peak."""
    import pandas as pd

    from sim.outputs.plots import UNITS

    rows = []
    for service, g in gaps.groupby("service", observed=True, sort=False):
        short = g[g["share_reps_shortfall"] > 0]
        row = {"service": service, "unit": UNITS.get(str(service), ""),
               "zones short": f"{len(short)} of {len(g)}", "first shortfall": "-", "largest peak unmet": "-"}
        if not short.empty:
            first = short.dropna(subset=["first_shortfall_median"])
            if not first.empty:
                f = first.loc[first["first_shortfall_median"].idxmin()]
                row["first shortfall"] = f"{pd.Timestamp(f['first_shortfall_median']):%Y-%m} {f['zone']}"
            p = short.loc[short["peak_unmet_median"].idxmax()]
            row["largest peak unmet"] = f"{p['peak_unmet_median']:,.0f} in {p['zone']}"
        rows.append(row)
    return pd.DataFrame(rows)
