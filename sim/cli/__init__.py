"""The command line: ``python run.py COMMAND …``.

Each command lives in its own module with a ``register(subparsers)`` function that
adds its parser and sets ``handler`` (``args -> exit status``). Adding a command
is one line in :data:`COMMANDS`. A :class:`~sim.scenario.ScenarioError` raised by
any command prints its problems, one per line, on stderr and exits with status 2.

Ctrl-C (SIGINT) and SIGTERM stop any command with one line on stderr: what was
being written is removed (a results folder appears whole or not at all), worker
processes are ended, and the exit status is 128 + the signal's number.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from sim.cli import _signals, compare, plan, report, run, schema, sensitivity, sweep, validate
from sim.outputs.claim import FolderRefused
from sim.scenario import ScenarioError

EXIT_OK = 0
EXIT_INVALID = 2
"""Exit status for a usage error or an invalid scenario (argparse uses 2 too)."""
EXIT_FAILED = 1
"""Exit status when a command fails for another reason (an unwritable output)."""


class Command(Protocol):
    """A command module: it registers its parser and handler on the subparsers."""

    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


COMMANDS: tuple[Command, ...] = (run, compare, sweep, sensitivity, plan, report, validate, schema)
"""The commands, in the order ``--help`` lists them."""

EPILOG = """examples:
  python run.py run                 (the base scenario: tables, summary and figures in results/)
  python run.py run scenarios/liaohe_housing_late.yaml --reps 20
  python run.py compare scenarios/liaohe_base.yaml scenarios/liaohe_housing_late.yaml --reps 20
  python run.py sweep scenarios/sweeps/housing_delay_kg_lag.yaml --workers 2
  python run.py sensitivity scenarios/sensitivity/base_morris.yaml --workers 2
  python run.py plan opening kg_north_r01 --risk 0.1
  python run.py report results/liaohe_base          (report.html: findings, figures, methods)
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
    # As the program (argv from the command line), time from the process's start;
    # called from Python with arguments, from this call.
    started = time.perf_counter() - (process_age() if argv is None else 0.0)
    previous = _signals.install()
    command = "run.py"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return EXIT_INVALID
        args.started_at = started
        command = f"run.py {args.command}"
        return handler(args)
    except KeyboardInterrupt as exc:
        return stopped(command, exc)
    except FolderRefused as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ScenarioError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # an output that cannot be written, say
        print(
            f"{command}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        _signals.restore(previous)


def process_age() -> float:
    """Seconds since this process started (Linux; 0 where unknown), so that a
    command's wall time includes starting Python and loading the program."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError):
        return 0.0


def stopped(command: str, exc: KeyboardInterrupt) -> int:
    """Say in one line that ``command`` was stopped; return the exit status (128 + signal)."""
    status, what = _signals.exit_status(exc)
    print(f"{command}: stopped ({what}); nothing half-written was left", file=sys.stderr)
    return status
