"""The figures' one style: fonts (Chinese included), colours, units, sizes and file formats.

Every figure of the project is drawn through this module so that they look
alike on screen and on paper: one font, colours that survive greyscale
printing, units on every axis, PNG by default and SVG on request. Figures are
made on their own Agg canvas, outside pyplot: nothing to close, and the
backend a notebook chose is left alone.

Zone display names may be Chinese (蓼河新城核心区). Matplotlib's default font
has no Chinese glyphs and would draw empty boxes, so :func:`cjk_font` looks for
a font that has them (Noto Sans CJK, which ``.ci/run`` installs from the
system's packages when absent, Source Han Sans, WenQuanYi, the fonts of Windows
and macOS, or a file named by ``LIAOHE_CJK_FONT``). Without one, a zone is
labelled by its id and a warning says why (:class:`ZoneLabels`): never boxes.
"""

from __future__ import annotations

import base64
import functools
import glob
import io
import os
import warnings
from collections.abc import Iterable, Mapping

import matplotlib
from matplotlib import colormaps, font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

DPI = 110
"""PNG resolution: sharp on screen, about 150 dpi once a figure is printed at page width."""
PNG_COMPRESSION = 1
"""zlib level of PNG files: the fastest; charts compress well at any level."""
FORMATS = ("png", "svg")

UNITS: dict[str, str] = {
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
"""Capacity unit of each service (the unit of demand, capacity and unmet)."""

SERVICE_NAMES: dict[str, str] = {
    "kindergarten": "Kindergarten",
    "primary": "Primary school",
    "middle": "Middle school",
    "vocational": "Vocational school",
    "eldercare_bed": "Eldercare beds",
    "day_care": "Day care",
    "senior_canteen": "Senior canteens",
    "family_doctor": "Family doctors",
    "health_centre": "Community health centres",
    "service_centre": "15-minute service centres",
    "factory_space": "Factory space",
    "housing": "Worker housing",
}

DEMAND = "#d95f02"
CAPACITY = "#1b9e77"
UNMET = "#b2182b"
RESIDENTS = "#2166ac"
MALE, FEMALE = "#4393c3", "#d6604d"
SERIES = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
"""Categorical colours (ColorBrewer Dark2): distinct in colour and in grey."""
HEAT = "Reds"

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei",
    "Hiragino Sans GB", "Droid Sans Fallback", "AR PL UMing CN", "Noto Sans CJK JP",
)
"""Families with Chinese glyphs, in order of preference."""
CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/**/NotoSansCJK*Regular*",
    "/usr/share/fonts/**/SourceHanSans*",
    "/usr/share/fonts/**/wqy-*.ttc",
    "/usr/share/fonts/**/DroidSansFallback*",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.tt*",
    "C:/Windows/Fonts/simhei.ttf",
)
"""Where such fonts live when Matplotlib's font cache predates their installation."""
PROBE = "蓼河新城街道"


def has_glyphs(path: str, text: str) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``."""
    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(c)) != 0 for c in text if not c.isspace())


def _family_file(family: str) -> str | None:
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            return str(entry.fname)
    return None


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or ``None``.

    Looks in Matplotlib's font list first; then registers a font file found on
    disk (``LIAOHE_CJK_FONT``, then the usual places), since Matplotlib's cache
    may predate the font's installation.
    """
    for family in CJK_FAMILIES:
        path = _family_file(family)
        if path and has_glyphs(path, PROBE):
            return family
    candidates = [os.environ.get("LIAOHE_CJK_FONT", "")]
    for pattern in CJK_FILES:
        candidates += sorted(glob.glob(pattern, recursive=True))
    for path in candidates:
        if path and os.path.isfile(path) and has_glyphs(path, PROBE):
            before = {e.name for e in font_manager.fontManager.ttflist}
            font_manager.fontManager.addfont(path)
            added = [e.name for e in font_manager.fontManager.ttflist if e.name not in before]
            for family in (*CJK_FAMILIES, *added):
                found = _family_file(family)
                if found and has_glyphs(found, PROBE):
                    return family
    return None


def font_file(family: str | None = None) -> str:
    """The file Matplotlib uses for ``family`` (default: the style's first family)."""
    apply()
    prop = font_manager.FontProperties(family=family or matplotlib.rcParams["font.family"][0])
    return str(font_manager.findfont(prop, fallback_to_default=False))


_APPLIED = False


def apply() -> None:
    """Set Matplotlib's parameters to the project's style (once per process)."""
    global _APPLIED
    if _APPLIED:
        return
    cjk = cjk_font()
    families = [cjk, "DejaVu Sans"] if cjk else ["DejaVu Sans"]
    matplotlib.rcParams.update({
        "font.family": families,
        "font.size": 8.5,
        "axes.titlesize": 8.5,
        "axes.labelsize": 8,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "legend.fontsize": 7.5,
        "figure.titlesize": 10,
        "figure.titleweight": "normal",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.edgecolor": "#555555",
        "axes.linewidth": 0.7,
        "xtick.major.size": 2.5,
        "ytick.major.size": 2.5,
        "axes.unicode_minus": False,
        "axes.formatter.use_mathtext": False,
        "legend.frameon": False,
        "svg.fonttype": "path",
        "path.simplify": True,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.facecolor": "white",
    })
    _APPLIED = True


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches, outside pyplot (nothing to close)."""
    apply()
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The figure as PNG or SVG bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    backdrop = getattr(fig, "_liaohe_backdrop", None)
    if backdrop is not None:
        return backdrop.png(PNG_COMPRESSION) if fmt == "png" else bytes(backdrop.vector(fmt))
    if fmt == "png":
        from sim.outputs.figblit import canvas_png

        fig.canvas.draw()
        return canvas_png(fig, PNG_COMPRESSION)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def data_uri(data: bytes, fmt: str) -> str:
    """A ``data:`` URI of rendered figure bytes, for an ``<img>`` that needs no file."""
    mime = "image/png" if fmt == "png" else "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def service_name(service: str) -> str:
    """A service's name for people (``eldercare_bed`` -> ``Eldercare beds``)."""
    return SERVICE_NAMES.get(service, service.replace("_", " ").capitalize())


def unit(service: str) -> str:
    """A service's capacity unit."""
    return UNITS.get(service, "units")


class ZoneLabels:
    """Zone labels for figures: the display name when the font can draw it, else the id.

    Parameters
    ----------
    names
        Zone id -> display name (Chinese welcome).
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        apply()
        self.names = dict(names or {})
        self.font = cjk_font()
        self.fallbacks: list[str] = []
        self._labels: dict[str, str] = {}

    def __call__(self, zone: str) -> str:
        zone = str(zone)
        if zone not in self._labels:
            self._labels[zone] = self._label(zone)
        return self._labels[zone]

    def _label(self, zone: str) -> str:
        name = self.names.get(zone)
        if not name or name == zone:
            return zone
        if name.isascii():
            return name
        path = _family_file(self.font) if self.font else None
        if path and has_glyphs(path, name):
            return name
        msg = (f"zone {zone}: no installed font can draw its name {name!r}; labelled by its id "
               "(install fonts-noto-cjk, or set LIAOHE_CJK_FONT to a font file with Chinese glyphs)")
        warnings.warn(msg, UserWarning, stacklevel=3)
        self.fallbacks.append(msg)
        return zone

    def all(self, zones: Iterable[str]) -> list[str]:
        """Labels of several zones."""
        return [self(z) for z in zones]


def heat_cmap() -> Colormap:
    """The heat maps' colour map: white to dark red, light grey where there is no value."""
    return colormaps[HEAT].with_extremes(bad="#e4e4e4")
