"""The report's HTML: one self-contained page, printable, that requests nothing.

Figures are embedded as ``data:`` URIs, the style sheet is inline, and a
Content-Security-Policy forbids every other source, so the page opens offline
and no request can leave it. Chinese zone names are shown with the reader's
own fonts (Noto Sans CJK, Source Han Sans, Microsoft YaHei, PingFang…).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root { --ink:#1f2328; --muted:#5a6270; --rule:#d8dce2; --accent:#b2182b; --soft:#f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.45 "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 48px; }
header.top { border-bottom: 3px solid var(--accent); margin-bottom: 18px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 21px; margin: 34px 0 10px;
  border-bottom: 1px solid var(--rule); padding-bottom: 4px; } h3 { font-size: 17px; margin: 22px 0 8px; }
.sub { color: var(--muted); margin: 0; }
nav.toc { background: var(--soft); padding: 8px 14px; border-radius: 6px; font-size: 14px; }
nav.toc a { color: var(--ink); margin-right: 14px; white-space: nowrap; }
figure { margin: 14px 0 22px; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 13.5px; margin-top: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; width: 100%; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
table.headline td:first-child { white-space: nowrap; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group td { background: #fbeff0; font-weight: 600; }
.finding { font-size: 15.5px; margin: 6px 0; }
ul.leads { padding-left: 20px; } ul.leads li { margin: 4px 0; }
div.scroll { overflow-x: auto; }
.note { color: var(--muted); font-size: 13.5px; }
.warn { background: #fff4e5; border-left: 4px solid #e6a23c; padding: 6px 10px; }
details summary { cursor: pointer; color: var(--muted); }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 8px; overflow-x: auto; white-space: pre-wrap; }
@media print {
  body { font-size: 11pt; } main { max-width: none; padding: 0; } nav.toc { display: none; }
  h2 { break-after: avoid; } details { display: block; } details > summary { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value: Any) -> str:
    """Text for HTML (``None`` and NaN as an en dash)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return html.escape(str(value), quote=True)


def fmt_number(value: Any, digits: int = 0) -> str:
    """A number for people: thousands separated; a dash when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(v):
        return "–"
    return f"{v:,.{digits}f}"


def fmt_date(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` (a dash when missing)."""
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return esc(value)
    return "–" if pd.isna(ts) else f"{ts:%Y-%m-%d}"


def attrs(values: dict[str, Any] | None) -> str:
    """HTML attributes (``data-*`` included), values escaped."""
    if not values:
        return ""
    return "".join(f' {k}="{esc(v)}"' for k, v in values.items() if v is not None)


@dataclass
class Cell:
    """A table cell: its HTML, whether it is a number (right-aligned) and its attributes."""

    html: str
    num: bool = False
    attrs: dict[str, Any] | None = None


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], cls: str = "",
          row_attrs: Sequence[dict[str, Any] | None] | None = None, numeric: Sequence[int] = ()) -> str:
    """An HTML table; a :class:`Cell`'s HTML is taken as is, anything else is escaped text."""
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = []
        for i, c in enumerate(row):
            cell = c if isinstance(c, Cell) else Cell(esc(c), num=i in numeric)
            klass = ' class="num"' if cell.num or i in numeric else ""
            cells.append(f"<td{klass}{attrs(cell.attrs)}>{cell.html}</td>")
        ra = row_attrs[r] if row_attrs is not None and r < len(row_attrs) else None
        body.append(f"<tr{attrs(ra)}>{''.join(cells)}</tr>")
    klass = f' class="{cls}"' if cls else ""
    return (f'<div class="scroll"><table{klass}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table></div>")


def figure(uri: str, title: str, caption: str, fid: str) -> str:
    """An embedded figure with its one-line caption."""
    return (f'<figure id="{esc(fid)}"><img src="{uri}" alt="{esc(title)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


@dataclass
class Page:
    """A report page being assembled: a title, a subtitle and sections in order."""

    title: str
    subtitle: str = ""
    sections: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, sid: str, heading: str, body: str) -> None:
        """Append a section (empty bodies are skipped)."""
        if body:
            self.sections.append((sid, heading, body))

    def html(self) -> str:
        """The whole page."""
        toc = " ".join(f'<a href="#{esc(s)}">{esc(h)}</a>' for s, h, _ in self.sections)
        body = "".join(f'<section id="{esc(s)}"><h2>{esc(h)}</h2>{b}</section>' for s, h, b in self.sections)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{CSS}</style></head><body><main>"
            f'<header class="top"><h1>{esc(self.title)}</h1><p class="sub">{esc(self.subtitle)}</p></header>'
            f'<nav class="toc">{toc}</nav>{body}</main></body></html>\n'
        )
