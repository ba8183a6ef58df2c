"""The README's table of result files matches the files a run writes and their columns.

A small town with every kind of output (schools, beds, a service centre, a park
with factory space and worker housing, observed figures) is run and written;
every file in the folder must have a row in the README's table, and every row
that lists columns must list exactly the file's columns, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.engine import simulate
from sim.outputs.run_folder import build_tables, write_run_folder
from sim.scenario import load_scenario, set_path

ROOT = Path(__file__).resolve().parents[2]


def readme_rows() -> dict[str, list[str] | None]:
    """File name -> listed columns (``None`` when the row lists none), from the README table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| file | contents |"):].split("\n\n")[0]
    rows: dict[str, list[str] | None] = {}
    for line in table.splitlines()[2:]:
        first, second = line.strip("|").split(" | ", 1)
        names = re.findall(r"`([^`]+)`", first)
        listed = re.match(r"\s*`([^`]+)`", second)
        for name in names:
            columns = [c.strip() for c in listed.group(1).split(",")] if listed and len(names) == 1 else None
            rows[name] = columns
    return rows


def town():  # type: ignore[no-untyped-def]
    sc = load_scenario(ROOT / "tests" / "scenarios" / "small_town.yaml")
    facilities = [f.model_dump(mode="json", exclude_none=True) for f in sc.facilities] + [
        {"id": "centre", "service": "service_centre", "zone": "core", "capacity": {"units": 50000}},
        {"id": "factories", "service": "factory_space", "zone": "core", "capacity": {"units": 50000}},
        {"id": "day_care", "service": "day_care", "zone": "village", "capacity": {"units": 10}},
    ]
    sc = set_path(sc, "facilities", facilities)
    sc = set_path(sc, "enterprises", {"parks": [{"id": "park", "zone": "core", "established_firms_per_year": 5,
                                                 "existing_firms": 5}],
                                      "incubator": {"park": "park", "screened_per_year": 40},
                                      "workers": {"live_in_town_share": 0.5}})
    return set_path(sc, "observed", [
        {"quantity": "residents", "date": "2023-12-31", "value": 4000, "source": "test", "used_for": "validation"},
        {"quantity": "crude_birth_rate_per_1000", "year": 2020, "value": 8.0, "source": "test", "used_for": "calibration"},
    ])


def test_every_result_file_is_in_the_readme_with_its_columns(tmp_path: Path) -> None:
    sc = town()
    tables = build_tables([simulate(sc, 1)], sc)
    folder = write_run_folder(tmp_path / "out", tables, {"scenario": sc.name}, figures=True)
    rows = readme_rows()
    written = sorted(p.name for p in folder.iterdir())
    assert "validation.csv" in written and "coverage_summary.csv" in written
    assert (folder / "figures" / "validation.png").is_file()
    for name in written:
        key = name + "/" if (folder / name).is_dir() else name
        assert key in rows, f"{name} is written but has no row in the README's table of result files"
        columns = rows[key]
        if columns is None:
            continue
        path = folder / name
        df = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
        assert list(df.columns) == columns, f"{name}: README lists {columns}, the file has {list(df.columns)}"
