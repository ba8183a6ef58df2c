"""The figures of one run, as a planner reads them, grouped by service.

Per service: demand against capacity in every zone (median across
replications, 50 % and 90 % bands, facility openings marked, y from zero)
beside a map of the zones coloured by the service's gap in its worst year; the
zone × year heat map of unmet demand; and, where people queue, the waiting
list. For the town: residents over time, population pyramids at three dates,
jobs and worker households, and the observed figures of ``validation.csv``
against the simulated range.

:func:`run_figures` yields the figures one by one. Panels are reused from one
service to the next (:mod:`sim.outputs.figgrid`), so a yielded figure is valid
until the next one is requested: render or inspect it before moving on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from sim.outputs import figdata, style
from sim.outputs.figblit import Backdrop
from sim.outputs.figgrid import BandGrid, nice_top, number, panel_grid, set_y_from_zero, year_ticks
from sim.outputs.figmap import ZoneMap
from sim.outputs.plot_jobs import plot_jobs
from sim.outputs.rundata import RunData
from sim.outputs.style import UNITS  # noqa: F401  (re-exported: the command line prints units)

TOWN = "town"
"""Group of the figures that are about the whole town rather than one service."""
MAP_W = 2.4


@dataclass
class Drawn:
    """A drawn figure: its file stem, its group (a service or ``town``) and a one-line caption."""

    name: str
    group: str
    caption: str
    fig: Figure


class ServiceFigure:
    """One panel per zone (numbered as on the map) and, with centroids, the map beside them."""

    def __init__(self, data: RunData) -> None:
        self.zones = data.zone_order
        centroids = _centroids(data.scenario)
        self.grid = BandGrid(len(self.zones), extra_w=MAP_W if centroids else 0.0)
        self.titles = [f"{k + 1} {data.labels(z)}" for k, z in enumerate(self.zones)]
        self.map: ZoneMap | None = None
        if centroids:
            w, h = self.grid.size
            top = h - 0.8
            side = min(MAP_W - 0.45, top - 0.7)
            ax = self.grid.fig.add_axes(((w - MAP_W + 0.25) / w, (top - side) / h, side / w, side / h))
            ordered = {z: centroids[z] for z in self.zones if z in centroids}
            ordered.update({z: xy for z, xy in centroids.items() if z not in ordered})
            self.map = ZoneMap(self.grid.fig, ax, ordered)
            self.grid.backdrop.add(self.map.dynamic())

    def show_map(self, visible: bool) -> None:
        if self.map is not None:
            self.map.set_visible(visible)
            self.grid.extra_visible = visible

    def cube(self, sd: figdata.ServiceData, field: str) -> np.ndarray:
        """``(quantiles, zones, dates)`` of a field, NaN for zones the service does not reach."""
        out = np.full((len(figdata.QUANTILES), len(self.zones), len(sd.bands.x)), np.nan)
        for i, z in enumerate(self.zones):
            if z in sd.zones:
                out[:, i] = sd.bands.values[field][:, sd.bands.keys.index(z)]
        return out


def _centroids(scenario: dict[str, Any] | None) -> dict[str, tuple[float, float]]:
    zones = scenario["resolved"].get("zones", []) if scenario else []
    return {str(z["id"]): (float(z["x_km"]), float(z["y_km"])) for z in zones
            if isinstance(z, dict) and z.get("x_km") is not None and z.get("y_km") is not None}


def _services(facility: dict[str, Any]) -> list[str]:
    s = facility.get("service")
    return [str(v) for v in s] if isinstance(s, list) else [str(s)]


def demand_capacity(sf: ServiceFigure, data: RunData, sd: figdata.ServiceData) -> Figure:
    """Demand against capacity per zone, bands across replications, openings marked, and the map."""
    op = data.openings
    op = op[op["service"] == sd.service]
    marks = [op.loc[op["zone"] == z, "x"].to_numpy() for z in sf.zones]
    unit = style.unit(sd.service)
    sf.show_map(True)
    fig = sf.grid.draw(f"{style.service_name(sd.service)}: demand and capacity by zone ({unit})", sd.bands.x,
                       [sf.cube(sd, "demand"), sf.cube(sd, "capacity")], (style.DEMAND, style.CAPACITY),
                       ("demand", "capacity"), sf.titles, unit, marks)
    if sf.map is not None:
        years, share = figdata.yearly_share(sd)
        _, unmet = figdata.yearly_unmet(sd)
        worst = int(np.argmax(unmet.sum(axis=0))) if unmet.size else 0
        values = dict(zip(sd.zones, share[:, worst], strict=True)) if share.size else {}
        facilities = [f for f in (data.scenario or {}).get("resolved", {}).get("facilities", [])
                      if sd.service in _services(f)]
        sf.map.update(values, facilities, f"Unmet share in {years[worst]}" if years else "Unmet share")
    return fig


def waiting(sf: ServiceFigure, data: RunData, sd: figdata.ServiceData) -> Figure:
    """People waiting per zone (zones where anyone waits)."""
    w = sf.cube(sd, "waiting")
    w[:, np.nan_to_num(w[figdata.QUANTILES.index(0.95)]).max(axis=1) <= 0] = np.nan
    sf.show_map(False)
    return sf.grid.draw(f"{style.service_name(sd.service)}: people on the waiting list by zone", sd.bands.x,
                        [w, None], (style.UNMET,), ("people waiting",), sf.titles, "people waiting",
                        empty_note="nobody waits")


class HeatTemplate:
    """A zone × year heat map of every zone, reused: the colours are drawn on a fixed 0-1
    scale and only the image, the colour bar's numbers, its unit and the title change."""

    def __init__(self, zone_labels: list[str], years: list[int]) -> None:
        rows = len(zone_labels)
        self.width, self.height = 7.6, max(2.1, 1.15 + 0.22 * rows)
        self.fig = style.new_figure(self.width, self.height)
        body_h = self.height - 1.0
        self.ax = self.fig.add_axes((1.7 / self.width, 0.45 / self.height, 1 - 2.8 / self.width, body_h / self.height))
        self.ax.grid(False)
        self.im = self.ax.imshow(np.zeros((rows, len(years))), aspect="auto", cmap=style.heat_cmap(), vmin=0,
                                 vmax=1, interpolation="nearest", extent=(-0.5, len(years) - 0.5, rows - 0.5, -0.5))
        cax = self.fig.add_axes((1 - 1.05 / self.width, 0.45 / self.height, 0.12 / self.width, body_h / self.height),
                                label="<colorbar>")
        self.bar = self.fig.colorbar(self.im, cax=cax, ticks=[0.0, 0.5, 1.0])
        cax.set_yticklabels(["0", "", ""])
        self.numbers = [cax.text(2.1, f, "", transform=cax.transAxes, va="center", ha="left",
                                 fontsize=matplotlib.rcParams["ytick.labelsize"]) for f in (0.5, 1.0)]
        cax.yaxis.set_label_coords(6.5, 0.5)
        ticks = year_ticks(years[0], years[-1], most=8) if years else []
        self.ax.set_xticks([years.index(y) for y in ticks], [str(y) for y in ticks])
        self.ax.set_yticks(range(rows), zone_labels)
        self.ax.tick_params(length=0)
        self.ax.set_xlabel("year")
        self.ax.set_ylabel("zone")
        self.ax.xaxis.set_label_coords(0.5, -0.28 / body_h)
        self.ax.yaxis.set_label_coords(-1.45 / (self.width - 2.8), 0.5)
        self._title = self.fig.suptitle("", x=0.01, ha="left", y=1 - 0.12 / self.height)
        self.backdrop = Backdrop(self.fig)
        self.backdrop.add([self.im, *self.numbers, cax.yaxis.label, self._title])

    def draw(self, title: str, grid: np.ndarray, label: str) -> Figure:
        """Show ``grid`` (zones × years, NaN where a zone has no demand or capacity)."""
        self._title.set_text(title)
        finite = np.isfinite(grid)
        top = nice_top(float(grid[finite].max())) if finite.any() and grid[finite].max() > 0 else 1.0
        self.im.set_data(np.ma.masked_invalid(grid / top))
        for t, f in zip(self.numbers, (0.5, 1.0), strict=True):
            t.set_text(number(f * top))
        self.bar.set_label(label)
        return self.fig


