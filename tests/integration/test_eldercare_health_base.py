"""Eldercare, health and service-circle series on the shipped Liaohe scenarios.

Doubling every eldercare bed (``liaohe_beds_doubled.yaml``) must shorten the
waiting list in every replication with the same seed, leave the population
untouched (common random numbers), and the base results must carry a series
for every one of these services wherever there is demand for it. The horizon
is cut to 2019-2030 (the bed upgrades and the first waiting lists fall within
it) and two seeds are run: every claim is checked per seed, exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.engine.results import Results
from sim.engine.town import simulate
from sim.experiments.seeds import replication_seed
from sim.scenario import Scenario, load_scenario, set_path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SERVICES = ("eldercare_bed", "day_care", "senior_canteen", "family_doctor", "health_centre", "service_centre")
SEEDS = [replication_seed(20190424, r) for r in range(2)]
END = dt.date(2030, 12, 31)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pairs() -> list[tuple[Results, Results]]:
    # The calibrated base has beds to spare (≈ 53 % occupied in 2022); without the
    # zone's other institutional beds, the seed's beds alone have a waiting list.
    def seed_beds_only(name: str) -> Scenario:
        sc = set_path(load_scenario(SCENARIOS / name), "horizon.end", END)
        return set_path(sc, "facilities[other_institutional_beds].capacity.units", 0)

    base, doubled = seed_beds_only("liaohe_base.yaml"), seed_beds_only("liaohe_beds_doubled.yaml")
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
    # Family doctors, by hand: contract rates times residents aged 0-17, 18-64 and
    # 65+, times (1 - online share x 0.5, the follow-up fraction). The reporting
    # bands split 60-79 without telling 60-64 from 65-79: the demand lies between
    # that band counted at the lower and at the higher of the two rates.
    rate, f = sc.family_doctor.contract_rate, 1.0 - sc.family_doctor.online_followup_share * 0.5
    band = {b: base.residents[:, :, base.age_bands.index(b)].astype(float) for b in base.age_bands}
    known = rate.children * sum(band[b] for b in ("0-2", "3-5", "6-11", "12-14", "15-17")) \
        + rate.working_age * band["18-59"] + rate.elderly * band["80+"]
    lo, hi = sorted((rate.working_age, rate.elderly))
    doctors = _series(base, "family_doctor", "demand")
    assert (doctors >= f * (known + lo * band["60-79"]) - 1e-6).all()
    assert (doctors <= f * (known + hi * band["60-79"]) + 1e-6).all()
    # Beds and day care: only residents aged 60+ need care in the base (its care
    # rates start at 60), a bed seeker wants one bed and day care takes up a share.
    care = load_scenario(SCENARIOS / "liaohe_base.yaml").demography.care_needs
    assert care is not None
    assert min(int(k.split("-")[0]) for k in care.to_community_per_year) >= 60
    elders = band["60-79"] + band["80+"]
    assert (_series(base, "eldercare_bed", "demand") <= elders).all()
    assert (_series(base, "day_care", "demand") <= sc.day_care.uptake * elders + 1e-9).all()
    # Every subdistrict has its elders from the start: bed and day-care demand
    # there at every date, not only at some.
    for service in ("eldercare_bed", "day_care"):
        assert (_series(base, service, "demand")[:, 4:] > 0).all(), service
    assert "bed_waits" in base.tables and "coverage" in base.tables


def test_no_facility_serves_more_than_its_capacity(pairs: list[tuple[Results, Results]]) -> None:
    for r in (pairs[0][0], pairs[0][1]):
        mine = [k for k, key in enumerate(r.facility_keys) if key.service in SERVICES]
        served = r.facility_series["served"][:, mine]
        assert (served <= r.facility_series["capacity"][:, mine] + 1e-9).all()
