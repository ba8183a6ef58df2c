"""Mutation testing: plant each hand-written mutant in a copy of the tree and run its tests.

A mutant is *killed* when at least one of its tests fails (or errors, or runs
past the time limit) and *survives* when they all pass. The mutation score of
an area is killed / (mutants - declared equivalent ones). Slow, so not part of
CI: run it before a release, or after changing the engine's tests.

Usage (from the repository root, with the project's virtual environment)::

    python mutation/run.py                  # every mutant (about 20 minutes on two cores)
    python mutation/run.py --list           # the mutants and their tests
    python mutation/run.py --only beds-one-over metrics-p90
    python mutation/run.py --area sim/outputs/metrics.py

The working tree is never touched: the tracked files are copied to a temporary
folder, each mutant is written there, its tests run there, and the file is put
back. Exit status 0 when every non-equivalent mutant was killed, 1 otherwise,
2 when the list is stale (a snippet not found exactly once) or the unmutated
copy fails its tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutants import MUTANTS, Mutant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AREAS = ("sim/engine", "sim/outputs/metrics.py", "sim/outputs/intervals.py", "sim/experiments/sweep.py",
         "sim/scenario/model")


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed | survived | timeout | stale
    seconds: float
    detail: str = ""


def area_of(file: str) -> str:
    return next((a for a in AREAS if file == a or file.startswith(a + "/")), file)


def copy_tree(dest: Path) -> None:
    """Copy the files git knows (tracked, or new and not ignored) into ``dest``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[int | None, str]:
    """Run ``tests`` in ``tree``; the exit status (``None``: timed out) and the last lines."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        r = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    lines = [x for x in r.stdout.splitlines() if x.startswith(("FAILED", "ERROR"))]
    return r.returncode, "; ".join(lines[:2]) or (r.stdout.strip().splitlines() or [""])[-1]


def check_copy(tree: Path) -> None:
    """The copy's own ``sim`` package must be the one imported there."""
    out = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, ''); import sim; print(sim.__file__)"],
                         cwd=tree, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(out).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the copy imports sim from {out}, not from {tree}")


def mutate(tree: Path, m: Mutant, timeout: float) -> Outcome:
    path = tree / m.file
    original = path.read_text(encoding="utf-8")
    if original.count(m.old) != 1:
        return Outcome(m, "stale", 0.0, f"snippet found {original.count(m.old)} times in {m.file}")
    path.write_text(original.replace(m.old, m.new), encoding="utf-8")
    start = time.monotonic()
    try:
        status, detail = run_tests(tree, m.tests, timeout)
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - start
    if status is None:
        return Outcome(m, "timeout", seconds, detail)
    if status == 5:  # no tests collected: the list names tests that do not exist
        return Outcome(m, "stale", seconds, "no tests collected: " + " ".join(m.tests))
    return Outcome(m, "killed" if status != 0 else "survived", seconds, detail)


def report(outcomes: list[Outcome]) -> int:
    print("\nmutation score by area (killed / (mutants - equivalent)):")
    total_k = total_n = 0
    for area in AREAS:
        mine = [o for o in outcomes if area_of(o.mutant.file) == area and o.status != "stale"]
        if not mine:
            continue
        killed = sum(o.status in ("killed", "timeout") for o in mine)
        counted = sum(o.mutant.equivalent is None for o in mine)
        killed_counted = sum(o.status in ("killed", "timeout") and o.mutant.equivalent is None for o in mine)
        total_k, total_n = total_k + killed_counted, total_n + counted
        score = killed_counted / counted if counted else float("nan")
        print(f"  {area:28s} {killed_counted:3d} / {counted:3d} = {score:6.1%}"
              f"   ({len(mine)} mutants, {len(mine) - counted} equivalent, {killed} killed in all)")
    if total_n:
        print(f"  {'all':28s} {total_k:3d} / {total_n:3d} = {total_k / total_n:6.1%}")
    bad = 0
    for o in outcomes:
        m = o.mutant
        if o.status == "stale":
            print(f"STALE     {m.id}: {o.detail}")
            bad = 2
        elif o.status == "survived" and m.equivalent is None:
            print(f"SURVIVED  {m.id} ({m.file}): {m.why}; tests: {' '.join(m.tests)}")
            bad = bad or 1
        elif o.status == "survived":
            print(f"EQUIVALENT {m.id}: {m.equivalent}")
        elif m.equivalent is not None:
            print(f"KILLED BUT DECLARED EQUIVALENT {m.id}: {o.detail}")
            bad = bad or 1
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument("--area", help="run only the mutants of files under this path")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per mutant (default 600)")
    parser.add_argument("--no-baseline", action="store_true", help="skip running the tests on the unmutated copy")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if (not args.only or m.id in args.only)
              and (not args.area or m.file.startswith(args.area))]
    if args.list:
        for m in chosen:
            flag = " (equivalent)" if m.equivalent else ""
            print(f"{m.id:32s} {m.file:40s} {m.why}{flag}\n{'':32s} tests: {' '.join(m.tests)}")
        return 0
    ids = [m.id for m in MUTANTS]
    assert len(set(ids)) == len(ids), "mutant ids must be unique"
    with tempfile.TemporaryDirectory(prefix="liaohe-mutants-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        check_copy(tree)
        if not args.no_baseline:
            tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
            print(f"unmutated copy: running {len(tests)} test targets ...", flush=True)
            status, detail = run_tests(tree, tests, args.timeout * 4)
            if status != 0:
                print(f"the unmutated copy fails its tests ({detail}); fix them first")
                return 2
        outcomes = []
        for i, m in enumerate(chosen, 1):
            o = mutate(tree, m, args.timeout)
            outcomes.append(o)
            print(f"[{i:3d}/{len(chosen)}] {o.status:8s} {o.seconds:6.1f}s  {m.id}", flush=True)
    return report(outcomes)


if __name__ == "__main__":
    sys.exit(main())
