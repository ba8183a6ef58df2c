"""A facility's capacity in its service's unit, before and after its capacity changes.

Hand arithmetic on the scenario's numbers: a school's seats are classes times
its own ``class_size`` (else the stage's), before and after every capacity
change; beds and places are ``units``; family-doctor teams are teams times the
panel size. A town without residents, so only the facilities' schedules run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from sim.engine.town import simulate
from sim.scenario.model import Scenario

CHANGE = dt.date(2020, 1, 1)


def town(facilities: list[dict[str, Any]]) -> Scenario:
    return Scenario.model_validate({
        "name": "capacity",
        "horizon": {"start": "2019-01-01", "end": "2020-12-31"},
        "report_every": "quarter",
        "zones": [{"id": "a"}],
        "demography": {"tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
                       "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0}},
        "facilities": facilities,
        "services": {"primary": {"class_size": 45}, "kindergarten": {"class_size": 25},
                     "family_doctor": {"contract_rate": {"children": 0.3, "working_age": 0.3, "elderly": 0.7},
                                       "panel_size": 1500}},
    })


def capacity_of(facility: dict[str, Any], before: float, after: float) -> None:
    r = simulate(town([facility]))
    k = [key.facility for key in r.facility_keys].index(facility["id"])
    cap = r.facility_series["capacity"][:, k]
    expected = np.where(np.array(r.dates) >= CHANGE, after, before)
    np.testing.assert_array_equal(cap, expected)


def test_a_school_with_its_own_class_size_keeps_it_after_a_capacity_change() -> None:
    # 2 classes of 40 = 80 seats; from 2020 on 3 classes of 40 = 120 (not 3 x 45).
    school = {"id": "p", "service": "primary", "zone": "a", "capacity": {"classes": 2, "class_size": 40},
              "capacity_changes": [{"date": CHANGE.isoformat(), "classes": 3}]}
    capacity_of(school, 80.0, 120.0)


def test_a_school_without_a_class_size_uses_the_stage_class_size_throughout() -> None:
    kg = {"id": "k", "service": "kindergarten", "zone": "a", "capacity": {"classes": 4},
          "capacity_changes": [{"date": CHANGE.isoformat(), "classes": 6}]}
    capacity_of(kg, 4 * 25.0, 6 * 25.0)


@pytest.mark.parametrize(("capacity", "change", "before", "after"), [
    ({"units": 60}, {"units": 150}, 60.0, 150.0),
    ({"teams": 2, "panel_size": 1000}, {"teams": 5}, 2000.0, 5000.0),
    ({"teams": 2}, {"teams": 5}, 2 * 1500.0, 5 * 1500.0),
])
def test_units_and_teams_before_and_after_a_change(
    capacity: dict[str, Any], change: dict[str, Any], before: float, after: float
) -> None:
    service = "family_doctor" if "teams" in capacity else "eldercare_bed"
    facility = {"id": "f", "service": service, "zone": "a", "capacity": capacity,
                "capacity_changes": [dict(change, date=CHANGE.isoformat())]}
    capacity_of(facility, before, after)