def heatmap(heat: HeatTemplate, zones: list[str], sd: figdata.ServiceData) -> Figure:
    """Unmet demand by zone and year (yearly mean of the median across replications)."""
    _, grid = figdata.yearly_unmet(sd)
    full = np.full((len(zones), grid.shape[1]), np.nan)
    for i, z in enumerate(zones):
        if z in sd.zones:
            full[i] = grid[sd.zones.index(z)]
    unit = style.unit(sd.service)
    return heat.draw(f"{style.service_name(sd.service)}: unmet demand by zone and year (grey: no demand "
                     "or capacity)", full, f"unmet {unit}\n(yearly mean of the median)")


def population(data: RunData) -> Figure | None:
    """Residents in all zones (bands) and in each zone (medians) over time."""
    if data.population is None:
        return None
    b, order = data.population
    fig, (total, zones), _ = panel_grid(2, cols=2, panel_w=3.9, panel_h=2.0, top=0.55, extra_w=1.9)
    i = b.keys.index("all zones")
    q = b.values["residents"][:, i]
    total.fill_between(b.x, q[0], q[4], color=style.RESIDENTS, alpha=0.14, lw=0, rasterized=True,
                       label="90 % of replications")
    total.fill_between(b.x, q[1], q[3], color=style.RESIDENTS, alpha=0.3, lw=0, rasterized=True,
                       label="50 % of replications")
    total.plot(b.x, q[2], color=style.RESIDENTS, lw=1.4, label="median")
    set_y_from_zero(total, float(np.nanmax(q[4])))
    total.set_title("All zones", y=1.0, pad=3, loc="left")
    total.legend(loc="lower right")
    top = 0.0
    for k, z in enumerate(order[1:]):
        med = b.values["residents"][2, b.keys.index(z)]
        zones.plot(b.x, med, color=style.SERIES[k % len(style.SERIES)], lw=1.2, ls="-" if k < 8 else "--",
                   label=data.labels(z))
        top = max(top, float(np.nanmax(med)))
    set_y_from_zero(zones, top)
    zones.set_title("Each zone (median)", y=1.0, pad=3, loc="left")
    zones.legend(loc="upper left", fontsize=6.5, bbox_to_anchor=(1.02, 1.0), handlelength=1.4)
    ticks = year_ticks(float(b.x[0]), float(b.x[-1]))
    for ax in (total, zones):
        ax.set_xlim(float(b.x[0]), float(b.x[-1]))
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel("year")
        ax.set_ylabel("residents")
    fig.suptitle("Residents over time (median across replications, with 50 % and 90 % ranges)", x=0.01,
                 ha="left", y=1 - 0.1 / fig.get_figheight())
    return fig


