"""Small multiples that are drawn fast: one grid of panels reused from service to service.

Matplotlib spends most of a figure's time creating axes and laying out their
ticks and titles, not drawing lines. A :class:`BandGrid` therefore creates its
panels and their artists once (median lines, 50 % and 90 % bands, opening
marks) with one panel per zone at a fixed place, and for each service only
replaces the data, the limits and the tick labels, and hides the zones the
service does not reach. Ticks are placed by hand (a few round numbers from
zero, a few years), titles and axis labels sit at fixed positions, and no
layout engine runs: every position is computed once, in inches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from sim.outputs import style
from sim.outputs.figblit import Backdrop
from sim.outputs.figdata import QUANTILES

PANEL_W, PANEL_H = 1.75, 1.25
"""Inches per panel: four panels across (and a map) fit a printed landscape page."""
COLS = 4
GAP_W, GAP_H = 0.5, 0.5
LEFT, RIGHT, TOP, BOTTOM = 0.62, 0.15, 0.8, 0.45
MARK_STYLE = (0, (1.5, 1.5))


def nice_top(value: float) -> float:
    """A round number at or above ``value`` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value * 1.0001:
            return step * exp
    return 10 * exp


def number(v: float) -> str:
    """A tick label: 1,200 · 45k · 1.2M."""
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e5:
        return f"{v / 1e3:.0f}k"
    if a >= 10 or a == 0:
        return f"{v:,.0f}"
    return f"{v:.2g}"


def set_y_from_zero(ax: Axes, top: float, n: int = 3) -> None:
    """Y axis from zero to a round top, with ``n`` labelled ticks (levels are compared)."""
    top = nice_top(top)
    ticks = np.linspace(0.0, top, n)
    ax.set_ylim(0.0, top * 1.04)
    ax.set_yticks(ticks, [number(t) for t in ticks])


def year_ticks(x0: float, x1: float, most: int = 5) -> list[int]:
    """At most ``most`` round years between ``x0`` and ``x1``."""
    span = max(1.0, x1 - x0)
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if span / s <= most), 100)
    first = int(math.ceil(x0 / step) * step)
    return list(range(first, int(x1) + 1, step))


def panel_grid(n: int, cols: int = COLS, panel_w: float = PANEL_W, panel_h: float = PANEL_H,
               extra_w: float = 0.0, top: float = TOP, min_height: float = 0.0, left: float = LEFT,
               ) -> tuple[Figure, list[Axes], tuple[float, float]]:
    """A figure with ``n`` panels in rows of ``cols``, placed in inches (no layout engine).

    ``extra_w`` inches are left free on the right (for a map). Returns the
    figure, its panels and the figure's size.
    """
    cols = max(1, min(cols, n))
    rows = max(1, math.ceil(n / cols))
    width = left + cols * panel_w + (cols - 1) * GAP_W + RIGHT + extra_w
    height = max(min_height, top + rows * panel_h + (rows - 1) * GAP_H + BOTTOM)
    fig = style.new_figure(width, height)
    axes = []
    for i in range(n):
        r, c = divmod(i, cols)
        x = left + c * (panel_w + GAP_W)
        y = height - top - panel_h - r * (panel_h + GAP_H)
        ax = fig.add_axes((x / width, y / height, panel_w / width, panel_h / height))
        ax.xaxis.set_label_coords(0.5, -0.3 / panel_h)
        ax.yaxis.set_label_coords(-0.5 / panel_w, 0.5)
        ax.minorticks_off()
        axes.append(ax)
    return fig, axes, (width, height)


