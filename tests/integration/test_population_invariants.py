"""Invariants of the population: accounting, common random numbers, reproducibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine import Results, simulate
from sim.outputs.tables import population_table
from sim.scenario import load_scenario, set_path

SMALL = Path(__file__).resolve().parents[1] / "scenarios" / "small_town.yaml"


def accounting_gap(r: Results) -> np.ndarray:
    """initial + arrivals + births - deaths - departures - residents, per date and zone."""
    flows = {k: v.cumsum(axis=0) for k, v in r.events.items()}
    expected = r.initial + flows["arrivals"] + flows["births"] - flows["deaths"] - flows["departures"]
    return np.asarray(expected - r.total_residents())


@pytest.mark.parametrize("seed", range(8))
def test_every_resident_is_accounted_for_per_zone_and_in_total(seed: int) -> None:
    r = simulate(load_scenario(SMALL), seed)
    assert np.all(accounting_gap(r) == 0)
    assert np.all(accounting_gap(r).sum(axis=1) == 0)
    # Something happened in each flow, so the identity is not trivially true.
    for kind in ("arrivals", "births", "deaths", "departures"):
        assert r.events[kind].sum() > 0, kind


def test_resettlement_moves_village_households_rather_than_adding_them() -> None:
    s = load_scenario(SMALL)
    r = simulate(s, 3)
    village = r.zones.index("village")
    # Relocations leave the village as departures in the months after delivery.
    assert r.total_residents()[-1, village] < 0.85 * r.initial[village]


def test_a_facility_change_leaves_the_population_identical() -> None:
    s = load_scenario(SMALL)
    other = set_path(s, "facilities[core_kg].capacity.classes", 12)
    other = set_path(other, "facilities[village_home].capacity.units", 200)
    a, b = simulate(s, 5), simulate(other, 5)
    assert population_table([a]).equals(population_table([b]))
    for kind in a.events:
        assert np.array_equal(a.events[kind], b.events[kind])


def test_the_same_seed_gives_the_same_run_and_another_seed_a_different_one() -> None:
    s = load_scenario(SMALL)
    a, b, c = simulate(s, 9), simulate(s, 9), simulate(s, 10)
    assert np.array_equal(a.residents, b.residents)
    assert not np.array_equal(a.residents, c.residents)
