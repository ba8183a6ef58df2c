"""Reading a results folder: the one place that knows result files and their columns.

The report and its figures read a results folder through this module only, and
never the engine. Result columns change as the model grows (a column renamed,
an interval added); each logical field below lists the column names it may go
by, first match wins, so adapting to a renamed column is one edit here. Every
reader is defensive: a file or a column that is absent gives ``None`` (or an
empty frame), and the report leaves out what it cannot show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

# ------------------------------------------------------------------ summary.csv
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "zone": ("zone",),
    "service": ("service",),
    "reps": ("reps", "replications", "n"),
    "p_shortfall": ("share_reps_shortfall", "p_shortfall", "shortfall_probability"),
    "first_shortfall": ("first_shortfall_median", "first_shortfall_after_start_median", "first_shortfall"),
    "peak_unmet": ("peak_unmet_median", "peak_unmet_mean", "peak_unmet"),
    "peak_date": ("peak_date_median", "peak_date"),
    "months_short": ("months_in_shortfall_median", "months_in_shortfall"),
    "seat_years": ("unmet_seat_years_median", "unmet_seat_years_mean", "unmet_seat_years"),
    "backlog_start": ("backlog_at_start_median", "backlog_start_median", "start_backlog_median",
                      "initial_backlog_median", "backlog_at_start", "backlog_median"),
    "static_requirement": ("static_requirement_at_date", "static_requirement"),
    "demand_at": ("demand_at_date",),
    "capacity_at": ("capacity_at_date",),
    "at_date": ("at_date",),
}
"""Logical field -> the summary columns it may be read from, in order of preference."""

INTERVALS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "peak_unmet": (
        ("peak_unmet_ci_low", "peak_unmet_ci_high", "95 % interval"),
        ("peak_unmet_low", "peak_unmet_high", "95 % interval"),
        ("peak_unmet_p5", "peak_unmet_p95", "5-95 % of replications"),
        ("peak_unmet_p10", "peak_unmet_p90", "10-90 % of replications"),
    ),
    "seat_years": (
        ("unmet_seat_years_ci_low", "unmet_seat_years_ci_high", "95 % interval of the mean"),
        ("unmet_seat_years_low", "unmet_seat_years_high", "95 % interval"),
    ),
}
"""Two-sided intervals of a logical field: (low column, high column, what it is)."""

UPPER_ONLY: dict[str, tuple[str, str]] = {"peak_unmet": ("peak_unmet_p90", "90th percentile")}
"""A one-sided bound shown when no two-sided interval is present."""

SERIES_COLUMNS = ("rep", "date", "zone", "service", "demand", "capacity", "served", "unmet", "waiting")
SERIES_OPTIONAL = ("served", "waiting", "capacity_located", "served_residents")
DATE_FIELDS = ("first_shortfall", "peak_date", "at_date")


@dataclass(frozen=True)
class Interval:
    """Where a field's interval comes from: its columns and a label for readers."""

    low: str | None
    high: str | None
    label: str


@dataclass
class Summary:
    """``summary.csv`` with logical column names (see :data:`SUMMARY_FIELDS`).

    ``table`` holds one row per zone and service with the logical fields found
    plus ``<field>_low``/``<field>_high`` for intervals; ``columns`` maps each
    logical field to the column it was read from; ``intervals`` says which.
    """

    table: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    intervals: dict[str, Interval] = field(default_factory=dict)


