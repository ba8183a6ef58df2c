"""Figures of comparisons, sweeps and sensitivity analyses, in the project's style.

* :func:`side_by_side` — one service's gap in every zone, one panel per
  scenario on the same axis: the scenarios as small multiples;
* :func:`envelope` — across a sweep's design points, the range of a gap per
  zone (its envelope) with the median point marked;
* :func:`against_factors` — the whole town's gap at each design point against
  each factor;
* :func:`tornado`, :func:`indices_over_time`, :func:`probability_curve` — a
  sensitivity analysis's indices, their change over the years, and a planning
  answer's probability curve.

Every function takes tidy tables read from a results folder and returns a
figure, or ``None`` when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.outputs import style
from sim.outputs.figgrid import nice_top, panel_grid, set_y_from_zero, year_ticks
from sim.scenario.units import DAYS_PER_YEAR

METRIC_NAMES = {
    "peak_unmet": "peak unmet",
    "unmet_seat_years": "unmet seat-years",
    "first_shortfall_days": "first shortfall (days after the start)",
    "months_in_shortfall": "months in shortfall",
    "any_shortfall": "share of replications with a shortfall",
}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _x_from_zero(ax: Axes, top: float) -> None:
    top = nice_top(top)
    ax.set_xlim(0.0, top * 1.04)
    ax.set_xticks([0.0, top / 2, top])


def side_by_side(outcomes: pd.DataFrame, service: str, names: Sequence[str], label: Callable[[str], str],
                 metric: str = "peak_unmet") -> Figure | None:
    """Median and 5-95 % range across replications of ``metric`` per zone, a panel per scenario."""
    df = outcomes[(outcomes["service"] == service) & (outcomes["metric"] == metric)]
    if df.empty or not (df["value"].fillna(0) > 0).any():
        return None
    q = df.groupby(["scenario", "zone"], observed=True)["value"].quantile([0.05, 0.5, 0.95]).unstack()
    zones = list(dict.fromkeys(df["zone"].astype(str)))
    fig, axes, _ = panel_grid(len(names), cols=len(names), panel_w=3.0, panel_h=0.3 * len(zones) + 0.4, top=0.6)
    top = float(np.nan_to_num(q.to_numpy()).max())
    y = np.arange(len(zones))
    unit = style.unit(service)
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        rows = q.loc[name].reindex(zones) if name in q.index.get_level_values(0) else pd.DataFrame(index=zones)
        lo, med, hi = (rows.get(c, pd.Series(np.nan, index=zones)).to_numpy(dtype=float) for c in (0.05, 0.5, 0.95))
        ax.hlines(y, lo, hi, color=style.SERIES[k % len(style.SERIES)], lw=2.2, alpha=0.45,
                  label="5-95 % of replications")
        ax.plot(med, y, "o", color=style.SERIES[k % len(style.SERIES)], ms=4.5, label="median")
        _x_from_zero(ax, top)
        ax.set_yticks(y, [label(z) for z in zones] if k == 0 else [])
        ax.set_ylim(len(zones) - 0.5, -0.5)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_title(name, loc="left", y=1.0, pad=3)
        ax.set_xlabel(f"{metric_name(metric)} ({unit})")
        ax.set_ylabel("zone")
        ax.yaxis.set_label_coords(-1.1 / 3.0, 0.5)
        ax.yaxis.label.set_visible(k == 0)  # one label for the row
    axes[-1].legend(loc="lower right")
    fig.suptitle(f"{style.service_name(service)}: {metric_name(metric)} by zone in each scenario", x=0.01,
                 ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def envelope(summary: pd.DataFrame, service: str, metric: str, label: Callable[[str], str]) -> Figure | None:
    """Per zone, the range across design points of the mean ``metric`` (the envelope), median point marked."""
    df = summary[(summary["service"] == service) & (summary["metric"] == metric)]
    if df.empty:
        return None
    g = df.groupby("zone", sort=False)["mean"].agg(["min", "median", "max"])
    zones = [str(z) for z in g.index]
    fig, (ax,), _ = panel_grid(1, cols=1, panel_w=6.0, panel_h=0.3 * len(zones) + 0.4, top=0.6)
    y = np.arange(len(zones))
    ax.hlines(y, g["min"], g["max"], color=style.DEMAND, lw=6, alpha=0.35, label="range across the design")
    ax.plot(g["median"], y, "|", color=style.DEMAND, ms=12, mew=2, label="median design point")
    if metric == "first_shortfall_days":
        ax.set_xlim(0, nice_top(float(np.nan_to_num(g["max"].to_numpy()).max())) * 1.04)
    else:
        _x_from_zero(ax, float(np.nan_to_num(g["max"].to_numpy()).max()))
    ax.set_yticks(y, [label(z) for z in zones])
    ax.set_ylim(len(zones) - 0.5, -0.5)
    ax.set_ylabel("zone")
    ax.yaxis.set_label_coords(-1.1 / 6.0, 0.5)
    ax.set_xlabel(f"{metric_name(metric)} ({style.unit(service)}), mean over replications")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="best")
    fig.suptitle(f"{style.service_name(service)}: {metric_name(metric)} across the design", x=0.01, ha="left",
                 y=1 - 0.1 / fig.get_figheight())
    return fig


def against_factors(summary: pd.DataFrame, factors: Sequence[str], service: str, metric: str) -> Figure | None:
    """The sum over zones of the mean ``metric`` at each design point, against each factor."""
    df = summary[(summary["service"] == service) & (summary["metric"] == metric)]
    factors = [f for f in factors if f in df.columns]
    if df.empty or not factors:
        return None
    per_point = df.groupby(["point", *factors], dropna=False)["mean"].sum().reset_index()
    fig, axes, _ = panel_grid(len(factors), cols=min(4, len(factors)), panel_w=2.4, panel_h=1.7, top=0.6)
    top = float(np.nan_to_num(per_point["mean"].to_numpy()).max())
    for ax, f in zip(axes, factors, strict=True):
        x = pd.to_numeric(per_point[f], errors="coerce")
        if x.notna().all():
            ax.plot(x, per_point["mean"], "o", color=style.DEMAND, ms=4, alpha=0.8, label="design point")
            means = per_point.groupby(f)["mean"].mean()
            ax.plot(means.index.to_numpy(dtype=float), means.to_numpy(), "-", color="#333333", lw=1,
                    label="mean at each level")
        else:
            levels = list(dict.fromkeys(per_point[f].astype(str)))
            ax.plot([levels.index(v) for v in per_point[f].astype(str)], per_point["mean"], "o",
                    color=style.DEMAND, ms=4, label="design point")
            ax.set_xticks(range(len(levels)), levels)
        set_y_from_zero(ax, top)
        ax.set_xlabel(f)
        ax.set_title(f, loc="left", y=1.0, pad=3)
    for k, ax in enumerate(axes):
        ax.set_ylabel(f"{metric_name(metric)} ({style.unit(service)})")
        ax.yaxis.label.set_visible(k % 4 == 0)  # one label per row
    axes[-1].legend(loc="best")
    fig.suptitle(f"{style.service_name(service)}: {metric_name(metric)}, all zones, against each factor", x=0.01,
                 ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def index_bars(ind: pd.DataFrame, title: str, xlabel: str = "sensitivity index (dimensionless)") -> Figure | None:
    """Indices of one method and outcome (``input, index, low, high``) as bars, largest first."""
    d = ind.assign(index=pd.to_numeric(ind["index"], errors="coerce")).dropna(subset=["index"])
    if d.empty:
        return None
    d = d.reindex(d["index"].abs().sort_values(ascending=False).index).head(15)
    fig, (ax,), _ = panel_grid(1, cols=1, panel_w=5.0, panel_h=0.28 * len(d) + 0.4, top=0.55, extra_w=1.2,
                               left=_left(d["input"]))
    y = np.arange(len(d))
    low = pd.to_numeric(d["low"], errors="coerce") if "low" in d else pd.Series(np.nan, index=d.index)
    high = pd.to_numeric(d["high"], errors="coerce") if "high" in d else pd.Series(np.nan, index=d.index)
    ax.barh(y, d["index"], color=style.CAPACITY, height=0.6, label="index")
    err = np.vstack([(d["index"] - low).clip(lower=0).fillna(0), (high - d["index"]).clip(lower=0).fillna(0)])
    ax.errorbar(d["index"], y, xerr=err, fmt="none", ecolor="#333333", lw=0.9, capsize=2, label="95 % interval")
    ax.axvline(0, color="#777777", lw=0.8)
    _inputs_axis(ax, [str(v) for v in d["input"]], xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(title, x=0.01, ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def tornado(low: pd.DataFrame, high: pd.DataFrame, title: str, xlabel: str) -> Figure | None:
    """A tornado: the outcome with each input alone at its low and at its high value, widest on top.

    ``low`` and ``high`` have ``input, index`` (the outcome at the input's low
    and high value).
    """
    d = pd.merge(low[["input", "index"]], high[["input", "index"]], on="input", suffixes=("_low", "_high"))
    d = d.assign(span=(d["index_high"] - d["index_low"]).abs()).sort_values("span", ascending=False).head(15)
    if d.empty:
        return None
    fig, (ax,), _ = panel_grid(1, cols=1, panel_w=5.0, panel_h=0.28 * len(d) + 0.4, top=0.55, extra_w=1.2,
                               left=_left(d["input"]))
    y = np.arange(len(d))
    ax.barh(y, d["index_low"], color=style.CAPACITY, height=0.6, alpha=0.85, label="input at its low value")
    ax.barh(y, d["index_high"], color=style.DEMAND, height=0.6, alpha=0.85, label="input at its high value")
    ax.axvline(0, color="#777777", lw=0.8)
    _inputs_axis(ax, [str(v) for v in d["input"]], xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(title, x=0.01, ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def _left(names: pd.Series) -> float:
    """Left margin (inches) that fits the longest name at the tick font size."""
    return 0.45 + 0.065 * max((len(str(n)) for n in names), default=4)


def _inputs_axis(ax: Axes, inputs: list[str], xlabel: str) -> None:
    y = np.arange(len(inputs))
    ax.set_yticks(y, inputs)
    ax.set_ylim(len(inputs) - 0.5, -0.5)
    ax.set_ylabel("input")
    ax.set_xlabel(xlabel)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)


def indices_over_time(ind: pd.DataFrame, title: str, ylabel: str = "sensitivity index") -> Figure | None:
    """Each input's index by year (one line per input, the six largest)."""
    d = ind.assign(year=pd.to_numeric(ind["year"], errors="coerce"), index=pd.to_numeric(ind["index"], errors="coerce"))
    d = d.dropna(subset=["year", "index"])
    if d.empty:
        return None
    top_inputs = d.groupby("input")["index"].apply(lambda s: s.abs().max()).sort_values(ascending=False).head(6).index
    fig, (ax,), _ = panel_grid(1, cols=1, panel_w=6.0, panel_h=2.3, top=0.55, extra_w=1.8)
    for k, name in enumerate(top_inputs):
        s = d[d["input"] == name].sort_values("year")
        ax.plot(s["year"], s["index"], "-o", ms=2.5, lw=1.3, color=style.SERIES[k % len(style.SERIES)], label=str(name))
    ax.axhline(0, color="#777777", lw=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(title, x=0.01, ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def probability_curve(curve: pd.DataFrame, x: str, p: str, title: str, risk: float | None,
                      answer: object = None) -> Figure | None:
    """A planning answer's curve: P(shortfall) against the date or capacity asked about."""
    if curve.empty:
        return None
    fig, (ax,), _ = panel_grid(1, cols=1, panel_w=5.5, panel_h=2.2, top=0.55)
    xs = curve[x]
    dates = pd.to_datetime(xs, errors="coerce") if not pd.api.types.is_numeric_dtype(xs) else None
    xv = (dates.dt.year + (dates.dt.day_of_year - 1) / DAYS_PER_YEAR) if dates is not None and dates.notna().all() else pd.to_numeric(xs, errors="coerce")
    ax.plot(xv, curve[p], "-o", ms=3, color=style.UNMET, label="P(unmet > tolerance)")
    if dates is not None and dates.notna().all():
        ticks = year_ticks(float(np.min(xv)), float(np.max(xv)) + 1)
        ax.set_xticks(ticks, [str(t) for t in ticks])
    if risk is not None:
        ax.axhline(risk, color="#333333", lw=0.9, ls="--", label=f"risk bound {risk:g}")
    if answer is not None:
        at = curve[x].astype(str) == str(answer)
        if at.any():
            ax.plot(np.asarray(xv)[at.to_numpy()], curve.loc[at, p], "s", ms=7, mfc="none", mec="black", label="answer")
    ax.set_ylim(0, 1.04)
    ax.set_yticks([0, 0.5, 1.0], ["0", "0.5", "1"])
    ax.set_xlabel("year" if dates is not None and dates.notna().all() else x)
    ax.set_ylabel("probability of exceeding the tolerance")
    ax.legend(loc="best")
    fig.suptitle(title, x=0.01, ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig
