"""Gap metrics: when, how much, how long and how likely demand outruns capacity.

Per replication, zone and service (docs/model.md §5):

* ``backlog_at_start`` — unmet demand at the first report date: a gap the
  town starts with, not an event of the simulation;
* ``backlog_cleared`` — the first date with no unmet demand after a backlog
  (missing when there was none, or it never clears); ``months_in_backlog``
  — the time from the start until then;
* ``first_shortfall`` — the first date with unmet demand that is *not* the
  starting backlog: after the backlog has cleared (or from the start when there
  was none); missing when no new shortfall arises;
* ``peak_unmet`` and ``peak_date`` — the largest unmet demand and when;
* ``months_in_shortfall`` — time with unmet demand, in months (backlog included);
* ``unmet_seat_years`` — the time integral of unmet demand (seat-, bed-,
  place-years…), the state at a report date held until the next one.

Across replications: medians, the 90th percentile of the peak, the shares of
replications with any gap, a starting backlog and a new shortfall, and the
Student-t 95 % interval of the mean unmet seat-years (the same t intervals as
comparisons and sweeps, :mod:`sim.outputs.intervals`). Beside them stands the
**static requirement** of the per-1,000 quotas
(:class:`~sim.scenario.model.StaticNorms`) for the same zone at the peak date,
and the ratio of the simulated demand to it, so a planner sees where the
static method misleads.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.engine import AGE_BANDS
from sim.outputs.intervals import t_halfwidth
from sim.scenario.model import Service, StaticNorms
from sim.scenario.units import DAYS_PER_YEAR

ELDERLY_BANDS = [label for label, lo, _ in AGE_BANDS if lo >= 60.0]
"""The reporting age bands of residents aged 60 and over (the static norms' elderly)."""

GAP = 1e-9
"""Unmet demand above this counts as a gap (guards against rounding)."""

NEVER = pd.Timestamp("2200-01-01")
"""Stands for a backlog that never clears (after any horizon)."""

PER_REP_COLUMNS = ["rep", "zone", "service", "backlog_at_start", "backlog_cleared", "months_in_backlog",
                   "first_shortfall", "peak_unmet", "peak_date", "months_in_shortfall", "unmet_seat_years",
                   "any_shortfall"]


def interval_weights(dates: np.ndarray) -> np.ndarray:
    """Years each report date stands for: until the next report (the last one
    as long as the one before it)."""
    t = (pd.to_datetime(dates) - pd.to_datetime(dates[0])).days.to_numpy(dtype=float)
    w = np.diff(t)
    w = np.append(w, w[-1] if len(w) else 1.0)
    return np.asarray(w / DAYS_PER_YEAR)


def per_rep_gaps(series: pd.DataFrame) -> pd.DataFrame:
    """Gap metrics per ``rep, zone, service`` from a series table (see the module docstring)."""
    cols = ["rep", "zone", "service"]
    if series.empty:
        return pd.DataFrame(columns=PER_REP_COLUMNS)
    df = series.sort_values([*cols, "date"], kind="stable")
    dates = np.sort(df["date"].unique())
    w = pd.Series(interval_weights(dates), index=pd.to_datetime(dates))
    df = df.assign(_w=df["date"].map(w).to_numpy(), _short=(df["unmet"] > GAP).to_numpy())
    df["_uw"] = df["unmet"] * df["_w"]
    df["_sw"] = df["_short"] * df["_w"]
    g = df.groupby(cols, observed=True, sort=True)
    out = g.agg(backlog_at_start=("unmet", "first"), peak_unmet=("unmet", "max"), unmet_seat_years=("_uw", "sum"),
                _sy=("_sw", "sum"), any_shortfall=("_short", "any"))
    out["months_in_shortfall"] = out.pop("_sy") * 12.0
    peak_idx = g["unmet"].idxmax()
    out["peak_date"] = df.loc[peak_idx.to_numpy(), "date"].to_numpy()
    out.loc[out["peak_unmet"] <= GAP, "peak_date"] = pd.NaT
    # The starting backlog lasts until the first date without a gap; a shortfall
    # after that date (or from the start, without a backlog) is a new one.
    backlog = out["backlog_at_start"] > GAP
    clear = df[~df["_short"]].groupby(cols, observed=True)["date"].min().reindex(out.index)
    out["backlog_cleared"] = clear.where(backlog)
    # Dates before `until` belong to the starting backlog (none without one).
    start = pd.Timestamp(dates[0])
    until = clear.where(backlog, start).fillna(NEVER).rename("_until")
    df = df.join(until, on=cols)
    in_backlog = df["date"] < df["_until"]
    out["months_in_backlog"] = (df["_sw"].where(in_backlog, 0.0).groupby([df[c] for c in cols], observed=True).sum()
                                .reindex(out.index).fillna(0.0) * 12.0)
    later = df[df["_short"] & ~in_backlog]
    out["first_shortfall"] = later.groupby(cols, observed=True)["date"].min().reindex(out.index)
    return out.reset_index()[PER_REP_COLUMNS]


def median_date(s: pd.Series) -> pd.Timestamp:
    s = pd.to_datetime(s.dropna())
    if s.empty:
        return pd.NaT
    ns = s.to_numpy(dtype="datetime64[ns]").astype("int64")
    return pd.Timestamp(int(np.median(ns)), unit="ns").normalize()


def _ci(values: pd.Series) -> tuple[float, float, float]:
    """Mean and 95 % Student-t interval of the mean across replications (a normal
    quantile would cover far less than 95 % with a handful of replications)."""
    v = values.to_numpy(dtype=float)
    m = float(v.mean())
    if len(v) < 2:
        return m, math.nan, math.nan
    half = t_halfwidth(float(v.std(ddof=1)), len(v))
    return m, m - half, m + half


def summarise_gaps(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Across replications: one row per ``zone, service``."""
    rows = []
    for (zone, service), g in per_rep.groupby(["zone", "service"], observed=True, sort=True):
        mean, lo, hi = _ci(g["unmet_seat_years"])
        rows.append({
            "zone": zone,
            "service": service,
            "reps": len(g),
            "share_reps_shortfall": float(g["any_shortfall"].mean()),
            "share_reps_backlog": float((g["backlog_at_start"] > GAP).mean()),
            "backlog_at_start_median": float(g["backlog_at_start"].median()),
            "backlog_cleared_median": median_date(g["backlog_cleared"]),
            "share_reps_new_shortfall": float(g["first_shortfall"].notna().mean()),
            "first_shortfall_median": median_date(g["first_shortfall"]),
            "peak_unmet_median": float(g["peak_unmet"].median()),
            "peak_unmet_p90": float(g["peak_unmet"].quantile(0.9)),
            "peak_date_median": median_date(g["peak_date"]),
            "months_in_shortfall_median": float(g["months_in_shortfall"].median()),
            "unmet_seat_years_median": float(g["unmet_seat_years"].median()),
            "unmet_seat_years_mean": mean,
            "unmet_seat_years_ci_low": lo,
            "unmet_seat_years_ci_high": hi,
        })
    return pd.DataFrame(rows)


def shortfall_probability(series: pd.DataFrame, threshold: float = 0.0) -> pd.DataFrame:
    """P(unmet > threshold) by year: per ``zone, service, year``, the share of
    replications in which unmet demand exceeds ``threshold`` at some report date
    of that year."""
    cols = ["zone", "service", "year", "p_shortfall", "reps"]
    if series.empty:
        return pd.DataFrame(columns=cols)
    df = series.assign(year=pd.to_datetime(series["date"]).dt.year, _short=series["unmet"] > threshold + GAP)
    per_rep = df.groupby(["zone", "service", "year", "rep"], observed=True)["_short"].any().reset_index()
    out = per_rep.groupby(["zone", "service", "year"], observed=True)["_short"].agg(["mean", "count"])
    return out.reset_index().rename(columns={"mean": "p_shortfall", "count": "reps"})[cols]


# ------------------------------------------------------------------ static requirement

def _band_residents(population: pd.DataFrame, bands: list[str] | None) -> pd.DataFrame:
    df = population if bands is None else population[population["age_band"].isin(bands)]
    return df.groupby(["rep", "date", "zone"], observed=True)["residents"].sum().reset_index()


def static_requirement(population: pd.DataFrame, norms: StaticNorms) -> pd.DataFrame:
    """The static method's requirement per ``rep, date, zone, service``, in the
    service's capacity unit (seats, beds, places, service population)."""
    everyone = _band_residents(population, None)
    elderly = _band_residents(population, ELDERLY_BANDS)
    per_1000 = {
        Service.KINDERGARTEN.value: (everyone, norms.kindergarten_seats_per_1000),
        Service.PRIMARY.value: (everyone, norms.primary_seats_per_1000),
        Service.MIDDLE.value: (everyone, norms.middle_seats_per_1000),
        Service.VOCATIONAL.value: (everyone, norms.vocational_seats_per_1000),
        Service.ELDERCARE_BED.value: (elderly, norms.eldercare_beds_per_1000_elderly),
        Service.DAY_CARE.value: (elderly, norms.day_care_places_per_1000_elderly),
    }
    frames = [base.assign(service=svc, static_requirement=base["residents"] * q / 1000.0)
              for svc, (base, q) in per_1000.items()]
    # One community health centre per `health_centre_residents` (docs/facts.md §1 [12]),
    # expressed as the service population of the centres required.
    size = norms.health_centre_residents
    frames.append(everyone.assign(service="health_centre",
                                  static_requirement=np.ceil(everyone["residents"] / size) * size))
    out = pd.concat(frames, ignore_index=True).drop(columns="residents")
    return out


def gap_summary(series: pd.DataFrame, population: pd.DataFrame, norms: StaticNorms) -> pd.DataFrame:
    """The summary table: gap metrics per zone and service, with the simulated
    demand, the capacity located in the zone, the static requirement and the
    ratio simulated / static at the median peak date (or, with no shortfall, at
    the date of peak demand)."""
    per_rep = per_rep_gaps(series)
    summary = summarise_gaps(per_rep)
    if summary.empty:
        return summary
    med = series.groupby(["zone", "service", "date"], observed=True)[["demand", "capacity_located"]].median().reset_index()
    static = static_requirement(population, norms)
    static = static.groupby(["zone", "service", "date"], observed=True)["static_requirement"].median().reset_index()
    at = []
    for row in summary.itertuples():
        m = med[(med["zone"] == row.zone) & (med["service"] == row.service)]
        when = row.peak_date_median
        if pd.isna(when) and not m.empty:
            when = m.loc[m["demand"].idxmax(), "date"]
        near = m.iloc[(m["date"] - when).abs().argsort()[:1]] if not m.empty else m
        s = static[(static["zone"] == row.zone) & (static["service"] == row.service) & (static["date"].isin(near["date"]))]
        demand = float(near["demand"].iloc[0]) if len(near) else math.nan
        static_req = float(s["static_requirement"].iloc[0]) if len(s) else math.nan
        at.append({
            "at_date": near["date"].iloc[0] if len(near) else pd.NaT,
            "demand_at_date": demand,
            "capacity_located_at_date": float(near["capacity_located"].iloc[0]) if len(near) else math.nan,
            "static_requirement_at_date": static_req,
            "simulated_to_static_ratio": demand / static_req if static_req > 0 else math.nan,
        })
    return pd.concat([summary, pd.DataFrame(at)], axis=1)
