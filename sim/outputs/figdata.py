"""What the figures show, computed once per run with NumPy: quantile bands, yearly gaps, openings.

The tidy tables of a results folder have one row per replication, date, zone
and service. Figures need, per service and zone, the median and the 50 % and
90 % ranges across replications at each date; per zone and year the unmet
demand; and the dates facilities open. Everything is computed here in a few
vectorised passes, so drawing is only drawing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.units import DAYS_PER_YEAR

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Lower 90 %, lower 50 %, median, upper 50 %, upper 90 % across replications."""
MEDIAN = 2


def year_fraction(dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Dates as fractional years (2021-07-02 -> 2021.5): cheap, readable axis values."""
    d = pd.DatetimeIndex(pd.to_datetime(dates))
    return np.asarray(d.year + (d.day_of_year - 1) / DAYS_PER_YEAR, dtype=float)


@dataclass(frozen=True)
class Bands:
    """Quantile bands of some fields, per key and date.

    ``values[field]`` has shape ``(len(QUANTILES), len(keys), len(x))``; NaN where a
    key has no row at a date.
    """

    keys: list[str]
    dates: pd.DatetimeIndex
    x: np.ndarray
    values: dict[str, np.ndarray]
    reps: int

    def median(self, field: str, key: str) -> np.ndarray:
        return self.values[field][MEDIAN, self.keys.index(key)]

    def quantile(self, field: str, key: str, q: int) -> np.ndarray:
        return self.values[field][q, self.keys.index(key)]


def bands(df: pd.DataFrame, key: str, fields: list[str], dates: pd.DatetimeIndex | None = None) -> Bands:
    """Quantile bands across ``rep`` of ``fields``, per value of column ``key`` and date."""
    keys_cat = pd.Categorical(df[key].astype(str))
    keys = [str(k) for k in keys_cat.categories]
    if dates is None:
        dates = pd.DatetimeIndex(np.sort(df["date"].unique()))
    t = dates.get_indexer(pd.to_datetime(df["date"]))
    reps, r = np.unique(df["rep"].to_numpy(), return_inverse=True)
    k = keys_cat.codes
    out: dict[str, np.ndarray] = {}
    for f in fields:
        cube = np.full((len(reps), len(keys), len(dates)), np.nan)
        cube[r, k, t] = df[f].to_numpy(dtype=float)
        if len(reps) == 1:
            out[f] = np.repeat(cube, len(QUANTILES), axis=0)
        else:
            with np.errstate(all="ignore"):
                out[f] = np.nanquantile(cube, QUANTILES, axis=0) if np.isnan(cube).any() \
                    else np.quantile(cube, QUANTILES, axis=0)
    return Bands(keys, dates, year_fraction(dates), out, len(reps))


@dataclass(frozen=True)
class ServiceData:
    """Per service: demand, capacity, unmet and waiting bands by zone, and the zones active."""

    service: str
    bands: Bands
    zones: list[str]


def service_data(series: pd.DataFrame, zone_order: list[str]) -> list[ServiceData]:
    """Bands of every service, zones in the scenario's order (services in the series' order)."""
    dates = pd.DatetimeIndex(np.sort(series["date"].unique()))
    fields = [f for f in ("demand", "capacity", "unmet", "waiting") if f in series.columns]
    out = []
    services = [str(s) for s in pd.unique(series["service"])]
    for service, g in series.groupby(series["service"].astype(str), sort=False, observed=True):
        b = bands(g, "zone", fields, dates)
        active = [z for z in b.keys if np.nanmax(np.nan_to_num(b.values["demand"][:, b.keys.index(z)]), initial=0) > 0
                  or np.nanmax(np.nan_to_num(b.values["capacity"][:, b.keys.index(z)]), initial=0) > 0]
        order = [z for z in zone_order if z in active] + [z for z in active if z not in zone_order]
        out.append(ServiceData(str(service), b, order))
    out.sort(key=lambda s: services.index(s.service))
    return out


def yearly_unmet(sd: ServiceData) -> tuple[list[int], np.ndarray]:
    """Years and the zone × year mean of the median unmet demand (zones as ``sd.zones``)."""
    years = pd.DatetimeIndex(sd.bands.dates).year.to_numpy()
    uniq = sorted(set(years.tolist()))
    med = np.nan_to_num(sd.bands.values["unmet"][MEDIAN])  # (keys, T)
    rows = [sd.bands.keys.index(z) for z in sd.zones]
    grid = np.zeros((len(rows), len(uniq)))
    for j, y in enumerate(uniq):
        grid[:, j] = med[rows][:, years == y].mean(axis=1)
    return uniq, grid


def yearly_share(sd: ServiceData) -> tuple[list[int], np.ndarray]:
    """Years and the zone × year unmet share of demand (medians, yearly means), 0-1."""
    years = pd.DatetimeIndex(sd.bands.dates).year.to_numpy()
    uniq = sorted(set(years.tolist()))
    rows = [sd.bands.keys.index(z) for z in sd.zones]
    unmet = np.nan_to_num(sd.bands.values["unmet"][MEDIAN][rows])
    demand = np.nan_to_num(sd.bands.values["demand"][MEDIAN][rows])
    share = np.zeros((len(rows), len(uniq)))
    for j, y in enumerate(uniq):
        d = demand[:, years == y].mean(axis=1)
        share[:, j] = np.divide(unmet[:, years == y].mean(axis=1), d, out=np.zeros_like(d), where=d > 0)
    return uniq, share


def openings(facilities: pd.DataFrame | None) -> pd.DataFrame:
    """Facilities' opening and capacity-increase dates: ``service, zone, facility, date, x, kind``.

    An opening is the first report date with capacity after the first report
    date (a facility open at the start is existing stock, not an opening); an
    increase is a later date whose median capacity exceeds the one before.
    Medians across replications, so a slipping opening shows at its median date.
    """
    cols = ["service", "zone", "facility", "date", "x", "kind"]
    if facilities is None or facilities.empty or "zone" not in facilities.columns:
        return pd.DataFrame(columns=cols)
    med = (facilities.groupby(["service", "zone", "facility", "date"], observed=True)["capacity"]
           .median().reset_index().sort_values(["facility", "service", "date"]))
    start = med["date"].min()
    prev = med.groupby(["facility", "service"], observed=True)["capacity"].shift(1).fillna(0.0)
    up = (med["capacity"] > prev + 1e-9) & (med["date"] > start)
    rows = med[up].copy()
    rows["kind"] = np.where(prev[up] <= 1e-9, "opens", "grows")
    rows["x"] = year_fraction(rows["date"])
    rows["service"] = rows["service"].astype(str)
    rows["zone"] = rows["zone"].astype(str)
    return rows[cols].reset_index(drop=True)


def population_bands(population: pd.DataFrame, zone_order: list[str]) -> tuple[Bands, list[str]]:
    """Residents per zone and in all zones (key ``all zones``) per date, across replications."""
    per = population.groupby(["rep", "date", "zone"], observed=True)["residents"].sum().reset_index()
    per["zone"] = per["zone"].astype(str)
    total = per.groupby(["rep", "date"], observed=True)["residents"].sum().reset_index().assign(zone="all zones")
    b = bands(pd.concat([per, total], ignore_index=True), "zone", ["residents"])
    order = ["all zones", *[z for z in zone_order if z in b.keys], *[z for z in b.keys if z not in zone_order and z != "all zones"]]
    return b, order


def pyramid_medians(pyramid: pd.DataFrame) -> tuple[list[pd.Timestamp], list[str], dict[tuple[pd.Timestamp, str], np.ndarray]]:
    """Dates, age groups (youngest first) and the median residents by (date, sex)."""
    med = pyramid.groupby(["date", "sex", "age_group"], observed=True, sort=False)["residents"].median()
    dates = sorted(pd.to_datetime(pyramid["date"]).unique())
    groups = list(dict.fromkeys(pyramid["age_group"].astype(str)))
    out = {}
    for d in dates:
        for sex in ("male", "female"):
            try:
                s = med.loc[(d, sex)]
            except KeyError:
                s = pd.Series(dtype=float)
            out[(pd.Timestamp(d), sex)] = s.reindex(groups).fillna(0.0).to_numpy(dtype=float)
    return [pd.Timestamp(d) for d in dates], groups, out
