"""Drawing a reused figure fast: its unchanging parts rendered once, the rest over them.

A figure reused from service to service (:mod:`sim.outputs.figgrid`) keeps
most of what costs time to draw — frames, tick labels, zone titles, legends,
colour bars — and changes only its data, a title and a few numbers. A
:class:`Backdrop` marks those changing artists *animated*, renders the rest once
into a pixel buffer (one buffer per *mode*, e.g. with or without the map), and
for each PNG restores that buffer and draws only the changing artists over it:
the technique Matplotlib calls blitting. Vector output (SVG) and anything that
inspects the figure see every artist as usual.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Iterable

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from PIL import Image


def canvas_png(fig: Figure, compress_level: int) -> bytes:
    """The pixels of an Agg figure already drawn, as an RGB PNG.

    (A 256-colour palette would make files a third the size, but the fast
    quantiser tints white backgrounds and the exact ones cost more than they save.)
    """
    buf = fig.canvas.buffer_rgba()  # type: ignore[attr-defined]
    image = Image.frombuffer("RGBA", (buf.shape[1], buf.shape[0]), buf, "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", compress_level=compress_level, dpi=(fig.dpi, fig.dpi))
    return out.getvalue()


class Backdrop:
    """The static pixels and the changing artists of a reused figure.

    Parameters
    ----------
    fig
        A figure on an Agg canvas (:func:`sim.outputs.style.new_figure`).
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.dynamic: list[Artist] = []
        self.mode: Hashable = None
        self._backgrounds: dict[Hashable, object] = {}
        fig._liaohe_backdrop = self  # type: ignore[attr-defined]  # found by style.render

    def add(self, artists: Iterable[Artist]) -> None:
        """Mark artists as changing from one drawing to the next."""
        for a in artists:
            a.set_animated(True)
            self.dynamic.append(a)

    def png(self, compress_level: int) -> bytes:
        """The figure as PNG: the mode's background, then the changing artists."""
        canvas = self.fig.canvas
        bg = self._backgrounds.get(self.mode)
        if bg is None:
            # Animated artists are left out of a full draw; an axis label is drawn by
            # its axis whatever its flag, so every changing artist is hidden meanwhile.
            shown = [a.get_visible() for a in self.dynamic]
            for a in self.dynamic:
                a.set_visible(False)
            canvas.draw()
            for a, v in zip(self.dynamic, shown, strict=True):
                a.set_visible(v)
            self._backgrounds[self.mode] = canvas.copy_from_bbox(self.fig.bbox)  # type: ignore[attr-defined]
        else:
            canvas.restore_region(bg)  # type: ignore[attr-defined]
        for a in sorted(self.dynamic, key=lambda a: a.get_zorder()):
            if a.get_visible() and (a.axes is None or a.axes.get_visible()):
                self.fig.draw_artist(a)
        return canvas_png(self.fig, compress_level)

    def vector(self, fmt: str) -> bytes:
        """The figure in a vector format, every artist drawn."""
        for a in self.dynamic:
            a.set_animated(False)
        try:
            out = io.BytesIO()
            self.fig.savefig(out, format=fmt)
            return out.getvalue()
        finally:
            for a in self.dynamic:
                a.set_animated(True)
