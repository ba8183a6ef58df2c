"""The results folder of one scenario's replications, written atomically.

Layout::

    manifest.json            what was run, by which code, how long it took
    population.parquet       rep, date, zone, age_band, residents, households
    series.parquet           rep, date, zone, service, demand, capacity_located, served_residents, unmet, waiting
    facilities.parquet       rep, date, facility, service, zone, capacity, served, waiting
    events.parquet           rep, date, zone, arrivals, births, deaths, departures
    <table>.parquet          further tables of the model (pyramid, waits, stays, jobs…)
    summary.csv              gap metrics per zone and service, with the static requirement
    population_summary.csv   residents per zone at the start, the peak and the end
    shortfall_probability.csv  P(unmet > 0) by zone, service and year
    coverage_summary.csv     service-circle coverage per zone and category
    validation.csv           each observed figure beside the simulated median and 90 % range
    draws.parquet            rep and each uncertain input's drawn value (when drawn)
    scenario.json            the resolved scenario, its files and its assumptions
    figures/*.png            the figures (or *.svg)
    report.html              the report: findings, scenario, figures, methods

The folder is claimed before anything is simulated (:mod:`sim.outputs.claim`):
everything is written into a hidden partial folder beside the destination, which
is flushed to disk and renamed into place at the end, so a folder either appears
whole or not at all, and two runs never write the same folder.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine import Results
from sim.outputs.claim import PROGRAM, Claim, claim_folder
from sim.outputs.coverage import coverage_summary
from sim.outputs.metrics import gap_summary, shortfall_probability
from sim.outputs.tables import (
    events_table,
    extra_table,
    facilities_table,
    population_table,
    series_table,
)
from sim.outputs.validation import validation_table
from sim.scenario.model import Scenario


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


DEPENDENCIES = ("simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "dask")
"""The libraries whose versions a manifest records: those that shape the results."""


def code_version() -> dict[str, Any]:
    """What code made the results: this program's version, its git commit and whether
    the working tree had uncommitted changes (when run from a checkout), Python's
    version and those of :data:`DEPENDENCIES`."""
    here = Path(__file__).resolve().parent
    commit = _git(["rev-parse", "HEAD"], here)
    status = _git(["status", "--porcelain", "--untracked-files=no"], here) if commit else None
    return {
        "program": PROGRAM,
        "version": _version("liaohe-sim"),
        "git_commit": commit or None,
        "git_dirty": None if status is None else bool(status),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in DEPENDENCIES},
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(args: list[str], cwd: Path) -> str | None:
    """A git command's output in ``cwd``; ``None`` outside a checkout or without git."""
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=5,
                              cwd=cwd, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


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
    coverage_summary: pd.DataFrame
    validation: pd.DataFrame
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
    extra = {name: extra_table(results, name) for name in names}
    facilities, events = facilities_table(results), events_table(results)
    return RunTables(
        population=population,
        series=series,
        facilities=facilities,
        events=events,
        extra=extra,
        summary=gap_summary(series, population, scenario.services.static_norms),
        population_summary=population_summary(population),
        shortfall_probability=shortfall_probability(series),
        coverage_summary=coverage_summary(extra.get("coverage", pd.DataFrame())),
        validation=validation_table(scenario, population, events, facilities, extra),
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


@dataclass(frozen=True)
class Presentation:
    """What a run folder shows besides its tables: figures, the report, their format.

    ``progress`` wraps the figures as they are drawn (a progress bar); see
    :mod:`sim.outputs.report`.
    """

    figures: bool = True
    report: bool = True
    fmt: str = "png"
    progress: Any = None


def write_run_folder(
    dest: Path, tables: RunTables, manifest: dict[str, Any], figures: bool = True, replace: bool = False,
    scenario_record: dict[str, Any] | None = None, presentation: Presentation | None = None,
) -> Path:
    """Write a run's folder at ``dest`` atomically (from a notebook, say).

    Parameters
    ----------
    dest
        The folder to create. If it exists it is replaced only with ``replace``,
        and only if it is a results folder of this program.
    tables
        From :func:`build_tables`.
    manifest
        Written as ``manifest.json``.
    figures
        Draw the figures too (``presentation`` overrides this).
    replace
        Replace an existing results folder (the old one is removed only after
        the new one is complete).
    scenario_record
        Written as ``scenario.json`` (:func:`sim.scenario.provenance.scenario_record`).
    presentation
        Figures, report and their format; default: figures as ``figures`` says, and the report.

    Raises
    ------
    sim.outputs.claim.FolderRefused
        ``dest`` exists (without ``replace``), is not ours to replace, or is
        being written by another run.
    """
    shown = presentation or Presentation(figures=figures)
    with claim_folder(Path(dest), Path(dest), force=replace) as claim:
        return write_claimed(claim, tables, manifest, shown, scenario_record)


def write_claimed(
    claim: Claim, tables: RunTables, manifest: dict[str, Any], presentation: Presentation,
    scenario_record: dict[str, Any] | None = None, clock: Callable[[], float] | None = None,
) -> Path:
    """Write a run's files, figures and report into a claimed folder and publish it.

    ``clock``, when given, gives the seconds since the command started: it is
    read after every table, figure and the report are written, and recorded in
    the manifest as ``wall_seconds``.
    """
    _write_contents(claim.tmp, tables, manifest, scenario_record)
    _present(claim.tmp, presentation)
    if clock is not None:
        _write_manifest(claim.tmp, {**manifest, "wall_seconds": round(clock(), 3)})
    return claim.publish()


def _present(tmp: Path, shown: Presentation) -> None:
    """Figures and report, drawn from the files just written (as ``run.py report`` would)."""
    if not (shown.figures or shown.report):
        return
    from sim.outputs.report import build_report
    from sim.outputs.report.run_report import quiet

    page = build_report(tmp, shown.fmt, tmp / "figures" if shown.figures else None, shown.progress or quiet)
    if shown.report:
        (tmp / "report.html").write_text(page.html(), encoding="utf-8")


def _write_manifest(tmp: Path, manifest: dict[str, Any]) -> None:
    with open(tmp / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False, default=str)


def _write_contents(tmp: Path, tables: RunTables, manifest: dict[str, Any],
                    scenario_record: dict[str, Any] | None) -> None:
    tables.population.to_parquet(tmp / "population.parquet", index=False)
    tables.series.to_parquet(tmp / "series.parquet", index=False)
    tables.facilities.to_parquet(tmp / "facilities.parquet", index=False)
    tables.events.to_parquet(tmp / "events.parquet", index=False)
    for name, df in tables.extra.items():
        df.to_parquet(tmp / f"{name}.parquet", index=False)
    tables.summary.to_csv(tmp / "summary.csv", index=False, date_format="%Y-%m-%d")
    tables.population_summary.to_csv(tmp / "population_summary.csv", index=False)
    tables.shortfall_probability.to_csv(tmp / "shortfall_probability.csv", index=False)
    if not tables.coverage_summary.empty:
        tables.coverage_summary.to_csv(tmp / "coverage_summary.csv", index=False, date_format="%Y-%m-%d")
    if not tables.validation.empty:
        tables.validation.to_csv(tmp / "validation.csv", index=False)
    if tables.draws is not None:
        tables.draws.to_parquet(tmp / "draws.parquet", index=False)
    _write_manifest(tmp, manifest)
    if scenario_record is not None:
        with open(tmp / "scenario.json", "w", encoding="utf-8") as f:
            json.dump(scenario_record, f, indent=1, ensure_ascii=False, default=str)
