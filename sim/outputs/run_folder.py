"""The results folder of one scenario's replications, written atomically.

Layout::

    manifest.json            what was run, by which code, how long it took
    population.parquet       rep, date, zone, age_band, residents, households
    series.parquet           rep, date, zone, service, demand, capacity, served, unmet, waiting
    facilities.parquet       rep, date, facility, service, zone, capacity, served, waiting
    events.parquet           rep, date, zone, arrivals, births, deaths, departures
    <table>.parquet          further tables of the model (pyramid, waits, jobs…)
    summary.csv              gap metrics per zone and service, with the static requirement
    population_summary.csv   residents per zone at the start, the peak and the end
    shortfall_probability.csv  P(unmet > 0) by zone, service and year
    draws.parquet            rep and each uncertain input's drawn value (when drawn)
    figures/*.png

Everything is written into a hidden temporary folder beside the destination,
which is renamed into place at the end: a folder either appears whole or not at
all, and an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import Results
from sim.outputs import plots
from sim.outputs.metrics import gap_summary, shortfall_probability
from sim.outputs.plot_jobs import plot_jobs
from sim.outputs.tables import (
    events_table,
    extra_table,
    facilities_table,
    population_table,
    series_table,
)
from sim.scenario.model import Scenario


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_version() -> dict[str, str | None]:
    """Package version and, when run from a git checkout, its commit."""
    try:
        version = metadata.version("liaohe-sim")
    except metadata.PackageNotFoundError:
        version = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent, check=True,
        ).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"version": version, "git_commit": commit}


@dataclass(frozen=True)
class RunTables:
    """The tidy tables of a run, as written to the folder."""

    population: pd.DataFrame
    series: pd.DataFrame
    facilities: pd.DataFrame
    events: pd.DataFrame
    extra: dict[str, pd.DataFrame]
    summary: pd.DataFrame
    population_summary: pd.DataFrame
    shortfall_probability: pd.DataFrame
    draws: pd.DataFrame | None = None


def build_tables(
    results: Sequence[Results], scenario: Scenario, draws: Sequence[Mapping[str, Any]] | None = None
) -> RunTables:
    """Turn replication results into the run's tables and summaries.

    ``draws``, when the replications drew uncertain inputs: one mapping per
    replication, ``rep`` then each input's value by id (``draws.parquet``).
    """
    population = population_table(results)
    series = series_table(results)
    names = sorted({name for r in results for name in r.tables})
    return RunTables(
        population=population,
        series=series,
        facilities=facilities_table(results),
        events=events_table(results),
        extra={name: extra_table(results, name) for name in names},
        summary=gap_summary(series, population, scenario.services.static_norms),
        population_summary=population_summary(population),
        shortfall_probability=shortfall_probability(series),
        draws=draws_table(draws) if draws else None,
    )


def draws_table(draws: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each replication's uncertain-input values: ``rep`` and one column per input id
    (dates as dates, a choice of text as text)."""
    return pd.DataFrame([dict(d) for d in draws]).sort_values("rep", kind="stable").reset_index(drop=True)


def population_summary(population: pd.DataFrame) -> pd.DataFrame:
    """Residents per zone (and in all) at the start, the peak and the end:
    medians across replications, with the 5–95 % range at the end."""
    per = population.groupby(["zone", "date", "rep"], observed=True)["residents"].sum().reset_index()
    allz = per.groupby(["date", "rep"], observed=True)["residents"].sum().reset_index().assign(zone="all zones")
    per = pd.concat([per.astype({"zone": str}), allz], ignore_index=True)
    rows = []
    for zone, g in per.groupby("zone", sort=False):
        med = g.groupby("date")["residents"].median()
        end = g[g["date"] == g["date"].max()]["residents"]
        rows.append({
            "zone": zone,
            "start": float(med.iloc[0]),
            "peak_median": float(med.max()),
            "peak_date": med.idxmax().date(),
            "end_median": float(end.median()),
            "end_p5": float(end.quantile(0.05)),
            "end_p95": float(end.quantile(0.95)),
        })
    return pd.DataFrame(rows)


def draw_figures(tables: RunTables, folder: Path) -> list[Path]:
    """Every figure of a run, into ``folder``."""
    out = [plots.population_by_zone(tables.population, folder / "population_by_zone.png")]
    if "pyramid" in tables.extra and not tables.extra["pyramid"].empty:
        out.append(plots.pyramid(tables.extra["pyramid"], folder / "population_pyramid.png"))
    jobs, workers = tables.extra.get("jobs"), tables.extra.get("worker_households")
    if jobs is not None and workers is not None and not jobs.empty:
        out.append(plots.save(plot_jobs(jobs, workers), folder / "jobs_and_worker_households.png"))
    for service in tables.series["service"].unique() if not tables.series.empty else []:
        out.append(plots.demand_capacity(tables.series, str(service), folder / f"{service}_demand_capacity.png"))
        out.append(plots.unmet_heatmap(tables.series, str(service), folder / f"{service}_unmet_heatmap.png"))
        if (tables.series.loc[tables.series["service"] == service, "waiting"] > 0).any():
            out.append(plots.waiting(tables.series, str(service), folder / f"{service}_waiting.png"))
    return out


def write_run_folder(
    dest: Path, tables: RunTables, manifest: dict[str, Any], figures: bool = True, replace: bool = False
) -> Path:
    """Write a run's folder at ``dest`` atomically.

    Parameters
    ----------
    dest
        The folder to create. If it exists it is replaced only with ``replace``.
    tables
        From :func:`build_tables`.
    manifest
        Written as ``manifest.json``.
    figures
        Draw the figures too.
    replace
        Replace an existing folder (the old one is removed only after the new
        one is complete).
    """
    dest = Path(dest)
    if dest.exists() and not replace:
        raise FileExistsError(f"{dest} already exists")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        _write_contents(tmp, tables, manifest, figures)
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.replace(dest, old)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _write_contents(tmp: Path, tables: RunTables, manifest: dict[str, Any], figures: bool) -> None:
    tables.population.to_parquet(tmp / "population.parquet", index=False)
    tables.series.to_parquet(tmp / "series.parquet", index=False)
    tables.facilities.to_parquet(tmp / "facilities.parquet", index=False)
    tables.events.to_parquet(tmp / "events.parquet", index=False)
    for name, df in tables.extra.items():
        df.to_parquet(tmp / f"{name}.parquet", index=False)
    tables.summary.to_csv(tmp / "summary.csv", index=False, date_format="%Y-%m-%d")
    tables.population_summary.to_csv(tmp / "population_summary.csv", index=False)
    tables.shortfall_probability.to_csv(tmp / "shortfall_probability.csv", index=False)
    if tables.draws is not None:
        tables.draws.to_parquet(tmp / "draws.parquet", index=False)
    if figures:
        draw_figures(tables, tmp / "figures")
    with open(tmp / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False, default=str)
