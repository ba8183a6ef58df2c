"""What an adversarial user tries, with the exact message and exit status each gets.

Bad arguments, files that are no scenario (devices, folders, huge files, alias
bombs, system files, endless chains of ``extends``), values the engine cannot
honour, and destinations that must not be overwritten: each is refused in plain
words, in one line (or a bounded few), with exit status 2, and nothing is
written. Commands run in this process (``sim.cli.main``) unless a fresh process
is needed to measure memory.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.outputs.locks import FileLock

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "scenarios" / "small_town.yaml"
MICRO = ROOT / "tests" / "scenarios" / "micro.yaml"
TOO_BIG = "is larger than 1 MiB, the most a scenario file may hold"
NOT_SCENARIO = "not a scenario: none of its keys is a scenario key (name, horizon, zones, demography, …)"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``run.py ARGS`` here: exit status, stdout, stderr."""
    try:
        rc = main(list(args))
    except SystemExit as exc:  # argparse's own errors
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------- arguments


@pytest.mark.parametrize(("args", "message"), [
    (["run", str(MICRO), "--seed", "-1"], "argument --seed: must be a whole number from 0 to 2**63 - 1, got -1"),
    (["run", str(MICRO), "--seed", str(2**63)],
     f"argument --seed: must be a whole number from 0 to 2**63 - 1, got {2**63}"),
    (["run", str(MICRO), "--reps", "abc"], "argument --reps: expected a whole number, got 'abc'"),
    (["run", str(MICRO), "--reps", "0"], "argument --reps: must be at least 1, got 0"),
    (["compare", str(MICRO), str(MICRO), "--seed", "-5"],
     "argument --seed: must be a whole number from 0 to 2**63 - 1, got -5"),
])
def test_bad_arguments_are_argument_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    rc, out, err = cli(capsys, *args)
    assert (rc, out) == (2, "")
    assert err.splitlines()[-1] == f"run.py {args[0]}: error: {message}"


# ----------------------------------------------------------------- files that are no scenario


def test_validate_dev_zero_answers_within_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    rc, out, err = cli(capsys, "validate", "/dev/zero")
    assert time.perf_counter() - start < 1.0
    assert (rc, out, err) == (2, "", "/dev/zero: is not a regular file (a device, a pipe or a socket), "
                                     "not a scenario file\n")