def _bars(ax: Axes, y: np.ndarray, width: np.ndarray, color: str, label: str) -> PolyCollection:
    """Horizontal bars from zero as one collection (one artist, not one per bar)."""
    h = 0.85 / 2
    verts = [[(0.0, yi - h), (w, yi - h), (w, yi + h), (0.0, yi + h)] for yi, w in zip(y, width, strict=True)]
    bars = PolyCollection(verts, facecolors=color, linewidths=0, label=label)
    ax.add_collection(bars, autolim=False)
    return bars


def pyramid(data: RunData) -> Figure | None:
    """Population pyramids of the whole town at the dates the run records."""
    if data.pyramid is None:
        return None
    dates, groups, med = figdata.pyramid_medians(data.pyramid)
    fig, axes, _ = panel_grid(len(dates), cols=len(dates), panel_w=2.3, panel_h=2.4, top=0.6)
    top = max((float(v.max()) for v in med.values() if v.size), default=1.0)
    y = np.arange(len(groups))
    step = max(1, len(groups) // 7)
    for i, (ax, d) in enumerate(zip(axes, dates, strict=True)):
        men = _bars(ax, y, -med[(d, "male")], style.MALE, "men")
        women = _bars(ax, y, med[(d, "female")], style.FEMALE, "women")
        ax.set_xlim(-top * 1.05, top * 1.05)
        tick = nice_top(top * 0.8) if nice_top(top * 0.8) <= top else nice_top(top * 0.5)
        ticks = [-tick, 0.0, tick]
        ax.set_xticks(ticks, [number(abs(v)) for v in ticks])
        ax.set_yticks(y[::step], groups[::step] if i == 0 else [])
        ax.set_ylim(-0.6, len(groups) - 0.4)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_title(f"{d:%Y-%m-%d}", y=1.0, pad=3, loc="left")
        ax.set_xlabel("residents")
        ax.set_ylabel("age (years)")
        ax.yaxis.label.set_visible(i == 0)  # one label for the row
        if i == 0:
            fig.legend(handles=[men, women], loc="upper right", ncols=2, bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Population pyramids of the whole town (median across replications)", x=0.01, ha="left",
                 y=1 - 0.1 / fig.get_figheight())
    return fig


def jobs(data: RunData) -> Figure | None:
    """Jobs per park and worker households (when the run has enterprises)."""
    j, w = data.table("jobs"), data.table("worker_households")
    if j is None or w is None or j.empty or w.empty:
        return None
    return plot_jobs(j, w, title="Jobs in the parks and the worker households they bring (mean across replications)")


def validation(table: pd.DataFrame) -> Figure | None:
    """Each observed figure against the simulated median and 90 % range, as ratios to
    the observed value (1 = the observation), validation and calibration figures apart."""
    df = table[pd.to_numeric(table["observed"], errors="coerce") > 0].iloc[::-1]
    if df.empty:
        return None
    names = df["what"] if "what" in df.columns else df["quantity"]
    obs = df["observed"].to_numpy(dtype=float)
    labels = [f"{w}  (obs. {v:,.0f})" if abs(v) >= 1000 else f"{w}  (obs. {v:.4g})"
              for w, v in zip(names, obs, strict=True)]
    left = 0.3 + 0.046 * max(len(t) for t in labels)  # room for the longest label at 7 pt
    width, right = left + 5.6, 0.3
    body = 0.24 * len(df) + 0.3
    height = body + 1.5
    fig = style.new_figure(width, height)
    ax = fig.add_axes((left / width, 0.9 / height, (width - left - right) / width, body / height))
    y = np.arange(len(df))
    med, lo, hi = (df[c].to_numpy(dtype=float) / obs for c in ("sim_median", "sim_low", "sim_high"))
    for used_for, colour in (("validation", style.RESIDENTS), ("calibration", "#888888")):
        m = (df["used_for"] == used_for).to_numpy()
        if m.any():
            ax.errorbar(med[m], y[m], xerr=[med[m] - lo[m], hi[m] - med[m]], fmt="o", ms=3.5, color=colour,
                        capsize=2.5, lw=1.0, label=f"simulated ({used_for}): median and 5-95 %")
    ax.axvline(1.0, color="black", lw=1.0, label="observed")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_ylim(-0.7, len(df) - 0.3)
    ax.set_xlabel("simulated / observed (ratio)")
    ax.set_ylabel("observed figure")
    ax.yaxis.label.set_visible(False)  # the tick labels name each figure
    ax.xaxis.set_label_coords(0.5, -0.32 / body)
    ax.margins(x=0.08)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55 / body), ncols=3, fontsize=7, frameon=False)
    flags = table[table["used_for"] == "validation"]["inside"].astype(str).str.lower()
    judged = flags.isin(["true", "false"])
    verdict = (f"{int((flags == 'true').sum())} of {int(judged.sum())} validation figures inside the simulated "
               "90 % range" if judged.any() else "not judged (a 90 % range needs at least 10 replications)")
    fig.suptitle(f"Observed figures against the simulation: {verdict}", x=0.01, ha="left", y=1 - 0.1 / height)
    return fig


