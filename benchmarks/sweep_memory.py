"""Memory of the sweeping process over a long sweep: does it stay flat?

Runs an N-run sweep (default 200: a Latin hypercube of N points of housing delay
× kindergarten opening lag, one replication each) of the base scenario into a
results store, and samples the parent process's resident set size (VmRSS from
/proc/self/status) while it runs. Prints RSS over time and the peak, and how much
RSS grew between the first and the last tenth of the runs: flat means the
parent holds nothing per run.

    python benchmarks/sweep_memory.py                       # 200 runs, full horizon (slow)
    python benchmarks/sweep_memory.py --end 2021-12-31      # shorter horizon, faster runs
    python benchmarks/sweep_memory.py --runs 50 --workers 2 --out /tmp/mem_sweep

``--end`` cuts the horizon and drops what the base schedules after it (later
housing phases, projects, facilities and capacity changes), so the scenario stays
valid.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sim.experiments.executors import make_executor
from sim.experiments.spec import Sweep, load_sweep
from sim.experiments.sweep import RunRecord, run_sweep
from sim.outputs.outcomes import Outcomes
from sim.outputs.store import SweepStore
from sim.scenario import Scenario
from sim.scenario.loader import validate_data

ROOT = Path(__file__).resolve().parents[1]
SPEC = """\
name: sweep_memory
base: {base}
seed: 1
replications: 1
design: {{kind: latin_hypercube, points: {runs}, seed: 1}}
factors:
  - {{name: housing_delay_months, kind: number, path: housing_defaults.delay_months, range: [0, 12]}}
  - {{name: kg_opening_lag_months, kind: opening_lag, service: kindergarten, range: [0, 12]}}
"""


def rss_mib() -> tuple[float, float]:
    """This process's resident set size now and at its peak (VmRSS, VmHWM), MiB."""
    fields: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = float(value.split()[0]) / 1024.0
    return fields["VmRSS"], fields["VmHWM"]


def truncate(scenario: Scenario, end: dt.date) -> Scenario:
    """The scenario on a horizon ending at ``end``, without what is scheduled after it."""
    d: dict[str, Any] = scenario.model_dump()
    d["horizon"]["end"] = end
    d.pop("observed", None)  # figures to check the run against, mostly after a cut horizon
    for h in d["housing"]:
        h["phases"] = [p for p in h["phases"] if p["date"] <= end]
    d["housing"] = [h for h in d["housing"] if h["phases"]]
    kept = {h["id"] for h in d["housing"]}
    facilities = []
    for f in d["facilities"]:
        if (f.get("opens") and f["opens"] > end) or (f.get("opens_with") and f["opens_with"] not in kept):
            continue
        f["capacity_changes"] = [c for c in f["capacity_changes"] if c["date"] <= end]
        facilities.append(f)
    d["facilities"] = facilities
    return validate_data(d)


class Sampler(threading.Thread):
    """Samples RSS every ``every`` seconds, with the number of runs done so far."""

    def __init__(self, every: float) -> None:
        super().__init__(daemon=True)
        self.every, self.runs, self.samples = every, 0, [(0.0, 0, *rss_mib())]
        self._stop_flag = threading.Event()
        self._t0 = time.perf_counter()

    def run(self) -> None:
        while not self._stop_flag.wait(self.every):
            self.samples.append((time.perf_counter() - self._t0, self.runs, *rss_mib()))

    def stop(self) -> None:
        self._stop_flag.set()
        self.join()
        self.samples.append((time.perf_counter() - self._t0, self.runs, *rss_mib()))


def report(samples: list[tuple[float, int, float, float]], runs: int) -> None:
    print(f"{'time_s':>8} {'runs':>6} {'rss_mib':>9} {'peak_mib':>9}")
    step = max(1, len(samples) // 20)
    for t, n, rss, hwm in samples[::step] + [samples[-1]]:
        print(f"{t:8.1f} {n:6d} {rss:9.1f} {hwm:9.1f}")
    early = [s[2] for s in samples if s[1] <= runs / 10] or [samples[0][2]]
    late = [s[2] for s in samples if s[1] >= runs * 0.9] or [samples[-1][2]]
    print(f"peak RSS {max(s[3] for s in samples):.1f} MiB; mean RSS over the first tenth of the runs "
          f"{sum(early) / len(early):.1f} MiB, over the last tenth {sum(late) / len(late):.1f} MiB")


def build_sweep(runs: int, end: dt.date | None, folder: Path) -> Sweep:
    spec = folder / "sweep_memory.yaml"
    spec.write_text(SPEC.format(base=(ROOT / "scenarios" / "liaohe_base.yaml").as_posix(), runs=runs))
    sweep = load_sweep(spec)
    return sweep if end is None else dataclasses.replace(sweep, base=truncate(sweep.base, end))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="0: in process; default: one per CPU")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None, help="horizon end (ISO date)")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between RSS samples")
    parser.add_argument("--out", type=Path, default=None, help="results store (default: a temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sweep_memory_"))
    out = args.out or folder / "store"
    sweep = build_sweep(args.runs, args.end, folder)
    store = SweepStore(out, {"fingerprint": f"memory-{args.runs}-{args.end}", "name": "sweep_memory"})
    sampler = Sampler(args.every)

    def count(_r: RunRecord) -> None:
        sampler.runs += 1

    sampler.start()
    start = time.perf_counter()
    with make_executor(args.workers) as ex:
        result = run_sweep(sweep, store, ex, Outcomes(), on_run=count)
    sampler.stop()
    print(f"{sweep.runs} runs of {sweep.base.name} to {sweep.base.horizon.end} on {ex.name}: "
          f"{time.perf_counter() - start:.0f} s; " + result.lines()[0])
    report(sampler.samples, sweep.runs)
    if args.out is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
