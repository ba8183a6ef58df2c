"""``run.py run``: the main job — replicate one scenario and write its results folder."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sim.cli._args import positive, seed
from sim.cli._executor import non_negative

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    import pandas as pd

    from sim.experiments.inputs import InputDraws
    from sim.scenario import Scenario

T = TypeVar("T")
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
requirement), population_summary.csv, validation.csv (observed figures beside
the simulation, when the scenario declares any), scenario.json, figures/ and
report.html (open it in a browser; it prints to PDF).

A scenario that declares uncertain_inputs (TFR, occupancy, slippage…) draws
one value set per replication, a Latin hypercube across the replications, so
that every table and probability carries input uncertainty as well as chance;
draws.parquet and manifest.json record each replication's values, and
--fixed-inputs keeps the scenario's own values instead. An existing folder is never
overwritten silently: without --out a new name is chosen (results/<name>-2/ …);
with --out an existing folder is an error unless --force is given, and --force
replaces only a results folder of this program. The folder is claimed before
anything is simulated, so a second run into the same folder stops at once.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` command."""
    p = subparsers.add_parser(
        "run", help=HELP, description=HELP[:1].upper() + HELP[1:] + ".", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=f"scenario YAML (default {DEFAULT_SCENARIO})")
    p.add_argument("--reps", type=positive, default=1, metavar="N", help="replications (default 1)")
    p.add_argument("--seed", type=seed, default=None, metavar="S",
                   help="experiment seed, 0 to 2**63-1 (default: the scenario's)")
    p.add_argument("--workers", type=non_negative, default=None, metavar="W",
                   help="worker processes (default: one per CPU; 0 runs in this process)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="results folder (default results/<name>/)")
    p.add_argument("--force", action="store_true", help="replace an existing --out results folder")
    p.add_argument("--no-figures", action="store_true", help="skip the figure files (faster)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--figure-format", choices=("png", "svg"), default="png",
                   help="format of the figures, in figures/ and in the report (default png)")
    p.add_argument("--fixed-inputs", action="store_true",
                   help="keep the scenario's uncertain inputs at their own values instead of drawing "
                        "them per replication")
    p.set_defaults(handler=run)


def _scenario_path(arg: str | None) -> Path:
    if arg is not None:
        return Path(arg)
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO.exists() else PROJECT_ROOT / DEFAULT_SCENARIO


def run(args: argparse.Namespace) -> int:
    """Claim the folder, run the replications, write the folder and print a summary."""
    from tqdm import tqdm

    from sim.cli import _signals
    from sim.experiments.executors import make_executor
    from sim.experiments.replications import draws_for, replicate
    from sim.outputs.claim import claim_folder
    from sim.outputs.run_folder import (
        Presentation,
        build_tables,
        code_version,
        scenario_sha256,
        write_claimed,
    )
    from sim.scenario import load_scenario
    from sim.scenario.provenance import scenario_record

    t0 = getattr(args, "started_at", None) or time.perf_counter()
    path = _scenario_path(args.scenario)
    scenario = load_scenario(path)
    root_seed = scenario.seed if args.seed is None else args.seed
    workers = args.workers if args.workers is not None else (0 if args.reps == 1 else os.cpu_count() or 1)
    executor = make_executor(min(workers, args.reps) if workers else 0)
    started = dt.datetime.now(dt.UTC)
    draws = draws_for(scenario, root_seed, range(args.reps), args.fixed_inputs)
    if draws is not None:
        print(f"{scenario.name}: {len(draws.inputs)} uncertain inputs drawn per replication "
              "(Latin hypercube; --fixed-inputs keeps the scenario's values)", file=sys.stderr)
    with claim_folder(args.out, Path("results") / scenario.name, force=args.force, note=print) as claim:
        t_sim = time.perf_counter()

        def done(_rep: int) -> None:
            bar.update()
            _signals.check()  # a stop that Python dropped on the way stops here

        with tqdm(total=args.reps, desc=f"{scenario.name}: replications", unit="rep", file=sys.stderr) as bar:
            results = replicate(scenario, args.reps, root_seed, executor, on_done=done,
                                fixed_inputs=args.fixed_inputs)
        sim_seconds = time.perf_counter() - t_sim
        tables = build_tables(results, scenario, draws.rows() if draws is not None else None)
        manifest = {
            "command": "run",
            "scenario": scenario.name,
            "scenario_file": str(path),
            "scenario_sha256": scenario_sha256(scenario),
            "seed": root_seed,
            "reps": args.reps,
            "uncertain_inputs": inputs_record(scenario, draws),
            **code_version(),
            "executor": executor.name,
            **system(),
            "started": started.isoformat(timespec="seconds"),
            "simulation_seconds": round(sim_seconds, 3),
        }
        _signals.check()
        shown = Presentation(figures=not args.no_figures, report=not args.no_report,
                             fmt=args.figure_format, progress=figure_progress)
        dest = write_claimed(claim, tables, manifest, shown, scenario_record(path, scenario),
                             clock=lambda: time.perf_counter() - t0)
    where = args.out if args.out is not None else Path(os.path.relpath(dest))
    print_summary(scenario.name, args.reps, tables.population_summary, tables.summary, where,
                  time.perf_counter() - t0, figures=not args.no_figures)
    print_validation(tables.validation, where)
    if not args.no_report:
        print(f"Report: {where / 'report.html'}")
    return 0


def inputs_record(scenario: Scenario, draws: InputDraws | None) -> dict[str, Any] | None:
    """The manifest's record of the uncertain inputs: drawn values, fixed, or none declared."""
    from sim.experiments.inputs import fixed_inputs

    if draws is not None:
        return draws.describe()
    return fixed_inputs(scenario.uncertain_inputs) if scenario.uncertain_inputs else None


ZONES_SHORT = ("zones short: zones with unmet demand at some date in at least one replication,\n"
               "  of the zones where the service has demand or capacity at some date.")


def system() -> dict[str, str]:
    """The system a run ran on (STRESS-DES 5.4); Python's version is in :func:`code_version`."""
    import platform

    return {"platform": f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs"}


def figure_progress(items: Iterable[T], total: int) -> Iterator[T]:
    """A progress bar over the figures as they are drawn (on stderr)."""
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc="figures and report", unit="fig", file=sys.stderr, leave=False)


def print_summary(
    name: str, reps: int, pop: pd.DataFrame, gaps: pd.DataFrame, dest: Path, seconds: float,
    figures: bool = True,
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
        print(ZONES_SHORT)
    where = f"; figures in {dest / 'figures'}/" if figures else " (no figures: --no-figures)"
    print(f"\nPer zone and service: {dest / 'summary.csv'}{where}")


def print_validation(table: pd.DataFrame, dest: Path) -> None:
    """One line on the observed figures: how many validation figures the simulation reproduces."""
    if table.empty:
        return
    from sim.outputs.validation import MIN_REPLICATIONS

    checks = table[table["used_for"] == "validation"]
    judged = checks[checks["inside"].notna()]
    if judged.empty:
        print(f"Observed figures: {len(checks)} validation figures beside the simulation, not judged: a 90 % range "
              f"needs at least {MIN_REPLICATIONS} replications (--reps {MIN_REPLICATIONS}): {dest / 'validation.csv'}")
        return
    inside = int(judged["inside"].astype(bool).sum())
    print(f"Observed figures: {inside} of {len(judged)} validation figures inside the "
          f"simulated 90 % range ({len(table) - len(checks)} more set inputs): {dest / 'validation.csv'}")


def service_overview(gaps: pd.DataFrame) -> pd.DataFrame:
    """One line per service: zones short, the earliest shortfall, the largest peak."""
    import pandas as pd

    from sim.outputs.style import UNITS

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
