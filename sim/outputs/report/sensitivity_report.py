"""The report of a sensitivity analysis and its planning answers (a ``sensitivity`` folder).

Read from two tables, each optional:

* ``indices.csv`` — ``method, outcome, zone, service, year, input, index, low,
  high`` (``year`` is ``all`` for the whole horizon or a year). The method
  ranking inputs is ``morris_mu_star``, ``sobol_total``, a tornado's span
  (``tornado_high`` minus ``tornado_low``) or, for any other method, the index
  itself;
* ``plan.csv`` — planning answers: either one row per candidate searched
  (``question, facility, value, p_exceed, risk, tolerance, answer`` true on the
  answer's row: the probability curve is the rows), or one row per question
  (``facility, question, risk, tolerance, answer``) with the curve in
  ``plan_curve.csv`` or ``plan_curves.csv`` (``facility, question``, a value
  column and a probability column).

Headline: for each outcome, zone and service, the inputs that drive it; then
tornado or index bars, the indices over time, and the planning answers with
their curves.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.outputs import style
from sim.outputs.plots_experiments import (
    index_bars,
    indices_over_time,
    metric_name,
    probability_curve,
    tornado,
)
from sim.outputs.report.methods import assumptions_html, run_table, stress_items
from sim.outputs.report.page import Cell, Page, esc, figure, table
from sim.outputs.results_io import ResultsFolder, first_present
from sim.outputs.style import ZoneLabels

RANKING = ("morris_mu_star", "sobol_total", "tornado_span")
KEYS = ["outcome", "zone", "service"]
TOP = 6


def ranking(ind: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The whole-horizon index that ranks inputs, and its rows (``KEYS, input, index, low, high``)."""
    whole = ind[ind["year"].astype(str) == "all"] if "year" in ind else ind
    methods = set(whole["method"].astype(str))
    for m in RANKING[:2]:
        if m in methods:
            return m, whole[whole["method"] == m]
    if {"tornado_low", "tornado_high"} <= methods:
        k = [*KEYS, "input"]
        low = whole[whole["method"] == "tornado_low"].set_index(k)["index"]
        high = whole[whole["method"] == "tornado_high"].set_index(k)["index"].reindex(low.index)
        span = (high - low).abs().rename("index").reset_index()
        return "tornado_span", span.assign(low=float("nan"), high=float("nan"), method="tornado_span")
    m = sorted(methods)[0] if methods else ""
    return m, whole[whole["method"] == m]


def read_indices(folder: ResultsFolder) -> pd.DataFrame | None:
    ind = folder.csv("indices.csv")
    if ind is None or ind.empty or not {"method", "input", "index"} <= set(ind.columns):
        return None
    for c in (*KEYS, "year"):
        if c not in ind.columns:
            ind[c] = "all"
    ind["index"] = pd.to_numeric(ind["index"], errors="coerce")
    for c in ("low", "high"):
        ind[c] = pd.to_numeric(ind[c], errors="coerce") if c in ind.columns else float("nan")
    return ind


def headline(method: str, ranked: pd.DataFrame, label: Any) -> str:
    """Per outcome, zone and service, the inputs that matter most."""
    rows, attrs = [], []
    groups = ranked.groupby(KEYS, sort=False)
    order = groups["index"].apply(lambda s: s.abs().max()).sort_values(ascending=False).index
    for key in list(order)[:20]:
        g = groups.get_group(key).sort_values("index", key=abs, ascending=False)
        top = "; ".join(f"{r.input} {r.index:.3g}" + (f" [{r.low:.3g}, {r.high:.3g}]" if pd.notna(r.low) else "")
                        for r in g.head(3).itertuples())
        outcome, zone, service = (str(k) for k in key)
        rows.append([metric_name(outcome), label(zone) if zone != "all" else "all zones",
                     style.service_name(service) if service != "all" else "all services", top])
        attrs.append({"data-outcome": outcome, "data-zone": zone, "data-service": service,
                      "data-top-input": str(g["input"].iloc[0])})
    lead = (f'<p class="finding">Inputs ranked by {esc(method.replace("_", " "))} over the whole horizon: the three '
            "that move each outcome most, with 95 % intervals where the analysis gives them.</p>")
    return lead + table(["outcome", "zone", "service", "inputs that matter most"], rows, cls="headline",
                        row_attrs=attrs)


def sensitivity_report(folder: ResultsFolder, fmt: str = "png") -> Page:
    """Assemble the report of a sensitivity folder."""
    m = folder.manifest()
    record = folder.scenario()
    label = ZoneLabels(folder.zone_names())
    page = Page(f"Sensitivity analysis: {m.get('scenario') or m.get('name') or folder.path.name}",
                f"method {m.get('method', '–')}, seed {m.get('seed', '–')}")
    ind = read_indices(folder)
    if ind is not None:
        method, ranked = ranking(ind)
        page.add("headline", "Headline findings", headline(method, ranked, label))
        page.add("indices", "Indices and tornado", _indices(ind, method, ranked, label, fmt))
        page.add("over-time", "Indices over time", _over_time(ind, method, ranked, label, fmt))
    page.add("plan", "Planning answers", plan_html(folder, fmt))
    body = run_table(m) + "<h3>STRESS-DES reporting items</h3>" + table(
        ["item", "in this study"], stress_items(m, record, m.get("replications") or m.get("reps"),
                                                ["indices.csv", "plan.csv"]))
    body += "<h3>Assumptions</h3>" + assumptions_html(record)
    page.add("methods", "Methods appendix", body)
    return page


