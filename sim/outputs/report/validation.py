"""The validation table, where the run has one: observed figures beside the simulated interval.

``validation.csv`` (written when a scenario declares ``observed:`` figures) has
``quantity, zone, date, observed, source, used_for, sim_median, sim_low,
sim_high, inside``. A figure used to set an input is calibration, not
validation: the share inside counts the others only.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sim.outputs.report.page import Cell, esc, fmt_number, table
from sim.outputs.results_io import ResultsFolder

COLUMNS = ("quantity", "zone", "date", "observed", "source", "used_for", "sim_median", "sim_low", "sim_high", "inside")


def _inside(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(text)


def validation_html(folder: ResultsFolder, label: Callable[[str], str]) -> str:
    """The validation section's HTML; empty when the folder has no ``validation.csv``."""
    df = folder.csv("validation.csv")
    if df is None or df.empty:
        return ""
    get = {c: (df[c] if c in df.columns else pd.Series([None] * len(df))) for c in COLUMNS}
    rows, checked, inside_n = [], 0, 0
    for i in range(len(df)):
        inside = _inside(get["inside"].iloc[i])
        used = str(get["used_for"].iloc[i] or "")
        if "calib" not in used.lower() and inside is not None:
            checked += 1
            inside_n += int(inside)
        zone = get["zone"].iloc[i]
        rows.append([
            str(get["quantity"].iloc[i]), label(str(zone)) if isinstance(zone, str) else "all",
            str(get["date"].iloc[i]), Cell(fmt_number(get["observed"].iloc[i]), num=True),
            Cell(fmt_number(get["sim_median"].iloc[i]), num=True),
            Cell(f"{fmt_number(get['sim_low'].iloc[i])}–{fmt_number(get['sim_high'].iloc[i])}", num=True),
            Cell("yes" if inside else ("no" if inside is False else "–")), used, str(get["source"].iloc[i]),
        ])
    if checked:
        lead = (f'<p class="finding">{inside_n} of {checked} observed figures not used for calibration lie inside '
                "the simulated interval.</p>")
    else:
        lead = ('<p class="finding">Not judged: a 90 % range needs at least 10 replications, and this run has '
                "fewer (run with --reps 10 or more). The simulated medians stand beside the observed figures.</p>")
    return lead + table(["quantity", "zone", "date", "observed", "simulated median", "simulated interval",
                         "inside", "used for", "source"], rows) + (
        f'<p class="note">{esc("Figures used to set inputs are calibration, not validation.")}</p>')
