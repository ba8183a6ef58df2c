"""The results store of a sweep: Parquet part files and a manifest of runs.

A sweep writes into one folder::

    sweep.yaml        the spec as given (for the record)
    store.json        what the store holds: sweep name, fingerprint, factors, runs
    points.csv        design points: point, then one column per factor
    parts/            one Parquet file per finished run: its outcome rows, tidy,
                      with point, rep, seed and the factor values on every row
    manifest.jsonl    one line per finished run: point, rep, seed, status
                      (done or failed), wall time, error, part file

The manifest is the source of truth. A run's part file is written to a
temporary name, flushed to disk and renamed into place; only then is the run's
line appended (and flushed) to the manifest. A sweep killed at any instant thus
leaves either a recorded run with its part in place, or no record (a part
without a record is rewritten when the run is run again); a line cut off by the
kill is dropped when the store is opened. Appending one run at a time keeps the
sweeping process's memory flat however many runs there are.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from sim.experiments.sweep import DONE
from sim.outputs.atomic import atomic_path

MANIFEST = "manifest.jsonl"
META = "store.json"
PARTS = "parts"


class StoreMismatch(Exception):
    """The folder holds the results of a different sweep."""


def fingerprint(*parts: str) -> str:
    """A short hash of what defines a sweep's runs (spec and base scenario)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def part_name(point: int, rep: int) -> str:
    return f"{PARTS}/p{point:06d}-r{rep:05d}.parquet"


class SweepStore:
    """A sweep's results folder (see the module docstring).

    Parameters
    ----------
    root
        The folder; created when missing.
    meta
        What defines the sweep: at least ``fingerprint``. A new store writes it;
        an existing one must hold the same fingerprint.
    spec_text, points
        The spec's text and the design points (``point`` then factor columns),
        written when the store is new.
    spec_name
        The file the spec's text is written to.

    Raises
    ------
    StoreMismatch
        When ``root`` holds the results of a sweep with another fingerprint.
    """

    def __init__(self, root: str | os.PathLike[str], meta: Mapping[str, Any],
                 spec_text: str = "", points: pd.DataFrame | None = None, spec_name: str = "sweep.yaml") -> None:
        self.root = Path(root)
        (self.root / PARTS).mkdir(parents=True, exist_ok=True)
        meta_file = self.root / META
        if meta_file.exists():
            old = json.loads(meta_file.read_text(encoding="utf-8"))
            if old.get("fingerprint") != meta["fingerprint"]:
                raise StoreMismatch(
                    f"{self.root} holds the results of another sweep ({old.get('name')}, "
                    f"fingerprint {old.get('fingerprint')}); choose another --out or remove it")
        else:
            self._write_text(self.root / spec_name, spec_text)
            if points is not None:
                with atomic_path(self.root / "points.csv") as tmp:
                    points.to_csv(tmp, index=False)
            self._write_text(meta_file, json.dumps(dict(meta), indent=2, default=str))
        self._repair_manifest()

    def remove_temporary(self) -> list[str]:
        """Remove temporary files that a killed sweep left half-written (call only
        while holding the folder's lock: a live sweep's temporary files look the same)."""
        removed = []
        for folder in (self.root, self.root / PARTS):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
                removed.append(tmp.name)
        return removed

    @staticmethod
    def _write_text(path: Path, text: str) -> None:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def _repair_manifest(self) -> None:
        """Drop a last line cut off by a kill, so that appends start on a fresh line."""
        path = self.manifest_path
        if not path.exists():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data[: data.rfind(b"\n") + 1]
            with atomic_path(path) as tmp:
                tmp.write_bytes(keep)

    def records(self) -> dict[tuple[int, int], dict[str, Any]]:
        """The manifest: ``(point, rep) -> record``; a later line for a run replaces an earlier."""
        out: dict[tuple[int, int], dict[str, Any]] = {}
        if not self.manifest_path.exists():
            return out
        with self.manifest_path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                out[(int(rec["point"]), int(rec["rep"]))] = rec
        return out

    def record(self, record: Mapping[str, Any], rows: pd.DataFrame | None) -> None:
        """Store one finished run: its part file (when it has rows), then its manifest line."""
        rec = dict(record)
        rec["part"] = None
        if rows is not None and rec.get("status") == DONE:
            name = part_name(int(rec["point"]), int(rec["rep"]))
            with atomic_path(self.root / name) as tmp:
                pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), tmp)
            rec["part"] = name
        line = json.dumps(rec, default=_jsonable, ensure_ascii=False) + "\n"
        with self.manifest_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def done_parts(self) -> list[Path]:
        """Part files of the runs recorded as done, in point and replication order."""
        recs = self.records()
        return [self.root / r["part"] for _, r in sorted(recs.items())
                if r.get("status") == DONE and r.get("part")]

    def dataset(self) -> pads.Dataset:
        """The outcome rows of every done run, as a lazily read Arrow dataset."""
        return pads.dataset([str(p) for p in self.done_parts()], format="parquet")

    def outcomes(self) -> pd.DataFrame:
        """Every done run's outcome rows as one tidy table (reads all parts)."""
        parts = self.done_parts()
        if not parts:
            return pd.DataFrame()
        return self.dataset().to_table().to_pandas()


def summarise_store(store: SweepStore, factors: list[str]) -> pd.DataFrame:
    """Mean and 95 % interval of every outcome per design point, across replications.

    Aggregates in Arrow (one pass over the parts), so the full outcome table
    never becomes a DataFrame. Returns ``point``, the factor columns, ``zone,
    service, metric``, ``n, mean, sd, half_width, low, high``.
    """
    from sim.outputs.intervals import t_halfwidth

    if not store.done_parts():
        return pd.DataFrame()
    keys = ["point", *factors, "zone", "service", "metric"]
    table = store.dataset().to_table(columns=[*keys, "value"])
    table = table.filter(pc.invert(pc.is_nan(table["value"])))
    agg = table.group_by(keys, use_threads=False).aggregate(
        [("value", "count"), ("value", "mean"), ("value", "stddev", pc.VarianceOptions(ddof=1))])
    df = agg.to_pandas().rename(columns={"value_count": "n", "value_mean": "mean", "value_stddev": "sd"})
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    df["half_width"] = [t_halfwidth(sd, int(n)) for sd, n in zip(df["sd"], df["n"], strict=True)]
    df["low"] = df["mean"] - df["half_width"]
    df["high"] = df["mean"] + df["half_width"]
    return df[[*keys, "n", "mean", "sd", "half_width", "low", "high"]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)
