"""``run.py validate``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from sim.scenario import ScenarioError, load_scenario

HELP = "check scenario files and report every problem with file, line and key path"
EPILOG = """examples:
  python run.py validate scenarios/liaohe_base.yaml
  python run.py validate scenarios/*.yaml

A valid file prints
  ok: scenarios/liaohe_base.yaml (liaohe_base, 8 zones, 23 housing projects, 77 facilities)
and a problem prints as one line on stderr, such as
  scenarios/x.yaml:42: housing[longcheng_gongguan].phases[0].units: must be >= 0, got -5
The exit status is 0 when every file is valid and 2 otherwise.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` command."""
    parser = subparsers.add_parser(
        "validate",
        help=HELP,
        description=HELP[:1].upper() + HELP[1:] + ". Nothing is simulated.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario YAML files (extends are followed)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file; print ``ok: …`` for a valid one, its problems for the rest."""
    status = 0
    for file in args.files:
        try:
            s = load_scenario(file)
        except ScenarioError as exc:
            for line in exc.lines():
                print(line, file=sys.stderr)
            status = 2
            continue
        print(
            f"ok: {file} ({s.name}, {len(s.zones)} zones, {len(s.housing)} housing projects, "
            f"{len(s.facilities)} facilities)"
        )
    return status
