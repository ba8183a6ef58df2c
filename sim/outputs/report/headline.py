"""Headline findings of a run: for each service that falls short, where, from when, how big.

Read from ``summary.csv`` only (through :mod:`sim.outputs.results_io`): per zone
with a shortfall, the first shortfall date, the peak unmet demand with its
interval, the peak date, how long, the unmet seat-years, how likely (the share
of replications with a shortfall), the backlog at the start, and at the peak
date the simulated demand and capacity beside the static per-1,000 requirement.
Each row carries its values as ``data-*`` attributes so that a test (or a
script) can read them back exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.outputs import style
from sim.outputs.report.page import Cell, esc, fmt_date, fmt_number, table
from sim.outputs.results_io import Summary


def short_rows(summary: Summary) -> pd.DataFrame:
    """Zone-service rows with a shortfall in some replication."""
    t = summary.table
    if "p_shortfall" in t:
        return t[t["p_shortfall"] > 0]
    return t[t.get("peak_unmet", pd.Series(0.0, index=t.index)) > 0]


def _raw(value: Any) -> str | None:
    """A value as written in ``data-*`` attributes (full precision, dates ISO)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None  # missing: a backlog that never gave way to a new shortfall has no first date
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return repr(float(value)) if isinstance(value, int | float) else str(value)


def interval_text(row: pd.Series, field: str, summary: Summary) -> str:
    """``low–high`` or ``≤ high`` for a field's interval (a dash without one)."""
    iv = summary.intervals.get(field)
    if iv is None:
        return "–"
    low, high = row.get(f"{field}_low"), row.get(f"{field}_high")
    if iv.low is None:
        return f"up to {fmt_number(high)}"
    return f"{fmt_number(low)}–{fmt_number(high)}"


def backlog_text(row: pd.Series, start: pd.Timestamp | None) -> str:
    """The unmet demand at the start, or 'from the start' when the shortfall begins on day one."""
    if "backlog_start" in row and not pd.isna(row["backlog_start"]):
        return fmt_number(row["backlog_start"]) if float(row["backlog_start"]) > 0 else "none"
    first = row.get("first_shortfall")
    if start is not None and first is not None and not pd.isna(first) and pd.Timestamp(first) <= start:
        return "short from the start"
    return "none"


def lead(service: str, rows: pd.DataFrame, total_zones: int, label: Callable[[str], str]) -> str:
    """One sentence: zones short, the earliest shortfall, the largest peak."""
    unit = style.unit(service)
    text = f"<b>{esc(style.service_name(service))}</b> ({esc(unit)}): short in {len(rows)} of {total_zones} zones."
    if "first_shortfall" in rows and rows["first_shortfall"].notna().any():
        f = rows.loc[rows["first_shortfall"].idxmin()]
        text += f" Earliest shortfall {fmt_date(f['first_shortfall'])} in {esc(label(f['zone']))}."
    if "peak_unmet" in rows and rows["peak_unmet"].notna().any():
        p = rows.loc[rows["peak_unmet"].idxmax()]
        when = f" around {fmt_date(p['peak_date'])}" if "peak_date" in p and not pd.isna(p["peak_date"]) else ""
        text += f" Largest peak {fmt_number(p['peak_unmet'])} {esc(unit)} unmet in {esc(label(p['zone']))}{when}."
    return f'<span class="finding">{text}</span>'


def headline_html(summary: Summary, label: Callable[[str], str], start: pd.Timestamp | None) -> str:
    """The headline section's HTML (see the module docstring)."""
    t = summary.table
    short = short_rows(summary)
    services = list(dict.fromkeys(t["service"]))
    if short.empty:
        return '<p class="finding">No service falls short in any zone in any replication.</p>'
    iv = summary.intervals.get("peak_unmet")
    iv_label = iv.label.replace("percentile", "pct.") if iv else "interval"
    header = ["zone", "new shortfall from", "peak unmet", iv_label, "peak date", "months short", "seat-years",
              "P(short)", "backlog at start", "at peak: demand · capacity · norm"]
    leads, parts = [], []
    clear = [s for s in services if s not in set(short["service"])]
    for service in services:
        rows = short[short["service"] == service]
        if rows.empty:
            continue
        if "peak_unmet" in rows:
            rows = rows.sort_values("peak_unmet", ascending=False)
        leads.append(lead(service, rows, int((t["service"] == service).sum()), label))
        parts.append(f"<h3>{esc(style.service_name(service))}</h3>")
        body, attrs = [], []
        for _, r in rows.iterrows():
            body.append(_row(r, summary, label, start))
            attrs.append({"data-service": service, "data-zone": r["zone"],
                          "data-first-shortfall": _raw(r.get("first_shortfall")),
                          "data-peak": _raw(r.get("peak_unmet")),
                          "data-peak-low": _raw(r.get("peak_unmet_low")),
                          "data-peak-high": _raw(r.get("peak_unmet_high"))})
        parts.append(table(header, body, cls="headline", row_attrs=attrs, numeric=range(1, 10)))
    if clear:
        names = ", ".join(style.service_name(s) for s in clear)
        leads.append(f'<p class="finding">No shortfall in any zone: {esc(names)}.</p>')
    note = ("Medians across replications: peak unmet in the service's unit, seat-years of unmet demand "
            "(bed-years, place-years…). P(short) is the share of replications with unmet demand at some date; "
            "the norm is the static per-1,000-residents requirement (千人指标) for the zone's simulated "
            "residents at the peak date.")
    if iv is not None:
        note += f" The interval of the peak is the {iv.label} (summary.csv columns {iv.low or ''} {iv.high})."
    return ("<ul class=\"leads\">" + "".join(f"<li>{x}</li>" for x in leads) + "</ul>"
            + '<details open><summary>Zone by zone</summary>' + "".join(parts)
            + f'<p class="note">{esc(note)}</p></details>')


def _row(r: pd.Series, summary: Summary, label: Callable[[str], str], start: pd.Timestamp | None) -> list[Cell | str]:
    def num(field: str, digits: int = 0) -> Cell:
        return Cell(fmt_number(r.get(field), digits), num=True)

    p = r.get("p_shortfall")
    name = label(r["zone"])
    zone = Cell(esc(name) if name == r["zone"] else f'{esc(name)} <span class="note">{esc(r["zone"])}</span>')
    return [
        zone,
        Cell(fmt_date(r.get("first_shortfall")), num=True),
        num("peak_unmet"),
        Cell(interval_text(r, "peak_unmet", summary), num=True),
        Cell(fmt_date(r.get("peak_date")), num=True),
        num("months_short"),
        num("seat_years"),
        Cell("–" if p is None or pd.isna(p) else f"{100 * float(p):.0f} %", num=True),
        Cell(esc(backlog_text(r, start)), num=True),
        Cell(" · ".join(fmt_number(r.get(f)) for f in ("demand_at", "capacity_at", "static_requirement")), num=True),
    ]