def first_present(columns: Any, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` among ``columns``."""
    have = set(columns)
    return next((n for n in names if n in have), None)


def normalise_summary(raw: pd.DataFrame) -> Summary:
    """Rename a raw ``summary.csv`` to logical fields, reading defensively."""
    out = pd.DataFrame(index=raw.index)
    columns: dict[str, str] = {}
    for name, candidates in SUMMARY_FIELDS.items():
        col = first_present(raw.columns, candidates)
        if col is None and name == "backlog_start":
            col = next((c for c in raw.columns if c.startswith("backlog")), None)
        if col is not None:
            columns[name] = col
            out[name] = pd.to_datetime(raw[col], errors="coerce") if name in DATE_FIELDS else raw[col]
    intervals: dict[str, Interval] = {}
    for name, pairs in INTERVALS.items():
        pair = next((p for p in pairs if p[0] in raw.columns and p[1] in raw.columns), None)
        if pair is not None:
            out[f"{name}_low"], out[f"{name}_high"] = raw[pair[0]], raw[pair[1]]
            intervals[name] = Interval(pair[0], pair[1], pair[2])
        elif name in UPPER_ONLY and UPPER_ONLY[name][0] in raw.columns:
            col, label = UPPER_ONLY[name]
            out[f"{name}_high"] = raw[col]
            intervals[name] = Interval(None, col, label)
    for name in ("zone", "service"):
        if name in out:
            out[name] = out[name].astype(str)
    return Summary(out, columns, intervals)


class ResultsFolder:
    """A results folder on disk, read lazily and defensively.

    Parameters
    ----------
    path
        The folder written by ``run``, ``compare``, ``sweep`` or ``sensitivity``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cache: dict[str, Any] = {}

    def has(self, name: str) -> bool:
        """Whether the folder holds file ``name``."""
        return (self.path / name).is_file()

    def json(self, name: str) -> Any:
        """A JSON file's content, or ``None``."""
        if name not in self._cache:
            try:
                self._cache[name] = json.loads((self.path / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache[name] = None
        return self._cache[name]

    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` (``store.json`` for a sweep), or an empty mapping."""
        found = self.json("manifest.json")
        if not isinstance(found, dict):
            found = self.json("store.json")
        return found if isinstance(found, dict) else {}

    def csv(self, name: str) -> pd.DataFrame | None:
        """A CSV table, or ``None`` when it is absent or unreadable."""
        key = f"csv:{name}"
        if key not in self._cache:
            try:
                self._cache[key] = pd.read_csv(self.path / name)
            except (OSError, ValueError):
                self._cache[key] = None
        out = self._cache[key]
        return None if out is None else out

    def parquet(self, name: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame | None:
        """A Parquet table (only ``columns`` that exist, when given), or ``None``."""
        path = self.path / name
        if not path.is_file():
            return None
        import pyarrow.parquet as pq

        try:
            have = pq.read_schema(path).names
            cols = [c for c in columns if c in have] if columns is not None else None
            return pq.read_table(path, columns=cols).to_pandas()
        except (OSError, ValueError):
            return None

    def summary(self) -> Summary | None:
        """``summary.csv`` with logical columns (a run's; a sweep's has another shape)."""
        raw = self.csv("summary.csv")
        if raw is None or "zone" not in raw.columns or "service" not in raw.columns:
            return None
        return normalise_summary(raw)

    def series(self) -> pd.DataFrame | None:
        """``series.parquet``: ``rep, date, zone, service, demand, capacity, unmet`` and
        the optional columns present; zone and service as text."""
        if "series" not in self._cache:
            df = self.parquet("series.parquet", tuple(dict.fromkeys((*SERIES_COLUMNS, *SERIES_OPTIONAL))))
            if df is not None and "capacity" not in df.columns and "capacity_located" in df.columns:
                # Zone rows name their columns for what they count: the figures read the
                # capacity located in the zone as the zone's capacity.
                df = df.rename(columns={"capacity_located": "capacity", "served_residents": "served"})
            if df is not None and {"rep", "date", "zone", "service", "demand", "capacity"} <= set(df.columns):
                if "unmet" not in df.columns:
                    df["unmet"] = (df["demand"] - df["capacity"]).clip(lower=0.0)
                df["date"] = pd.to_datetime(df["date"])
            else:
                df = None
            self._cache["series"] = df
        out: pd.DataFrame | None = self._cache["series"]
        return out

    def population(self) -> pd.DataFrame | None:
        """``population.parquet``: ``rep, date, zone, age_band, residents``."""
        df = self.parquet("population.parquet", ("rep", "date", "zone", "age_band", "residents"))
        if df is None or not {"rep", "date", "zone", "residents"} <= set(df.columns):
            return None
        df["date"] = pd.to_datetime(df["date"])
        return df

    def facilities(self) -> pd.DataFrame | None:
        """``facilities.parquet``: ``rep, date, facility, service, zone, capacity``."""
        df = self.parquet("facilities.parquet", ("rep", "date", "facility", "service", "zone", "capacity"))
        if df is None or not {"rep", "date", "facility", "service", "capacity"} <= set(df.columns):
            return None
        df["date"] = pd.to_datetime(df["date"])
        return df

    def scenario(self) -> dict[str, Any] | None:
        """The resolved scenario recorded with the run (``scenario.json``), or ``None``."""
        found = self.json("scenario.json")
        if isinstance(found, dict) and isinstance(found.get("resolved"), dict):
            return found
        return None

    def zone_names(self) -> dict[str, str]:
        """Zone id -> display name, from the recorded scenario (empty without one)."""
        sc = self.scenario()
        zones = sc["resolved"].get("zones", []) if sc else []
        return {str(z["id"]): str(z.get("name") or z["id"]) for z in zones if isinstance(z, dict) and "id" in z}

    def kind(self) -> str:
        """``run``, ``compare``, ``sweep`` or ``sensitivity``.

        Raises
        ------
        FileNotFoundError
            When the folder holds none of these.
        """
        command = self.manifest().get("command")
        if command in ("compare", "sweep", "sensitivity", "run"):
            return str(command)
        if self.has("indices.csv") or self.has("plan.csv"):
            return "sensitivity"
        if self.has("comparison.csv"):
            return "compare"
        if self.has("store.json") or self.has("manifest.jsonl"):
            return "sweep"
        if self.has("summary.csv") or self.has("series.parquet"):
            return "run"
        raise FileNotFoundError(
            f"{self.path} is not a results folder of run, compare, sweep or sensitivity "
            "(no manifest.json, summary.csv, comparison.csv, store.json or indices.csv)")
