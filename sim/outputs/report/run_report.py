"""The report of one scenario's replications (a ``run`` folder)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sim.outputs import style
from sim.outputs.plots import TOWN, Drawn, run_figures
from sim.outputs.report.headline import headline_html, short_rows
from sim.outputs.report.methods import methods_html
from sim.outputs.report.page import Page, esc, figure
from sim.outputs.report.scenario_text import scenario_html
from sim.outputs.report.validation import validation_html
from sim.outputs.results_io import ResultsFolder
from sim.outputs.rundata import RunData

T = TypeVar("T")
Progress = Callable[[Iterable[T], int], Iterator[T]]


def quiet(items: Iterable[T], total: int) -> Iterator[T]:
    """No progress shown."""
    del total
    yield from items


def figure_count(data: RunData) -> int:
    """How many figures :func:`run_figures` draws (for a progress bar)."""
    waits = sum(1 for sd in data.services if "waiting" in sd.bands.values and
                np.nanmax(np.nan_to_num(sd.bands.values["waiting"]), initial=0) > 0)
    town = (data.population is not None) + (data.pyramid is not None) + data.folder.has("jobs.parquet")
    return int(town) + 2 * len(data.services) + waits


def draw(data: RunData, fmt: str, figures_dir: Path | None, progress: Progress[Drawn]) -> dict[str, list[str]]:
    """Render every figure once: into ``figures_dir`` (when given) and as HTML, by group."""
    groups: dict[str, list[str]] = {}
    if figures_dir is not None:
        figures_dir.mkdir(parents=True, exist_ok=True)
    for d in progress(run_figures(data), figure_count(data)):
        content = style.render(d.fig, fmt)
        if figures_dir is not None:
            (figures_dir / f"{d.name}.{fmt}").write_bytes(content)
        title = d.fig.get_suptitle() or d.name
        groups.setdefault(d.group, []).append(figure(style.data_uri(content, fmt), title, d.caption, f"fig-{d.name}"))
    return groups


def service_intro(data: RunData, service: str) -> str:
    """A sentence on the service's gaps (from the summary)."""
    if data.summary is None:
        return ""
    rows = short_rows(data.summary)
    rows = rows[rows["service"] == service]
    total = int((data.summary.table["service"] == service).sum())
    if rows.empty:
        return f'<p class="finding">No zone falls short in any replication ({total} zones with demand or capacity).</p>'
    zones = ", ".join(data.labels(z) for z in rows["zone"])
    return f'<p class="finding">Short in {len(rows)} of {total} zones: {esc(zones)}.</p>'


def run_report(folder: ResultsFolder, fmt: str = "png", figures_dir: Path | None = None,
               progress: Progress[Any] = quiet) -> Page:
    """Assemble the report of a run folder (and write its figures into ``figures_dir``)."""
    data = RunData(folder)
    m = data.manifest
    name = str(m.get("scenario") or (data.scenario or {}).get("resolved", {}).get("name") or folder.path.name)
    page = Page(f"{name}: capacity gaps of public services",
                f"{data.reps} replication(s), seed {m.get('seed', '–')}, run {m.get('started', '–')}")
    start = _start(data)
    if data.summary is not None:
        page.add("headline", "Headline findings", headline_html(data.summary, data.labels, start))
    page.add("scenario", "The question and the scenario", scenario_html(data.scenario, data.labels))
    groups = draw(data, fmt, figures_dir, progress)
    page.add("town", "The town: residents, ages, jobs", "".join(groups.pop(TOWN, [])))
    for service, figs in groups.items():
        page.add(f"service-{service}", style.service_name(service), service_intro(data, service) + "".join(figs))
    page.add("validation", "Validation against observed figures", validation_html(folder, data.labels))
    outputs = sorted(p.name for p in folder.path.iterdir() if p.is_file() and not p.name.startswith("."))
    page.add("methods", "Methods appendix", methods_html(m, data.scenario, data.reps, outputs, data.labels.fallbacks))
    return page


def _start(data: RunData) -> pd.Timestamp | None:
    h = (data.scenario or {}).get("resolved", {}).get("horizon") or {}
    if h.get("start"):
        return pd.Timestamp(h["start"])
    if data.series is not None and not data.series.empty:
        return pd.Timestamp(data.series["date"].min())
    return None
