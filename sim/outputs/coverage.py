"""Service-circle coverage: the share of residents within walking range, per category.

A 15-minute service centre is not a number of places that demand can outrun:
it covers the residents within walking range, or it does not. So coverage is
reported as coverage, never as unmet demand. From the ``coverage`` table (per
replication, zone, date and category: the covered share and the zone's
residents) this module gives, per zone (and for all zones together, weighted by
residents) and category (the six, ``all`` six at once, ``any`` centre):

* ``share_start``, ``share_end`` — the covered share at the first and last report;
* ``share_mean`` — the covered share averaged over the horizon (time-weighted);
* ``residents_end``, ``residents_covered_end`` — residents and those covered at the end;
* ``first_full_coverage`` — the first report date with every resident covered
  (share >= 0.999), missing when it never happens.

Across replications: medians, and the share of replications reaching full coverage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outputs.metrics import interval_weights, median_date

FULL = 0.999
ALL_ZONES = "all zones"
COLUMNS = ["zone", "category", "reps", "share_start_median", "share_end_median", "share_mean_median",
           "residents_end_median", "residents_covered_end_median", "share_reps_full_coverage",
           "first_full_coverage_median"]


def coverage_summary(coverage: pd.DataFrame) -> pd.DataFrame:
    """The coverage metrics per zone and category (see the module docstring)."""
    if coverage.empty or "share" not in coverage:
        return pd.DataFrame(columns=COLUMNS)
    df = coverage.assign(zone=coverage["zone"].astype(str), date=pd.to_datetime(coverage["date"]))
    df = df.assign(covered=df["share"] * df["residents"])
    whole = df.groupby(["rep", "date", "category"], as_index=False)[["covered", "residents"]].sum()
    whole = whole.assign(zone=ALL_ZONES, share=np.where(whole["residents"] > 0, whole["covered"] / whole["residents"].where(whole["residents"] > 0), 0.0))
    order = {z: k for k, z in enumerate([*dict.fromkeys(df["zone"]), ALL_ZONES])}  # scenario order, then all
    df = pd.concat([df, whole], ignore_index=True)
    df = df.assign(_z=df["zone"].map(order)).sort_values(["rep", "_z", "category", "date"], kind="stable")
    dates = np.sort(df["date"].unique())
    weight = pd.Series(interval_weights(dates), index=pd.to_datetime(dates))
    df["_w"] = df["date"].map(weight).to_numpy()
    df["_sw"] = df["share"] * df["_w"]
    g = df.groupby(["rep", "zone", "category"], sort=False)
    per = g.agg(share_start=("share", "first"), share_end=("share", "last"), _sw=("_sw", "sum"), _w=("_w", "sum"),
                residents_end=("residents", "last"), residents_covered_end=("covered", "last"))
    per["share_mean"] = per.pop("_sw") / per.pop("_w")
    per["first_full_coverage"] = df[df["share"] >= FULL].groupby(["rep", "zone", "category"])["date"].min()
    per = per.reset_index()
    rows = []
    for (zone, category), x in per.groupby(["zone", "category"], sort=False):
        full = x["first_full_coverage"].dropna()
        rows.append({
            "zone": zone, "category": category, "reps": len(x),
            "share_start_median": float(x["share_start"].median()),
            "share_end_median": float(x["share_end"].median()),
            "share_mean_median": float(x["share_mean"].median()),
            "residents_end_median": float(x["residents_end"].median()),
            "residents_covered_end_median": float(x["residents_covered_end"].median()),
            "share_reps_full_coverage": len(full) / len(x),
            "first_full_coverage_median": median_date(full),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
