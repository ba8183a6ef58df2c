"""Pupils keep their school seats when their household is resettled to another zone.

A village of 200 households of four, half of them aged 7-9 (about 400 primary
pupils, every one with a seat at the village school, which has room), is
resettled on 31 March 2020 into a new zone with no school. Seats are kept
(docs/model.md §4: pupils keep their seat until they leave the stage or the town),
so on the first report after the move nobody lacks a seat; when a school opens
in the new zone the pupils move to it, as pupils placed outside their own
catchment do.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import simpy

from sim.engine import simulate
from sim.engine.households import Household, Person
from sim.engine.population import Population
from sim.engine.results import Results
from sim.engine.town import life_tables
from sim.scenario.model import Demography, Scenario

HOUSEHOLDS = 200


def resettled_village(new_zone_school: bool = False) -> Scenario:
    facilities: list[dict[str, object]] = [
        {"id": "village_primary", "service": "primary", "zone": "village", "capacity": {"classes": 20}},
    ]
    if new_zone_school:
        facilities.append({"id": "new_primary", "service": "primary", "zone": "newtown",
                           "capacity": {"classes": 20}, "opens": "2020-06-01"})
    return Scenario.model_validate({
        "name": "resettled",
        "horizon": {"start": "2019-10-01", "end": "2021-06-30"},
        "zones": [
            {"id": "village", "x_km": 0.0, "initial_population": {
                "residents": 4 * HOUSEHOLDS, "household_size": {4: 1.0},
                "age_shares": {"0-6": 0.0, "7-9": 0.5, "10-29": 0.0, "30-39": 0.5, "40-99": 0.0}}},
            {"id": "newtown", "x_km": 10.0},
        ],
        "demography": {"tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
                       "mortality": {"gompertz": {"a": 1e-9, "b": 0.01}, "infant": 0.0}},
        "household_profiles": {"resettlement": {
            "kind": "age_structure", "household_size": {4: 1.0},
            "age_shares": {"0-39": 1.0}, "occupancy": {"points": [[0.001, 1.0]]}}},
        "housing_defaults": {"relet_months": None},
        "variation": {"slippage": False, "occupancy": False},
        "housing": [{"id": "resettle", "zone": "newtown", "type": "resettlement", "relocates_from": "village",
                     "phases": [{"date": "2020-03-31", "units": HOUSEHOLDS}]}],
        "facilities": facilities,
    })


def primary(r: Results, field: str, d: dt.date, zone: str) -> float:
    return float(r.series[field][r.dates.index(d), r.zones.index(zone), r.services.index("primary")])


def held_at(r: Results, facility: str, d: dt.date) -> float:
    k = next(i for i, f in enumerate(r.facility_keys) if f.facility == facility and f.service == "primary")
    return float(r.facility_series["served"][r.dates.index(d), k])


@pytest.mark.parametrize("seed", [1, 2])
def test_resettled_pupils_keep_their_seats_on_the_move_date(seed: int) -> None:
    r = simulate(resettled_village(), seed)
    before, after = dt.date(2020, 3, 1), dt.date(2020, 4, 1)
    pupils = primary(r, "demand", before, "village")
    assert pupils > 300  # about 400: two of four members aged 7-9, on average
    assert primary(r, "unmet", before, "village") == 0.0
    # Every household moved on 31 March: the pupils live in the new zone now...
    assert r.households[r.dates.index(after)].tolist() == [0, HOUSEHOLDS]
    assert primary(r, "demand", after, "newtown") == pupils
    # ...and still sit at the village school: no unmet seat anywhere.
    assert primary(r, "unmet", after, "newtown") == pytest.approx(0.0, abs=1e-6)
    assert primary(r, "served", after, "newtown") == pytest.approx(pupils)
    assert held_at(r, "village_primary", after) == pytest.approx(pupils)
    # The seats are kept through the next intake (grades move up, nobody is lost
    # but the pupils who finished primary).
    sept = dt.date(2020, 9, 1)
    assert primary(r, "unmet", sept, "newtown") == pytest.approx(0.0, abs=1e-6)
    assert primary(r, "served", sept, "newtown") == pytest.approx(primary(r, "demand", sept, "newtown"))


def test_resettled_pupils_move_to_a_school_of_their_new_zone_when_it_opens() -> None:
    r = simulate(resettled_village(new_zone_school=True), 3)
    after, opened = dt.date(2020, 4, 1), dt.date(2020, 6, 1)
    assert held_at(r, "village_primary", after) == pytest.approx(primary(r, "demand", after, "newtown"))
    assert held_at(r, "new_primary", after) == 0.0
    # The new school has room for all of them: they go to their own zone's school.
    pupils = primary(r, "demand", opened, "newtown")
    assert held_at(r, "new_primary", opened) == pytest.approx(pupils)
    assert held_at(r, "village_primary", opened) == pytest.approx(0.0, abs=1e-6)
    assert np.isclose(primary(r, "unmet", opened, "newtown"), 0.0)


def test_movers_from_a_full_school_take_their_share_of_its_seats() -> None:
    # The village school has 225 seats for about 400 pupils; half the households
    # move. Each cohort's seats are shared in proportion between those who move
    # and those who stay, so the move neither frees nor loses a seat.
    s = resettled_village()
    doc = s.model_dump(mode="json")
    doc["facilities"][0]["capacity"] = {"classes": 5}
    doc["housing"][0]["phases"][0]["units"] = HOUSEHOLDS // 2
    r = simulate(Scenario.model_validate(doc), 4)
    before, after = dt.date(2020, 3, 1), dt.date(2020, 4, 1)
    assert held_at(r, "village_primary", before) == pytest.approx(225.0)
    moved = primary(r, "served", after, "newtown")
    assert primary(r, "served", after, "village") + moved == pytest.approx(225.0)
    assert 0.0 < moved < primary(r, "demand", after, "newtown")


def test_one_households_cohorts_are_counted_as_the_whole_town_table_counts_them() -> None:
    # The move handler reads one zone's cohorts and each mover's cohort without
    # the town-wide table; both must split residents exactly as cohort_table does.
    d = Demography.model_validate({"tfr": 0, "fertility_age_shares": {"20-29": 1.0},
                                   "mortality": {"gompertz": {"a": 1e-5, "b": 0.09}, "infant": 0.0}})
    pop = Population(simpy.Environment(), 2, 5000.0, life_tables(d))
    rng = np.random.default_rng(0)
    people = [Person(-rng.uniform(0, 8000), bool(rng.random() < 0.5), 1e9, 1e9, 0, 1e9) for _ in range(3000)]
    for i in range(0, 3000, 3):
        pop.settle(Household(i // 3 % 2, people[i:i + 3], 1e9, i, -1), initial=True)
    t, edges = 1234.5, [3.0 + k + 0.37 for k in range(16)]
    table, slots = pop.cohort_table(t, edges), pop.cohort_slots(t, edges)
    for z in range(2):
        assert pop.zone_cohorts(z, slots).tolist() == table[z].tolist()
    zone0 = [p for i in range(0, 3000, 6) for p in people[i:i + 3]]
    found = [k for k in pop.cohorts_of(zone0, slots) if k >= 0]
    assert np.bincount(found, minlength=15).tolist() == table[0].tolist()