def test_a_folder_is_no_scenario(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(capsys, "validate", str(tmp_path)) == (2, "", f"{tmp_path}: is a directory, not a scenario file\n")


def test_huge_files_are_refused_in_one_line_fast_and_in_bounded_memory(tmp_path: Path) -> None:
    """5 MB and 50 MB of list data are refused by size; a file just under the size
    limit but of dense list data stops at the value limit. A fresh process, to
    measure its peak memory."""
    head = SMALL.read_text(encoding="utf-8") + "extra:\n"
    row = "  - [" + ", ".join(["1"] * 50) + "]\n"
    files = {name: tmp_path / f"{name}.yaml" for name in ("mb5", "mb50", "dense")}
    for name, size in (("mb5", 5_000_000), ("mb50", 50_000_000), ("dense", 1_040_000)):
        files[name].write_text(head + row * (size // len(row)), encoding="utf-8")
    script = textwrap.dedent("""
        import sys, time
        from sim.cli import main
        for f in sys.argv[1:]:
            t = time.perf_counter()
            rc = main(["validate", f])
            print(rc, round(time.perf_counter() - t, 2), file=sys.stderr)
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking
        # parent (a large test process), while the high-water mark is this process's own.
        with open("/proc/self/status") as status:
            print(next(l.split()[1] for l in status if l.startswith("VmHWM:")), file=sys.stderr)
    """)
    r = subprocess.run([sys.executable, "-c", script, *map(str, files.values())], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    lines = r.stderr.splitlines()
    assert lines[0] == f"{files['mb5']}: {TOO_BIG}"
    assert lines[2] == f"{files['mb50']}: {TOO_BIG}"
    assert lines[4] == (f"{files['dense']}: holds more than 50,000 values (each use of an alias counted): "
                        "far more than a scenario has")
    status = [line.split() for line in lines[1:6:2]]
    assert [s[0] for s in status] == ["2", "2", "2"]
    assert float(status[0][1]) < 1.0 and float(status[1][1]) < 1.0  # refused before reading
    assert int(lines[6]) * 1024 < 500e6  # VmHWM is in KiB


def test_a_billion_laughs_is_refused_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    laughs = 'name: lol\nlol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        laughs += f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs)
    start = time.perf_counter()
    rc, out, err = cli(capsys, "validate", str(path))
    seconds = time.perf_counter() - start
    assert (rc, out) == (2, "")
    assert err == f"{path}: holds more than 50,000 values (each use of an alias counted): far more than a scenario has\n"
    assert seconds < 10  # 50,000 values built, not a billion (measured: about 1 s on a busy machine)


def test_merge_keys_do_not_multiply(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Forty levels of ``<<: [*m, *m]`` merge keys: each key once, answered at once."""
    text = "name: merge\nbomb:\n  m0: &m0 {a: 1}\n"
    for i in range(1, 40):
        text += f"  m{i}: &m{i}\n    <<: [*m{i - 1}, *m{i - 1}]\n    k{i}: 1\n"
    path = tmp_path / "merge.yaml"
    path.write_text(text)
    start = time.perf_counter()
    rc, out, err = cli(capsys, "validate", str(path))
    assert time.perf_counter() - start < 10
    assert (rc, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:1: scenario: missing required key 'zones'",
        f"{path}:1: scenario: missing required key 'demography'",
        f"{path}:2: bomb: unknown key 'bomb' (see `python run.py schema` for the allowed keys)",
    ]


def _child(tmp_path: Path, extends: str) -> Path:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {extends}\nname: child\n")
    return child


def test_extends_naming_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").mkdir()
    child = _child(tmp_path, "parent.yaml")
    assert cli(capsys, "validate", str(child)) == (
        2, "", f"{tmp_path / 'parent.yaml'}: is a directory, not a scenario file\n")


def test_extends_naming_a_device(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    child = _child(tmp_path, "zero.yaml")
    assert cli(capsys, "validate", str(child)) == (
        2, "", f"{tmp_path / 'zero.yaml'}: is not a regular file (a device, a pipe or a socket), not a scenario file\n")


def test_extends_naming_a_file_that_is_not_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    child = _child(tmp_path, "/etc/passwd")
    assert cli(capsys, "validate", str(child)) == (
        2, "", f"{child}:1: extends: must name a scenario file ending in .yaml or .yml, got '/etc/passwd'\n")


def test_a_system_file_is_never_echoed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    secret = tmp_path / "shadow.yaml"
    secret.write_text("".join(f"user{i}:$6$SECRET{i}:19000:0:99999:7:::\n" for i in range(26)))
    child = _child(tmp_path, "shadow.yaml")
    for target in (child, secret):
        rc, out, err = cli(capsys, "validate", str(target))
        assert (rc, out, err) == (2, "", f"{secret}: {NOT_SCENARIO}\n")
        assert "SECRET" not in err


def test_a_chain_of_extends_longer_than_the_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\nseed: {i}\n")
    rc, out, err = cli(capsys, "validate", str(tmp_path / "c0.yaml"))
    c = [tmp_path / f"c{i}.yaml" for i in range(16)]
    assert (rc, out, err) == (2, "", f"{c[15]}:1: extends: the chain of parent files is longer than 16 "
                                     f"({c[0]} -> {c[1]} -> … -> {c[15]} -> …)\n")


def test_at_most_25_problems_then_how_many_more(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    zones = "".join(f"  - {{id: Zone{i}}}\n" for i in range(300))
    path = tmp_path / "many.yaml"
    path.write_text(SMALL.read_text(encoding="utf-8").replace("zones:\n", "zones:\n" + zones, 1))
    rc, out, err = cli(capsys, "validate", str(path))
    lines = err.splitlines()
    assert (rc, out, len(lines)) == (2, "", 26)
    assert lines[0] == (f"{path}:9: zones[Zone0].id: must be an id (lowercase letters, digits and _, "
                        "starting with a letter), got 'Zone0'")
    assert lines[-1] == "… and 275 more problems"


# ----------------------------------------------------------------- values the engine cannot honour


@pytest.mark.parametrize(("old", "new", "message"), [
    ("60-99: 0.21}", "60-999: 0.21}",
     "zones[village].initial_population.age_shares: age band '60-999' must end at age 110 or younger"),
    ("a: 4.0e-5", "a: 1.0e+10", "demography.mortality.gompertz.a: must be more than 0 and at most 1, got 10000000000.0"),
    ("end: 2032-12-31", "end: 2262-12-31", "horizon.end: must lie in the years 1800 to 2200, got 2262-12-31"),
    ("end: 2032-12-31", "end: 9999-12-31", "horizon.end: must lie in the years 1800 to 2200, got 9999-12-31"),
    ("residents: 2500", "residents: 1000000000",
     "zones[village].initial_population.residents: must be between 0 and 3000000, got 1000000000"),
    ("units: 600}", "units: 100000000}", "housing[estate].phases[0].units: must be between 0 and 1000000, got 100000000"),
    ("capacity: {units: 20}", "capacity: {units: .inf}",
     "facilities[village_home].capacity.units: must be a finite number between 0 and 1000000000, got inf"),
    ("classes: 4", "classes: true", "facilities[core_kg].capacity.classes: must be a whole number between 0 and 10000, got true"),
    ("x_km: 3.0", "x_km: .nan", "zones[village].x_km: must be a finite number between -1000 and 1000, got nan"),
])
def test_values_the_engine_cannot_honour_are_refused_with_their_range(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    line = text[: text.index(new)].count("\n") + 1
    path = tmp_path / "s.yaml"
    path.write_text(text)
    assert cli(capsys, "validate", str(path)) == (2, "", f"{path}:{line}: {message}\n")


# ----------------------------------------------------------------- destinations


def test_force_never_replaces_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "FILE"
    target.write_text("keep")
    rc, out, err = cli(capsys, "run", str(MICRO), "--out", str(target), "--force", "--workers", "0")
    assert (rc, out) == (2, "")
    assert err == f"run.py run: {target} is not a folder: refusing to replace it; choose another --out\n"
    assert target.read_text() == "keep" and hidden(tmp_path) == []


def test_force_never_replaces_the_working_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for out in (".", ".."):
        rc, _, err = cli(capsys, "run", str(MICRO), "--out", out, "--force", "--workers", "0")
        assert (rc, err) == (2, f"run.py run: --out {out} is the working folder or holds it: "
                                "name a new folder for the results\n")
    assert list(tmp_path.iterdir()) == []


def test_force_replaces_only_a_results_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    rc, _, err = cli(capsys, "run", str(MICRO), "--out", str(mine), "--force", "--workers", "0")
    assert (rc, err) == (2, f"run.py run: {mine} is not a results folder of this program (no manifest.json of "
                            "ours): refusing to replace it; choose another --out\n")
    out = tmp_path / "res"
    args = ("run", str(MICRO), "--out", str(out), "--workers", "0", "--no-figures")
    assert cli(capsys, *args, "--seed", "1")[0] == 0
    rc, _, err = cli(capsys, *args, "--seed", "2")
    assert (rc, err.splitlines()[-1]) == (2, f"run.py run: {out} already exists: choose another --out, "
                                             "or pass --force to replace it")
    assert cli(capsys, *args, "--seed", "2", "--force")[0] == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert hidden(tmp_path) == [] and (mine / "notes.txt").read_text() == "keep"


def test_an_unwritable_out_is_found_before_simulating(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    target = tmp_path / "afile" / "sub"
    rc, out, err = cli(capsys, "run", str(MICRO), "--out", str(target), "--workers", "0")
    assert (rc, out, err) == (2, "", f"run.py run: cannot write {target}: {tmp_path / 'afile'} is a file, "
                                     "not a folder\n")  # no progress bar: nothing was simulated


def test_schema_out_behaves_as_run_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(capsys, "schema", "--out", str(tmp_path)) == (
        2, "", f"run.py schema: {tmp_path} is a folder: give --out a file name, such as "
               f"{tmp_path / 'scenario.schema.json'}\n")
    assert list(tmp_path.iterdir()) == []


def test_compare_out_is_never_overwritten(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "comparison.csv").write_text("keep")
    rc, stdout, err = cli(capsys, "compare", str(MICRO), str(MICRO), "--reps", "2", "--workers", "0", "--out", str(out))
    assert (rc, stdout, err) == (2, "", f"run.py compare: {out} already exists: choose another --out, "
                                        "or pass --force to replace it\n")
    assert (out / "comparison.csv").read_text() == "keep" and hidden(tmp_path) == []


def test_the_results_folder_and_its_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--no-figures says there are none; folders and files follow the umask; the
    manifest records versions and covers the whole command; the summary explains
    its denominators."""
    old = os.umask(0o022)
    try:
        start = time.perf_counter()
        rc, out, _ = cli(capsys, "run", str(MICRO), "--out", str(tmp_path / "r"), "--workers", "0", "--no-figures")
        elapsed = time.perf_counter() - start
        os.umask(0o077)
        assert cli(capsys, "run", str(MICRO), "--out", str(tmp_path / "private"), "--workers", "0",
                   "--no-figures")[0] == 0
    finally:
        os.umask(old)
    assert rc == 0
    assert out.splitlines()[-2:] == [
        f"Per zone and service: {tmp_path / 'r' / 'summary.csv'} (no figures: --no-figures)",
        f"Report: {tmp_path / 'r' / 'report.html'}",
    ]
    assert "figures in" not in out
    assert "zones short: zones with unmet demand at some date in at least one replication," in out
    folder = tmp_path / "r"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o644}
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["program"] == "liaohe-sim"
    assert manifest["python"] == ".".join(map(str, sys.version_info[:3]))
    assert set(manifest["packages"]) == {"simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "dask"}
    assert all(isinstance(v, str) for v in manifest["packages"].values())
    assert isinstance(manifest["git_dirty"], bool)  # the tests run from a checkout
    # wall_seconds is read as the manifest is written, after every table: it covers
    # nearly the whole command, far more than the simulation.
    assert manifest["simulation_seconds"] < manifest["wall_seconds"] <= elapsed
    assert manifest["wall_seconds"] > 0.6 * elapsed


def test_leftovers_of_dead_runs_are_removed_by_the_next_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / ".r.4242.0123abcd.partial").mkdir()  # a run killed while writing r
    (tmp_path / ".r.lock").write_text("4242\n")
    (tmp_path / ".old_r.q3cb22h8.partial").mkdir()  # left by a version before locks
    (tmp_path / ".kept.7.89abcdef.old").mkdir()  # a replacement of 'kept' killed half-way
    (tmp_path / ".kept.7.89abcdef.old" / "manifest.json").write_text("{}")
    (tmp_path / ".busy.9.aaaaaaaa.partial").mkdir()  # a live run's: its lock is held
    with FileLock(tmp_path / ".busy.lock"):
        rc, out, _ = cli(capsys, "run", str(MICRO), "--out", str(tmp_path / "new"), "--workers", "0", "--no-figures")
        assert hidden(tmp_path) == [".busy.9.aaaaaaaa.partial", ".busy.lock"]
    assert rc == 0
    assert out.splitlines()[0] == (f"note: removed what interrupted runs left in {tmp_path}: "
                                   ".old_r.q3cb22h8.partial, .r.4242.0123abcd.partial")
    assert (tmp_path / "kept" / "manifest.json").read_text() == "{}"  # put back: nothing lost


def test_validate_help_shows_what_validate_says(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rc, out, _ = cli(capsys, "validate", "scenarios/liaohe_base.yaml")
    assert rc == 0
    rc, help_text, _ = cli(capsys, "validate", "--help")
    assert f"  {out.strip()}\n" in help_text


def test_an_argument_error_from_run_py_itself(tmp_path: Path) -> None:
    """The script, not only ``main``: an argument error ends with one line, no traceback."""
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "run", "--seed", "-1"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "run.py run: error: argument --seed: must be a whole number from 0 to 2**63 - 1, got -1"
    assert "Traceback" not in r.stderr


def test_wall_seconds_covers_the_whole_command(tmp_path: Path) -> None:
    """From the process's start (Python and the program loading included) to the
    manifest, written after every table and figure: nearly all the terminal sees."""
    start = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "run", str(MICRO), "--workers", "0",
                        "--out", str(tmp_path / "r")], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    elapsed = time.perf_counter() - start
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert 0.7 * elapsed < manifest["wall_seconds"] <= elapsed
