"""The report of a sweep (a ``sweep`` folder: a results store).

Headline: per service and gap metric, how far the gap moves across the design
(the smallest and largest mean over design points, all zones together) and at
which factor levels. Then the design, and per service the envelope of each gap
across the design by zone and the gap against each factor.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.outputs import style
from sim.outputs.plots_experiments import against_factors, envelope, metric_name
from sim.outputs.report.methods import assumptions_html, run_table, stress_items
from sim.outputs.report.page import Cell, Page, esc, figure, fmt_number, table
from sim.outputs.results_io import ResultsFolder
from sim.outputs.style import ZoneLabels

PREFERRED = ("unmet_seat_years", "peak_unmet", "months_in_shortfall", "first_shortfall_days")


def main_metric(summary: pd.DataFrame) -> str | None:
    """The gap metric the sweep's figures show (unmet seat-years when kept)."""
    have = set(summary["metric"])
    return next((m for m in PREFERRED if m in have), None)


def headline(summary: pd.DataFrame, factors: list[str]) -> str:
    """Per service and metric, the town's total across design points: lowest and highest, and where."""
    rows, attrs = [], []
    for (service, metric), g in summary.groupby(["service", "metric"], sort=False):
        if service == "population" or metric not in PREFERRED[:2]:
            continue
        per_point = g.groupby(["point", *factors], dropna=False)["mean"].sum().reset_index()
        if per_point.empty or per_point["mean"].max() <= 0:
            continue
        lo = per_point.loc[per_point["mean"].idxmin()]
        hi = per_point.loc[per_point["mean"].idxmax()]
        where = ", ".join(f"{f} = {hi[f]}" for f in factors)
        best = ", ".join(f"{f} = {lo[f]}" for f in factors)
        rows.append([style.service_name(str(service)), metric_name(str(metric)),
                     Cell(fmt_number(lo["mean"]), num=True), best, Cell(fmt_number(hi["mean"]), num=True), where])
        attrs.append({"data-service": service, "data-metric": metric, "data-low": repr(float(lo["mean"])),
                      "data-high": repr(float(hi["mean"]))})
    if not rows:
        return '<p class="finding">No gap in any design point.</p>'
    lead = ('<p class="finding">How far each service\'s gap (all zones together, mean over replications) moves '
            "across the design, and the factor levels at its lowest and highest.</p>")
    return lead + table(["service", "metric", "lowest", "at", "highest", "at"], rows, cls="headline",
                        row_attrs=attrs)


def sweep_report(folder: ResultsFolder, fmt: str = "png") -> Page:
    """Assemble the report of a sweep folder."""
    meta = folder.manifest()
    summary = folder.csv("summary.csv")
    points = folder.csv("points.csv")
    factors = [str(f) for f in meta.get("factors", [])] or (
        [c for c in points.columns if c != "point"] if points is not None else [])
    record = folder.scenario()
    zones = {str(z["id"]): str(z.get("name") or z["id"]) for z in ((record or {}).get("resolved") or {}).get("zones", [])}
    label = ZoneLabels(zones)
    status = folder.json("status.json") or {}
    page = Page(f"Sweep: {meta.get('name', folder.path.name)}",
                f"{meta.get('points', '–')} design points × {meta.get('replications', '–')} replications, "
                f"seed {meta.get('seed', '–')}")
    if summary is None or summary.empty or "metric" not in summary.columns:
        page.add("headline", "Headline findings", '<p class="note">The sweep has no summary yet (summary.csv is '
                 "written when a sweep finishes; run the sweep command again to finish it).</p>")
    else:
        page.add("headline", "Headline findings", headline(summary, factors))
    page.add("design", "The design", _design(meta, points, status, folder))
    if summary is not None and not summary.empty and "metric" in summary.columns:
        metric = main_metric(summary)
        if metric is not None:
            for service in dict.fromkeys(summary["service"].astype(str)):
                if service == "population":
                    continue
                page.add(f"service-{service}", style.service_name(service),
                         _service(summary, service, metric, factors, label, fmt))
    manifest = {**meta, **{k: v for k, v in status.items() if k in ("executor", "last_wall_s")}}
    body = run_table(manifest) + "<h3>STRESS-DES reporting items</h3>" + table(
        ["item", "in this study"], stress_items(manifest, record, meta.get("replications"), ["summary.csv", "parts/"]))
    body += "<h3>Assumptions of the base scenario</h3>" + assumptions_html(record)
    page.add("methods", "Methods appendix", body)
    return page


def _design(meta: dict[str, Any], points: pd.DataFrame | None, status: dict[str, Any], folder: ResultsFolder) -> str:
    parts = [f"<p>{esc(meta.get('points', '–'))} design points of the factors "
             f"{esc(', '.join(str(f) for f in meta.get('factors', [])))}, each run for "
             f"{esc(meta.get('replications', '–'))} replications on the same seeds (common random numbers).</p>"]
    if status:
        parts.append(f"<p>{esc(status.get('recorded', '–'))} of {esc(status.get('runs', '–'))} runs recorded, "
                     f"{esc(status.get('failed', 0))} failed.</p>")
    if points is not None and not points.empty:
        parts.append("<details><summary>Every design point</summary>"
                     + table(list(points.columns), [[str(v) for v in r] for r in points.itertuples(index=False)])
                     + "</details>")
    spec = folder.path / "sweep.yaml"
    if spec.is_file():
        parts.append(f"<details><summary>The sweep spec</summary><pre>{esc(spec.read_text(encoding='utf-8'))}</pre>"
                     "</details>")
    return "".join(parts)


def _service(summary: pd.DataFrame, service: str, metric: str, factors: list[str], label: Any, fmt: str) -> str:
    parts = []
    fig = envelope(summary, service, metric, label)
    if fig is not None:
        parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), f"{service} envelope",
                            f"{style.service_name(service)}: for each zone, the range of the mean {metric_name(metric)} "
                            "over the design points (the envelope), the median design point marked.",
                            f"fig-env-{service}"))
    fig = against_factors(summary, factors, service, metric)
    if fig is not None:
        parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), f"{service} against factors",
                            f"{style.service_name(service)}: the {metric_name(metric)} of all zones together at each "
                            "design point against each factor, with the mean at each level.", f"fig-fac-{service}"))
    return "".join(parts)
