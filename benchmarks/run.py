"""Speed of one replication, scaling with population, and a sweep's parallel efficiency.

Usage::

    python benchmarks/run.py                 # every case at full size (about 15-25 minutes)
    python benchmarks/run.py --quick         # the same cases, shorter (under 5 minutes)
    python benchmarks/run.py --case base     # one case: base, town, city or sweep
    python benchmarks/run.py --quick > figures.jsonl

Prints one JSON object per line per case:

``case``, ``residents_end`` (residents at the last report), ``years`` (horizon),
``seconds_per_rep`` (median over the case's replications), ``events`` (the
population's events in one replication), ``events_per_second``,
``person_years_per_second`` (resident-years simulated per second, from the
report grid), ``peak_rss_mb`` (peak resident set of the process that ran the
case), ``bare_simpy_seconds_per_million`` (one million timeouts of one plain
SimPy process, measured in the same process, between the replications; the
median) and ``ratio`` = ``seconds_per_rep`` / ``bare_simpy_seconds_per_million``;
``cpu_ratio`` is the same ratio of CPU seconds (steadier on a busy machine).

Cases:

- ``base``: the base scenario (``scenarios/liaohe_base.yaml``), every service.
- ``town``: a synthetic full-zone town of about 350,000 residents (6 zones,
  :mod:`synthetic`).
- ``city``: the same synthetic town at about 3.5 million residents. The
  scenario format bounds a zone's initial residents and a phase's units, so the
  city is split over 6 zones and 6 housing phases each; every zone and phase
  stays within the bounds. ``scale_vs_town`` is its ``seconds_per_rep`` over
  the town's (the two run on the same horizon).
- ``sweep``: a 40-run Latin-hypercube sweep of the base scenario (housing
  delay x kindergarten opening lag) on a local pool of 2 worker processes.
  ``parallel_efficiency`` = 40 x (median in-process seconds of one run, the
  sweep's first three measured here first, built, simulated and reduced as a
  worker does) / (2 x the sweep's wall seconds);
  ``worker_efficiency`` uses the runs' own wall times instead (pool overhead only).

``--quick`` runs one replication of the base scenario, the town and the city
on a 2019-2024 horizon, and the sweep on the base scenario cut at 2019-12-31
(the full run cuts it at 2024-12-31).
Each case runs in its own process, so its peak memory is its own. On a shared
machine the ratios are steadier than the seconds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

CASES = ("base", "town", "city", "sweep")
QUICK_END = "2024-12-31"
SWEEP_RUNS = 40
SWEEP_WORKERS = 2


def bare_simpy_times(n: int = 1_000_000) -> tuple[float, float]:
    """Wall and CPU seconds of ``n`` timeouts of one SimPy process doing nothing else."""
    env = simpy.Environment()

    def loop(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(loop(env))
    t, c = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - t, time.process_time() - c


def bare_simpy_seconds(n: int = 1_000_000) -> float:
    """Wall seconds of ``n`` timeouts of one SimPy process doing nothing else."""
    return bare_simpy_times(n)[0]


def peak_rss_mb() -> float:
    """Peak resident set of this process, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def person_years(results: Any) -> float:
    """Resident-years lived over the report grid (trapezoid between report dates)."""
    total = results.total_residents().sum(axis=1).astype(float)
    days = np.array([(d - results.dates[0]).days for d in results.dates], dtype=float)
    return float(np.trapezoid(total, days) / 365.25) if len(days) > 1 else 0.0


def time_replications(scenario: Any, reps: int) -> dict[str, Any]:
    """Replications of ``scenario`` alternating with the bare SimPy reference."""
    from sim.engine import simulate

    bare = [bare_simpy_times()]
    seconds, cpu, results = [], [], None
    for rep in range(reps):
        t, c = time.perf_counter(), time.process_time()
        results = simulate(scenario, 1000 + rep)
        seconds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        bare.append(bare_simpy_times())
    assert results is not None
    s, b = statistics.median(seconds), statistics.median(w for w, _ in bare)
    s_cpu, b_cpu = statistics.median(cpu), statistics.median(c for _, c in bare)
    h = scenario.horizon
    return {
        "residents_end": int(results.total_residents()[-1].sum()),
        "years": round((h.end - h.start).days / 365.25, 2),
        "seconds_per_rep": round(s, 3),
        "events": int(results.n_events),
        "events_per_second": round(results.n_events / s),
        "person_years_per_second": round(person_years(results) / s),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "bare_simpy_seconds_per_million": round(b, 3),
        "ratio": round(s / b, 2),
        "cpu_ratio": round(s_cpu / b_cpu, 2),
        "reps": reps,
        "seconds_all": [round(x, 3) for x in seconds],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def case_base(quick: bool) -> dict[str, Any]:
    from sim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "liaohe_base.yaml")
    return {"case": "base", **time_replications(scenario, 1 if quick else 3)}


