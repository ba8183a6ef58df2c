"""What a paired comparison reports: differences from the baseline, with intervals.

``comparison.csv`` has one row per scenario (other than the baseline) × zone ×
service × metric: pairs used, the two means, the mean paired difference
(scenario minus baseline) and its 95 % interval. The figure shows, for the
three headline metrics — first shortfall date (days later), peak unmet and
unmet seat-years — each zone and service as a row, each scenario as a point with
its interval, side by side; a planner reads "right of zero" as "worse than the
baseline" (for the first-shortfall date: later).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outputs import style
from sim.outputs.intervals import paired_differences

HEADLINE: dict[str, str] = {
    "first_shortfall_days": "first shortfall date (days later)",
    "peak_unmet": "peak unmet",
    "unmet_seat_years": "unmet seat-years",
}
AXIS = {
    "first_shortfall_days": "days later than the baseline",
    "peak_unmet": "more unmet than the baseline (seats, beds, places…)",
    "unmet_seat_years": "more seat-years than the baseline",
}


def comparison_table(per_rep: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Paired differences of every scenario from ``names[0]`` (see the module docstring)."""
    out = paired_differences(per_rep, names[0], names)
    out.insert(1, "baseline", names[0])
    return out


def _rows(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Zone-service pairs worth drawing: a headline difference other than zero."""
    head = table[table["metric"].isin(list(HEADLINE)) & (table["diff_mean"].abs() > 1e-9)]
    return sorted({(str(z), str(s)) for z, s in zip(head["zone"], head["service"], strict=True)})


def comparison_plot(table: pd.DataFrame, max_rows: int = 30,
                    label: Callable[[str], str] = str) -> Figure:
    """The headline differences with their intervals, scenarios side by side (see the module docstring)."""
    rows = _rows(table)[:max_rows] or [("(none)", "(no differences)")]
    scenarios = list(dict.fromkeys(table["scenario"])) or ["(none)"]
    height = 1.35 + 0.2 * len(rows) * max(1, len(scenarios)) ** 0.5
    fig = style.new_figure(11.5, height)
    axes = fig.subplots(1, len(HEADLINE), sharey=True, squeeze=False, gridspec_kw={
        "left": 2.3 / 11.5, "right": 0.99, "top": 1 - 0.75 / height, "bottom": 0.5 / height, "wspace": 0.12})[0]
    y = np.arange(len(rows), dtype=float)
    step = 0.7 / max(1, len(scenarios))
    for ax, (metric, name) in zip(axes, HEADLINE.items(), strict=True):
        for k, scenario in enumerate(scenarios):
            sel = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
            by = {(str(z), str(s)): r for z, s, r in zip(sel["zone"], sel["service"], sel.itertuples(), strict=True)}
            mean = np.array([by[r].diff_mean if r in by else np.nan for r in rows], dtype=float)
            hw = np.array([by[r].half_width if r in by else np.nan for r in rows], dtype=float)
            offset = (k - (len(scenarios) - 1) / 2) * step
            ax.errorbar(mean, y + offset, xerr=np.nan_to_num(hw), fmt="o", ms=3.5, capsize=2, lw=1,
                        color=style.SERIES[k % len(style.SERIES)], label=scenario)
        ax.axvline(0.0, color="#777777", lw=0.8)
        ax.set_title(name, loc="left", y=1.0, pad=3)
        ax.set_xlabel(AXIS[metric])
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, [f"{label(z)} · {style.service_name(s)}" for z, s in rows])
    for k, ax in enumerate(axes):
        ax.set_ylabel("zone · service")
        ax.yaxis.label.set_visible(k == 0)  # the rows are shared
    axes[0].set_ylim(len(rows) - 0.5, -0.5)
    baseline = str(table["baseline"].iloc[0]) if len(table) else "baseline"
    fig.suptitle(f"Difference from {baseline}: mean of paired replications with its 95 % interval", x=0.01,
                 ha="left", y=1 - 0.1 / height)
    fig.legend(*axes[-1].get_legend_handles_labels(), loc="upper right", ncols=len(scenarios),
               bbox_to_anchor=(1.0, 1 - 0.3 / height))
    return fig


def comparison_figure(table: pd.DataFrame, path: str | Path, max_rows: int = 30,
                      label: Callable[[str], str] = str) -> Path:
    """Draw :func:`comparison_plot` into a PNG (or SVG by the suffix); return the path."""
    out = Path(path)
    fmt = "svg" if out.suffix.lower() == ".svg" else "png"
    out.write_bytes(style.render(comparison_plot(table, max_rows, label), fmt))
    return out


def summary_lines(table: pd.DataFrame, limit: int = 8) -> list[str]:
    """A short printed summary: the largest unmet seat-year differences whose
    interval excludes zero, per scenario."""
    lines: list[str] = []
    for name in dict.fromkeys(table["scenario"]):
        sel = table[(table["scenario"] == name) & (table["metric"] == "unmet_seat_years")]
        clear = sel[(sel["low"] > 0) | (sel["high"] < 0)]
        clear = clear.reindex(clear["diff_mean"].abs().sort_values(ascending=False).index)
        lines.append(f"{name} vs {sel['baseline'].iloc[0] if len(sel) else 'baseline'}: "
                     f"{len(clear)} of {len(sel)} zone-services differ in unmet seat-years (95 %)")
        for r in clear.head(limit).itertuples():
            lines.append(f"  {r.zone:<14} {r.service:<15} {r.diff_mean:+10.1f} seat-years "
                         f"[{r.low:+.1f}, {r.high:+.1f}], n={r.n}")
    return lines
