"""The command line: ``python run.py COMMAND …``.

Each command lives in its own module with a ``register(subparsers)`` function that
adds its parser and sets ``handler`` (``args -> exit status``). Adding a command
is one line in :data:`COMMANDS`. A :class:`~sim.scenario.ScenarioError` raised by
any command prints its problems, one per line, on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from sim.cli import compare, plan, run, schema, sensitivity, sweep, validate
from sim.scenario import ScenarioError

EXIT_OK = 0
EXIT_INVALID = 2
"""Exit status for a usage error or an invalid scenario (argparse uses 2 too)."""
EXIT_FAILED = 1
"""Exit status when a command fails for another reason (an unwritable output)."""


class Command(Protocol):
    """A command module: it registers its parser and handler on the subparsers."""

    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


COMMANDS: tuple[Command, ...] = (run, compare, sweep, sensitivity, plan, validate, schema)
"""The commands, in the order ``--help`` lists them."""

EPILOG = """examples:
  python run.py run                 (the base scenario: tables, summary and figures in results/)
  python run.py run scenarios/liaohe_housing_late.yaml --reps 20
  python run.py compare scenarios/liaohe_base.yaml scenarios/liaohe_housing_late.yaml --reps 20
  python run.py sweep scenarios/sweeps/housing_delay_kg_lag.yaml --workers 2
  python run.py sensitivity scenarios/sensitivity/base_morris.yaml --workers 2
  python run.py plan opening kg_north_r01 --risk 0.1
  python run.py validate scenarios/liaohe_base.yaml
  python run.py schema --out scenario.schema.json
  python run.py COMMAND --help      (how to use one command)
"""


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every command in :data:`COMMANDS` registered."""
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Simulate Liaohe New Town's growth and the capacity gaps of its public services.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 on a usage error or an invalid scenario.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_INVALID
    try:
        return handler(args)
    except ScenarioError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # an output that cannot be written, say
        print(
            f"run.py {args.command}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_FAILED
