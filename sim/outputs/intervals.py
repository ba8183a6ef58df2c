"""Confidence intervals across replications, single and paired.

Replications are independent draws of a scenario's outcomes, so the mean of a
metric over ``n`` replications has the Student-t interval
``mean ± t(0.975, n-1) · sd / √n``. Two scenarios run on common random numbers
(replication ``r`` of each on the same seed) are compared through the paired
differences ``d_r = B_r − A_r``: the interval of their mean is the same formula
applied to ``d``, and is narrow when the runs move together (Law & Kelton,
*Simulation Modeling and Analysis*, §10.2.1).

A replication with no value (no shortfall, so no first-shortfall date) is left
out of that metric's interval, and of every pair it belongs to; ``n`` says how
many were used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


def t_halfwidth(sd: float, n: int, level: float = LEVEL) -> float:
    """Half-width of the ``level`` t-interval of a mean of ``n`` values with sample sd ``sd``."""
    if n < 2 or not math.isfinite(sd):
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)


def interval_table(per_rep: pd.DataFrame, keys: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Mean and 95 % interval of ``value`` across replications, per ``keys``.

    Parameters
    ----------
    per_rep
        One row per replication and key combination.
    keys
        Columns that identify a quantity (``zone, service, metric`` say).
    value
        The column to summarise; missing values are left out.

    Returns
    -------
    pandas.DataFrame
        ``keys`` then ``n, mean, sd, half_width, low, high``.
    """
    df = per_rep.dropna(subset=[value])
    g = df.groupby(list(keys), observed=True, sort=True)[value]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["sd"] = out["sd"].fillna(math.nan)
    out["half_width"] = [t_halfwidth(sd, int(n)) for sd, n in zip(out["sd"], out["n"], strict=True)]
    out["low"] = out["mean"] - out["half_width"]
    out["high"] = out["mean"] + out["half_width"]
    return out


def paired_differences(per_rep: pd.DataFrame, baseline: str, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Each scenario minus the baseline, paired by replication, with 95 % intervals.

    Parameters
    ----------
    per_rep
        Columns ``scenario, rep, zone, service, metric, value``.
    baseline
        The scenario subtracted from every other.
    order
        Scenario order of the output (default: as they first appear).

    Returns
    -------
    pandas.DataFrame
        One row per ``scenario, zone, service, metric`` (baseline excluded):
        ``n`` pairs, ``baseline_mean``, ``scenario_mean``, ``diff_mean``,
        ``diff_sd``, ``half_width``, ``low``, ``high``.
    """
    keys = ["zone", "service", "metric", "rep"]
    wide = per_rep.pivot_table(index=keys, columns="scenario", values="value", aggfunc="first", observed=True)
    names = list(order) if order is not None else list(dict.fromkeys(per_rep["scenario"]))
    frames = []
    for name in names:
        if name == baseline or name not in wide:
            continue
        pair = pd.DataFrame({"a": wide.get(baseline, np.nan), "b": wide[name]}).dropna()
        pair["d"] = pair["b"] - pair["a"]
        g = pair.groupby(level=["zone", "service", "metric"], observed=True, sort=True)
        out = g.agg(n=("d", "count"), baseline_mean=("a", "mean"), scenario_mean=("b", "mean"),
                    diff_mean=("d", "mean"), diff_sd=("d", "std")).reset_index()
        out.insert(0, "scenario", name)
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=["scenario", "zone", "service", "metric", "n", "baseline_mean",
                                     "scenario_mean", "diff_mean", "diff_sd", "half_width", "low", "high"])
    out = pd.concat(frames, ignore_index=True)
    out["half_width"] = [t_halfwidth(sd, int(n)) for sd, n in zip(out["diff_sd"], out["n"], strict=True)]
    out["low"] = out["diff_mean"] - out["half_width"]
    out["high"] = out["diff_mean"] + out["half_width"]
    return out


def widest_half_width(intervals: pd.DataFrame, metric: str, zone: str | None = None,
                      service: str | None = None, column: str = "half_width") -> float:
    """The largest half-width of ``metric`` (optionally of one zone and service)
    in an interval table; NaN when any selected interval cannot be computed yet."""
    sel = intervals[intervals["metric"] == metric]
    if zone is not None:
        sel = sel[(sel["zone"] == zone) & (sel["service"] == service)]
    if sel.empty:
        return math.nan
    values = sel[column].to_numpy(dtype=float)
    return math.nan if np.isnan(values).any() else float(values.max())
