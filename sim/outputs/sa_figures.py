"""Figures of a sensitivity analysis, read from its indices table (``indices.csv``).

* Morris: μ* against σ per input, with μ*'s interval — inputs far right matter,
  inputs high up act through interactions or non-linearly;
* Sobol: first-order and total indices per input as bars with intervals;
* tornado: the change of the outcome when each input alone goes to its low and
  high value, widest swing on top;
* indices over time: the yearly unmet demand's index per input, year by year.

One panel per zone and service (the ``max_panels`` with the largest indices),
one figure per metric. Every function returns the paths it wrote.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.outputs.plots import UNITS, save  # noqa: E402

METRIC_LABELS = {
    "peak_unmet": "peak unmet",
    "unmet_seat_years": "unmet seat-years",
    "first_shortfall_days": "first shortfall (days from start)",
    "backlog_end": "unmet at the horizon's end",
    "unmet": "largest unmet in the year",
}


def _panels(n: int, width: float = 4.4, height: float = 3.2) -> tuple[Figure, np.ndarray]:
    cols = min(max(n, 1), 3)
    rows = math.ceil(max(n, 1) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _top_pairs(sel: pd.DataFrame, method: str, limit: int) -> list[tuple[str, str]]:
    """Zone-service pairs with the largest headline index."""
    head = sel[sel["method"] == method] if method != "tornado" else sel[sel["method"].str.startswith("tornado")]
    score = head.assign(a=head["index"].abs()).groupby(["zone", "service"], sort=False)["a"].max()
    return [(str(z), str(s)) for z, s in score.sort_values(ascending=False).index[:limit]]


def _title(zone: str, service: str) -> str:
    unit = UNITS.get(service, "")
    return f"{zone} · {service}" + (f" ({unit})" if unit else "")


def morris_figure(indices: pd.DataFrame, metric: str, path: Path, max_panels: int = 9) -> Path:
    """μ* against σ for ``metric``, a panel per zone and service."""
    sel = indices[(indices["outcome"] == metric) & (indices["year"] == "all")]
    pairs = _top_pairs(sel, "morris_mu_star", max_panels)
    fig, axes = _panels(len(pairs))
    for ax, (zone, service) in zip(axes.flat, pairs, strict=False):
        here = sel[(sel["zone"] == zone) & (sel["service"] == service)]
        mu = here[here["method"] == "morris_mu_star"].set_index("input")
        sigma = here[here["method"] == "morris_sigma"].set_index("input").reindex(mu.index)
        ax.errorbar(mu["index"], sigma["index"], xerr=[mu["index"] - mu["low"], mu["high"] - mu["index"]],
                    yerr=[sigma["index"] - sigma["low"], sigma["high"] - sigma["index"]],
                    fmt="o", ms=4, capsize=2, color="tab:blue", alpha=0.85)
        for name, x, y in zip(mu.index, mu["index"], sigma["index"], strict=True):
            ax.annotate(str(name), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_title(_title(zone, service), fontsize=9)
        ax.set_xlabel("μ* (mean |effect| over the input's range)", fontsize=8)
        ax.set_ylabel("σ (interactions, non-linearity)", fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Morris screening: {METRIC_LABELS.get(metric, metric)}", fontsize=11)
    return save(fig, path)


def sobol_figure(indices: pd.DataFrame, metric: str, path: Path, max_panels: int = 9) -> Path:
    """First-order and total indices of ``metric`` as bars with intervals."""
    sel = indices[(indices["outcome"] == metric) & (indices["year"] == "all")]
    pairs = _top_pairs(sel, "sobol_total", max_panels)
    fig, axes = _panels(len(pairs))
    for ax, (zone, service) in zip(axes.flat, pairs, strict=False):
        here = sel[(sel["zone"] == zone) & (sel["service"] == service)]
        total = here[here["method"] == "sobol_total"].set_index("input").sort_values("index")
        first = here[here["method"] == "sobol_first"].set_index("input").reindex(total.index)
        y = np.arange(len(total))
        for offset, part, color, label in ((-0.2, first, "tab:blue", "first order"), (0.2, total, "tab:orange", "total")):
            ax.barh(y + offset, part["index"], height=0.38, color=color, label=label,
                    xerr=[part["index"] - part["low"], part["high"] - part["index"]], capsize=2)
        ax.set_yticks(y, list(total.index), fontsize=7)
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_title(_title(zone, service), fontsize=9)
        ax.set_xlabel("share of the outcome's variance", fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Sobol indices: {METRIC_LABELS.get(metric, metric)}", fontsize=11)
    return save(fig, path)


def tornado_figure(indices: pd.DataFrame, metric: str, path: Path, max_panels: int = 9) -> Path:
    """Change of ``metric`` from the scenario's value, each input alone at its low and high value."""
    sel = indices[(indices["outcome"] == metric) & (indices["year"] == "all")]
    pairs = _top_pairs(sel, "tornado", max_panels)
    fig, axes = _panels(len(pairs))
    for ax, (zone, service) in zip(axes.flat, pairs, strict=False):
        here = sel[(sel["zone"] == zone) & (sel["service"] == service)]
        low = here[here["method"] == "tornado_low"].set_index("input")
        high = here[here["method"] == "tornado_high"].set_index("input").reindex(low.index)
        both = pd.concat([low["index"], high["index"]], axis=1)
        order = (both.clip(lower=0).max(axis=1) - both.clip(upper=0).min(axis=1)).sort_values().index
        y = np.arange(len(order))
        # Side by side: both ends may move the outcome the same way.
        for offset, part, color, label in ((-0.2, low.loc[order], "tab:blue", "input low"),
                                           (0.2, high.loc[order], "tab:red", "input high")):
            ax.barh(y + offset, part["index"], height=0.38, color=color, alpha=0.8, label=label,
                    xerr=[part["index"] - part["low"], part["high"] - part["index"]], capsize=2)
        ax.set_yticks(y, list(order), fontsize=7)
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_title(_title(zone, service), fontsize=9)
        ax.set_xlabel("change from the scenario's value", fontsize=8)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Tornado: {METRIC_LABELS.get(metric, metric)}", fontsize=11)
    return save(fig, path)