@dataclass
class Series:
    """The artists of one quantity in a panel: a median line and two bands."""

    line: Line2D
    inner: PolyCollection
    outer: PolyCollection

    def artists(self) -> list[Artist]:
        return [self.outer, self.inner, self.line]

    def show(self, visible: bool, color: str | None = None) -> None:
        for art in self.artists():
            art.set_visible(visible)
        if color is not None:
            self.line.set_color(color)
            self.inner.set_facecolor(color)
            self.outer.set_facecolor(color)

    def set_data(self, x: np.ndarray, q: np.ndarray) -> None:
        """Median and bands from ``q`` of shape ``(5, len(x))`` (quantiles as :data:`QUANTILES`)."""
        q = np.nan_to_num(q)
        self.line.set_data(x, q[2])
        back = x[::-1]
        self.inner.set_verts([np.column_stack((np.concatenate((x, back)), np.concatenate((q[1], q[3][::-1]))))])
        self.outer.set_verts([np.column_stack((np.concatenate((x, back)), np.concatenate((q[0], q[4][::-1]))))])


def band(ax: Axes, alpha: float) -> PolyCollection:
    """An empty band (a polygon between two curves), drawn below lines, rasterised in vector output."""
    pc = PolyCollection([], alpha=alpha, linewidths=0, rasterized=True, zorder=1.5)
    ax.add_collection(pc, autolim=False)
    return pc


@dataclass
class Panel:
    """One zone's panel: its quantities, opening marks, y tick numbers and a note."""

    ax: Axes
    series: list[Series]
    marks: LineCollection
    numbers: list[Text]
    note: Text


Y_FRACTIONS = (0.0, 0.5, 1.0)
"""Y ticks as fractions of the panel's round top: the same place in every panel; zero and
the top are labelled, the middle line halves the range."""
HEADROOM = 1.04


