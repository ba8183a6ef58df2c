"""Time of a run's figures and report, against one million bare SimPy timeouts.

Usage::

    python benchmarks/bench_report.py                      # simulate the base scenario (1 replication) first
    python benchmarks/bench_report.py results/liaohe_base  # an existing run folder
    python benchmarks/bench_report.py --repeat 5 --format svg

Measures, in this one process and alternately, the seconds of one million
timeouts of a bare SimPy process (the reference) and the seconds of drawing a
run's figures into a folder and writing its report (what ``run`` does after
the simulation: ``figures/`` and ``report.html``), and prints both and their
ratio. The first figure pass pays one-time costs (fonts, caches); the median
of the repeats is the steady figure. The target is a ratio of at most 3. Wall
and CPU seconds are both shown: on a shared machine the CPU ratio is steadier.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.outputs.report import write_report  # noqa: E402


def bare_simpy(n: int = 1_000_000) -> tuple[float, float]:
    """Wall and CPU seconds of ``n`` timeouts of one SimPy process doing nothing else."""
    env = simpy.Environment()

    def loop(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(loop(env))
    w, c = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - w, time.process_time() - c


def figures_and_report(folder: Path, fmt: str) -> tuple[float, float]:
    """Wall and CPU seconds of drawing the run's figures into a folder and writing its report."""
    with tempfile.TemporaryDirectory() as tmp:
        w, c = time.perf_counter(), time.process_time()
        write_report(folder, Path(tmp) / "report.html", fmt, figures_dir=Path(tmp) / "figures")
        return time.perf_counter() - w, time.process_time() - c


def base_run(out: Path, reps: int) -> Path:
    """Simulate the base scenario into ``out`` without figures or report."""
    from sim.cli import main

    status = main(["run", str(ROOT / "scenarios" / "liaohe_base.yaml"), "--reps", str(reps), "--workers", "0",
                   "--out", str(out), "--no-figures", "--no-report", "--force"])
    if status != 0:
        raise SystemExit(status)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", type=Path, help="a run folder (default: simulate the base scenario)")
    ap.add_argument("--reps", type=int, default=1, help="replications when simulating the base scenario")
    ap.add_argument("--repeat", type=int, default=3, help="alternate measurements (default 3)")
    ap.add_argument("--format", default="png", choices=("png", "svg"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or base_run(Path(tmp) / "base", args.reps)
        bare, report = [], []
        for _ in range(args.repeat):
            bare.append(bare_simpy())
            report.append(figures_and_report(folder, args.format))
    print(f"results folder: {folder}")
    print(f"{'':28}{'wall s':>9}{'cpu s':>9}")
    print(f"{'1e6 bare SimPy timeouts':28}{statistics.median(b[0] for b in bare):9.2f}"
          f"{statistics.median(b[1] for b in bare):9.2f}   (median of {args.repeat})")
    print(f"{'figures + report, first':28}{report[0][0]:9.2f}{report[0][1]:9.2f}")
    if len(report) > 1:
        print(f"{'figures + report, median':28}{statistics.median(r[0] for r in report[1:]):9.2f}"
              f"{statistics.median(r[1] for r in report[1:]):9.2f}   (median of the later {len(report) - 1})")
    for kind, i in (("wall", 0), ("cpu", 1)):
        ref = statistics.median(b[i] for b in bare)
        first = report[0][i] / ref
        later = statistics.median(r[i] for r in report[1:]) / ref if len(report) > 1 else first
        print(f"ratio ({kind}): first {first:.2f}, later {later:.2f}  (target at most 3)")


if __name__ == "__main__":
    main()
