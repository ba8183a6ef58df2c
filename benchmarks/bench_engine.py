"""Seconds per replication and events per second of the engine, by town size.

Usage::

    python benchmarks/bench_engine.py                      # 50k, 100k, 350k residents
    python benchmarks/bench_engine.py --residents 1000000 --reps 1
    python benchmarks/bench_engine.py --scenario scenarios/liaohe_base.yaml

Prints, for each size, the wall seconds of one replication (median over
``--reps``), the model events handled, events per second, and the event rate of
a bare SimPy loop measured in the same process for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_town  # noqa: E402

from sim.engine import simulate  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def bare_simpy_rate(n: int = 200_000) -> float:
    """Timeouts per second of one SimPy process doing nothing else."""
    env = simpy.Environment()

    def loop(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(loop(env))
    t = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t)


def measure(scenario, reps: int) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    times, events, residents = [], 0, 0
    for rep in range(reps):
        t = time.perf_counter()
        r = simulate(scenario, 1000 + rep)
        times.append(time.perf_counter() - t)
        events = r.n_events
        residents = int(r.total_residents().sum(axis=1).max())
    return statistics.median(times), events, residents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--residents", type=int, nargs="*", default=[50_000, 100_000, 350_000])
    ap.add_argument("--scenario", type=Path, help="benchmark a scenario file instead of synthetic towns")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-facilities", action="store_true", help="population only")
    args = ap.parse_args()
    print(f"bare SimPy loop: {bare_simpy_rate():,.0f} events/s")
    print(f"{'town':>24} {'peak residents':>15} {'s/rep':>8} {'events':>10} {'events/s':>10}")
    cases = [(str(args.scenario), load_scenario(args.scenario))] if args.scenario else [
        (f"synthetic {n:,}", synthetic_town(n, facilities=not args.no_facilities)) for n in args.residents
    ]
    for label, scenario in cases:
        seconds, events, residents = measure(scenario, args.reps)
        print(f"{label:>24} {residents:>15,} {seconds:>8.2f} {events:>10,} {events / seconds:>10,.0f}")


if __name__ == "__main__":
    main()
