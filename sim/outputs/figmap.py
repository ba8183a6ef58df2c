"""A schematic map of the zones: centroids, facilities and catchments, coloured by a gap.

Zones are drawn as numbered circles at their centroids (the numbers match the
zone panels beside the map, so crowded centroids stay readable), facilities as
small squares beside their zone, and a facility's catchment as grey lines to
the zones it serves. The circles are coloured by the share of demand left
unmet. The map is built once and recoloured for each service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from sim.outputs import style

CMAP = colormaps[style.HEAT].with_extremes(bad="#f0f0f0")
NORM = Normalize(0.0, 100.0)


class ZoneMap:
    """A reusable map of zones on ``ax`` (see the module docstring).

    Parameters
    ----------
    fig, ax
        Where to draw; a colour bar is added under ``ax``.
    zones
        Zone id -> centroid ``(x_km, y_km)``, in the order of their numbers.
    """

    def __init__(self, fig: Figure, ax: Axes, zones: Mapping[str, tuple[float, float]]) -> None:
        self.ax = ax
        self.fig = fig
        self.ids = list(zones)
        self.xy = np.array([zones[z] for z in self.ids], dtype=float)
        self.index = {z: i for i, z in enumerate(self.ids)}
        self.links = LineCollection([], colors="#9a9a9a", linewidths=0.7, zorder=1)
        ax.add_collection(self.links, autolim=False)
        self.dots = ax.scatter(self.xy[:, 0], self.xy[:, 1], s=150, c=np.zeros(len(self.ids)), cmap=CMAP,
                               norm=NORM, edgecolors="#333333", linewidths=0.6, zorder=2)
        self.sites = ax.scatter([], [], s=10, marker="s", color="black", zorder=3)
        # Numbers as marker shapes: cheaper to redraw than text, the same to the eye.
        self.numbers = [ax.scatter([x], [y], marker=f"${i + 1}$", s=22 if i < 9 else 40, color="#222222",
                                   linewidths=0, zorder=4) for i, (x, y) in enumerate(self.xy)]
        self._limits()
        ax.grid(False)
        ax.spines[["top", "right"]].set_visible(True)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("km east (schematic)")
        ax.set_ylabel("km north")
        ax.xaxis.set_label_coords(0.5, -0.05)
        ax.yaxis.set_label_coords(-0.05, 0.5)
        pos = ax.get_position()
        self.cax = fig.add_axes((pos.x0, pos.y0 - 0.09, pos.width, 0.025), label="<colorbar>")
        fig.colorbar(self.dots, cax=self.cax, orientation="horizontal", ticks=[0, 50, 100])
        self.cax.set_xlabel("unmet, % of demand", labelpad=1)
        self.cax.tick_params(labelsize=6.5, length=2)
        self.offset = 0.03 * self.span

    def _limits(self) -> None:
        """Equal scales in x and y, the zones' extent padded, fitted to the axes' shape."""
        pos = self.ax.get_position()
        fw, fh = self.fig.get_size_inches()
        aspect = (pos.height * fh) / (pos.width * fw)
        lo, hi = self.xy.min(axis=0), self.xy.max(axis=0)
        centre = (lo + hi) / 2
        half_w = max(float(hi[0] - lo[0]) / 2, 1.0) * 1.25
        half_h = max(float(hi[1] - lo[1]) / 2, 1.0) * 1.25
        half_w = max(half_w, half_h / aspect)
        half_h = half_w * aspect
        self.ax.set_xlim(centre[0] - half_w, centre[0] + half_w)
        self.ax.set_ylim(centre[1] - half_h, centre[1] + half_h)
        self.span = 2 * half_w

    def dynamic(self) -> list[Artist]:
        """The artists that change from one service to the next."""
        return [self.links, self.dots, self.sites, *self.numbers, self.ax.title]

    def set_visible(self, visible: bool) -> None:
        self.ax.set_visible(visible)
        self.cax.set_visible(visible)

    def update(self, share: Mapping[str, float], facilities: Sequence[Mapping[str, object]], title: str) -> None:
        """Recolour by ``share`` (zone -> unmet share 0-1, NaN where there is no demand),
        place ``facilities`` (scenario items with ``zone`` and ``catchment``) and retitle."""
        values = np.array([100.0 * share.get(z, np.nan) for z in self.ids])
        self.dots.set_array(np.ma.masked_invalid(values))
        for n, v in zip(self.numbers, values, strict=True):
            n.set_color("white" if v > 55 else "#222222")
        own = [f for f in facilities if f.get("zone") in self.index]
        counts: dict[str, int] = {}
        sites = []
        for f in own:
            z = str(f["zone"])
            k = counts.get(z, 0)
            counts[z] = k + 1
            angle = np.pi / 4 + k * np.pi / 6
            sites.append(self.xy[self.index[z]] + 2.2 * self.offset * np.array([np.cos(angle), np.sin(angle)]))
        self.sites.set_offsets(np.array(sites) if sites else np.empty((0, 2)))
        segs = []
        for f in own:
            catchment = f.get("catchment") or []
            if isinstance(catchment, list):
                for c in catchment:
                    if c in self.index and c != f["zone"]:
                        segs.append([self.xy[self.index[str(f["zone"])]], self.xy[self.index[c]]])
        self.links.set_segments(segs)
        self.ax.set_title(title, y=1.0, pad=3, loc="left")