class BandGrid:
    """A reusable grid of one panel per zone, each showing up to ``slots`` quantities as bands.

    Every panel stays in place for every service (a zone the service does not
    reach says so), so that frames, ticks, zone titles and the legend are drawn
    once (:class:`~sim.outputs.figblit.Backdrop`); y ticks sit at fixed
    fractions of a round top and only their numbers change.

    Parameters
    ----------
    n
        Panels (zones), at fixed places in rows of :data:`COLS`.
    slots
        Most quantities a panel shows.
    extra_w
        Inches left free on the right of the panels (for a map).
    """

    def __init__(self, n: int, slots: int = 2, extra_w: float = 0.0) -> None:
        self.n = n
        self.fig, axes, self.size = panel_grid(n, extra_w=extra_w, min_height=3.3 if extra_w else 0.0)
        self.cols = min(COLS, n)
        self.backdrop = Backdrop(self.fig)
        self.panels: list[Panel] = []
        x, z = np.array([0.0, 1.0]), np.zeros(2)
        for i, ax in enumerate(axes):
            series = []
            for _ in range(slots):
                outer, inner = band(ax, 0.14), band(ax, 0.3)
                (line,) = ax.plot(x, z, lw=1.3)
                series.append(Series(line, inner, outer))
            marks = LineCollection([], colors="#333333", linewidths=0.8, linestyles=MARK_STYLE)
            ax.add_collection(marks, autolim=False)
            ax.tick_params(axis="y", left=False, pad=1.5)
            ax.set_ylim(0.0, HEADROOM)
            ax.set_yticks(Y_FRACTIONS, ["0", "", ""])
            size = matplotlib.rcParams["ytick.labelsize"]
            numbers = [ax.text(-0.035, f / HEADROOM, "", transform=ax.transAxes, ha="right", va="center",
                               fontsize=size) for f in Y_FRACTIONS[2:]]
            note = ax.text(0.5, 0.5, "no demand or capacity", transform=ax.transAxes, ha="center", va="center",
                           fontsize=7, color="#777777")
            panel = Panel(ax, series, marks, numbers, note)
            self.panels.append(panel)
            self.backdrop.add([a for s in series for a in s.artists()] + [marks, *numbers, note])
            if i % self.cols == 0:
                self.backdrop.add([ax.yaxis.label])
            else:  # the unit is written once per row
                ax.yaxis.label.set_visible(False)
        h = self.size[1]
        self._title = self.fig.suptitle("", x=0.01, ha="left", y=1 - 0.1 / h)
        self.backdrop.add([self._title])
        self._legend_key: tuple[object, ...] = ()
        self._x_range: tuple[float, float, str] | None = None
        self.extra_visible = True

    def _legend(self, colors: Sequence[str], labels: Sequence[str], marks: bool) -> None:
        key = (tuple(colors), tuple(labels), marks)
        if key == self._legend_key:
            return
        for old in list(self.fig.legends):
            old.remove()
        handles: list[Line2D | Patch] = [Line2D([], [], color=c, lw=1.3, label=f"{lab} (median)")
                                         for c, lab in zip(colors, labels, strict=True)]
        handles += [Patch(color="#888888", alpha=0.45, label="50 % of replications"),
                    Patch(color="#888888", alpha=0.2, label="90 % of replications")]
        if marks:
            handles.append(Line2D([], [], color="#333333", lw=0.8, ls=MARK_STYLE, label="facility opens or grows"))
        h = self.size[1]
        self.fig.legend(handles=handles, loc="upper left", ncols=len(handles), bbox_to_anchor=(0.0, 1 - 0.32 / h),
                        handlelength=1.6, columnspacing=1.2)
        self._legend_key = key

    def _x_axis(self, x0: float, x1: float, xlabel: str) -> None:
        """Year ticks on every panel, labelled on the bottom panel of each column (set once per range)."""
        if self._x_range == (x0, x1, xlabel):
            return
        self._x_range = (x0, x1, xlabel)
        ticks = year_ticks(x0, x1, most=3 if x1 - x0 > 12 else 5)
        for i, p in enumerate(self.panels):
            bottom = i + self.cols >= self.n
            p.ax.set_xlim(x0, x1)
            p.ax.set_xticks(ticks, [str(t) for t in ticks] if bottom else [])
            p.ax.set_xlabel(xlabel if bottom else "")

    def draw(self, title: str, x: np.ndarray, quantities: Sequence[np.ndarray | None], colors: Sequence[str],
             labels: Sequence[str], panel_titles: Sequence[str], ylabel: str,
             marks: Sequence[np.ndarray] | None = None, xlabel: str = "year",
             empty_note: str = "no demand or capacity") -> Figure:
        """Put new data in the panels and return the figure.

        ``quantities[k]`` has shape ``(len(QUANTILES), n, len(x))``; a zone
        whose values are all missing has neither demand nor capacity and says
        so. ``marks[i]``, when given, holds the x of panel i's marks.
        """
        assert len(QUANTILES) == 5
        self._title.set_text(title)
        self._legend(colors, labels, marks is not None)
        self._x_axis(float(x[0]), float(x[-1]), xlabel)
        self.backdrop.mode = (self._legend_key, self.extra_visible, float(x[0]), float(x[-1]))
        for i, p in enumerate(self.panels):
            p.ax.set_title(panel_titles[i], y=1.0, pad=3, loc="left")
            p.ax.set_ylabel(ylabel)
            qs = [q for q in quantities if q is not None]
            empty = all(np.isnan(q[2, i]).all() for q in qs)
            p.note.set_visible(empty)
            p.note.set_text(empty_note)
            top = 0.0
            for k, s in enumerate(p.series):
                q = quantities[k] if k < len(quantities) else None
                s.show(q is not None and not empty, colors[k] if q is not None else None)
                if q is None or empty:
                    continue
                s.set_data(x, q[:, i])
                top = max(top, float(np.nanmax(q[4, i], initial=0.0)))
            top = nice_top(top)
            p.ax.set_ylim(0.0, top * HEADROOM)
            p.ax.set_yticks([f * top for f in Y_FRACTIONS], ["0", "", ""])
            for t, f in zip(p.numbers, Y_FRACTIONS[2:], strict=True):
                t.set_text("" if empty else number(f * top))
            p.marks.set_segments([] if marks is None or empty else
                                 [np.array([[m, 0.0], [m, top * HEADROOM]]) for m in marks[i]])
        return self.fig
