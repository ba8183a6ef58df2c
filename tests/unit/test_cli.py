"""The command line: help for every command, the schema command, exit statuses."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import COMMANDS, build_parser, main, validate

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_help_lists_every_command_with_examples() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ("validate", "schema"):
        assert f"    {name}  " in result.stdout
    assert "examples:" in result.stdout


@pytest.mark.parametrize("command", ["validate", "schema"])
def test_each_command_help_teaches_with_an_example(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert f"python run.py {command}" in result.stdout.split("examples:", 1)[1]


def test_every_registered_command_has_a_handler() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    # One parser per command module, the documented commands among them.
    assert len(sub.choices) == len(COMMANDS)
    assert {"run", "compare", "sweep", "validate", "schema"} <= set(sub.choices)
    args = parser.parse_args(["validate", "x.yaml"])
    assert args.handler is validate.run


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_validate_a_valid_file_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "tests/scenarios/extends/child.yaml"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == "ok: tests/scenarios/extends/child.yaml (minimal_child, 2 zones, 1 housing projects, 3 facilities)\n"
    )


def test_schema_prints_the_json_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scenario"
    assert "facilities" in schema["properties"]


def test_schema_out_writes_the_file_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scenario.schema.json"
    out.write_text("old", encoding="utf-8")
    assert main(["schema", "--out", str(out)]) == 2  # an existing file is kept, as run keeps a folder
    assert capsys.readouterr().err == (
        f"run.py schema: {out} already exists: choose another --out, or pass --force to replace it\n")
    assert out.read_text(encoding="utf-8") == "old"
    assert main(["schema", "--out", str(out), "--force"]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Scenario"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_schema_to_an_unwritable_place_fails_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "scenario.schema.json"
    result = run_cli("schema", "--out", str(target))
    assert result.returncode == 1
    assert result.stderr == f"run.py schema: No such file or directory: {target}\n"
    assert not (tmp_path / "missing").exists()


def test_validate_help_shows_what_validating_the_base_scenario_prints() -> None:
    """The help's example line is the base scenario's real answer, so it cannot drift."""
    shown = [line.strip() for line in validate.EPILOG.splitlines() if line.strip().startswith("ok: ")]
    result = run_cli("validate", "scenarios/liaohe_base.yaml")
    assert result.returncode == 0
    assert shown == [result.stdout.strip()]
