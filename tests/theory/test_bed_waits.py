"""Bed waits are complete: every join has an outcome, and re-seeking follows its rate.

- The Kaplan-Meier quantiles of the wait against a hand calculation.
- A scripted queue: each join is recorded once, with the outcome that ended it.
- A town where elders are admitted, die waiting, leave town waiting and are
  still waiting at the end: the ``bed_waits`` table accounts for every join.
- Discharge and re-seeking with plenty of beds make each elder a two-state
  Markov chain (in a bed, at home) with rates delta (discharge) and rho (seek
  again); an elder admitted at time 0 is in a bed at t with probability
  rho / (delta + rho) + delta / (delta + rho) * exp(-(delta + rho) t). Elders'
  draws are keyed to each of them, so the number in a bed among N is
  Binomial(N, p(t)): the tolerance is 3 binomial standard errors.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import simpy

from sim.engine import simulate
from sim.engine.services.bed_waits import km_quantiles
from sim.engine.services.beds import ADMITTED, DIED, LEFT, BedQueue, Stay
from sim.scenario.model import Scenario


def test_km_quantiles_match_a_hand_calculation() -> None:
    # Waits 0, 2, 3, 3+, 5+, 8 (+: censored). Admissions: at 0 S = 5/6; at 2
    # S = 5/6 * 4/5 = 4/6; at 3 (the admission before the tied censoring)
    # S = 4/6 * 3/4 = 1/2; at 8 (one at risk) S = 0. Median 3; 90 % by day 8.
    days = np.array([3.0, 0.0, 8.0, 5.0, 3.0, 2.0])
    admitted = np.array([False, True, True, False, True, True])
    assert km_quantiles(days, admitted, (0.25, 0.5, 0.9)) == [2.0, 3.0, 8.0]
    # Without the last admission the curve stops at 1/2: no 90th percentile.
    admitted[2] = False
    median, p90 = km_quantiles(days, admitted, (0.5, 0.9))
    assert median == 3.0 and math.isnan(p90)


def test_queue_records_each_join_once_with_its_outcome() -> None:
    env = simpy.Environment()
    q = BedQueue(env, 1, [[0]], [[0]])
    q.set_capacity(0, 1)
    stays = [Stay(0, 1.0) for _ in range(5)]
    for s in stays:
        q.join(s)  # the first takes the bed; four wait
    env.run(until=10.0)
    q.leave(stays[1], DIED)
    q.leave(stays[2], LEFT)
    q.leave(stays[0], DIED)  # dies in the bed: the bed goes to stays[3], waited 10 days
    q.leave(stays[0], DIED)  # a second call changes nothing
    outcomes = sorted((o, ended - joined) for _, joined, ended, o, _ in q.outcomes)
    assert outcomes == [(ADMITTED, 0.0), (ADMITTED, 10.0), (DIED, 10.0), (LEFT, 10.0)]
    assert q.still_waiting() == [stays[4]]
    assert q.joins == len(q.outcomes) + len(q.still_waiting())


def elder_town(**beds: object) -> dict[str, object]:
    """Single elders aged 80-89, all needing institutional care at the start, and seeking a bed."""
    return {
        "name": "beds",
        "horizon": {"start": "2019-01-01", "end": "2022-01-01"},
        "zones": [{"id": "town", "initial_population": {
            "residents": 2000, "age_shares": {"0-79": 0.0, "80-89": 1.0}, "household_size": {1: 1.0}}}],
        "demography": {
            "tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
            "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0},
            "care_needs": {"to_community_per_year": {"0-110": 10.0}, "to_institutional_per_year": {"0-110": 10.0}},
        },
        "housing_defaults": {"relet_months": None},
        "facilities": [{"id": "home", "service": "eldercare_bed", "zone": "town", "capacity": {"units": 3000}}],
        "services": {"eldercare_bed": {"institutional_share": 1.0, **beds}},
    }


def test_wait_table_accounts_for_every_join() -> None:
    doc = elder_town(discharge_per_year=1.0, reseek_per_year=2.0)
    demography = doc["demography"]
    assert isinstance(demography, dict)
    demography["mortality"] = {"gompertz": {"a": 4e-5, "b": 0.09}, "infant": 0.005}
    demography["out_migration_per_year"] = 0.3
    doc["facilities"] = [{"id": "home", "service": "eldercare_bed", "zone": "town", "capacity": {"units": 300}}]
    r = simulate(Scenario.model_validate(doc), 5)
    w = r.tables["bed_waits"]
    joins = w["joins"].sum()
    outcomes = {k: int(w[k].sum()) for k in ("admitted", "died_waiting", "left_town", "still_waiting")}
    assert all(n > 0 for n in outcomes.values()), outcomes
    assert np.all(w["admitted"] + w["died_waiting"] + w["left_town"] + w["still_waiting"] == w["joins"])
    assert sum(outcomes.values()) == joins
    # Independent counts: the first day's joins are the demand at the first
    # report, and those still waiting are the list at the last report (the end).
    b = r.services.index("eldercare_bed")
    assert w["joins"][w["year"] == 2019].sum() >= r.series["demand"][0, 0, b] == 2000
    assert outcomes["still_waiting"] == r.series["waiting"][-1, 0, b]
    assert w["rejoins"].sum() > 0 and w["admitted_at_once"].sum() >= 300
    assert np.all(np.nan_to_num(w["km_median_wait_days"]) >= 0)


@pytest.mark.parametrize("reseek", [0.0, 1.0])
def test_discharged_elders_seek_a_bed_again_at_the_scenario_rate(reseek: float) -> None:
    delta = 2.0
    r = simulate(Scenario.model_validate(elder_town(discharge_per_year=delta, reseek_per_year=reseek)), 9)
    b = r.services.index("eldercare_bed")
    n = 2000
    assert r.series["served"][0, 0, b] == n  # every elder in a bed on the first day
    for d in (dt.date(2019, 4, 1), dt.date(2019, 7, 1), dt.date(2020, 1, 1), dt.date(2021, 1, 1)):
        t = (d - dt.date(2019, 1, 1)).days / 365.25
        s = delta + reseek
        p = reseek / s + delta / s * math.exp(-s * t)
        got = r.series["served"][r.dates.index(d), 0, b] / n
        assert abs(got - p) <= 3 * math.sqrt(p * (1 - p) / n), (d, got, p)
