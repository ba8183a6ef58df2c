"""Enterprises in a replication: worker housing, factory space, tables, common random numbers.

Small scenarios (every number a test fixture) whose outcomes follow from hand
arithmetic: a park's live jobs hold floor(jobs / 1.5) worker households at
every date; with no dwelling on the market every one of them commutes; with
ample talent apartments none does; units promised to scheduled move-ins are
not on the market, nor is the off-market share of empty commodity flats;
factory space is served as min(demand, capacity).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.results import Results
from sim.engine.town import simulate
from sim.scenario import HousingType, Scenario, load_scenario_text, set_path

BASE = """
name: firms_test
horizon: {start: 2019-01-01, end: 2026-12-31}
report_every: quarter
seed: 3
zones:
  - {id: park_zone, x_km: 0.0, y_km: 0.0}
  - {id: home_zone, x_km: 2.0, y_km: 0.0}
demography:
  tfr: 1.1
  fertility_age_shares: {20-29: 0.6, 30-39: 0.4}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
  out_migration_per_year: 0.0
household_profiles:
  talent_apartment:
    kind: family
    head_age: {mean: 29, sd: 4, min: 22, max: 40}
    partner_share: 0.5
    children: {0: 0.5, 1: 0.5}
    occupancy: {points: [[1, 0.9]]}
  commodity:
    kind: family
    head_age: {mean: 32, sd: 5, min: 22, max: 50}
    partner_share: 0.9
    children: {0: 0.3, 1: 0.5, 2: 0.2}
    occupancy: {points: [[1, 0.5], [2, 0.8]]}
housing: []
facilities:
  - {id: kg, service: kindergarten, zone: home_zone, capacity: {classes: 2}, opens: 2021-09-01}
  - id: factories
    service: factory_space
    zone: park_zone
    catchment: [park_zone, home_zone]
    capacity: {units: 20000}
    opens: 2020-01-01
    capacity_changes: [{date: 2023-01-01, units: 60000}]
enterprises:
  enabled: true
  parks: [{id: park, zone: park_zone, established_firms_per_year: 12}]
  incubator: {park: park, screened_per_year: 100}
  established_firm: {initial_jobs_mean: 20, job_growth_per_year: 0.1, max_jobs: 200, failure_per_year: 0.05, m2_per_job: 40}
  workers: {jobs_per_household: 1.5, live_in_town_share: 1.0}
