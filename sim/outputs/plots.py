"""Figures a planner can put in a report.

Every figure shows the median across replications as a line and the 5–95 %
range as a band, names its units, and is saved as PNG at print resolution.
Functions take tidy tables (see :mod:`sim.outputs.tables`) and return the
paths they wrote.
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

DPI = 150
UNITS = {
    "kindergarten": "seats",
    "primary": "seats",
    "middle": "seats",
    "vocational": "seats",
    "eldercare_bed": "beds",
    "day_care": "places",
    "senior_canteen": "meals per day",
    "family_doctor": "contracted residents",
    "health_centre": "residents",
    "service_centre": "residents",
    "factory_space": "m²",
    "housing": "households",
}


def save(fig: Figure, path: Path) -> Path:
    """Save a figure at print resolution and close it."""
    return _save(fig, path)


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _band(ax: plt.Axes, wide: pd.DataFrame, color: str, label: str) -> None:
    """Median line and 5–95 % band of a (date x rep) frame."""
    x = wide.index
    ax.plot(x, wide.median(axis=1), color=color, label=label, lw=1.6)
    if wide.shape[1] > 1:
        ax.fill_between(x, wide.quantile(0.05, axis=1), wide.quantile(0.95, axis=1), color=color, alpha=0.2, lw=0)


def _grid(n: int, width: float = 4.2, height: float = 2.8) -> tuple[Figure, np.ndarray]:
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, height * rows), squeeze=False, sharex=True, layout="constrained"
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def population_by_zone(population: pd.DataFrame, out: Path) -> Path:
    """Residents per zone over time, median and 5–95 % band across replications."""
    per = population.groupby(["zone", "date", "rep"], observed=True)["residents"].sum()
    total = population.groupby(["date", "rep"], observed=True)["residents"].sum()
    zones = list(per.index.get_level_values("zone").unique())
    fig, axes = _grid(len(zones) + 1)
    _band(axes.flat[0], total.unstack("rep"), "black", "all zones")
    axes.flat[0].set_title("All zones")
    for ax, zone in zip(axes.flat[1:], zones, strict=False):
        _band(ax, per.loc[zone].unstack("rep"), "tab:blue", str(zone))
        ax.set_title(str(zone))
    for ax in axes.flat:
        ax.set_ylabel("residents")
        ax.grid(alpha=0.3)
    fig.suptitle("Residents by zone (median, 5–95 % across replications)")
    return _save(fig, out)


def pyramid(table: pd.DataFrame, out: Path) -> Path:
    """Whole-town population pyramids at three dates (median across replications)."""
    med = table.groupby(["date", "sex", "age_group"], observed=True, sort=False)["residents"].median()
    dates = list(dict.fromkeys(table["date"]))
    groups = list(dict.fromkeys(table["age_group"]))
    fig, axes = plt.subplots(
        1, len(dates), figsize=(4.5 * len(dates), 5), sharey=True, squeeze=False, layout="constrained"
    )
    y = np.arange(len(groups))
    top = float(med.max()) if len(med) else 1.0
    for ax, d in zip(axes.flat, dates, strict=True):
        male = med.loc[d, "male"].reindex(groups).fillna(0).to_numpy()
        female = med.loc[d, "female"].reindex(groups).fillna(0).to_numpy()
        ax.barh(y, -male, color="tab:blue", label="male")
        ax.barh(y, female, color="tab:red", label="female")
        ax.set_xlim(-top * 1.05, top * 1.05)
        ax.set_title(pd.Timestamp(d).strftime("%Y-%m-%d"))
        ax.set_xlabel("residents (male left, female right)")
        ax.set_yticks(y, groups)
        ax.grid(alpha=0.3, axis="x")
    axes.flat[0].legend(loc="lower left")
    fig.suptitle("Population pyramid of the whole town")
    return _save(fig, out)


def demand_capacity(series: pd.DataFrame, service: str, out: Path) -> Path:
    """Demand of the zone's residents against the capacity located in the zone, per zone
    for one service, with bands across replications (catchments may cross zones)."""
    df = series[series["service"] == service]
    zones = list(df["zone"].unique())
    fig, axes = _grid(max(len(zones), 1))
    for ax, zone in zip(axes.flat, zones, strict=False):
        z = df[df["zone"] == zone]
        _band(ax, z.pivot_table(index="date", columns="rep", values="demand"), "tab:orange", "demand")
        _band(ax, z.pivot_table(index="date", columns="rep", values="capacity_located"), "tab:green", "capacity located here")
        ax.set_title(str(zone))
        ax.set_ylabel(UNITS.get(service, ""))
        ax.grid(alpha=0.3)
    axes.flat[0].legend(loc="upper left")
    fig.suptitle(f"{service}: demand and capacity by zone (median, 5–95 % across replications)")
    return _save(fig, out)


def unmet_heatmap(series: pd.DataFrame, service: str, out: Path) -> Path:
    """Zone x year heat map of unmet demand (yearly mean of the median across replications)."""
    df = series[series["service"] == service]
    med = df.groupby(["zone", "date"], observed=True)["unmet"].median().reset_index()
    med["year"] = pd.to_datetime(med["date"]).dt.year
    grid = med.pivot_table(index="zone", columns="year", values="unmet", aggfunc="mean", observed=True)
    fig, ax = plt.subplots(
        figsize=(max(6.0, 0.35 * grid.shape[1] + 2), 0.45 * grid.shape[0] + 1.5), layout="constrained"
    )
    im = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Reds", vmin=0)
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns], rotation=90)
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    fig.colorbar(im, ax=ax, label=f"unmet {UNITS.get(service, '')} (yearly mean)")
    ax.set_title(f"{service}: unmet demand by zone and year (median across replications)")
    return _save(fig, out)


def waiting(series: pd.DataFrame, service: str, out: Path) -> Path:
    """Waiting-list length per zone over time, with bands across replications."""
    df = series[series["service"] == service]
    zones = [z for z in df["zone"].unique() if (df.loc[df["zone"] == z, "waiting"] > 0).any()] or list(df["zone"].unique())
    fig, axes = _grid(max(len(zones), 1))
    for ax, zone in zip(axes.flat, zones, strict=False):
        z = df[df["zone"] == zone]
        _band(ax, z.pivot_table(index="date", columns="rep", values="waiting"), "tab:purple", "waiting")
        ax.set_title(str(zone))
        ax.set_ylabel("people waiting")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{service}: waiting list by zone (median, 5–95 % across replications)")
    return _save(fig, out)


def validation(table: pd.DataFrame, out: Path) -> Path:
    """Each observed figure against the simulated median and 90 % range, as ratios to
    the observed value (1 = the observation), validation and calibration figures apart."""
    df = table[table["observed"] > 0].iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(df) + 1.6), layout="constrained")
    y = np.arange(len(df))
    colours = {"validation": "tab:blue", "calibration": "tab:gray"}
    for used_for, colour in colours.items():
        m = (df["used_for"] == used_for).to_numpy()
        if not m.any():
            continue
        obs = df["observed"].to_numpy()[m]
        ax.errorbar(df["sim_median"].to_numpy()[m] / obs, y[m],
                    xerr=[(df["sim_median"] - df["sim_low"]).to_numpy()[m] / obs, (df["sim_high"] - df["sim_median"]).to_numpy()[m] / obs],
                    fmt="o", color=colour, capsize=3, label=f"simulated ({used_for}): median, 5-95 %")
    ax.axvline(1.0, color="black", lw=1, label="observed")
    ax.set_yticks(y, [f"{w}  (obs. {v:,.4g})" for w, v in zip(df["what"], df["observed"], strict=True)], fontsize=8)
    ax.set_xlabel("simulated / observed")
    ax.margins(x=0.08)
    ax.grid(alpha=0.3, axis="x")
    fig.legend(loc="outside lower center", ncols=3, fontsize=8)
    inside = table[table["used_for"] == "validation"]["inside"]
    fig.suptitle(f"Observed figures against the simulation\n{int(inside.sum())} of {len(inside)} validation "
                 "figures inside the simulated 90 % range", fontsize=10)
    return _save(fig, out)
