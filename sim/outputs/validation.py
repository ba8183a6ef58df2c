"""The validation table: each observed figure beside the simulation of the same quantity.

For every item of a scenario's ``observed:`` section
(:class:`~sim.scenario.model.Observation`) the simulated value is computed in
every replication, from the run's tables, exactly as the figure is defined:

* ``residents``, ``mean_household_size`` (residents / households),
  ``share_65_plus``: at the report date nearest the figure's date;
* ``crude_birth_rate_per_1000``, ``crude_death_rate_per_1000``: births (deaths)
  in the calendar year per 1,000 person-years lived in it (residents between
  report dates, trapezoid rule);
* ``first_grade_classes``: the classes needed to seat the first grade of a
  school's catchment at that year's intake, ``ceil(pupils / class size)``;
* ``bed_occupancy``: occupied over available eldercare beds located in the
  zone(s), at the date, or averaged over the report dates of the year.

``sim_median``, ``sim_low`` and ``sim_high`` are the median and the 5th and
95th percentiles across replications (the 90 % range in which a replication
falls, not an interval for the mean); ``inside`` says whether the observed
value lies in that range. With ``n`` replications a new replication falls
inside their range with probability (n - 1) / (n + 1), so the range is only
judged from ``MIN_REPLICATIONS`` replications on (10: 82 %); with fewer,
``inside`` is empty (not judged), never a verdict drawn from one or two runs.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sim.scenario.model import ALL_ZONES, Observation, Quantity, Scenario, Service
from sim.scenario.units import DAYS_PER_YEAR

COLUMNS = ["quantity", "zone", "date", "observed", "source", "used_for",
           "sim_median", "sim_low", "sim_high", "inside", "what"]
LOW, HIGH = 0.05, 0.95
MIN_REPLICATIONS = 10

PER_1000 = 1000.0


def validation_table(
    scenario: Scenario,
    population: pd.DataFrame,
    events: pd.DataFrame,
    facilities: pd.DataFrame,
    extra: dict[str, pd.DataFrame],
    min_replications: int = MIN_REPLICATIONS,
) -> pd.DataFrame:
    """One row per observed figure of ``scenario`` (see the module docstring).

    ``inside`` is ``None`` (not judged) where fewer than ``min_replications``
    replications give the figure.
    """
    rows = []
    for o in scenario.observed:
        values = simulated(o, scenario, population, events, facilities, extra).to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        med, lo, hi = (float(np.quantile(values, q)) if len(values) else math.nan for q in (0.5, LOW, HIGH))
        rows.append({
            "quantity": o.quantity.value,
            "zone": o.zone,
            "date": o.date.isoformat() if o.date is not None else str(o.year),
            "observed": o.value,
            "source": o.source,
            "used_for": o.used_for,
            "sim_median": med,
            "sim_low": lo,
            "sim_high": hi,
            "inside": bool(lo <= o.value <= hi) if len(values) >= max(min_replications, 1) else None,
            "what": describe(o),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def describe(o: Observation) -> str:
    """A short label of an observation for tables and figures."""
    when = o.date.isoformat() if o.date is not None else str(o.year)
    if o.quantity == Quantity.FIRST_GRADE_CLASSES:
        return f"{o.service} grade-1 classes, catchment of {o.facility}, {when}"
    where = "all zones" if o.zone == ALL_ZONES else o.zone
    return f"{o.quantity.value.replace('_', ' ')}, {where}, {when}"


def simulated(
    o: Observation,
    scenario: Scenario,
    population: pd.DataFrame,
    events: pd.DataFrame,
    facilities: pd.DataFrame,
    extra: dict[str, pd.DataFrame],
) -> pd.Series:
    """The simulated value of observation ``o`` per replication (indexed by rep)."""
    q = o.quantity
    if q in (Quantity.CRUDE_BIRTH_RATE_PER_1000, Quantity.CRUDE_DEATH_RATE_PER_1000):
        kind = "births" if q == Quantity.CRUDE_BIRTH_RATE_PER_1000 else "deaths"
        return crude_rate(_zones(population, o.zone), _zones(events, o.zone), kind, o.in_year)
    if q == Quantity.FIRST_GRADE_CLASSES:
        return first_grade_classes(o, scenario, extra.get("first_grades", pd.DataFrame()))
    if q == Quantity.BED_OCCUPANCY:
        return bed_occupancy(_zones(facilities, o.zone), o)
    residents = _at(_zones(population, o.zone), o.when).groupby("rep")["residents"].sum()
    if q == Quantity.RESIDENTS:
        return residents
    if q == Quantity.MEAN_HOUSEHOLD_SIZE:
        pop = _at(_zones(population, o.zone), o.when)
        households = pop.groupby(["rep", "zone"], observed=True)["households"].first().groupby("rep").sum()
        return residents / households
    older = _at(_zones(extra.get("residents_65_plus", pd.DataFrame()), o.zone), o.when)
    return older.groupby("rep")["residents_65_plus"].sum() / residents


def _zones(df: pd.DataFrame, zone: str) -> pd.DataFrame:
    return df if zone == ALL_ZONES or df.empty else df[df["zone"].astype(str) == zone]


def _at(df: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """Rows at the report date nearest ``when`` (the later of two equally near)."""
    if df.empty:
        return df
    dates = pd.to_datetime(pd.Series(df["date"].unique())).sort_values()
    gap = (dates - pd.Timestamp(when)).abs()
    nearest = dates[gap == gap.min()].max()
    return df[pd.to_datetime(df["date"]) == nearest]


def crude_rate(population: pd.DataFrame, events: pd.DataFrame, kind: str, year: int) -> pd.Series:
    """Births or deaths in ``year`` per 1,000 person-years, per replication.

    An interval between consecutive report dates counts when it lies within the
    year; its person-years are its length times the mean of the residents at
    its two ends.
    """
    res = population.groupby(["rep", "date"], observed=True)["residents"].sum().unstack("rep").sort_index()
    flow = events.groupby(["rep", "date"], observed=True)[kind].sum().unstack("rep").reindex(res.index)
    dates = pd.to_datetime(res.index)
    lo, hi = pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1)
    inside = (dates[1:] <= hi) & (dates[:-1] >= lo)
    years = ((dates[1:] - dates[:-1]).days.to_numpy(dtype=float) / DAYS_PER_YEAR)[inside]
    mid = ((res.iloc[1:].to_numpy() + res.iloc[:-1].to_numpy()) / 2.0)[inside]
    person_years = (mid * years[:, None]).sum(axis=0)
    count = flow.iloc[1:].to_numpy()[inside].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(person_years > 0, count / person_years * PER_1000, np.nan)
    return pd.Series(rate, index=res.columns)


def first_grade_classes(o: Observation, scenario: Scenario, grades: pd.DataFrame) -> pd.Series:
    """Classes needed for the first grade of the school's catchment at the year's intake."""
    if grades.empty:
        return pd.Series(dtype=float)
    f = scenario.facility(str(o.facility))
    service = Service(str(o.service))
    zones = set(f.catchment or [f.zone])
    dates = pd.to_datetime(grades["date"])
    rows = grades[(dates.dt.year == o.in_year) & (grades["service"] == service.value) & grades["zone"].isin(zones)]
    pupils = rows.groupby("rep")["pupils"].sum()
    size = f.capacity.class_size or _class_size(scenario, service)
    return np.ceil(pupils / size - 1e-9)


def _class_size(scenario: Scenario, service: Service) -> int:
    sv = scenario.services
    sizes = {Service.KINDERGARTEN: sv.kindergarten.class_size, Service.PRIMARY: sv.primary.class_size,
             Service.MIDDLE: sv.middle.class_size, Service.VOCATIONAL: sv.vocational.class_size}
    return sizes[service]


def bed_occupancy(facilities: pd.DataFrame, o: Observation) -> pd.Series:
    """Occupied over available beds (of the zone, or all), at a date or over a year."""
    beds = facilities[facilities["service"].astype(str) == Service.ELDERCARE_BED.value] if len(facilities) else facilities
    if beds.empty:
        return pd.Series(dtype=float)
    beds = _at(beds, o.date) if o.date is not None else beds[pd.to_datetime(beds["date"]).dt.year == o.in_year]
    totals = beds.groupby("rep")[["served", "capacity"]].sum()
    return totals["served"] / totals["capacity"].where(totals["capacity"] > 0)
