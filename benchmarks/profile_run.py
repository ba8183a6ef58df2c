"""Where one replication spends its time: a profile of ``simulate`` alone.

Usage::

    python benchmarks/profile_run.py                          # the base scenario, seed 1
    python benchmarks/profile_run.py tests/scenarios/small_town.yaml --seed 3
    python benchmarks/profile_run.py --html profile.html      # an interactive page

Uses pyinstrument (``pip install pyinstrument``) when it is installed, and the
standard library's cProfile (top 30 functions by own time) otherwise. Loading
the scenario is left out of the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from pathlib import Path

from sim.engine import simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "liaohe_base.yaml")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--html", type=Path, help="write pyinstrument's HTML page here instead of text")
    ap.add_argument("--cprofile", action="store_true", help="use cProfile even if pyinstrument is installed")
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    try:
        if args.cprofile:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        prof = cProfile.Profile()
        prof.runcall(simulate, scenario, args.seed)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    profiler = Profiler(interval=0.002)
    profiler.start()
    simulate(scenario, args.seed)
    profiler.stop()
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    else:
        print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
