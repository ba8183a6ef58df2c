"""The existing housing stock starts in steady state: no start-up dip.

A zone of N = 60,000 residents in households of 3 or 4 (equally likely), no
new housing, out-migration m = 0.02 a year, dwellings let again after
r = 6 months. Over the first tau = 181 days (to 1 July) its residents change by

    births - deaths + arrivals (re-lets) - departures (out-migration).

Expected natural change, from the scenario's rates alone (independently of
the engine): each resident's age is drawn from single-year bands (uniform
within the band, which is where the hazards barely change); a woman (half of
residents) aged x has sum_{k} f(x + s) ds births over [0, tau] (fertility
TFR x share / 5 per year in each five-year band); a resident aged x dies with
probability 1 - exp(-(H(x + tau) - H(x))) (Gompertz with infant hazard).
Deaths of babies born in the window (< 0.5 expected) are ignored.

Steady state means the dwellings vacated in the r months before the start are
being let again over the first r months, at the rate households now leave:
E[arrivals] = E[departures] up to O(m^2), and households of 3-4 almost never
die out within half a year. Without that pipeline, residents would fall by
about N (1 - exp(-m tau)) ≈ 590, far outside the tolerance below.

Standard error (independent parts, variances add):
* births: a sum of Poisson counts, Var = E[births] (the spread of the mean over
  the composition's ages adds < 1 %, ignored);
* deaths: independent Bernoulli trials, Var = N pi (1 - pi);
* departures: each of H households leaves with p = 1 - exp(-m tau), taking its
  s members: Var = H (p E[s^2] - p^2 E[s]^2);
* arrivals: a Poisson number (mean H (1 - exp(-m r)) tau / r) of households of
  random size: Var = E[count] E[s^2].
The test asserts |change - E[natural change]| <= 3 SE for each seed.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.engine import simulate
from sim.scenario.model import Scenario

N = 60000
M = 0.02
RELET_MONTHS = 6
A, B, Q0 = 4.0e-5, 0.09, 0.005
TFR = 1.1
FERT = {"15-19": 0.013, "20-24": 0.167, "25-29": 0.407, "30-34": 0.271, "35-39": 0.111, "40-44": 0.026, "45-49": 0.005}
SIZES = {3: 0.5, 4: 0.5}
AGES = np.arange(90)
_W = np.exp(-0.01 * AGES)
AGE_SHARES = {f"{a}-{a}": float(w) for a, w in zip(AGES, _W / _W.sum(), strict=True)}
TAU_DAYS = (dt.date(2019, 7, 1) - dt.date(2019, 1, 1)).days


def zone() -> Scenario:
    return Scenario.model_validate({
        "name": "steady_start",
        "horizon": {"start": "2019-01-01", "end": "2019-12-31"},
        "report_every": "month",
        "zones": [{"id": "town", "initial_population": {
            "residents": N, "age_shares": AGE_SHARES, "household_size": SIZES}}],
        "demography": {
            "tfr": TFR, "fertility_age_shares": FERT,
            "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0},
            "out_migration_per_year": M,
        },
        "housing_defaults": {"relet_months": RELET_MONTHS},
    })


def cumulative_hazard(x: np.ndarray) -> np.ndarray:
    h0 = -math.log(1.0 - Q0)
    return h0 * np.minimum(x, 1.0) + np.where(x > 1.0, A / B * (np.exp(B * x) - math.exp(B)), 0.0)


def fertility(x: np.ndarray) -> np.ndarray:
    rate = np.zeros_like(x)
    for label, share in FERT.items():
        lo, hi = (int(v) for v in label.split("-"))
        rate[(x >= lo) & (x < hi + 1)] = TFR * share / (hi + 1 - lo)
    return rate


def natural_change(tau_years: float) -> tuple[float, float, float]:
    """Expected births and deaths per resident over tau, and Var(births + deaths) for N."""
    grid = (np.arange(200) + 0.5) / 200  # positions within each single-year band
    x = (AGES[:, None] + grid[None, :]).ravel()
    weight = np.repeat(np.array(list(AGE_SHARES.values())), len(grid)) / len(grid)
    steps = (np.arange(50) + 0.5) / 50 * tau_years
    births_each = fertility(x[:, None] + steps[None, :]).mean(axis=1) * tau_years
    die = 1.0 - np.exp(-(cumulative_hazard(x + tau_years) - cumulative_hazard(x)))
    births, pi = 0.5 * float(weight @ births_each), float(weight @ die)
    return births, pi, N * births + N * pi * (1.0 - pi)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_residents_after_six_months_differ_from_the_start_by_natural_change_only(seed: int) -> None:
    r = simulate(zone(), seed)
    i = r.dates.index(dt.date(2019, 7, 1))
    change = int(r.total_residents()[i, 0] - r.total_residents()[0, 0])
    tau, relet = TAU_DAYS / 365.25, RELET_MONTHS / 12
    births, pi, var_natural = natural_change(tau)
    expected = N * (births - pi)
    h = int(r.households[0, 0])
    s1 = sum(k * p for k, p in SIZES.items())
    s2 = sum(k * k * p for k, p in SIZES.items())
    p_leave = 1.0 - math.exp(-M * tau)
    var_departures = h * (p_leave * s2 - (p_leave * s1) ** 2)
    var_arrivals = h * (1.0 - math.exp(-M * relet)) * min(tau / relet, 1.0) * s2
    se = math.sqrt(var_natural + var_departures + var_arrivals)
    assert abs(change - expected) <= 3 * se, (change, expected, se)
    # The tolerance is tight enough to see the start-up dip it guards against.
    assert N * p_leave > 6 * se
