"""``run.py schema``: the JSON Schema of the scenario format, for editors and checks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.outputs.atomic import write_text_atomic
from sim.scenario import Scenario

HELP = "print the JSON Schema of the scenario format"
EPILOG = """examples:
  python run.py schema                          (print to stdout)
  python run.py schema --out scenario.schema.json
  python run.py schema --out scenario.schema.json --force   (replace that file)

Point a YAML editor at the schema file (for example with a first line
'# yaml-language-server: $schema=scenario.schema.json') to get completion and
checks while writing a scenario. The schema covers single values; references
between parts of a scenario are checked by 'run.py validate'.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``schema`` command."""
    parser = subparsers.add_parser(
        "schema",
        help=HELP,
        description=HELP[:1].upper() + HELP[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out", metavar="FILE", help="write the schema to FILE (atomically) instead of stdout"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing FILE")
    parser.set_defaults(handler=run)


def schema_text() -> str:
    """Return the scenario JSON Schema as indented JSON text."""
    return json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    text = schema_text()
    if args.out:
        out = Path(args.out)
        if out.is_dir():
            print(f"run.py schema: {out} is a folder: give --out a file name, such as "
                  f"{out / 'scenario.schema.json'}", file=sys.stderr)
            return 2
        if os.path.lexists(out) and not args.force:
            print(f"run.py schema: {out} already exists: choose another --out, or pass --force to "
                  "replace it", file=sys.stderr)
            return 2
        write_text_atomic(out, text, replace=args.force)
    else:
        print(text, end="")
    return 0