def case_synthetic(name: str, residents: int, quick: bool) -> dict[str, Any]:
    from synthetic import synthetic_town

    end = QUICK_END if quick else "2040-12-31"
    scenario = synthetic_town(residents, end=end)
    reps = 1 if quick or residents > 1_000_000 else 3
    return {"case": name, "target_residents": residents, **time_replications(scenario, reps)}


def case_sweep(quick: bool) -> dict[str, Any]:
    import dataclasses
    import datetime as dt

    from sweep_memory import build_sweep, truncate

    from sim.engine import simulate
    from sim.experiments.executors import make_executor
    from sim.experiments.sweep import RunRecord, run_one, run_sweep, tasks_for
    from sim.outputs.outcomes import Outcomes
    from sim.outputs.store import SweepStore

    end = dt.date(2019, 12, 31) if quick else dt.date(2024, 12, 31)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sweep = build_sweep(SWEEP_RUNS, None, folder)
        sweep = dataclasses.replace(sweep, base=truncate(sweep.base, end))
        bare = [bare_simpy_seconds()]
        # The serial reference: the sweep's first runs, in this process, as a worker does them
        # (the point's scenario built, simulated and reduced to outcome rows).
        serial = []
        for task in itertools.islice(tasks_for(sweep, set(), Outcomes(), simulate), 3):
            t = time.perf_counter()
            run_one(task)
            serial.append(time.perf_counter() - t)
        store = SweepStore(folder / "store", {"fingerprint": "bench", "name": "bench_sweep"})
        walls: list[float] = []

        def done(rec: RunRecord) -> None:
            walls.append(rec.wall_s)

        start = time.perf_counter()
        with make_executor(SWEEP_WORKERS) as ex:
            report = run_sweep(sweep, store, ex, Outcomes(), on_run=done)
        wall = time.perf_counter() - start
        bare.append(bare_simpy_seconds())
    one = statistics.median(serial)
    b = statistics.median(bare)
    return {
        "case": "sweep",
        "runs": SWEEP_RUNS,
        "workers": SWEEP_WORKERS,
        "years": round((end - sweep.base.horizon.start).days / 365.25, 2),
        "runs_done": report.done,
        "sweep_wall_seconds": round(wall, 2),
        "seconds_per_rep": round(one, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "bare_simpy_seconds_per_million": round(b, 3),
        "ratio": round(one / b, 2),
        "parallel_efficiency": round(SWEEP_RUNS * one / (SWEEP_WORKERS * wall), 3),
        "worker_efficiency": round(sum(walls) / (SWEEP_WORKERS * wall), 3),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run_case(name: str, quick: bool) -> dict[str, Any]:
    os.chdir(ROOT)  # the synthetic towns read the base scenario by a relative path
    if name == "base":
        return case_base(quick)
    if name == "town":
        return case_synthetic("town", 350_000, quick)
    if name == "city":
        return case_synthetic("city", 3_500_000, quick)
    return case_sweep(quick)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short horizons and one replication (under 5 minutes)")
    ap.add_argument("--case", choices=CASES, action="append", help="run only this case (repeatable)")
    ap.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    cases = args.case or list(CASES)
    if args.in_process:
        for name in cases:
            print(json.dumps(run_case(name, args.quick)), flush=True)
        return
    town_seconds = None
    for name in cases:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--in-process", "--case", name]
        out = subprocess.run(cmd + (["--quick"] if args.quick else []), check=True,
                             capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        if name == "town":
            town_seconds = row["seconds_per_rep"]
        if name == "city" and town_seconds:
            row["scale_vs_town"] = round(row["seconds_per_rep"] / town_seconds, 2)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
