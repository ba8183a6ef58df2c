"""A sensitivity analysis's figures folder and its printed summary.

The figures are drawn into a hidden folder beside ``figures/`` and renamed
into place, so an interrupted write leaves the old figures or the new, never
half of each.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from sim.outputs.sa_figures import sensitivity_figures

RANKING = {"morris": "morris_mu_star", "sobol": "sobol_total"}


def write_figures(indices: pd.DataFrame, method: str, folder: Path) -> list[Path]:
    """Draw every figure of the analysis into ``folder`` (replaced whole)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        names = [p.name for p in sensitivity_figures(indices, method, tmp)]
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [folder / n for n in names]


def ranking(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per whole-horizon outcome and input, the index that ranks inputs: μ* (Morris),
    the total index (Sobol) or the tornado's swing (:func:`swing`)."""
    whole = indices[indices["year"] == "all"]
    keys = ["outcome", "zone", "service", "input"]
    if method in RANKING:
        sel = whole[whole["method"] == RANKING[method]]
        return sel[[*keys, "index", "low", "high"]].reset_index(drop=True)
    low = whole[whole["method"] == "tornado_low"].set_index(keys)["index"]
    high = whole[whole["method"] == "tornado_high"].set_index(keys)["index"].reindex(low.index)
    span = swing(low, high).rename("index").reset_index()
    span["low"] = span["high"] = float("nan")  # a swing's interval is that of its two bars
    return span


def swing(low: pd.Series, high: pd.Series) -> pd.Series:
    """A tornado bar's reach: from the lowest to the highest of the scenario's value
    (0), the low end's change and the high end's (both ends may move the same way)."""
    top = pd.concat([low, high], axis=1).clip(lower=0).max(axis=1)
    bottom = pd.concat([low, high], axis=1).clip(upper=0).min(axis=1)
    return top - bottom


def top_inputs(indices: pd.DataFrame, method: str, outcome: str, zone: str, service: str, n: int = 3) -> pd.DataFrame:
    """The ``n`` inputs with the largest ranking index for one outcome, largest first."""
    r = ranking(indices, method)
    sel = r[(r["outcome"] == outcome) & (r["zone"] == zone) & (r["service"] == service)]
    return sel.reindex(sel["index"].abs().sort_values(ascending=False).index).head(n).reset_index(drop=True)


def summary_lines(indices: pd.DataFrame, method: str, limit: int = 12, metric: str | None = None) -> list[str]:
    """Printed summary: for ``metric`` (default: the first in the table), the top three
    inputs of the zone-services whose leading index is largest."""
    r = ranking(indices, method)
    if r.empty:
        return ["no indices (see the notes in sensitivity.json)"]
    if metric is None or metric not in set(r["outcome"]):
        metric = str(r["outcome"].iloc[0])
    sel = r[r["outcome"] == metric]
    lead = sel.assign(a=sel["index"].abs()).groupby(["zone", "service"])["a"].max().sort_values(ascending=False)
    name = {"morris": "mu*", "sobol": "total index", "tornado": "swing"}[method]
    lines = [f"top inputs by {name} of {metric} (largest first):"]
    for zone, service in list(lead.index)[:limit]:
        top = top_inputs(indices, method, metric, str(zone), str(service))
        parts = [f"{row.input} {row.index:.3g}" + (f" [{row.low:.3g}, {row.high:.3g}]" if pd.notna(row.low) else "")
                 for row in top.itertuples()]
        lines.append(f"  {zone}/{service}: " + "; ".join(parts))
    return lines
