"""Households arrive exactly when and where the occupancy arithmetic says.

With slippage and occupancy variation switched off, a phase of ``n`` units
delivered on its date has round(n x long-run share) units occupied, unit k
(k = 0, 1, …) moving in at the quantile (k + 1/2) / occupied of the occupancy
curve normalised by its long-run share. The expected counts below are computed
by hand from that rule, not by the engine.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.engine import simulate
from sim.scenario.model import Scenario

PAIR = {  # every household is a couple of 30-year-olds: 2 residents, no children
    "kind": "family", "head_age": {"mean": 30, "sd": 0, "min": 30, "max": 30},
    "partner_share": 1.0, "partner_age_gap_sd": 0.0, "children": {0: 1.0},
    "occupancy": {"points": [[1, 0.5], [2, 0.8]]},
}


def scenario(delay_months: float = 0.0) -> Scenario:
    return Scenario.model_validate({
        "name": "arrivals",
        "horizon": {"start": "2019-01-01", "end": "2025-12-31"},
        "report_every": "month",
        "zones": [{"id": "old"}, {"id": "new", "x_km": 2.0}],
        "demography": {  # nobody is born, dies or leaves in this horizon
            "tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
            "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0},
            "out_migration_per_year": 0.0,
        },
        "household_profiles": {"commodity": PAIR},
        "housing_defaults": {"delay_months": delay_months},
        "housing": [{"id": "estate", "zone": "new", "type": "commodity",
                     "phases": [{"date": "2020-01-01", "units": 100}, {"date": "2021-07-01", "units": 40}]}],
        "variation": {"slippage": False, "occupancy": False},
    })


def hand_count(planned: dt.date, delay_days: float, units: int, on: dt.date) -> int:
    """Households of one phase moved in by date ``on`` (hand arithmetic)."""
    occupied = round(units * 0.8)
    years = ((on - planned).days - delay_days) / 365.25
    if years < 0:
        return 0
    # Occupancy curve normalised by the long-run share 0.8: F(1) = 0.625, F(2) = 1.
    share = 0.625 * years if years <= 1 else min(0.625 + 0.375 * (years - 1), 1.0)
    # Unit k has moved in once (k + 1/2) / occupied <= share.
    return min(occupied, int(np.floor(share * occupied + 0.5)))


@pytest.mark.parametrize("delay_months", [0.0, 12.0])
def test_households_arrive_when_and_where_the_arithmetic_says(delay_months: float) -> None:
    r = simulate(scenario(delay_months))
    delay = delay_months * 365.25 / 12  # a month is a twelfth of 365.25 days
    for i, d in enumerate(r.dates):
        expected = hand_count(dt.date(2020, 1, 1), delay, 100, d) + hand_count(dt.date(2021, 7, 1), delay, 40, d)
        assert r.households[i, 1] == expected, d
        assert r.households[i, 0] == 0
        assert r.residents[i, 1].sum() == 2 * expected


def test_one_year_after_delivery_half_the_units_are_occupied() -> None:
    r = simulate(scenario())
    i = r.dates.index(dt.date(2021, 1, 1))  # 366 days after the first delivery
    assert r.households[i, 1] == 50  # 100 units x 50 % after one year
    j = r.dates.index(dt.date(2025, 1, 1))
    assert r.households[j, 1] == 80 + 32  # long run: 80 % of 100 and of 40


def test_occupied_units_are_rounded_to_the_nearest_unit() -> None:
    # 7 units at long-run 80 %: round(5.6) = 6 households, not 5.
    doc = scenario().model_dump()
    doc["housing"][0]["phases"] = [{"date": dt.date(2020, 1, 1), "units": 7}]
    r = simulate(Scenario.model_validate(doc))
    assert r.households[-1, 1] == 6


def test_a_fixed_slippage_delays_delivery_by_exactly_its_months() -> None:
    # 6 months = 6 x 365.25 / 12 = 182.625 days after 2020-01-01 (day 0.0 of the
    # phase): delivered on day 182.625, which falls on 2020-07-01 (182 days later).
    s = Scenario.model_validate(scenario().model_dump() | {
        "housing_defaults": {"slippage_months": {"distribution": "fixed", "mean": 6}},
        "variation": {"slippage": True, "occupancy": False}})
    d = simulate(s).tables["deliveries"]
    assert list(d["planned"]) == [dt.date(2020, 1, 1), dt.date(2021, 7, 1)]
    assert list(d["delivered"]) == [dt.date(2020, 7, 1), dt.date(2021, 12, 30)]
