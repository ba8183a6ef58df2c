"""Tidy tables from replication results: one row per observation.

Every table starts with ``rep`` (replication number) and, where it has one,
``date``; the engine's arrays are flattened here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine import EVENT_KINDS, SERIES_FIELDS, Results


def _grid(dates: Sequence[dt.date], *axes: Sequence[str]) -> dict[str, np.ndarray]:
    """Columns of the full cross product of dates and the given axes, C order."""
    shape = (len(dates), *(len(a) for a in axes))
    idx = np.indices(shape).reshape(len(shape), -1)
    cols: dict[str, np.ndarray] = {"date": pd.to_datetime(pd.Series(dates)).to_numpy()[idx[0]]}
    for k, a in enumerate(axes, start=1):
        cols[f"_{k}"] = np.asarray(a, dtype=object)[idx[k]]
    return cols


def population_table(results: Sequence[Results]) -> pd.DataFrame:
    """Residents by ``rep, date, zone, age_band``; ``households`` is the zone's
    household count at that date, repeated on each age-band row (do not sum it
    across bands)."""
    frames = []
    for rep, r in enumerate(results):
        g = _grid(r.dates, r.zones, r.age_bands)
        frames.append(
            pd.DataFrame(
                {
                    "rep": rep,
                    "date": g["date"],
                    "zone": g["_1"],
                    "age_band": g["_2"],
                    "residents": r.residents.reshape(-1),
                    "households": np.repeat(r.households.reshape(-1), len(r.age_bands)),
                }
            )
        )
    return _categorical(pd.concat(frames, ignore_index=True), {"zone": results[0].zones, "age_band": results[0].age_bands})


def events_table(results: Sequence[Results]) -> pd.DataFrame:
    """Resident flows by ``rep, date, zone`` in the interval ending at ``date``."""
    frames = []
    for rep, r in enumerate(results):
        g = _grid(r.dates, r.zones)
        cols = {"rep": rep, "date": g["date"], "zone": g["_1"]}
        cols.update({k: r.events[k].reshape(-1) for k in EVENT_KINDS})
        frames.append(pd.DataFrame(cols))
    return _categorical(pd.concat(frames, ignore_index=True), {"zone": results[0].zones})


ZONE_COLUMNS: dict[str, str] = {
    "demand": "demand",
    "served": "served_residents",
    "unmet": "unmet",
    "waiting": "waiting",
    "capacity": "capacity_located",
}
"""Column of the series table for each engine field. A zone row's ``served_residents``
counts the zone's residents served anywhere (``served_residents + unmet = demand``);
its ``capacity_located`` is the capacity of the facilities located in the zone,
whoever they serve. The two differ wherever catchments cross zone lines, so they
are not compared row by row: per facility, ``facilities.parquet`` has served <= capacity."""


def series_table(results: Sequence[Results]) -> pd.DataFrame:
    """Demand, served residents, unmet, waiting and located capacity by ``rep, date, zone, service``.

    Zone-service pairs with neither demand nor capacity at any date are left out.
    Columns are named by :data:`ZONE_COLUMNS`.
    """
    frames = []
    for rep, r in enumerate(results):
        if not r.services:
            continue
        g = _grid(r.dates, r.zones, r.services)
        cols = {"rep": rep, "date": g["date"], "zone": g["_1"], "service": g["_2"]}
        cols.update({ZONE_COLUMNS[f]: r.series[f].reshape(-1) for f in SERIES_FIELDS})
        df = pd.DataFrame(cols)
        active = (r.series["demand"] > 0).any(axis=0) | (r.series["capacity"] > 0).any(axis=0)
        keep = np.broadcast_to(active, r.series["demand"].shape).reshape(-1)
        frames.append(df[keep])
    columns = [ZONE_COLUMNS[f] for f in SERIES_FIELDS]
    if not frames:
        empty: dict[str, list[object]] = {"rep": [], "date": [], "zone": [], "service": [], **{c: [] for c in columns}}
        return pd.DataFrame(empty).astype({"rep": "int64", "date": "datetime64[ns]", **{c: "float64" for c in columns}})
    services = list(dict.fromkeys(s for r in results for s in r.services))
    return _categorical(pd.concat(frames, ignore_index=True), {"zone": results[0].zones, "service": services})


def facilities_table(results: Sequence[Results]) -> pd.DataFrame:
    """Capacity, served and waiting by ``rep, date, facility, service, zone``."""
    frames = []
    for rep, r in enumerate(results):
        if not r.facility_keys:
            continue
        t, k = len(r.dates), len(r.facility_keys)
        idx = np.indices((t, k)).reshape(2, -1)
        dates = pd.to_datetime(pd.Series(r.dates)).to_numpy()
        cols = {
            "rep": rep,
            "date": dates[idx[0]],
            "facility": np.array([f.facility for f in r.facility_keys], dtype=object)[idx[1]],
            "service": np.array([f.service for f in r.facility_keys], dtype=object)[idx[1]],
            "zone": np.array([f.zone for f in r.facility_keys], dtype=object)[idx[1]],
        }
        cols.update({f: v.reshape(-1) for f, v in r.facility_series.items()})
        frames.append(pd.DataFrame(cols))
    if not frames:
        return pd.DataFrame({"rep": [], "date": [], "facility": [], "service": [], "zone": []})
    return _categorical(pd.concat(frames, ignore_index=True), {"zone": results[0].zones})


def extra_table(results: Sequence[Results], name: str) -> pd.DataFrame:
    """A named engine table (e.g. ``pyramid``) with a ``rep`` column in front."""
    frames = [
        pd.DataFrame({"rep": rep, **r.tables[name]}) for rep, r in enumerate(results) if name in r.tables
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"rep": []})
    if "date" in df:
        df["date"] = pd.to_datetime(df["date"])
    return df


def _categorical(df: pd.DataFrame, orders: dict[str, Sequence[str]]) -> pd.DataFrame:
    """Make columns categorical in the model's order (zones as in the scenario)."""
    for c, order in orders.items():
        df[c] = pd.Categorical(df[c], categories=list(order))
    return df
