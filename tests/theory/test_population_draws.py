"""The population's random components against their closed forms.

Each test draws many times and compares the mean (or a share) with the value
the distribution implies, allowing 3.5 standard errors of the estimate (the SE
from the draws themselves, or the binomial/Poisson SE): a tolerance derived
from sampling error, not tuned.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import integrate, stats

from sim.engine import simulate
from sim.engine.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.engine.hazards import MortalityHazard, PiecewiseHazard, exp1
from sim.engine.households import (
    FAMILY_COLUMNS,
    BandAges,
    LifeTables,
    care_state,
    compose_family,
    compose_structure,
    structure_columns,
)
from sim.engine.housing import move_in_lags
from sim.engine.lifelines import TimeCurve, fertility_line, mortality_line, rate_line
from sim.scenario.model import FamilyProfile, OccupancyCurve, Scenario

K = 3.5


def within(estimate: float, expected: float, se: float) -> bool:
    return abs(estimate - expected) <= K * se


def town(**overrides: object) -> Scenario:
    doc: dict[str, object] = {
        "name": "draws",
        "horizon": {"start": "2019-01-01", "end": "2030-12-31"},
        "zones": [{"id": "z"}],
        "demography": {"tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
                       "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0}},
        "household_profiles": {"commodity": {
            "kind": "family", "head_age": {"mean": 30, "sd": 0, "min": 30, "max": 30},
            "partner_share": 0.0, "children": {0: 1.0}, "occupancy": {"points": [[1, 0.5], [2, 0.8]]}}},
        "housing_defaults": {"slippage_months": {"distribution": "gamma", "mean": 4, "sd": 3},
                             "relet_months": None},
        "housing": [{"id": f"p{k}", "zone": "z", "type": "commodity",
                     "phases": [{"date": "2020-01-01", "units": 10}, {"date": "2021-01-01", "units": 10}]}
                    for k in range(40)],
    }
    doc.update(overrides)
    return Scenario.model_validate(doc)


def test_phase_slippage_has_the_gamma_mean_and_sd() -> None:
    months = []
    for seed in range(5):
        d = simulate(town(), seed).tables["deliveries"]
        months += [(b - a).days / DAYS_PER_MONTH for a, b in zip(d["planned"], d["delivered"], strict=True)]
    m = np.array(months)
    # A delivery's calendar date is the day it falls in: on average half a day early.
    assert within(m.mean(), 4.0 - 0.5 / DAYS_PER_MONTH, m.std(ddof=1) / math.sqrt(len(m)))
    # SE of a sample variance: sd^2 * sqrt(2 / (n - 1)) (near-normal); the gamma's
    # excess kurtosis 6/k (k = 16/9) widens it to sqrt((2 + 6/k)/n).
    se_var = 9.0 * math.sqrt((2 + 6 / (16 / 9)) / len(m))
    assert within(m.var(ddof=1), 9.0, se_var)


def test_units_are_occupied_along_the_curve() -> None:
    curve = OccupancyCurve(points=[(1.0, 0.35), (2.0, 0.6), (3.0, 0.75), (4.0, 0.8)])
    rng = np.random.default_rng(5)
    n = 200_000
    lag = move_in_lags(curve, rng.random(n), rng.random(n), random=True)
    for years, share in [(0.5, 0.175), (1.0, 0.35), (2.5, 0.675), (4.0, 0.8), (9.0, 0.8)]:
        got = float(np.mean(lag <= years))
        assert within(got, share, math.sqrt(share * (1 - share) / n)), years


def test_households_leave_at_the_out_migration_rate() -> None:
    rate = 0.1
    s = town(demography={"tfr": 0.0, "fertility_age_shares": {"20-29": 1.0}, "out_migration_per_year": rate,
                         "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0}},
             variation={"slippage": False, "occupancy": False},
             housing=[{"id": "p", "zone": "z", "type": "commodity",
                       "phases": [{"date": "2019-01-01", "units": 2500}]}])
    left = []
    for seed in range(4):
        r = simulate(s, seed)
        i = r.dates.index(dt.date(2029, 1, 1))
        left.append(int(r.households[i, 0]))
    # 2,000 households (80 % of 2,500) move in over two years; unit k at lag L_k
    # is still here in 2029 with probability exp(-rate * (10 - L_k)).
    lag = move_in_lags(OccupancyCurve(points=[(1.0, 0.5), (2.0, 0.8)]), np.zeros(2500), np.zeros(2500), random=False)
    lag = lag[np.isfinite(lag)]
    p = np.exp(-rate * ((3653.0 / DAYS_PER_YEAR) - lag))  # 2019-01-01 to 2029-01-01 is 3,653 days
    expected, var = p.sum(), (p * (1 - p)).sum()
    assert within(float(np.mean(left)), float(expected), math.sqrt(var / len(left)))


def test_family_households_have_the_profile_mean_size() -> None:
    p = FamilyProfile.model_validate({
        "kind": "family", "head_age": {"mean": 31, "sd": 5, "min": 22, "max": 45},
        "partner_share": 0.8, "children": {0: 0.5, 1: 0.25, 2: 0.25}, "grandparent_share": 0.15,
        "occupancy": {"points": [[1, 0.8]]}})
    n = 100_000
    comp = compose_family(p, np.random.default_rng(3).random((n, FAMILY_COLUMNS)), 0.488)
    sizes = comp.sizes()
    expected = 1 + 0.8 + (0.25 + 2 * 0.25) + 0.15
    assert within(float(sizes.mean()), expected, float(sizes.std()) / math.sqrt(n))
    kids = comp.slot[(comp.slot >= 2) & (comp.slot < 11)]
    assert within(len(kids) / n, 0.75, math.sqrt(0.6875 / n))  # var of {0,1,2} w.p. .5,.25,.25


def test_care_states_at_an_age_match_the_two_stage_chain() -> None:
    h1 = PiecewiseHazard.from_labels({"60-69": 0.02, "70-79": 0.05, "80-110": 0.12})
    h2 = PiecewiseHazard.from_labels({"60-69": 0.03, "70-79": 0.06, "80-110": 0.15})
    m, flat = MortalityHazard(4e-5, 0.09, 0.005), TimeCurve.constant(1.0)
    life = LifeTables(m, mortality_line(m, flat), fertility_line(PiecewiseHazard([]), flat), h1, h2, 0.488,
                      rate_line(TimeCurve.constant(0.0)))
    n, age = 200_000, 82.0
    rng = np.random.default_rng(11)
    state, _ = care_state(np.full(n, age), exp1(rng.random(n)), exp1(rng.random(n)), life)
    p0 = math.exp(-h1.cumulative_scalar(age))
    # P(institutional by x) = ∫ f1(s) (1 - exp(-(H2(x) - H2(s)))) ds, f1 the density of the first step.
    def f(s: float) -> float:
        rate = float(np.interp(s, [60, 70, 70 + 1e-9, 80, 80 + 1e-9, 111], [0.02, 0.02, 0.05, 0.05, 0.12, 0.12]))
        return rate * math.exp(-h1.cumulative_scalar(s)) * (1 - math.exp(-(h2.cumulative_scalar(age) - h2.cumulative_scalar(s))))
    p2, _ = integrate.quad(f, 60, age, points=[70, 80], limit=200)
    for k, pk in ((0, p0), (2, p2), (1, 1 - p0 - p2)):
        assert within(float(np.mean(state == k)), pk, math.sqrt(pk * (1 - pk) / n)), k


def test_a_units_occupancy_is_independent_of_its_households_composition() -> None:
    # 400 projects of one unit each (each phase its own streams), occupied with
    # long-run probability 0.5 within half a year; households of 1 or 2 members,
    # 50/50, nobody born, dying or leaving. If the occupancy draw and the
    # household's composition draws are independent, the occupied units' households
    # have the profile's mean size 1.5 (SE 0.5 / sqrt(occupied)), and the size is
    # uncorrelated with the move-in date (sample correlation, SE 1 / sqrt(occupied)).
    n = 400
    profile = {"kind": "age_structure", "household_size": {1: 0.5, 2: 0.5},
               "age_shares": {"0-19": 0.0, "20-59": 1.0}, "occupancy": {"points": [[0.5, 0.5]]}}
    s = town(horizon={"start": "2019-01-01", "end": "2019-12-31"}, report_every="month",
             household_profiles={"commodity": profile}, variation={"slippage": False},
             housing=[{"id": f"p{k}", "zone": "z", "type": "commodity",
                       "phases": [{"date": "2019-01-01", "units": 1}]} for k in range(n)])
    r = simulate(s, 5)
    households, residents = r.households[:, 0], r.total_residents()[:, 0]
    occupied = int(households[-1])
    assert within(occupied, 0.5 * n, math.sqrt(0.25 * n))  # binomial occupancy
    assert within(residents[-1] / occupied, 1.5, 0.5 / math.sqrt(occupied))
    # Households arriving in each report interval and their members: the
    # correlation of size with the arrival interval, from these sums alone
    # (sizes are 1 or 2, so size^2 = 3 size - 2).
    arrived, members = np.diff(households), np.diff(residents)
    month = np.arange(1, len(households))
    mean_t, mean_size = (arrived @ month) / occupied, residents[-1] / occupied
    cov = (members @ month) / occupied - mean_t * mean_size
    var_t = (arrived @ month**2) / occupied - mean_t**2
    var_size = 3 * mean_size - 2 - mean_size**2
    assert within(cov / math.sqrt(var_t * var_size), 0.0, 1 / math.sqrt(occupied))


def test_head_ages_are_the_truncated_normal() -> None:
    # Head ages N(31, 8^2) truncated to [22, 45]: every draw inside, and the mean
    # and the share below 30 those of the truncated normal (scipy's closed form).
    p = FamilyProfile.model_validate({
        "kind": "family", "head_age": {"mean": 31, "sd": 8, "min": 22, "max": 45},
        "partner_share": 0.0, "children": {0: 1.0}, "occupancy": {"points": [[1, 0.8]]}})
    n = 50_000
    comp = compose_family(p, np.random.default_rng(8).random((n, FAMILY_COLUMNS)), 0.488)
    head = comp.age[comp.slot == 0]
    assert len(head) == n and head.min() >= 22.0 and head.max() <= 45.0
    law = stats.truncnorm((22 - 31) / 8, (45 - 31) / 8, loc=31, scale=8)
    assert within(float(head.mean()), float(law.mean()), float(law.std()) / math.sqrt(n))
    below = float(law.cdf(30.0))
    assert within(float(np.mean(head < 30.0)), below, math.sqrt(below * (1 - below) / n))


def test_children_are_younger_than_their_parents_by_18_years_at_least() -> None:
    # ASSUMPTION of the model: no parent younger than 18 at a child's birth, and no
    # child older than child_max_age; heads as young as 20, partners' ages spread.
    p = FamilyProfile.model_validate({
        "kind": "family", "head_age": {"mean": 26, "sd": 4, "min": 20, "max": 40}, "partner_share": 0.7,
        "partner_age_gap_sd": 3.0, "children": {0: 0.2, 1: 0.4, 3: 0.4}, "child_max_age": 17,
        "occupancy": {"points": [[1, 0.8]]}})
    n = 20_000
    comp = compose_family(p, np.random.default_rng(9).random((n, FAMILY_COLUMNS)), 0.488)
    parent = np.full(n, np.inf)
    adults = comp.slot <= 1
    np.minimum.at(parent, comp.household[adults], comp.age[adults])
    kids = (comp.slot >= 2) & (comp.slot < 11)
    age, youngest = comp.age[kids], parent[comp.household[kids]]
    assert np.all(age <= np.minimum(17.0, youngest - 18.0) + 1e-9)
    # The bound binds: a youngest parent under 22 has only children under 4.
    assert np.any(youngest < 22.0) and age[youngest < 22.0].max() < 4.0


@pytest.mark.parametrize("life_table", [False, True])
def test_ages_from_band_shares_stay_in_their_bands_and_keep_the_shares(life_table: bool) -> None:
    # Whatever the shape within a band (flat, or the life table's), a band "a-b"
    # holds its share of the people (binomial SE) and its ages run from a to the
    # day before the (b + 1)th birthday: its last year is used.
    shares = {"0-14": 0.2, "15-15": 0.1, "16-64": 0.55, "65-99": 0.15}
    survival = MortalityHazard(4e-5, 0.09, 0.005).survival if life_table else None
    n = 40_000
    rng = np.random.default_rng(10)
    comp = compose_structure({1: 1.0}, BandAges(shares, survival), rng.random((n, structure_columns())))
    age = comp.age
    for label, share in shares.items():
        lo, hi = (int(x) for x in label.split("-"))
        inside = (age >= lo) & (age < hi + 1)
        assert within(float(inside.mean()), share, math.sqrt(share * (1 - share) / n)), label
        assert age[inside].max() >= hi, label  # someone in the band's last year
    assert age.min() >= 0.0 and age.max() < 100.0
