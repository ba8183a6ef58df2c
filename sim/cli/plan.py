"""``run.py plan opening|capacity FACILITY``: the latest safe opening date, the smallest safe capacity."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli._executor import EXECUTOR_HELP, add_executor_options, executor_from_args, non_negative
from sim.outputs.atomic import write_text_atomic

if TYPE_CHECKING:  # the command's modules load when it runs, keeping `run.py --help` quick
    from sim.scenario import Scenario

HELP = "planning answers: the latest safe opening date or the smallest safe capacity of a facility"
DESCRIPTION = """\
How late may FACILITY open, or how small may it be, while the probability that
unmet demand in its catchment exceeds --tolerance (at some report date of the
horizon) stays at or below --risk? Every candidate runs --reps replications on
the same random streams, with the scenario's uncertain inputs drawn (the same
values for every candidate), so the candidates differ only in the facility.
The search runs a few candidates across the range, then halves the bracket
around the answer; it reports the curve it ran with 95 % intervals, and says
when no date or capacity in the range is safe."""
EPILOG = f"""examples:
  python run.py plan opening kg_north_r01 --risk 0.1
  python run.py plan opening liaohe_south_primary --risk 0.2 --tolerance 45 --reps 40 --workers 2
  python run.py plan capacity nursing_home_wangyin --risk 0.1 --max 400 --step 10
  python run.py plan capacity kg_qianhousu scenarios/liaohe_housing_late.yaml --risk 0.1

candidates:
  opening    dates from --from to --to (default: the horizon), each school-year intake for a
             school (--every intake), else the first of each month (--every month|quarter|year);
             the facility opens on the date itself (its opens_with and construction delay dropped)
  capacity   whole numbers from --min to --max by --step, in the facility's measure (classes,
             beds/places/units, teams); capacity changes are dropped (the capacity holds from opening)

writes to --out (default results/plan/FACILITY_opening or _capacity):
  plan.csv         question, facility, service, catchment, value, exceed, reps, p_exceed, low, high,
                   risk, tolerance, safe, answer: one row per candidate run
  plan_curve.png   P(exceed) against the date or capacity, with intervals, the bound and the answer
  manifest.json    the question, scenario, seed, replications, uncertain inputs, answer, wall time
  scenario.json    the scenario as run, its files and its assumptions
  report.html      the answer, its probability curve and the methods (--no-report skips it)
The folder is claimed before anything runs, as run's is: an existing folder gets a new
name, an existing --out is refused unless --force is given.

