"""The report of a paired comparison (a ``compare`` folder).

Headline: per scenario, the zone-services whose difference from the baseline
is clear (its 95 % interval excludes zero), largest first. Then what each
scenario changes against the baseline (from the scenarios the comparison
recorded), the paired differences as a figure and a table, and per service the
scenarios side by side as small multiples of every zone's gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.outputs import style
from sim.outputs.comparison import HEADLINE, comparison_plot
from sim.outputs.plots_experiments import side_by_side
from sim.outputs.report.methods import assumptions_html, run_table, stress_items
from sim.outputs.report.page import Cell, Page, esc, figure, fmt_number, table
from sim.outputs.results_io import ResultsFolder
from sim.outputs.style import ZoneLabels

LIMIT = 12


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Key paths of a scenario's JSON data; list items with an ``id`` are named by it."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        for v in value:
            out.update(flatten(v, f"{prefix}[{v['id']}]"))
    else:
        out[prefix] = value
    return out


def changes(base: Mapping[str, Any], other: Mapping[str, Any]) -> list[list[str]]:
    """What ``other`` changes against ``base``: key, baseline value, scenario value."""
    a, b = flatten(dict(base)), flatten(dict(other))
    rows = []
    for key in sorted(set(a) | set(b)):
        if key in ("name", "description") or key.endswith(".source"):
            continue
        if a.get(key, "(absent)") != b.get(key, "(absent)"):
            rows.append([key, str(a.get(key, "(absent)")), str(b.get(key, "(absent)"))])
    return rows


def headline(table_: pd.DataFrame, label: Any) -> str:
    parts = []
    for scenario in dict.fromkeys(table_["scenario"]):
        sel = table_[(table_["scenario"] == scenario) & table_["metric"].isin(list(HEADLINE))]
        clear = sel[(sel["low"] > 0) | (sel["high"] < 0)]
        clear = clear.reindex(clear["diff_mean"].abs().sort_values(ascending=False).index)
        base = sel["baseline"].iloc[0] if len(sel) else "the baseline"
        seat = clear[clear["metric"] == "unmet_seat_years"]
        parts.append(f'<p class="finding"><b>{esc(scenario)}</b> against {esc(base)}: {len(seat)} of '
                     f'{int((sel["metric"] == "unmet_seat_years").sum())} zone-services differ clearly in unmet '
                     "seat-years (95 % interval of the paired difference excludes zero).</p>")
        rows, attrs = [], []
        for r in clear.head(LIMIT).itertuples():
            rows.append([label(str(r.zone)), style.service_name(str(r.service)), HEADLINE[str(r.metric)],
                         Cell(fmt_number(r.baseline_mean, 1), num=True), Cell(fmt_number(r.scenario_mean, 1), num=True),
                         Cell(f"{r.diff_mean:+,.1f} [{r.low:+,.1f}, {r.high:+,.1f}]", num=True), Cell(str(r.n), num=True)])
            attrs.append({"data-scenario": scenario, "data-zone": r.zone, "data-service": r.service,
                          "data-metric": r.metric, "data-diff": repr(float(r.diff_mean))})
        if rows:
            parts.append(table(["zone", "service", "metric", "baseline mean", "scenario mean",
                                "difference [95 % interval]", "pairs"], rows, cls="headline", row_attrs=attrs))
    return "".join(parts)


def compare_report(folder: ResultsFolder, fmt: str = "png") -> Page:
    """Assemble the report of a compare folder."""
    m = folder.manifest()
    diff = folder.csv("comparison.csv")
    outcomes = folder.csv("outcomes.csv")
    records = folder.json("scenarios.json") or {}
    names = [s.get("name") for s in m.get("scenarios", []) if isinstance(s, dict)] or (
        list(dict.fromkeys(outcomes["scenario"])) if outcomes is not None else [])
    base = names[0] if names else "baseline"
    base_rec = records.get(base) if isinstance(records, dict) else None
    zones = {str(z["id"]): str(z.get("name") or z["id"]) for z in ((base_rec or {}).get("resolved") or {}).get("zones", [])}
    label = ZoneLabels(zones)
    page = Page(f"Comparison: {' vs '.join(str(n) for n in names)}",
                f"{m.get('replications', '–')} paired replications each, seed {m.get('seed', '–')}, "
                f"baseline {base}")
    if diff is not None and not diff.empty:
        page.add("headline", "Headline findings", headline(diff, label))
    page.add("scenarios", "The scenarios and what they change", _scenarios(names, records))
    if diff is not None and not diff.empty:
        fig = comparison_plot(diff, label=label)
        body = figure(style.data_uri(style.render(fig, fmt), fmt), "paired differences",
                      "Each zone and service with a difference: the mean paired difference from the baseline and its "
                      "95 % interval, scenarios side by side; right of zero is more (or later) than the baseline.",
                      "fig-comparison")
        body += "<details><summary>Every paired difference</summary>" + _full(diff, label) + "</details>"
        page.add("differences", "Paired differences", body)
    if outcomes is not None and not outcomes.empty:
        page.add("side-by-side", "Scenarios side by side", _multiples(outcomes, names, label, fmt))
    body = run_table(m) + "<h3>STRESS-DES reporting items</h3>" + table(
        ["item", "in this study"], stress_items(m, base_rec, m.get("replications"), ["comparison.csv", "outcomes.csv"]))
    body += "<h3>Assumptions of the baseline</h3>" + assumptions_html(base_rec)
    page.add("methods", "Methods appendix", body)
    return page


def _scenarios(names: list[Any], records: Any) -> str:
    if not isinstance(records, dict) or not records:
        return ('<p class="note">The comparison did not record its scenarios (scenarios.json); the manifest '
                "in the methods appendix names their files.</p>")
    base = records.get(names[0], {}).get("resolved", {})
    parts = [f"<p>Baseline <b>{esc(names[0])}</b>: {esc(base.get('description', ''))}</p>"]
    for name in names[1:]:
        rec = records.get(name, {})
        rows = changes(base, rec.get("resolved", {}))
        parts.append(f"<h3>{esc(name)}</h3><p>{esc(rec.get('resolved', {}).get('description', ''))}</p>")
        parts.append(table(["key", esc(names[0]), esc(name)], rows[:60]) if rows else
                     '<p class="note">Identical to the baseline.</p>')
        if len(rows) > 60:
            parts.append(f'<p class="note">… and {len(rows) - 60} more changed values.</p>')
    return "".join(parts)


def _full(diff: pd.DataFrame, label: Any) -> str:
    d = diff[diff["metric"].isin(list(HEADLINE))]
    rows = [[str(r.scenario), label(str(r.zone)), style.service_name(str(r.service)), HEADLINE[str(r.metric)],
             Cell(f"{r.diff_mean:+,.1f}", num=True), Cell(f"[{r.low:+,.1f}, {r.high:+,.1f}]", num=True)]
            for r in d.itertuples()]
    return table(["scenario", "zone", "service", "metric", "difference", "95 % interval"], rows)


def _multiples(outcomes: pd.DataFrame, names: list[Any], label: Any, fmt: str) -> str:
    parts = []
    for service in dict.fromkeys(outcomes["service"].astype(str)):
        if service == "population":
            continue
        fig = side_by_side(outcomes, service, [str(n) for n in names], label)
        if fig is not None:
            parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), service,
                                f"{style.service_name(service)}: each zone's peak unmet demand in each scenario "
                                "(median and 5-95 % of replications), same axis in every panel.", f"fig-sbs-{service}"))
    return "".join(parts)
