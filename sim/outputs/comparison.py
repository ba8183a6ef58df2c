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

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.outputs.intervals import paired_differences  # noqa: E402

HEADLINE: dict[str, str] = {
    "first_shortfall_days": "first shortfall date (days later)",
    "peak_unmet": "peak unmet",
    "unmet_seat_years": "unmet seat-years",
}
DPI = 150


def comparison_table(per_rep: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Paired differences of every scenario from ``names[0]`` (see the module docstring)."""
    out = paired_differences(per_rep, names[0], names)
    out.insert(1, "baseline", names[0])
    return out


def _rows(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Zone-service pairs worth drawing: a headline difference other than zero."""
    head = table[table["metric"].isin(list(HEADLINE)) & (table["diff_mean"].abs() > 1e-9)]
    return sorted({(str(z), str(s)) for z, s in zip(head["zone"], head["service"], strict=True)})


def comparison_figure(table: pd.DataFrame, path: str | Path, max_rows: int = 30) -> Path:
    """Draw the headline differences with their intervals; return the PNG's path."""
    rows = _rows(table)[:max_rows] or [("(none)", "(no differences)")]
    scenarios = list(dict.fromkeys(table["scenario"])) or ["(none)"]
    height = 1.5 + 0.28 * len(rows) * max(1, len(scenarios)) ** 0.5
    fig, axes = plt.subplots(1, len(HEADLINE), figsize=(13, height), sharey=True, squeeze=False)
    y = np.arange(len(rows), dtype=float)
    step = 0.7 / max(1, len(scenarios))
    for ax, (metric, label) in zip(axes[0], HEADLINE.items(), strict=True):
        for k, name in enumerate(scenarios):
            sel = table[(table["scenario"] == name) & (table["metric"] == metric)]
            by = {(str(z), str(s)): r for z, s, r in zip(sel["zone"], sel["service"], sel.itertuples(), strict=True)}
            mean = np.array([by[r].diff_mean if r in by else np.nan for r in rows], dtype=float)
            hw = np.array([by[r].half_width if r in by else np.nan for r in rows], dtype=float)
            offset = (k - (len(scenarios) - 1) / 2) * step
            ax.errorbar(mean, y + offset, xerr=np.nan_to_num(hw), fmt="o", ms=4, capsize=2, label=name)
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_title(label, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(y, [f"{z} · {s}" for z, s in rows], fontsize=8)
    axes[0][0].invert_yaxis()
    baseline = str(table["baseline"].iloc[0]) if len(table) else "baseline"
    fig.suptitle(f"Difference from {baseline} (mean of paired replications, 95 % interval)", fontsize=11)
    axes[0][-1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=DPI)
    plt.close(fig)
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