def over_time_figure(indices: pd.DataFrame, method: str, path: Path, max_panels: int = 9) -> Path:
    """The yearly unmet demand's ``method`` index per input, year by year, with intervals."""
    sel = indices[(indices["outcome"] == "unmet") & (indices["year"] != "all") & (indices["method"] == method)]
    sel = sel.assign(year=sel["year"].astype(int))
    pairs = _top_pairs(sel, method, max_panels)
    fig, axes = _panels(len(pairs), width=5.0)
    for ax, (zone, service) in zip(axes.flat, pairs, strict=False):
        here = sel[(sel["zone"] == zone) & (sel["service"] == service)]
        for name, g in here.groupby("input", sort=True):
            g = g.sort_values("year")
            line = ax.plot(g["year"], g["index"], lw=1.4, label=str(name))[0]
            ax.fill_between(g["year"], g["low"], g["high"], color=line.get_color(), alpha=0.15, lw=0)
        ax.set_title(_title(zone, service), fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    if pairs:
        axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"{method} of the year's largest unmet demand, by year", fontsize=11)
    return save(fig, path)


def sensitivity_figures(indices: pd.DataFrame, method: str, folder: Path) -> list[Path]:
    """Every figure of an analysis by ``method`` (morris, sobol or tornado)."""
    draw = {"morris": morris_figure, "sobol": sobol_figure, "tornado": tornado_figure}[method]
    out: list[Path] = []
    metrics = [m for m in dict.fromkeys(indices["outcome"]) if m != "unmet"]
    for metric in metrics:
        out.append(draw(indices, str(metric), folder / f"{method}_{metric}.png"))
    yearly = {"morris": "morris_mu_star", "sobol": "sobol_total", "tornado": "tornado_high"}[method]
    if ((indices["outcome"] == "unmet") & (indices["method"] == yearly)).any():
        out.append(over_time_figure(indices, yearly, folder / f"{method}_over_time.png"))
    return out
