"""Eldercare, health and service-circle series on the shipped Liaohe scenarios.

Doubling every eldercare bed (``liaohe_beds_doubled.yaml``) must shorten the
waiting list in every replication with the same seed, leave the population
untouched (common random numbers), and the base results must carry a series
for every one of these services wherever there is demand for it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.results import Results
from sim.engine.town import simulate
from sim.experiments.seeds import replication_seed
from sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SERVICES = ("eldercare_bed", "day_care", "senior_canteen", "family_doctor", "health_centre", "service_centre")
SEEDS = [replication_seed(20190424, r) for r in range(3)]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pairs() -> list[tuple[Results, Results]]:
    base = load_scenario(SCENARIOS / "liaohe_base.yaml")
    doubled = load_scenario(SCENARIOS / "liaohe_beds_doubled.yaml")
    return [(simulate(base, s), simulate(doubled, s)) for s in SEEDS]


def _series(r: Results, service: str, field: str) -> np.ndarray:
    return np.asarray(r.series[field][:, :, r.services.index(service)])


def test_doubled_beds_shorten_the_waiting_list_in_every_replication(pairs: list[tuple[Results, Results]]) -> None:
    for base, doubled in pairs:
        b = _series(base, "eldercare_bed", "waiting").sum(axis=1).mean()
        d = _series(doubled, "eldercare_bed", "waiting").sum(axis=1).mean()
        assert d < b, f"seed {base.seed}: time-averaged list {d:.1f} with doubled beds, {b:.1f} in the base"


def test_more_beds_leave_the_population_unchanged(pairs: list[tuple[Results, Results]]) -> None:
    for base, doubled in pairs:
        np.testing.assert_array_equal(base.residents, doubled.residents)
        np.testing.assert_array_equal(_series(base, "family_doctor", "demand"), _series(doubled, "family_doctor", "demand"))


def test_base_has_every_service_where_there_is_demand(pairs: list[tuple[Results, Results]]) -> None:
    base = pairs[0][0]
    residents = base.total_residents().astype(float)
    sc = load_scenario(SCENARIOS / "liaohe_base.yaml").services
    for service in SERVICES[:-1]:
        assert service in base.services
        demand, served, unmet = (_series(base, service, f) for f in ("demand", "served", "unmet"))
        np.testing.assert_allclose(served + unmet, demand, atol=1e-6)
        assert (served >= -1e-9).all() and (unmet >= -1e-9).all()
    # Every resident counts for health centres and service circles.
    np.testing.assert_array_equal(_series(base, "health_centre", "demand"), residents)
    # Service circles are coverage, not demand: no series rows, a coverage table whose
    # residents are every zone's residents.
    assert "service_centre" not in base.services
    cov = base.tables["coverage"]
    first = cov["date"] == base.dates[0]
    np.testing.assert_array_equal(cov["residents"][first & (cov["category"] == "all")], residents[0])
    # Canteen demand covers at least uptake x residents aged 80+, so every zone with
    # such residents has a canteen series with demand.
    old = base.residents[:, :, base.age_bands.index("80+")] * sc.senior_canteen.uptake
    assert (_series(base, "senior_canteen", "demand") >= old - 1e-9).all()
    # Beds, day care: every subdistrict (with its elders from the start) has demand.
    for service in ("eldercare_bed", "day_care", "family_doctor"):
        assert (_series(base, service, "demand")[:, 4:] > 0).any(axis=0).all()
    assert "bed_waits" in base.tables and "coverage" in base.tables


def test_no_facility_serves_more_than_its_capacity(pairs: list[tuple[Results, Results]]) -> None:
    for r in (pairs[0][0], pairs[0][1]):
        mine = [k for k, key in enumerate(r.facility_keys) if key.service in SERVICES]
        served = r.facility_series["served"][:, mine]
        assert (served <= r.facility_series["capacity"][:, mine] + 1e-9).all()
