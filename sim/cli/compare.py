"""``run.py compare``: scenarios side by side on common random numbers, paired intervals."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli._args import positive, seed
from sim.cli._executor import EXECUTOR_HELP, add_executor_options, executor_from_args
from sim.outputs.atomic import write_text_atomic

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    from sim.experiments.compare import PairedRuns
    from sim.experiments.replications import HalfwidthRule
    from sim.scenario import Scenario

HELP = "compare scenarios on the same random streams: paired differences with 95%% intervals"
DESCRIPTION = """\
Run every scenario for the same replications: replication r of each uses the same
seed, so a household's life is the same in every scenario and only the levers
differ. For every zone and service, report each scenario minus the FIRST one in
first shortfall date (days), peak unmet and unmet seat-years, as the mean of the
paired differences over replications ± t·sd/√n (95 %)."""
EPILOG = f"""examples:
  # a year's housing delay, kindergartens not in step, twice the beds, vs the base:
  python run.py compare scenarios/liaohe_base.yaml scenarios/liaohe_housing_late.yaml \\
      scenarios/liaohe_kg_not_in_step.yaml scenarios/liaohe_beds_doubled.yaml \\
      --reps 20 --workers 2 --out results/compare_base_variants

  # add replications until every unmet seat-years difference is known to ±25:
  python run.py compare scenarios/liaohe_base.yaml scenarios/liaohe_housing_late.yaml \\
      --reps 10 --until-halfwidth unmet_seat_years=25 --max-reps 80

  # ... or only that of one zone and service:
  python run.py compare A.yaml B.yaml --reps 10 \\
      --until-halfwidth "peak_unmet[liaohe_core/kindergarten]=20"

writes to --out (default results/compare_<first>_<second>…; an existing default
folder gets a new name, an existing --out folder is an error unless --force):
  comparison.csv    scenario, baseline, zone, service, metric, n, baseline_mean,
                    scenario_mean, diff_mean, diff_sd, half_width, low, high
  comparison.png    the differences with their intervals, scenarios side by side
  outcomes.csv      every replication's outcomes (scenario, rep, zone, service, metric, value)
  draws.parquet     scenario, rep and each uncertain input's drawn value (scenarios that declare
                    uncertain_inputs; replication r of every scenario gets the same value of an
                    input they share; --fixed-inputs keeps the scenarios' own values)
  manifest.json     scenarios, seed, replications, executor, stopping rule, wall time
  scenarios.json    each scenario as run, its files and its assumptions
  report.html       the report: findings, what each scenario changes, figures (--no-report skips it)