def _top_keys(ranked: pd.DataFrame, n: int = TOP) -> list[tuple[str, str, str]]:
    score = ranked.groupby(KEYS, sort=False)["index"].apply(lambda s: s.abs().max()).sort_values(ascending=False)
    return [tuple(str(k) for k in key) for key in score.index[:n]]  # type: ignore[misc]


def _title(key: tuple[str, str, str], label: Any) -> str:
    outcome, zone, service = key
    where = label(zone) if zone != "all" else "all zones"
    what = style.service_name(service) if service != "all" else "all services"
    return f"{what}, {where}: {metric_name(outcome)}"


def _indices(ind: pd.DataFrame, method: str, ranked: pd.DataFrame, label: Any, fmt: str) -> str:
    parts = []
    whole = ind[ind["year"].astype(str) == "all"]
    for key in _top_keys(ranked):
        sel = whole
        for c, v in zip(KEYS, key, strict=True):
            sel = sel[sel[c].astype(str) == v]
        unit = style.unit(key[2]) if key[2] in style.UNITS else "outcome units"
        if method == "tornado_span":
            fig = tornado(sel[sel["method"] == "tornado_low"], sel[sel["method"] == "tornado_high"],
                          f"Tornado — {_title(key, label)}", f"{metric_name(key[0])} ({unit})")
            caption = "The outcome with each input alone at its low and at its high value; widest bar on top."
        else:
            fig = index_bars(sel[sel["method"] == method], f"{method.replace('_', ' ')} — {_title(key, label)}")
            caption = f"Each input's {method.replace('_', ' ')} with its 95 % interval, largest first."
        if fig is not None:
            parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), fig.get_suptitle(), caption,
                                f"fig-ind-{'-'.join(key)}"))
    return "".join(parts)


def _over_time(ind: pd.DataFrame, method: str, ranked: pd.DataFrame, label: Any, fmt: str) -> str:
    yearly = ind[ind["year"].astype(str) != "all"]
    if yearly.empty:
        return ""
    use = method if method in set(yearly["method"]) else str(yearly["method"].iloc[0])
    parts = []
    for key in sorted({tuple(str(v) for v in k) for k in yearly[KEYS].drop_duplicates().itertuples(index=False)}):
        sel = yearly[(yearly["method"] == use)]
        for c, v in zip(KEYS, key, strict=True):
            sel = sel[sel[c].astype(str) == v]
        fig = indices_over_time(sel, f"{use.replace('_', ' ')} by year — {_title(key, label)}",  # type: ignore[arg-type]
                                f"{use.replace('_', ' ')}")
        if fig is not None:
            parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), "indices over time",
                                "How much each input matters, year by year (the six inputs that matter most).",
                                f"fig-time-{'-'.join(key)}"))
        if len(parts) >= TOP:
            break
    return "".join(parts)


def plan_html(folder: ResultsFolder, fmt: str) -> str:
    """The planning answers: one line each and its probability curve."""
    plan = folder.csv("plan.csv")
    if plan is None or plan.empty:
        return ""
    curves = next((c for c in (folder.csv("plan_curve.csv"), folder.csv("plan_curves.csv")) if c is not None), None)
    per_candidate = "p_exceed" in plan.columns and "value" in plan.columns
    keys = [c for c in ("facility", "question") if c in plan.columns]
    parts: list[str] = []
    rows: list[list[Any]] = []
    for key, g in (plan.groupby(keys, sort=False) if keys else [((), plan)]):
        key = key if isinstance(key, tuple) else (key,)
        answer_row = _answer_row(g, per_candidate)
        answer = answer_row.get("value") if per_candidate else answer_row.get("answer")
        risk = pd.to_numeric(pd.Series([answer_row.get("risk")]), errors="coerce").iloc[0]
        rows.append([*(str(k) for k in key), str(answer_row.get("risk", "–")), str(answer_row.get("tolerance", "–")),
                     Cell(esc("none within the range searched" if answer is None or pd.isna(answer) else answer))])
        curve = g if per_candidate else _curve_for(curves, dict(zip(keys, key, strict=True)))
        fig = _curve_figure(curve, " ".join(str(k) for k in key), None if pd.isna(risk) else float(risk), answer)
        if fig is not None:
            parts.append(figure(style.data_uri(style.render(fig, fmt), fmt), "probability curve",
                                "Probability that unmet demand exceeds the tolerance at each candidate; the answer "
                                "is the latest date (or smallest capacity) under the risk bound.",
                                f"fig-plan-{len(parts)}"))
    return table([*keys, "risk bound", "tolerance", "answer"], rows, cls="plan") + "".join(parts)


def _answer_row(g: pd.DataFrame, per_candidate: bool) -> dict[str, Any]:
    if per_candidate and "answer" in g.columns:
        hit = g[g["answer"].astype(str).str.lower().isin(["true", "1", "yes"])]
        if not hit.empty:
            return dict(hit.iloc[0])
        return {**dict(g.iloc[0]), "value": None}
    return dict(g.iloc[0])


def _curve_for(curves: pd.DataFrame | None, key: dict[str, Any]) -> pd.DataFrame | None:
    if curves is None:
        return None
    sel = curves
    for c, v in key.items():
        if c in sel.columns:
            sel = sel[sel[c].astype(str) == str(v)]
    return sel


def _curve_figure(curve: pd.DataFrame | None, title: str, risk: float | None, answer: Any) -> Any:
    if curve is None or curve.empty:
        return None
    x = first_present(curve.columns, ("value", "date", "opens", "opening", "capacity", "x"))
    p = first_present(curve.columns, ("p_exceed", "p_shortfall", "probability", "p"))
    if x is None or p is None:
        return None
    return probability_curve(curve, x, p, f"Planning answer: {title}", risk, answer)
