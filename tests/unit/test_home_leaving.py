"""Young adults leave home: out of town, into a dwelling of their own, or not at all.

A small town (every number a test fixture): an old zone whose households have
children, and a new zone 3 km away with 20,000 talent apartments that no
household of their own profile takes (long-run occupancy 0) and that are all on
the market. Each young adult who reaches their leaving age makes one
categorical choice with the scenario's shares (0.3 leave town, 0.5 a household
of their own, 0.2 stay), so over n choices each share is binomial with standard
error sqrt(p (1 - p) / n); the dwellings are never short, so nobody who chose a
household of their own is turned away.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine import simulate
from sim.engine.results import Results
from sim.scenario import ScenarioError, set_path
from sim.scenario.model import Scenario

SHARES = {"left_town": 0.3, "own_household": 0.5, "stayed_home": 0.2}


def town(apartments: int = 20000, **extra: object) -> Scenario:
    sc = Scenario.model_validate({
        "name": "home_leaving",
        "horizon": {"start": "2019-01-01", "end": "2028-12-31"},
        "report_every": "quarter",
        "zones": [
            {"id": "old", "initial_population": {
                "residents": 20000, "age_shares": {"0-17": 0.4, "18-59": 0.5, "60-89": 0.1},
                "household_size": {3: 0.5, 4: 0.5}}},
            {"id": "new", "x_km": 3.0},
        ],
        "demography": {
            "tfr": 1.1, "fertility_age_shares": {"20-24": 0.3, "25-29": 0.4, "30-34": 0.3},
            "mortality": {"gompertz": {"a": 4.0e-5, "b": 0.09}, "infant": 0.005},
            "out_migration_per_year": 0.0,
            "home_leaving": {
                "age_years": {"mean": 20, "sd": 1, "min": 18, "max": 22},
                "leave_town_share": 0.3, "own_household_share": 0.5,
                "housing_types": ["talent_apartment"],
            },
        },
        "household_profiles": {"talent_apartment": {
            "kind": "family", "head_age": {"mean": 29, "sd": 4, "min": 22, "max": 40},
            "partner_share": 0.25, "children": {0: 1.0}, "occupancy": {"points": [[1, 0.0]]}}},
        "housing": [{"id": "flats", "zone": "new", "type": "talent_apartment",
                     "phases": [{"date": "2019-01-01", "units": apartments}]}] if apartments else [],
    })
    for path, value in extra.items():
        sc = set_path(sc, path, value)
    return sc


def final_counts(r: Results) -> dict[str, int]:
    t = r.tables["home_leaving"]
    last = t["date"] == t["date"][-1]
    return {c: int(t[c][last].sum()) for c in (*SHARES, "waiting")}


def test_each_young_adult_chooses_with_the_scenario_shares() -> None:
    counts = final_counts(simulate(town(), 1))
    assert counts.pop("waiting") == 0  # dwellings are never short
    n = sum(counts.values())
    assert n > 1000
    for column, p in SHARES.items():
        assert abs(counts[column] / n - p) <= 3 * math.sqrt(p * (1 - p) / n), column


def test_young_adults_who_move_out_live_and_have_their_children_in_the_new_zone() -> None:
    r = simulate(town(**{"housing_defaults.relet_months": None}), 2)  # nobody else moves in
    new = r.zones.index("new")
    t = r.tables["home_leaving"]
    moved_in = t["own_household"][t["zone"] == "new"]  # cumulative, per date
    assert moved_in[-1] > 1000
    # The new zone's only residents are the young adults who moved there and the
    # children born to them: residents = moved in + births - deaths, at every date.
    births, deaths = r.events["births"][:, new].cumsum(), r.events["deaths"][:, new].cumsum()
    np.testing.assert_array_equal(r.total_residents()[:, new], moved_in + births - deaths)
    assert births[-1] > 0
    # Adults arrive aged 18-22 within the 10 years; their children are under 10:
    # nobody there is aged 12-17 or 60+ (reporting bands 12-14, 15-17, 60-79, 80+).
    assert r.residents[:, new, 3:5].sum() == 0 and r.residents[:, new, 6:].sum() == 0


def test_without_a_dwelling_on_the_market_nobody_forms_a_household() -> None:
    with_flats, without = simulate(town(), 3), simulate(town(apartments=0), 3)
    counts = final_counts(without)
    assert counts["own_household"] == 0
    assert counts["waiting"] > 0  # those still young enough wait at home on the market's list
    assert final_counts(with_flats)["own_household"] > 1000
    # Those who wanted a home of their own stay with their parents instead: the old
    # zone keeps more households' members (fewer households formed, same leavers).
    old = with_flats.zones.index("old")
    assert without.total_residents()[-1, old] > with_flats.total_residents()[-1, old]


def test_every_resident_is_accounted_for_with_home_leaving_and_worker_households() -> None:
    sc = town(**{"enterprises.parks": [{"id": "park", "zone": "new", "established_firms_per_year": 10}],
                 "enterprises.workers.live_in_town_share": 0.6,
                 "demography.out_migration_per_year": 0.03})
    r = simulate(sc, 4)
    flows = {k: v.cumsum(axis=0) for k, v in r.events.items()}
    expected = r.initial + flows["arrivals"] + flows["births"] - flows["deaths"] - flows["departures"]
    np.testing.assert_array_equal(expected, r.total_residents())
    w = r.tables["worker_households"]
    assert w["housed"].max() > 0 and final_counts(r)["own_household"] > 0


def test_leaving_home_before_18_is_refused() -> None:
    with pytest.raises(ScenarioError, match="demography.home_leaving: age_years.min must be at least 18"):
        town(**{"demography.home_leaving.age_years": {"min": 16, "mean": 20, "max": 25}})


def test_a_facility_change_leaves_leavers_and_worker_households_identical() -> None:
    # Common random numbers: the market, the young adults and the worker households
    # draw nothing a facility could move.
    parks = [{"id": "park", "zone": "new", "established_firms_per_year": 10}]
    kg = {"id": "kg", "service": "kindergarten", "zone": "old", "capacity": {"classes": 4}}
    a = simulate(town(**{"enterprises.parks": parks, "facilities": [kg]}), 5)
    b = simulate(town(**{"enterprises.parks": parks, "facilities": [dict(kg, capacity={"classes": 40})]}), 5)
    np.testing.assert_array_equal(a.residents, b.residents)
    np.testing.assert_array_equal(a.households, b.households)
    for name in ("home_leaving", "worker_households", "dwellings"):
        for column, values in a.tables[name].items():
            np.testing.assert_array_equal(values, b.tables[name][column])
