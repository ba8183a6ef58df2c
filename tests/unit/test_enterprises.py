"""Enterprises in a replication: worker housing, factory space, tables, common random numbers.

Small scenarios (every number a test fixture) whose outcomes follow from hand
arithmetic: with no vacant dwelling every worker household commutes; with
ample talent apartments none does; units promised to scheduled move-ins are
not vacant; factory space is served as min(demand, capacity).
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


def _last(table: dict[str, np.ndarray], column: str) -> int:
    rows = table["date"] == table["date"][-1]
    return int(table[column][rows].sum())


def _wanting(r: Results) -> int:
    jobs = r.tables["jobs"]
    return math.floor(_last(jobs, "jobs_created_cumulative") / 1.5)  # live_in_town_share 1


def test_with_no_housing_every_worker_household_commutes() -> None:
    r = simulate(_scenario())
    w = r.tables["worker_households"]
    assert _last(w, "housed") == 0
    assert _last(w, "commuting") == _wanting(r) > 100
    k = r.services.index("housing")
    assert r.series["unmet"][-1, 0, k] == _wanting(r)
    assert r.households[-1].sum() == 0


def test_with_ample_talent_apartments_no_worker_household_commutes() -> None:
    talent = [dict(TALENT[0], occupancy={"points": [[1, 0.01]]}, phases=[{"date": "2019-01-01", "units": 20000}])]
    r = simulate(_scenario(housing=talent))
    w = r.tables["worker_households"]
    assert _last(w, "commuting") == 0
    assert _last(w, "housed") == _wanting(r) > 100


def test_units_promised_to_scheduled_move_ins_are_not_vacant() -> None:
    # 1,000 talent apartments delivered at the start; with occupancy variation off
    # exactly round(1,000 x 0.9) = 900 are promised to households moving in within a
    # year, so exactly 100 are vacant for worker households; nobody leaves (no
    # out-migration) and a dwelling emptied by deaths is promised to its re-let.
    r = simulate(_scenario(housing=TALENT, variation__occupancy=False))
    w = r.tables["worker_households"]
    assert _last(w, "housed") == 100
    assert _last(w, "commuting") == _wanting(r) - 100


def test_preferred_types_are_taken_in_order() -> None:
    commodity = {"id": "homes", "zone": "park_zone", "type": "commodity", "phases": [{"date": "2019-01-01", "units": 5000}]}
    sc = _scenario(housing=[*TALENT, commodity], variation__occupancy=False)
    talent_only = simulate(set_path(sc, "enterprises.workers.preferred_types", ["talent_apartment"]))
    both = simulate(sc)
    # Talent apartments first (100 vacant, as above), then 5,000 x 0.2 = 1,000 commodity.
    assert _last(talent_only.tables["worker_households"], "housed") == 100
    assert _last(both.tables["worker_households"], "housed") == min(_wanting(both), 1100)


def test_factory_space_serves_the_lesser_of_demand_and_capacity() -> None:
    r = simulate(_scenario())
    k = r.services.index("factory_space")
    jobs = r.tables["jobs"]["jobs"]
    demand = r.series["demand"][:, :, k]
    served = r.series["served"][:, :, k]
    np.testing.assert_array_equal(demand[:, 0], 40.0 * jobs)  # one park, 40 m² a job
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
    from sim.engine.services.workers import shift_clocks
    from sim.engine.streams import Stream, Streams
    from sim.engine.town import life_tables

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
            for clock in ("birth", "death", "next_birth", "next_care"):
                assert getattr(p, clock) == pytest.approx(getattr(q, clock))