{EXECUTOR_HELP}
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``plan`` command."""
    parser = subparsers.add_parser("plan", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("question", choices=["opening", "capacity"], help="what to find")
    parser.add_argument("facility", metavar="FACILITY", help="the facility's id")
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario YAML (default: the base)")
    parser.add_argument("--risk", type=_share, default=0.1, metavar="P", help="the risk bound (default 0.1)")
    parser.add_argument("--tolerance", type=float, default=0.0, metavar="N",
                        help="unmet demand in the catchment that is tolerated, in the service's unit (default 0)")
    parser.add_argument("--reps", type=_at_least_one, default=20, metavar="N", help="replications per candidate (default 20)")
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="experiment seed (default: the scenario's)")
    parser.add_argument("--service", action="append", metavar="SERVICE",
                        help="only this service of a facility that serves several (repeatable)")
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, metavar="DATE", help="earliest date")
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, metavar="DATE", help="latest date")
    parser.add_argument("--every", choices=["intake", "month", "quarter", "year"], help="spacing of candidate dates")
    parser.add_argument("--min", dest="low", type=non_negative, default=0, metavar="N", help="smallest capacity (default 0)")
    parser.add_argument("--max", dest="high", type=non_negative, default=None, metavar="N",
                        help="largest capacity (default: twice today's, at least today's + 10)")
    parser.add_argument("--step", type=_at_least_one, default=1, metavar="N", help="capacity step (default 1)")
    parser.add_argument("--fixed-inputs", action="store_true", help="keep the uncertain inputs at the scenario's values")
    parser.add_argument("--out", metavar="DIR", help="results folder")
    parser.add_argument("--force", action="store_true", help="replace an existing --out results folder")
    parser.add_argument("--no-report", action="store_true", help="skip report.html")
    add_executor_options(parser)
    parser.set_defaults(handler=run)


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (a probability), got {text}")
    return value


def _at_least_one(text: str) -> int:
    value = non_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def candidate_dates(scenario: Scenario, every: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates from ``start`` to ``end``: each intake, or the first of each month, quarter or year."""
    if every == "intake":
        month, day = (int(x) for x in scenario.services.school_year.intake.split("-"))
        return [dt.date(y, month, day) for y in range(start.year, end.year + 1) if start <= dt.date(y, month, day) <= end]
    step = {"month": 1, "quarter": 3, "year": 12}[every]
    out: list[dt.date] = []
    months = start.year * 12 + start.month - 1 + (start.day > 1)  # the first 1st of a month from start
    while True:
        d = dt.date(months // 12, months % 12 + 1, 1)
        if d > end:
            return out
        out.append(d)
        months += step


def _candidates(args: argparse.Namespace, scenario: Scenario, facility_id: str,
                services: tuple[str, ...]) -> tuple[list[Any], str]:
    """The candidate dates or capacities, ascending, and the capacity's unit."""
    from sim.experiments.planning import capacity_measure
    from sim.outputs.plots import UNITS
    from sim.scenario import SCHOOL_SERVICES

    facility = scenario.facility(facility_id)
    if args.question == "opening":
        every = args.every or ("intake" if any(s in SCHOOL_SERVICES for s in facility.services) else "month")
        start, end = args.start or scenario.horizon.start, args.end or scenario.horizon.end
        return list(candidate_dates(scenario, every, start, end)), ""
    measure = capacity_measure(scenario, facility_id)
    today = int(getattr(facility.capacity, measure))
    high = args.high if args.high is not None else max(2 * today, today + 10)
    unit = measure if measure != "units" else UNITS.get(services[0], "units")
    return list(range(args.low, high + 1, args.step)), unit


def run(args: argparse.Namespace) -> int:
    """Answer the question, write plan.csv, the figure and the manifest, print the answer."""
    from sim.cli.run import _scenario_path
    from sim.experiments.planning import evaluator, search
    from sim.outputs.catchment import CatchmentPeak
    from sim.outputs.claim import claim_folder
    from sim.outputs.plan_files import answer_sentence, plan_figure, plan_table
    from sim.outputs.run_folder import code_version
    from sim.scenario import load_scenario
    from sim.scenario.provenance import scenario_record

    path = _scenario_path(args.scenario)
    scenario = load_scenario(path)
    facility = next((f for f in scenario.facilities if f.id == args.facility), None)
    if facility is None:
        print(f"run.py plan: no facility '{args.facility}' in {path}", file=sys.stderr)
        return 2
    services = tuple(s.value for s in facility.services if args.service is None or s.value in args.service)
    if not services:
        print(f"run.py plan: {facility.id} serves {', '.join(s.value for s in facility.services)}, "
              f"not {', '.join(args.service)}", file=sys.stderr)
        return 2
    catchment = tuple(facility.catchment or [facility.zone])
    candidates, unit = _candidates(args, scenario, facility.id, services)
    if not candidates:
        print("run.py plan: no candidate in the range", file=sys.stderr)
        return 2
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else None
    default = Path("results") / "plan" / f"{facility.id}_{args.question}"
    started = getattr(args, "started_at", None) or time.perf_counter()
    with claim_folder(out, default, force=args.force, note=print) as claim:
        with executor_from_args(args) as ex:
            evaluate = evaluator(scenario, args.question, facility.id, args.reps, seed, args.tolerance,
                                 CatchmentPeak(services, catchment), ex, args.fixed_inputs)
            plan = search(args.question, facility.id, candidates, args.risk, args.tolerance, evaluate)
        sentence = answer_sentence(plan, unit, candidates[0], candidates[-1])
        write_text_atomic(claim.tmp / "plan.csv", plan_table(plan, services, catchment).to_csv(index=False))
        plan_figure(plan, unit, claim.tmp / "plan_curve.png")
        manifest = {
            "command": "plan", "question": args.question, "facility": facility.id, "services": list(services),
            "catchment": list(catchment), "scenario": scenario.name, "scenario_file": str(path), "seed": seed,
            "risk": args.risk, "tolerance": args.tolerance, "reps": args.reps,
            "candidates": {"first": str(candidates[0]), "last": str(candidates[-1]), "count": len(candidates)},
            "evaluated": len(plan.curve), "answer": str(plan.answer) if plan.answer is not None else None,
            "sentence": sentence, "monotone": plan.monotone,
            "uncertain_inputs": ("none declared" if not scenario.uncertain_inputs else
                                 "fixed (--fixed-inputs)" if args.fixed_inputs else
                                 "drawn per replication, the same values for every candidate"),
            **code_version(), "executor": ex.name, "wall_s": round(time.perf_counter() - started, 2),
        }
        write_text_atomic(claim.tmp / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        write_text_atomic(claim.tmp / "scenario.json", json.dumps(scenario_record(path, scenario), indent=1,
                                                                  ensure_ascii=False, default=str))
        if not args.no_report:
            from sim.outputs.report import write_report

            write_report(claim.tmp)
        dest = claim.publish()
    shown = out if out is not None else Path(os.path.relpath(dest))
    print(f"{facility.id} ({'+'.join(services)}, catchment {'+'.join(catchment)}): {sentence}")
    if not plan.monotone:
        print("warning: the probabilities the search ran are not monotone in the candidate; chance differs "
              "between candidates beyond the common random numbers, so read the curve, not only the answer",
              file=sys.stderr)
    print(f"wrote {shown}/plan.csv, plan_curve.png, manifest.json, scenario.json"
          + ("" if args.no_report else ", report.html"))
    return 0