"""

TALENT = [
    {
        "id": "talent",
        "zone": "home_zone",
        "type": "talent_apartment",
        "phases": [{"date": "2019-01-01", "units": 1000}],
    }
]


def _scenario(**paths: object) -> Scenario:
    sc = load_scenario_text(BASE, "firms_test")
    for path, value in paths.items():
        sc = set_path(sc, path.replace("__", "."), value)
    return sc


NO_DEATHS = {"demography__mortality__gompertz__a": 1e-12, "demography__mortality__infant": 0.0}
"""Nobody dies and (out_migration 0) nobody leaves: no dwelling frees but those of worker households."""


def _per_date(table: dict[str, np.ndarray], column: str) -> np.ndarray:
    """``column`` summed over rows of each date, in date order."""
    dates = sorted(set(table["date"].tolist()))
    return np.array([int(table[column][table["date"] == d].sum()) for d in dates])


def _held(r: Results) -> np.ndarray:
    """Worker households the live jobs hold at each date: floor(jobs / 1.5) (one park, all want the town)."""
    return np.floor(_per_date(r.tables["jobs"], "jobs") / 1.5 + 1e-9).astype(int)


def test_with_no_housing_every_worker_household_commutes() -> None:
    r = simulate(_scenario())
    w = r.tables["worker_households"]
    assert (_per_date(w, "housed") == 0).all()
    np.testing.assert_array_equal(_per_date(w, "commuting"), _held(r))
    assert _held(r)[-1] > 100
    k = r.services.index("housing")
    np.testing.assert_array_equal(r.series["unmet"][:, 0, k], _held(r))
    assert r.households[-1].sum() == 0


def test_with_ample_talent_apartments_no_worker_household_commutes() -> None:
    talent = [dict(TALENT[0], occupancy={"points": [[1, 0.01]]}, phases=[{"date": "2019-01-01", "units": 20000}])]
    r = simulate(_scenario(housing=talent, **NO_DEATHS))
    w = r.tables["worker_households"]
    assert (_per_date(w, "commuting") == 0).all()
    np.testing.assert_array_equal(_per_date(w, "housed"), _held(r))
    assert _held(r)[-1] > 100


def test_units_promised_to_scheduled_move_ins_are_not_on_the_market() -> None:
    # 1,000 talent apartments delivered at the start; with occupancy variation off
    # exactly round(1,000 x 0.9) = 900 are promised to households moving in within a
    # year, so exactly 100 are on the market for worker households. Nobody dies or
    # leaves on their own, so the only dwellings that free are these 100 again.
    r = simulate(_scenario(housing=TALENT, variation__occupancy=False, **NO_DEATHS))
    w = r.tables["worker_households"]
    housed = _per_date(w, "housed")
    assert housed.max() == 100
    np.testing.assert_array_equal(_per_date(w, "commuting"), _held(r) - housed)


def test_preferred_types_are_taken_in_order_and_empty_flats_off_the_market_stay_empty() -> None:
    commodity = {"id": "homes", "zone": "park_zone", "type": "commodity", "phases": [{"date": "2019-01-01", "units": 5000}]}
    sc = _scenario(housing=[*TALENT, commodity], variation__occupancy=False, **NO_DEATHS)
    talent_only = simulate(set_path(sc, "enterprises.workers.preferred_types", ["talent_apartment"]))
    both = simulate(sc)
    # Talent apartments first (100 on the market, as above), then the on-market share
    # 0.2 (the default) of the 5,000 x (1 - 0.8) = 1,000 commodity flats left empty:
    # 200. A worker household whose job ends and who stays keeps its dwelling, so
    # the housed count may later fall below what was taken; the dwellings may not.
    assert _per_date(talent_only.tables["worker_households"], "housed").max() == 100
    assert _per_date(both.tables["worker_households"], "housed").max() <= 300
    d = both.tables["dwellings"]
    talent, homes = d["type"] == "talent_apartment", d["type"] == "commodity"
    assert d["occupied"][talent].max() == 900 + 100
    assert d["occupied"][homes].max() == 4000 + 200  # 800 empty flats stay empty
    only = talent_only.tables["dwellings"]
    assert only["occupied"][only["type"] == "commodity"].max() == 4000


def test_live_jobs_hold_their_worker_households_at_every_date() -> None:
    # Half of the new worker households want the town; firms fail and shrink, so
    # ties end. At every date housed + commuting + elsewhere = floor(live jobs / 1.5).
    r = simulate(_scenario(housing=TALENT, enterprises__workers__live_in_town_share=0.5), 4)
    w = r.tables["worker_households"]
    tied = _per_date(w, "housed") + _per_date(w, "commuting") + _per_date(w, "living_elsewhere")
    np.testing.assert_array_equal(tied, np.floor(_per_date(r.tables["jobs"], "jobs") / 1.5 + 1e-9))
    assert (_per_date(r.tables["jobs"], "jobs_lost_cumulative") > 0).any()


def test_a_household_whose_job_ends_leaves_town_with_the_scenario_probability() -> None:
    # Each housed household whose job ends leaves with probability 0.3 (a Bernoulli
    # draw): over n endings the share leaving has SE sqrt(0.3 x 0.7 / n).
    talent = [dict(TALENT[0], occupancy={"points": [[1, 0.01]]}, phases=[{"date": "2019-01-01", "units": 20000}])]
    sc = _scenario(housing=talent, enterprises__workers__leave_town_when_job_ends=0.3)
    left = stayed = 0
    for seed in range(3):
        w = simulate(sc, seed).tables["worker_households"]
        left += _per_date(w, "left_town_job_ended")[-1]
        stayed += _per_date(w, "stayed_job_ended")[-1]
    n = left + stayed
    assert n > 200
    assert abs(left / n - 0.3) <= 3 * math.sqrt(0.3 * 0.7 / n)


def test_commuters_take_dwellings_that_come_on_the_market_within_one_retry_interval() -> None:
    # No dwelling until 1,000 talent apartments are delivered on 2022-01-01; with
    # occupancy variation off round(1,000 x 0.01) = 10 are let to their own
    # households and 990 are on the market. Commuters look again every 3 months,
    # so by the first quarterly report at least 3 months after delivery
    # (2022-07-01) every commuter has a dwelling, as long as they number <= 990.
    late = [dict(TALENT[0], occupancy={"points": [[1, 0.01]]}, phases=[{"date": "2022-01-01", "units": 1000}])]
    r = simulate(_scenario(housing=late, variation__occupancy=False, **NO_DEATHS))
    w = r.tables["worker_households"]
    dates = sorted(set(w["date"].tolist()))
    before = [i for i, d in enumerate(dates) if d < np.datetime64("2022-01-01")]
    commuting, housed = _per_date(w, "commuting"), _per_date(w, "housed")
    assert (housed[before] == 0).all() and commuting[before][-1] > 0
    i = dates.index(np.datetime64("2022-07-01").astype(object))
    assert _held(r)[i] <= 990
    assert commuting[i] == 0 and housed[i] == _held(r)[i]


def test_factory_space_serves_the_lesser_of_demand_and_capacity() -> None:
    r = simulate(_scenario())
    k = r.services.index("factory_space")
    jobs = r.tables["jobs"]["jobs"]
    demand = r.series["demand"][:, :, k]
    served = r.series["served"][:, :, k]
    # One park; its firms founded once the factories are open (2020-01-01) rent them.
    np.testing.assert_array_equal(demand[:, 0], r.tables["jobs"]["standard_space_m2"])
    assert (demand[np.array(r.dates) < np.datetime64("2020-01-01")] == 0).all()
    assert (demand[:, 0] <= 40.0 * jobs).all() and demand[-1, 0] > 0
    capacity = np.where(np.array(r.dates) >= np.datetime64("2023-01-01"), 60000.0, 20000.0)
    capacity[np.array(r.dates) < np.datetime64("2020-01-01")] = 0.0
    np.testing.assert_array_equal(served.sum(axis=1), np.minimum(demand.sum(axis=1), capacity))
    np.testing.assert_array_equal(r.series["unmet"][:, :, k].sum(axis=1), demand.sum(axis=1) - served.sum(axis=1))
    column = [key.facility for key in r.facility_keys].index("factories")
    np.testing.assert_array_equal(r.facility_series["capacity"][:, column], capacity)
    np.testing.assert_array_equal(r.facility_series["served"][:, column], served.sum(axis=1))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tables_conserve_jobs_and_the_incubator_pays_each_grant(seed: int) -> None:
    r = simulate(_scenario(), seed)
    j = r.tables["jobs"]
    np.testing.assert_array_equal(j["jobs"], j["jobs_created_cumulative"] - j["jobs_lost_cumulative"])
    assert (np.diff(j["enterprises_failed_cumulative"]) >= 0).all() and j["enterprises_failed_cumulative"][-1] > 0
    inc = r.tables["incubator"]
    np.testing.assert_array_equal(inc["grants_yuan"], 200_000.0 * inc["incubated"])
    assert (inc["financed"] <= inc["incubated"]).all() and (inc["incubated"] <= inc["screened"]).all()
    for name in ("jobs", "incubator", "worker_households"):
        assert len({len(column) for column in r.tables[name].values()}) == 1


def test_changing_a_school_changes_nothing_in_the_enterprises() -> None:
    sc = _scenario(housing=TALENT)
    a = simulate(sc)
    b = simulate(set_path(set_path(sc, "facilities[kg].opens", "2024-09-01"), "facilities[kg].capacity.classes", 9))
    for name in ("jobs", "incubator", "worker_households"):
        for col, values in a.tables[name].items():
            np.testing.assert_array_equal(values, b.tables[name][col])
    np.testing.assert_array_equal(a.households, b.households)
    np.testing.assert_array_equal(a.residents, b.residents)


def test_disabled_enterprises_run_nothing() -> None:
    r = simulate(_scenario(enterprises__enabled=False))
    assert "factory_space" not in r.services and "housing" not in r.services
    assert not {"jobs", "incubator", "worker_households"} & set(r.tables)


def test_plot_jobs_draws_one_line_per_park_and_two_stacked_areas() -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    from sim.outputs.plot_jobs import plot_jobs

    r = simulate(_scenario())
    fig = plot_jobs(pd.DataFrame(r.tables["jobs"]), pd.DataFrame(r.tables["worker_households"]), title="test")
    left, right = fig.axes
    assert len(left.lines) == 1  # one park
    assert len(right.collections) == 2  # housed, commuting
    plt.close(fig)


def test_a_household_composed_at_zero_and_shifted_equals_one_composed_at_its_arrival() -> None:
    from sim.engine.housing import Stock, composer, make_households
    from sim.engine.streams import Stream, Streams
    from sim.engine.town import life_tables
    from sim.engine.workers import shift_clocks

    sc = _scenario()
    life = life_tables(sc.demography)
    cols, compose = composer(sc.household_profiles[HousingType.COMMODITY], life.female_share_at_birth)
    stock = Stock(0, 0, 0, cols, compose)
    t = 1234.5
    at_t = make_households(stock, np.full(4, t), Streams(9).generator(Stream.WORKERS, 0, 0, 0), life)
    at_0 = make_households(stock, np.zeros(4), Streams(9).generator(Stream.WORKERS, 0, 0, 0), life)
    for a, b in zip(at_t, at_0, strict=True):
        shift_clocks(b, t)
        assert a.depart == pytest.approx(b.depart) and a.key == b.key
        for p, q in zip(a.members, b.members, strict=True):
            for clock in ("birth", "death", "next_birth", "next_care", "leave_home"):
                assert getattr(p, clock) == pytest.approx(getattr(q, clock))