{EXECUTOR_HELP}
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` command."""
    parser = subparsers.add_parser("compare", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml",
                        help="two or more scenario files; the first is the baseline")
    parser.add_argument("--reps", type=positive, default=10, metavar="N", help="replications of each (default 10)")
    parser.add_argument("--seed", type=seed, default=None, metavar="S",
                        help="experiment seed, 0 to 2**63-1 (default: the first scenario's)")
    parser.add_argument("--out", metavar="DIR", help="results folder")
    parser.add_argument("--force", action="store_true", help="replace an existing --out results folder")
    parser.add_argument("--until-halfwidth", metavar="METRIC=TOL", type=_rule,
                        help="keep adding replications until the widest 95 %% half-width of METRIC's "
                             "difference is at most TOL (METRIC[zone/service]=TOL for one pair)")
    parser.add_argument("--max-reps", type=positive, default=200, metavar="M",
                        help="most replications with --until-halfwidth (default 200)")
    parser.add_argument("--no-report", action="store_true", help="skip report.html")
    parser.add_argument("--fixed-inputs", action="store_true",
                        help="keep the scenarios' uncertain inputs at their own values instead of drawing "
                             "them per replication")
    add_executor_options(parser)
    parser.set_defaults(handler=run)


def _rule(text: str) -> HalfwidthRule:
    from sim.experiments.replications import HalfwidthRule

    try:
        return HalfwidthRule.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _names(names: list[str]) -> list[str]:
    """Scenario names, made unique with a suffix where two files share one."""
    out: list[str] = []
    for n in names:
        k, name = 2, n
        while name in out:
            name, k = f"{n}_{k}", k + 1
        out.append(name)
    return out


def _inputs_record(scenarios: list[Scenario], names: list[str], draws: dict[str, list[dict[str, Any]]],
                   fixed: bool) -> dict[str, Any]:
    """Per scenario that declares uncertain inputs: how they were drawn, and the values."""
    record: dict[str, Any] = {}
    for name, scenario in zip(names, scenarios, strict=True):
        if scenario.uncertain_inputs:
            mode = "fixed" if fixed else "drawn"
            design = ("the scenario's own values (--fixed-inputs)" if fixed else
                      "Latin hypercube across each batch of replications, one stream per input id: "
                      "inputs with the same id get the same value in every scenario")
            record[name] = {"mode": mode, "design": design,
                            "inputs": [i.model_dump(mode="json") for i in scenario.uncertain_inputs],
                            "draws": sorted(draws.get(name, []), key=lambda d: d["rep"])}
    return record


def _write_draws(path: Path, draws: dict[str, list[dict[str, Any]]]) -> None:
    """``draws.parquet``: scenario, rep and each input's value (one column per input id)."""
    import pandas as pd

    from sim.outputs.atomic import atomic_path

    rows = [{"scenario": name, **d} for name, ds in draws.items() for d in ds]
    table = pd.DataFrame(rows).sort_values(["scenario", "rep"], kind="stable")
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)


def run(args: argparse.Namespace) -> int:
    """Run the comparison, write its files and print a short summary."""
    if len(args.scenarios) < 2 or args.reps < 2:
        what = "give at least two scenarios" if len(args.scenarios) < 2 else "--reps must be at least 2"
        print(f"run.py compare: {what}", file=sys.stderr)
        return 2
    from sim.experiments.compare import run_paired
    from sim.outputs.claim import claim_folder
    from sim.outputs.comparison import comparison_figure, comparison_table, summary_lines
    from sim.outputs.intervals import widest_half_width
    from sim.outputs.outcomes import Outcomes
    from sim.scenario import load_scenario
    from sim.scenario.provenance import scenario_record

    scenarios = [load_scenario(f) for f in args.scenarios]
    names = _names([s.name for s in scenarios])
    root_seed = scenarios[0].seed if args.seed is None else args.seed
    default = Path(os.path.join("results", "compare_" + "_".join(names)[:120]))
    out = Path(args.out) if args.out else None
    rule: HalfwidthRule | None = args.until_halfwidth

    def half_width(runs: PairedRuns) -> float:
        assert rule is not None
        table = comparison_table(runs.table(), names)
        return widest_half_width(table, rule.metric, rule.zone, rule.service)

    from sim.outputs.run_folder import code_version

    start = getattr(args, "started_at", None) or time.perf_counter()
    with claim_folder(out, default, force=args.force, note=print) as claim:
        with executor_from_args(args) as ex:
            runs, stop = run_paired(scenarios, names, args.reps, root_seed, Outcomes(), ex, rule,
                                    half_width, args.max_reps, fixed_inputs=args.fixed_inputs)
        per_rep = runs.table()
        table = comparison_table(per_rep, names)
        write_text_atomic(claim.tmp / "comparison.csv", table.to_csv(index=False))
        write_text_atomic(claim.tmp / "outcomes.csv", per_rep.to_csv(index=False))
        if runs.draws:
            _write_draws(claim.tmp / "draws.parquet", runs.draws)
        comparison_figure(table, claim.tmp / "comparison.png")
        manifest: dict[str, Any] = {
            "command": "compare",
            "scenarios": [{"name": n, "file": f} for n, f in zip(names, args.scenarios, strict=True)],
            "baseline": names[0], "seed": root_seed,
            "replications": int(per_rep["rep"].nunique()) if len(per_rep) else 0,
            **code_version(), "executor": ex.name,
            "until_halfwidth": stop.as_dict() if stop is not None else None,
            "wall_s": round(time.perf_counter() - start, 2),
            "uncertain_inputs": _inputs_record(scenarios, names, runs.draws, args.fixed_inputs),
        }
        write_text_atomic(claim.tmp / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        records = {n: scenario_record(f, s) for n, f, s in zip(names, args.scenarios, scenarios, strict=True)}
        write_text_atomic(claim.tmp / "scenarios.json",
                          json.dumps(records, indent=1, ensure_ascii=False, default=str))
        if not args.no_report:
            from sim.outputs.report import write_report

            write_report(claim.tmp)
        dest = claim.publish()
    shown = out if out is not None else Path(os.path.relpath(dest))
    for line in summary_lines(table):
        print(line)
    if stop is not None:
        verdict = "reached" if stop.reached else "NOT reached"
        print(f"stopping rule {stop.rule}: {verdict} after {stop.reps} replications "
              f"(half-width {stop.half_width:.3g})")
    extra = ", draws.parquet" if runs.draws else ""
    print(f"wrote {shown}/comparison.csv, comparison.png, outcomes.csv{extra}, manifest.json, scenarios.json"
          + ("" if args.no_report else ", report.html"))
    return 0