def town_figures(data: RunData) -> Iterator[Drawn]:
    """Residents, pyramids, jobs, the observed figures."""
    fig = population(data)
    if fig is not None:
        yield Drawn("population_by_zone", TOWN, "Residents of the whole town (median with the 50 % and 90 % ranges "
                    "across replications) and of each zone.", fig)
    fig = pyramid(data)
    if fig is not None:
        yield Drawn("population_pyramid", TOWN, "Age and sex structure of the whole town at three dates: "
                    "how the new town's young families age.", fig)
    fig = jobs(data)
    if fig is not None:
        yield Drawn("jobs_and_worker_households", TOWN, "Jobs per park, and the worker households they bring: "
                    "housed in the new town or commuting.", fig)
    table = data.folder.csv("validation.csv")
    fig = validation(table) if table is not None and not table.empty else None
    if fig is not None:
        yield Drawn("validation", TOWN, "Published figures (black line) against the simulated median and the "
                    "range of 90 % of replications, as ratios to the published value; grey ones set inputs.", fig)


def run_figures(data: RunData) -> Iterator[Drawn]:
    """Every figure of a run, town figures first, then service by service.

    Each figure is valid until the next one is requested (panels are reused).
    """
    yield from town_figures(data)
    if not data.services:
        return
    sf = ServiceFigure(data)
    years = sorted(set(data.services[0].bands.dates.year.tolist()))
    heat = HeatTemplate(data.labels.all(sf.zones), years)
    for sd in data.services:
        unit = style.unit(sd.service)
        yield Drawn(f"{sd.service}_demand_capacity", sd.service,
                    f"Demand against capacity ({unit}) in each zone that has either; dotted lines mark a facility "
                    "opening or growing; the map shows the share of demand unmet in the service's worst year "
                    "(numbers as in the panel titles; squares are facilities, lines their catchments).",
                    demand_capacity(sf, data, sd))
        yield Drawn(f"{sd.service}_unmet_heatmap", sd.service,
                    f"Unmet {unit} by zone and year: where and when the shortfall falls.", heatmap(heat, sf.zones, sd))
        if "waiting" in sd.bands.values and np.nanmax(np.nan_to_num(sd.bands.values["waiting"]), initial=0) > 0:
            yield Drawn(f"{sd.service}_waiting", sd.service,
                        "People on the waiting list in each zone (they wait for a place rather than go without).",
                        waiting(sf, data, sd))


def save(fig: Figure, path: Path) -> Path:
    """Write a figure to ``path`` (PNG, or SVG by the suffix) in the project's style, and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(style.render(fig, "svg" if path.suffix.lower() == ".svg" else "png"))
    plt.close(fig)
    return path
