"""``run.py report``: one self-contained HTML report of a results folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write one self-contained HTML report of a run, compare, sweep or sensitivity folder"
EPILOG = """examples:
  python run.py report results/liaohe_base                 (writes results/liaohe_base/report.html)
  python run.py report results/compare_base_late --out ~/reports/late.html
  python run.py report results/sweeps/housing_delay_x_kg_lag --figure-format svg

The report puts the headline findings first (per service: where, from when, how
big at the peak with its interval, how long, how likely, the backlog at the
start, the static per-1,000 requirement beside it), then the scenario in plain
words, the figures grouped by service with one-line captions, the sections of a
comparison, sweep or sensitivity analysis, the validation table where the run
has one, and a methods appendix (scenario hash and file, seeds, replications,
versions, executor, run time, every ASSUMPTION in the scenario, the STRESS-DES
reporting items). Figures are embedded: the file opens offline, requests
nothing, and prints to PDF from a browser. run, compare and sweep write it into
their folder themselves unless given --no-report.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser("report", help=HELP, description=HELP[:1].upper() + HELP[1:] + ".", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", metavar="RESULTS_DIR", type=Path, help="a folder written by run, compare, sweep or sensitivity")
    p.add_argument("--out", metavar="FILE", type=Path, help="where to write the report (default RESULTS_DIR/report.html)")
    p.add_argument("--figure-format", choices=("png", "svg"), default="png", help="embedded figures' format (default png)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the report and say where it is."""
    if not args.folder.is_dir():
        print(f"run.py report: {args.folder} is not a folder", file=sys.stderr)
        return 2
    from sim.cli.run import figure_progress
    from sim.outputs.report import write_report

    try:
        out = write_report(args.folder, args.out, args.figure_format, progress=figure_progress)
    except FileNotFoundError as exc:
        print(f"run.py report: {exc}", file=sys.stderr)
        return 2
    print(f"Report: {out}")
    return 0
