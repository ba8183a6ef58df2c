"""Nearest-first allocation, zone capacity and the family-doctor load, by hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.services.allocation import allocate, located_capacity
from sim.engine.services.eldercare import person_uniforms
from sim.engine.services.health import family_doctor_demand
from sim.scenario.model import ContractRates, FamilyDoctorPolicy


def test_nearest_pairs_are_served_first() -> None:
    # Zone 0 wants 30, zone 1 wants 50; facility 0 (40 places) is nearest to zone 1,
    # facility 1 (20 places) serves zone 0 only. Pairs in distance order:
    pairs = [(1, 0), (0, 1), (0, 0)]
    served = allocate(np.array([30.0, 50.0]), np.array([40.0, 20.0]), pairs)
    # zone 1 takes all 40 of facility 0; zone 0 takes 20 from facility 1, nothing left.
    np.testing.assert_array_equal(served, [[0.0, 40.0], [20.0, 0.0]])


def test_zone_capacity_is_the_capacity_located_in_the_zone() -> None:
    # Facilities of 90 and 10 places in zone 1 and one of 5 in zone 2; zone 0 has none,
    # whatever its residents use elsewhere.
    np.testing.assert_allclose(located_capacity(np.array([90.0, 5.0, 10.0]), [1, 2, 1], 3), [0.0, 100.0, 5.0])


class _Ages:
    def __init__(self, children: float, working: float, elderly: float) -> None:
        self.groups = {(0, 18): children, (18, 65): working, (65, None): elderly}

    def between(self, lo: float, hi: float | None) -> np.ndarray:
        return np.array([self.groups[(int(lo), None if hi is None else int(hi))]])


def test_family_doctor_load_by_hand() -> None:
    policy = FamilyDoctorPolicy(
        contract_rate=ContractRates(children=0.3, working_age=0.2, elderly=0.7), online_followup_share=0.4
    )
    ages = _Ages(children=1000, working=5000, elderly=2000)
    # Contracted: 0.3 x 1,000 + 0.2 x 5,000 + 0.7 x 2,000 = 2,700. Half of a contracted resident's in-person load is follow-up (the model's
    # ASSUMPTION), and 40 % of follow-ups move online: 2,700 x (1 - 0.4 x 0.5).
    assert family_doctor_demand(policy, ages)[0] == pytest.approx(2160.0)  # type: ignore[arg-type]


def test_person_draws_are_keyed_and_uniform() -> None:
    a = person_uniforms(7, 123456789, -20000.0)
    assert a == person_uniforms(7, 123456789, -20000.0)
    assert a != person_uniforms(8, 123456789, -20000.0)
    u = np.array([person_uniforms(1, k, -1.5 * k)[0] for k in range(20000)])
    # Mean of 20,000 uniforms: 1/2 within 3 SE (SE = sqrt(1/12 / 20,000)).
    assert abs(u.mean() - 0.5) < 3 * np.sqrt(1 / 12 / 20000)
