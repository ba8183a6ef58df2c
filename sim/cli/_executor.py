"""Command-line options that choose where replications run, shared by commands."""

from __future__ import annotations

import argparse

from sim.experiments.executors import Executor, make_executor

EXECUTOR_HELP = """where runs run:
  --workers 0                 in this process, one after another
  --workers 4                 a pool of 4 processes on this machine (default: one per CPU)
  --cluster local             a Dask cluster started on this machine (127.0.0.1 only);
                              --workers sets its number of worker processes
  --scheduler tcp://H:P       a running Dask cluster (start one with `dask scheduler` and
                              `dask worker tcp://H:P` on each machine)
The same seed gives the same results on every executor and any number of workers."""


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers``, ``--scheduler`` and ``--cluster`` to a command's parser."""
    group = parser.add_argument_group("where runs run")
    group.add_argument("--workers", type=non_negative, default=None, metavar="W",
                       help="worker processes (0: in this process; default: one per CPU)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="address of a running Dask scheduler")
    where.add_argument("--cluster", choices=["local"],
                       help="start a Dask cluster on this machine (loopback only, no dashboard)")


def executor_from_args(args: argparse.Namespace) -> Executor:
    """The executor the options ask for (not yet entered)."""
    return make_executor(args.workers, args.scheduler, args.cluster)


def non_negative(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value
