"""Two runs started at the same instant never lose a result set.

Twenty times, four ``run.py run`` commands are released at once from a barrier:
two into the same ``--out`` folder and two into the default folder of another
working folder. Each time, of the two into one ``--out``, one writes the folder
and the other stops at once with a clear message; the two into the default
folder both write, into ``results/micro/`` and ``results/micro-2/``; every
folder's manifest holds the seed of the run that says it wrote it, and nothing
hidden is left behind.

The runs are the command itself (``sim.cli.main``) in processes forked from a
fork server that has the program loaded, so that twenty trials cost seconds,
not the minutes that starting eighty interpreters would.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MICRO = ROOT / "tests" / "scenarios" / "micro.yaml"
TRIALS = 20


def _command(argv: list[str], cwd: str, tag: str, barrier: Any) -> None:
    """Run ``run.py`` with ``argv`` in ``cwd`` once the barrier opens; record what it did."""
    from sim.cli import main

    os.chdir(cwd)
    with open(f"{tag}.out", "w") as out, open(f"{tag}.err", "w") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        barrier.wait()
        start = time.perf_counter()
        rc = main(argv)
        seconds = time.perf_counter() - start
        sys.stdout.flush()
        sys.stderr.flush()
    cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    Path(f"{tag}.json").write_text(json.dumps({"rc": rc, "seconds": seconds, "pid": os.getpid(), "cpu": cpu}))
    os._exit(0)


@pytest.fixture(scope="module")
def ctx() -> Any:
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["sim.cli", "sim.cli.run", "sim.outputs.run_folder",
                                    "sim.experiments.replications", "tqdm"])
    return context


def _trial(ctx: Any, folder: Path, k: int) -> dict[str, dict[str, Any]]:
    """Start the four runs of trial ``k`` at once; return what each did."""
    same, default = folder / "same", folder / "default"
    same.mkdir(parents=True)
    default.mkdir()
    args = ["--workers", "0", "--no-figures"]
    runs = {
        "a": (["run", str(MICRO), "--out", "X", "--seed", str(2 * k), *args], same),
        "b": (["run", str(MICRO), "--out", "X", "--seed", str(2 * k + 1), *args], same),
        "c": (["run", str(MICRO), "--seed", str(2 * k), *args], default),
        "d": (["run", str(MICRO), "--seed", str(2 * k + 1), *args], default),
    }
    barrier = ctx.Barrier(len(runs))
    procs = [ctx.Process(target=_command, args=(argv, str(cwd), tag, barrier)) for tag, (argv, cwd) in runs.items()]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0, "a run's process died"
    out = {}
    for tag, (argv, cwd) in runs.items():
        record = json.loads((cwd / f"{tag}.json").read_text())
        record["seed"] = int(argv[argv.index("--seed") + 1])
        record["stdout"] = (cwd / f"{tag}.out").read_text()
        record["stderr"] = (cwd / f"{tag}.err").read_text()
        out[tag] = record
    return out


def _seed(folder: Path) -> int:
    return int(json.loads((folder / "manifest.json").read_text())["seed"])


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_two_runs_at_once_never_lose_a_result_set(ctx: Any, tmp_path: Path) -> None:
    for k in range(TRIALS):
        got = _trial(ctx, tmp_path / f"trial{k}", k)
        same, default = tmp_path / f"trial{k}" / "same", tmp_path / f"trial{k}" / "default"

        # Into one --out: one writes it, the other stops at once and says why.
        winner, loser = sorted((got["a"], got["b"]), key=lambda r: r["rc"])
        assert (winner["rc"], loser["rc"]) == (0, 2), (k, got["a"]["stderr"], got["b"]["stderr"])
        assert loser["stderr"].splitlines() == [
            f"run.py run: X is being written by another run (process {winner['pid']}): "
            "choose another --out, or wait for it to finish"
        ] or loser["stderr"].splitlines() == [  # if the winner was already done
            "run.py run: X already exists: choose another --out, or pass --force to replace it"
        ], loser["stderr"]
        assert "replications" not in loser["stderr"], "the loser simulated before stopping"
        assert loser["seconds"] < winner["seconds"]
        assert _seed(same / "X") == winner["seed"]
        assert _hidden(same) == []

        # Into the default folder: both write, each into its own folder, and say which.
        assert got["c"]["rc"] == got["d"]["rc"] == 0, (got["c"]["stderr"], got["d"]["stderr"])
        results = default / "results"
        assert sorted(p.name for p in results.iterdir()) == ["micro", "micro-2"]
        for run in (got["c"], got["d"]):
            name = "micro-2" if "results/micro-2/" in run["stdout"] else "micro"
            assert _seed(results / name) == run["seed"], (k, run["stdout"])
        assert _hidden(results) == []
