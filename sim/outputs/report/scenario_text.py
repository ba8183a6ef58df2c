"""The question and the scenario in plain words: what is delivered when, what opens when.

Read from the resolved scenario the run recorded (``scenario.json``), never
from the scenario files themselves: the report describes what was run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sim.outputs import style
from sim.outputs.report.page import esc, fmt_number, table

QUESTION = (
    "For every public service and every zone: when does demand first exceed capacity, how much is unmet "
    "at the peak, for how long, how likely is it across replications, and how does the simulated demand "
    "compare with the static per-1,000-residents requirement planners use today?"
)


def capacity_text(f: Mapping[str, Any]) -> str:
    """A facility's capacity in words: ``12 classes``, ``150 beds``, ``15 teams``."""
    services = f.get("service")
    service = str(services[0] if isinstance(services, list) else services)
    cap = f.get("capacity") or {}
    if cap.get("classes") is not None:
        size = f" of {cap['class_size']}" if cap.get("class_size") else ""
        text = f"{cap['classes']} classes{size}"
    elif cap.get("teams") is not None:
        text = f"{cap['teams']} teams"
    elif cap.get("units") is not None:
        text = f"{fmt_number(cap['units'])} {style.unit(service)}"
    else:
        text = "–"
    changes = f.get("capacity_changes") or []
    for ch in changes:
        value = ch.get("classes", ch.get("units", ch.get("teams")))
        if value is not None:
            text += f"; {fmt_number(value)} from {ch.get('date')}"
    return text


def opening_text(f: Mapping[str, Any], projects: Mapping[str, str]) -> str:
    """When a facility opens: a date, with a housing project, or already open."""
    delay = f.get("construction_delay_months")
    extra = f" (+{delay} months' construction delay)" if delay else ""
    if f.get("opens"):
        return f"{f['opens']}{extra}"
    if f.get("opens_with"):
        p = str(f["opens_with"])
        return f"with {projects.get(p, p)}{extra}"
    return "open at the start"


def deliveries_by_year(housing: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Planned dwellings per year, all projects."""
    out: dict[str, int] = defaultdict(int)
    for h in housing:
        for ph in h.get("phases") or []:
            out[str(ph.get("date", ""))[:4]] += int(ph.get("units") or 0)
    return dict(sorted(out.items()))


def scenario_html(record: Mapping[str, Any] | None, label: Callable[[str], str]) -> str:
    """The scenario section's HTML (empty note when the run recorded no scenario)."""
    parts = [f'<p class="finding">{esc(QUESTION)}</p>']
    if record is None:
        parts.append('<p class="note">This results folder does not record its scenario (scenario.json); '
                     "see the manifest in the methods appendix for the scenario file.</p>")
        return "".join(parts)
    sc = record["resolved"]
    parts.append(f"<p>{esc(sc.get('description') or sc.get('name'))}</p>")
    zones = sc.get("zones") or []
    h = sc.get("horizon") or {}
    start_pop = sum(int((z.get("initial_population") or {}).get("residents") or 0) for z in zones)
    parts.append(
        f"<p>Simulated from {esc(h.get('start'))} to {esc(h.get('end'))}, reported every {esc(sc.get('report_every'))}, "
        f"over {len(zones)} zones ({esc(', '.join(label(str(z['id'])) for z in zones))}) holding "
        f"{fmt_number(start_pop)} residents at the start.</p>")
    parts.append(_variant(record))
    parts.append(_housing(sc))
    parts.append(_facilities(sc, label))
    return "".join(parts)


def _variant(record: Mapping[str, Any]) -> str:
    prov = record.get("provenance") or {}
    files = prov.get("files") or []
    overrides = prov.get("overrides") or []
    if len(files) < 2:
        return ""
    rows = [[o["key"], str(o["value"])] for o in overrides]
    return (f"<h3>What this variant changes</h3><p>{esc(files[0])} extends {esc(files[1])} and sets:</p>"
            + table(["key", "value"], rows))


def _housing(sc: Mapping[str, Any]) -> str:
    housing = sc.get("housing") or []
    if not housing:
        return ""
    by_year = deliveries_by_year(housing)
    units = sum(by_year.values())
    d = sc.get("housing_defaults") or {}
    slip = d.get("slippage_months") or {}
    delay = d.get("delay_months") or 0
    text = (f"<h3>What is delivered when</h3><p>{len(housing)} housing projects deliver {fmt_number(units)} "
            f"dwellings in phases, planned between {min(by_year)} and {max(by_year)}"
            + (f", every phase {fmt_number(delay)} months after its planned date" if delay else "")
            + (f"; each phase slips by a random {esc(slip.get('distribution'))} delay of mean "
               f"{fmt_number(slip.get('mean'), 1)} months" if slip else "") + ".</p>")
    return text + table(["year", "dwellings planned"], [[y, u] for y, u in by_year.items()], numeric=[1])


def _facilities(sc: Mapping[str, Any], label: Callable[[str], str]) -> str:
    facilities = sc.get("facilities") or []
    if not facilities:
        return ""
    projects = {str(h["id"]): str(h.get("name") or h["id"]) for h in sc.get("housing") or []}
    rows = []
    for f in facilities:
        services = f.get("service")
        names = ", ".join(style.service_name(str(s)) for s in (services if isinstance(services, list) else [services]))
        rows.append([names, str(f.get("name") or f["id"]), label(str(f.get("zone"))), capacity_text(f),
                     opening_text(f, projects)])
    rows.sort(key=lambda r: (r[0], r[4]))
    return (f"<h3>What opens when</h3><p>{len(facilities)} facilities; a facility serves its catchment "
            "(its own zone unless the scenario names others).</p>"
            "<details><summary>Every facility, its capacity and its opening</summary>"
            + table(["service", "facility", "zone", "capacity", "opens"], rows) + "</details>")
