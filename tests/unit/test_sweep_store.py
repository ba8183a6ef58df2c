"""The results store: parts written whole, the manifest as the source of truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.outputs.store import StoreMismatch, SweepStore, summarise_store


def rows(point: int, rep: int, value: float) -> pd.DataFrame:
    return pd.DataFrame({"point": point, "rep": rep, "f": 1.5, "zone": ["z"], "service": ["kindergarten"],
                         "metric": ["peak_unmet"], "value": [value]})


def test_store_of_another_sweep_is_refused(tmp_path: Path) -> None:
    SweepStore(tmp_path, {"fingerprint": "one", "name": "a"})
    with pytest.raises(StoreMismatch, match="another sweep"):
        SweepStore(tmp_path, {"fingerprint": "two", "name": "b"})


def test_failed_runs_have_no_part_and_later_records_replace_earlier(tmp_path: Path) -> None:
    store = SweepStore(tmp_path, {"fingerprint": "f"})
    store.record({"point": 0, "rep": 0, "status": "failed", "error": "model error: x"}, None)
    store.record({"point": 0, "rep": 1, "status": "done"}, rows(0, 1, 4.0))
    assert store.done_parts() == [tmp_path / "parts" / "p000000-r00001.parquet"]
    store.record({"point": 0, "rep": 0, "status": "done"}, rows(0, 0, 2.0))
    assert [r["status"] for r in store.records().values()] == ["done", "done"]
    assert sorted(store.outcomes()["value"]) == [2.0, 4.0]
    assert not list((tmp_path / "parts").glob(".*.tmp"))


def test_summary_per_point_has_mean_and_interval(tmp_path: Path) -> None:
    store = SweepStore(tmp_path, {"fingerprint": "f"})
    for rep, v in enumerate([1.0, 2.0, 3.0]):
        store.record({"point": 0, "rep": rep, "status": "done"}, rows(0, rep, v))
    s = summarise_store(store, ["f"]).iloc[0]
    assert (s["point"], s["f"], s["n"], s["mean"], s["sd"]) == (0, 1.5, 3, 2.0, 1.0)
    assert s["half_width"] == pytest.approx(4.302652729911275 / 3**0.5)
