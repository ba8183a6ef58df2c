"""Result columns that mean what their names say.

* Zone rows: ``capacity_located`` is the capacity of facilities located in the
  zone, ``served_residents`` the zone's residents served anywhere — a zone
  with no school shows no capacity and its pupils served elsewhere;
  ``facilities.parquet`` keeps served <= capacity per facility.
* Housing: commuting and housed worker households are stocks at each date,
  with the flows apart (moved in - left = housed now).
* Service centres: coverage per category, never unmet demand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.engine.town import simulate
from sim.outputs.coverage import coverage_summary
from sim.outputs.run_folder import build_tables
from sim.scenario import load_scenario_text

TOWN = """
name: two_zones
horizon: {start: 2019-01-01, end: 2024-12-31}
report_every: quarter
seed: 8
zones:
  - id: a
    radius_km: 0.5
    initial_population: {residents: 3000, age_shares: {0-14: 0.2, 15-59: 0.6, 60-99: 0.2}}
  - id: b
    x_km: 3.0
    radius_km: 0.5
    initial_population: {residents: 2000, age_shares: {0-14: 0.2, 15-59: 0.6, 60-99: 0.2}}
demography:
  tfr: 1.3
  fertility_age_shares: {20-29: 0.6, 30-39: 0.4}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
  out_migration_per_year: 0.02
  care_needs:
    to_community_per_year: {60-110: 0.05}
    to_institutional_per_year: {60-110: 0.05}
facilities:
  - {id: school, service: primary, zone: a, catchment: [a, b], capacity: {classes: 12}}
  - {id: home, service: eldercare_bed, zone: a, catchment: [a, b], capacity: {units: 60}}
  - {id: centre, service: service_centre, zone: a, capacity: {units: 100000}, opens: 2020-01-01}
"""


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    sc = load_scenario_text(TOWN)
    return build_tables([simulate(sc, 1), simulate(sc, 2)], sc)


def test_zone_rows_name_located_capacity_and_residents_served(tables) -> None:  # type: ignore[no-untyped-def]
    s = tables.series
    assert {"capacity_located", "served_residents"} <= set(s.columns) and not {"capacity", "served"} & set(s.columns)
    np.testing.assert_allclose(s["served_residents"] + s["unmet"], s["demand"])
    for service, located in (("primary", 12 * 45.0), ("eldercare_bed", 60.0)):
        rows = s[s["service"] == service]
        b, a = rows[rows["zone"] == "b"], rows[rows["zone"] == "a"]
        assert (b["capacity_located"] == 0).all() and (b["served_residents"] > 0).any()  # served in zone a
        assert (a["capacity_located"] == located).all()
    f = tables.facilities
    assert (f["served"] <= f["capacity"] + 1e-9).all()


def test_service_circles_are_coverage_not_unmet_demand(tables) -> None:  # type: ignore[no-untyped-def]
    assert "service_centre" not in set(tables.series["service"])
    cov = tables.extra["coverage"]
    assert set(cov["category"]) == {"government", "convenience", "health", "culture_sports", "safety",
                                    "public_welfare", "all", "any"}
    summary = coverage_summary(cov).set_index(["zone", "category"])
    # Zone a's disc (0.5 km) lies wholly within the centre's 1 km walk; zone b, 3 km away, not at all.
    assert summary.loc[("a", "all"), "share_end_median"] == pytest.approx(1.0)
    assert summary.loc[("a", "all"), "share_start_median"] == 0.0  # the centre opens in 2020
    assert summary.loc[("b", "all"), "share_end_median"] == 0.0
    assert summary.loc[("a", "all"), "first_full_coverage_median"] == pd.Timestamp("2020-01-01")
    assert summary.loc[("b", "all"), "share_reps_full_coverage"] == 0.0
    end = cov[cov["date"] == cov["date"].max()]
    res = end[end["category"] == "all"].groupby(["rep", "zone"])["residents"].first().unstack()
    share_all = (res["a"] / (res["a"] + res["b"])).median()
    assert summary.loc[("all zones", "all"), "share_end_median"] == pytest.approx(share_all)
    assert summary.loc[("a", "all"), "residents_covered_end_median"] == pytest.approx(res["a"].median())


WORKERS = """
name: workers_stock
horizon: {start: 2019-01-01, end: 2026-12-31}
report_every: quarter
seed: 4
zones:
  - {id: park_zone}
demography:
  tfr: 1.1
  fertility_age_shares: {20-29: 0.6, 30-39: 0.4}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
  out_migration_per_year: 0.4
household_profiles:
  talent_apartment:
    kind: family
    head_age: {mean: 29, sd: 4, min: 22, max: 40}
    partner_share: 0.5
    children: {0: 1.0}
    occupancy: {points: [[1, 0.05]]}
housing:
  - {id: flats, zone: park_zone, type: talent_apartment, phases: [{date: 2019-01-01, units: 600}]}
housing_defaults: {relet_months: null}
enterprises:
  enabled: true
  parks: [{id: park, zone: park_zone, established_firms_per_year: 10}]
  established_firm: {initial_jobs_mean: 20, job_growth_per_year: 0.1, max_jobs: 200, failure_per_year: 0.05}
  workers: {jobs_per_household: 1.5, live_in_town_share: 1.0}
"""


def test_worker_households_are_stocks_with_flows_apart() -> None:
    r = simulate(load_scenario_text(WORKERS))
    w = r.tables["worker_households"]
    # Stocks held by live jobs: housed + commuting + elsewhere = floor(jobs / 1.5) now.
    jobs = r.tables["jobs"]["jobs"]
    tied = w["housed"] + w["commuting"] + w["living_elsewhere"]
    np.testing.assert_array_equal(tied, np.floor(jobs / 1.5 + 1e-9).astype(int))
    # 600 flats, 30 taken by ordinary tenants; 40 % of households leave a year and
    # nothing is re-let, so replacements commute: the housed stock falls at some
    # dates, which a running total never does.
    assert (np.diff(w["housed"]) < 0).any() and w["commuting"][-1] > 0
    # Flows are cumulative counts beside the stocks: they never fall.
    for flow in ("left_town_job_ended", "stayed_job_ended"):
        assert (np.diff(w[flow]) >= 0).all()
    k = r.services.index("housing")
    np.testing.assert_array_equal(r.series["served"][:, 0, k], w["housed"])
    np.testing.assert_array_equal(r.series["unmet"][:, 0, k], w["commuting"])
    np.testing.assert_array_equal(r.series["demand"][:, 0, k], w["housed"] + w["commuting"])
