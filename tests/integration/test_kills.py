"""Killed at a random moment, ``run`` and ``sweep`` leave no process and nothing half-written.

Each command runs with a pool of two worker processes, in a session of its
own, and is sent SIGTERM, SIGKILL or (to the whole group, as a terminal's
Ctrl-C does) SIGINT at a random moment while it works: once its output folder
has been claimed, plus a random delay. Five seconds later no process of the
session is alive (the workers noticed their parent was gone); a stopped command
said so in one line; the next run into the same parent folder leaves no hidden
partial folder or lock behind; and the sweep, run again, records every run
exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MICRO = ROOT / "tests" / "scenarios" / "micro.yaml"
SPEC = ROOT / "tests" / "scenarios" / "sweeps" / "micro.yaml"
RUNS = [(p, r) for p in range(2) for r in range(3)]
GRACE = 5.0
"""Seconds after the signal by which every process of the command must be gone."""


def _alive(session: int) -> list[int]:
    """Processes of ``session`` still running (zombies waiting to be reaped are not)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        if fields[0] != "Z" and int(fields[3]) == session:  # state, ppid, pgrp, session
            alive.append(int(entry.name))
    return alive


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for(ready: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None:
        assert time.monotonic() < deadline, "the command never got to work"
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[str], how: str, moment: float) -> tuple[int, str]:
    """Signal ``proc`` after ``moment`` seconds; check its session is gone within GRACE."""
    time.sleep(moment)
    sig = {"TERM": signal.SIGTERM, "KILL": signal.SIGKILL, "INT": signal.SIGINT}[how]
    try:
        if how == "INT":
            os.killpg(proc.pid, sig)  # a terminal's Ctrl-C reaches the whole group
        else:
            os.kill(proc.pid, sig)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=60)
        while _alive(proc.pid) and time.monotonic() < sent + GRACE:
            time.sleep(0.05)
        assert _alive(proc.pid) == [], f"processes alive {GRACE} s after SIG{how}"
    finally:
        for pid in _alive(proc.pid):
            os.kill(pid, signal.SIGKILL)
    return proc.returncode, err


def _check_stop_message(how: str, rc: int, err: str, line: str) -> None:
    if how == "KILL" or rc == 0:  # killed outright, or done before the signal came
        return
    status = {"TERM": 128 + signal.SIGTERM, "INT": 128 + signal.SIGINT}[how]
    assert (rc, err.strip().splitlines()[-1:]) == (status, [line]), err
    assert "Traceback" not in err


@pytest.mark.parametrize("how", ["TERM", "KILL", "INT"])
def test_run_killed_at_a_random_moment(tmp_path: Path, how: str) -> None:
    moment = random.Random(f"run {how}").uniform(0.0, 1.5)
    proc = _start(["run", str(MICRO), "--reps", "4", "--workers", "2", "--out", str(tmp_path / "r")])
    _wait_for(lambda: any(p.suffix == ".partial" for p in tmp_path.iterdir()), proc)
    rc, err = _stop(proc, how, moment)
    name = {"TERM": "SIGTERM", "INT": "Ctrl-C"}.get(how, "")
    _check_stop_message(how, rc, err, f"run.py run: stopped ({name}); nothing half-written was left")

    again = subprocess.run([sys.executable, str(ROOT / "run.py"), "run", str(MICRO), "--workers", "0",
                            "--no-figures", "--out", str(tmp_path / "r2")], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (tmp_path / "r2" / "manifest.json").is_file()
    if (tmp_path / "r").exists():  # the run finished before the signal: then it is whole
        assert (tmp_path / "r" / "manifest.json").is_file()


@pytest.mark.parametrize("how", ["TERM", "KILL"])
def test_sweep_killed_at_a_random_moment_resumes_every_run_exactly_once(tmp_path: Path, how: str) -> None:
    moment = random.Random(f"sweep {how}").uniform(0.0, 1.5)
    out = tmp_path / "sweep"
    args = ["sweep", str(SPEC), "--no-progress", "--out", str(out)]
    proc = _start([*args, "--workers", "2"])
    _wait_for(lambda: (out / "store.json").exists(), proc)
    rc, err = _stop(proc, how, moment)
    recorded = len(_runs(out))
    _check_stop_message(how, rc, err, f"interrupted: {recorded} of 6 runs recorded in {out}; "
                                      "run the same command to resume")

    again = subprocess.run([sys.executable, str(ROOT / "run.py"), *args, "--workers", "0"],
                           capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert f"{recorded} already recorded, {6 - recorded} done now" in again.stdout
    assert sorted(_runs(out)) == RUNS  # each exactly once
    assert [p.name for p in out.rglob(".*")] == []  # no lock, no half-written part


def test_a_second_sweep_into_a_folder_being_swept_stops_at_once(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = _start(["sweep", str(SPEC), "--no-progress", "--workers", "0", "--out", str(out)])
    try:
        _wait_for(lambda: (out / "store.json").exists(), first)
        os.kill(first.pid, signal.SIGSTOP)  # hold the first sweep mid-way, its folder locked
        assert first.poll() is None, "the first sweep ended before the second started"
        second = subprocess.run([sys.executable, str(ROOT / "run.py"), "sweep", str(SPEC), "--no-progress",
                                 "--workers", "0", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
        assert (second.returncode, second.stdout) == (2, "")
        assert second.stderr == (f"run.py sweep: {out} is being written by another sweep (process {first.pid}): "
                                 "wait for it to finish, or choose another --out\n")
        os.kill(first.pid, signal.SIGCONT)
        assert first.wait(timeout=120) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert sorted(_runs(out)) == RUNS


def _runs(out: Path) -> list[tuple[int, int]]:
    manifest = out / "manifest.jsonl"
    if not manifest.exists():
        return []
    return [(json.loads(x)["point"], json.loads(x)["rep"]) for x in manifest.read_text().splitlines()]
