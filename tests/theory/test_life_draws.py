"""Deaths and births drawn by the engine against their closed forms, fast.

Mortality is an infant hazard ``h0 = -ln(1 - q0)`` on [0, 1) and the Gompertz
hazard ``a exp(b x)`` from age 1, so the survival from birth to age ``x`` is
``S(x) = exp(-H(x))`` with ``H(x) = h0 min(x, 1) + a / b (exp(b x) - exp(b))``
for ``x > 1`` (written out below, independently of the engine). Fertility is
piecewise constant: ``TFR x share / band width`` births a year in each band,
so births in a band are Poisson with mean rate x years exposed.

Tolerances are ``K`` standard errors of each estimate (binomial for shares
surviving, Poisson for counts), with ``K`` the two-sided Bonferroni bound for a
family error rate of 1e-3 over the comparisons of one test. The slow Leslie
projection (``test_leslie.py``) checks the whole population; these check the
draws themselves in seconds.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from sim.engine.hazards import MortalityHazard
from sim.engine.households import newborn_clocks
from sim.engine.lifelines import LifeLine
from sim.engine.streams import household_rng
from sim.engine.town import life_tables, simulate
from sim.scenario.model import Demography, Scenario

A, B, Q0 = 4.0e-5, 0.09, 0.005
MORTALITY = MortalityHazard(A, B, Q0)


def bonferroni(comparisons: int) -> float:
    return float(stats.norm.ppf(1 - 1e-3 / (2 * comparisons)))


def cumulative_hazard(x: np.ndarray) -> np.ndarray:
    """H(x) from birth, by hand (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    h0 = -math.log(1.0 - Q0)
    return h0 * np.minimum(x, 1.0) + np.where(x > 1.0, A / B * (np.exp(B * x) - math.exp(B)), 0.0)


# --------------------------------------------------------------------- mortality


def test_death_age_spends_exactly_the_drawn_hazard() -> None:
    # Age at death y of a person aged x with Exp(1) draw e solves H(y) - H(x) = e.
    ages = np.array([0.0, 0.3, 0.99, 1.0, 1.5, 30.0, 60.0, 85.0, 100.0])
    for e in (1e-6, 1e-3, 0.1, 1.0, 5.0):
        y = MORTALITY.death_age(ages, np.full(len(ages), e))
        assert np.all(y > ages)
        np.testing.assert_allclose(cumulative_hazard(y) - cumulative_hazard(ages), e, rtol=1e-9, atol=1e-12)


def test_infant_hazard_is_constant_over_the_first_year() -> None:
    # With h0 constant, a newborn with draw e < h0 dies at age e / h0; one aged x
    # with e < h0 (1 - x) at x + e / h0.
    h0 = -math.log(1.0 - Q0)
    assert MORTALITY.death_age(np.array([0.0]), np.array([h0 / 4]))[0] == pytest.approx(0.25)
    assert MORTALITY.death_age(np.array([0.5]), np.array([h0 / 4]))[0] == pytest.approx(0.75)
    assert MORTALITY.death_age_scalar(0.0, h0 / 4) == pytest.approx(0.25)
    # Just past the first year's hazard the death falls after the first birthday.
    assert MORTALITY.death_age_scalar(0.0, h0 * 1.0001) > 1.0


def test_vectorised_and_scalar_death_ages_agree() -> None:
    rng = np.random.default_rng(1)
    ages = np.concatenate([rng.uniform(0.0, 1.0, 500), rng.uniform(1.0, 105.0, 1500), [0.0, 1.0]])
    e = rng.standard_exponential(len(ages))
    vector = MORTALITY.death_age(ages, e)
    scalar = np.array([MORTALITY.death_age_scalar(float(x), float(d)) for x, d in zip(ages, e, strict=True)])
    np.testing.assert_allclose(vector, scalar, rtol=1e-12)


@pytest.mark.parametrize("age", [0.0, 0.5, 30.0, 60.0, 80.0])
def test_survival_from_drawn_death_ages_is_the_gompertz_survival(age: float) -> None:
    n = 100_000
    horizons = (0.5, 1.0, 5.0, 10.0, 20.0)
    k = bonferroni(len(horizons))
    death = MORTALITY.death_age(np.full(n, age), np.random.default_rng(int(age * 10) + 7).standard_exponential(n))
    for t in horizons:
        p = float(np.exp(-(cumulative_hazard(age + t) - cumulative_hazard(age))))  # S(x + t) / S(x)
        got = float(np.mean(death > age + t))
        assert abs(got - p) <= k * math.sqrt(p * (1 - p) / n), (age, t, got, p)


def test_newborns_die_in_their_first_year_with_probability_q0_and_are_girls_at_the_birth_ratio() -> None:
    life = life_tables(Demography.model_validate({
        "tfr": 1.5, "fertility_age_shares": {"20-29": 1.0}, "sex_ratio_at_birth": 1.05,
        "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0}}))
    n = 40_000
    babies = [newborn_clocks(0.0, household_rng(key), life) for key in range(n)]
    k = bonferroni(2)
    infant = np.mean([p.death < 365.25 for p in babies])
    assert abs(infant - Q0) <= k * math.sqrt(Q0 * (1 - Q0) / n)
    girls, pf = np.mean([p.female for p in babies]), 1 / 2.05
    assert abs(girls - pf) <= k * math.sqrt(pf * (1 - pf) / n)
    assert all(p.next_birth >= 20 * 365.25 for p in babies if p.female)  # not before the fertile band
    assert all(math.isinf(p.next_birth) for p in babies if not p.female)


# --------------------------------------------------------------------- fertility


FERTILITY = {"15-29": 0.7, "30-49": 0.3}
TFR = 1.5


DPY = 365.25


def fertility() -> LifeLine:
    """The scenario's births as the engine builds them: an age pattern per unit of
    TFR times the TFR (here a constant)."""
    return life_tables(Demography.model_validate({
        "tfr": TFR, "fertility_age_shares": FERTILITY, "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0}})).births


def next_birth_age(f: LifeLine, age: float, e: float) -> float:
    """Age at the next birth of a woman born on day 0, now ``age``, given Exp(1) ``e``."""
    return f.next_time(0.0, age * DPY, e) / DPY


def test_fertility_rates_are_the_tfr_spread_over_each_band() -> None:
    f = fertility()
    # 0.7 x 1.5 over 15 years, 0.3 x 1.5 over 20: rates 0.07 and 0.0225 a year,
    # the age pattern per unit of TFR (0.7 / 15, 0.3 / 20) times the TFR.
    tfr = f.curve(0.0)
    assert tfr == TFR and f.curve.is_constant
    rates = [(lo, hi, g * tfr) for lo, hi, g, b in f.pieces if g > 0]
    assert [(lo, hi) for lo, hi, _ in rates] == [(15.0, 30.0), (30.0, 50.0)]
    np.testing.assert_allclose([r for _, _, r in rates], [0.07, 0.0225])
    # A birth needing hazard e comes at 15 + e / 0.07 while e < 1.05, then in the second band.
    assert next_birth_age(f, 0.0, 0.35) == pytest.approx(20.0)
    assert next_birth_age(f, 0.0, 1.05 + 0.225) == pytest.approx(40.0)
    assert math.isinf(next_birth_age(f, 0.0, 1.5 + 1e-9))


def test_births_over_a_life_are_poisson_in_each_band() -> None:
    # A woman's births, each drawn from her age at the last (as the engine does
    # after a birth), form a Poisson process with the band rates: births at ages
    # 15-29 are Poisson(1.05) and at 30-49 Poisson(0.45), whatever came before.
    f = fertility()
    rng = np.random.default_rng(3)
    n = 20_000
    early = np.zeros(n)
    late = np.zeros(n)
    for i in range(n):
        age = 0.0
        while True:
            age = next_birth_age(f, age, float(rng.standard_exponential()))
            if math.isinf(age):
                break
            if age < 30.0:
                early[i] += 1
            else:
                late[i] += 1
    k = bonferroni(4)
    for counts, mean in ((early, TFR * 0.7), (late, TFR * 0.3)):
        assert abs(counts.mean() - mean) <= k * math.sqrt(mean / n)
        # Poisson: the share with no birth in the band is exp(-mean).
        p0 = math.exp(-mean)
        assert abs(np.mean(counts == 0) - p0) <= k * math.sqrt(p0 * (1 - p0) / n)


def test_vectorised_and_scalar_next_births_agree() -> None:
    f = fertility()
    rng = np.random.default_rng(4)
    ages = rng.uniform(0.0, 60.0, 2000)
    e = rng.standard_exponential(2000)
    scalar = np.array([f.next_time(0.0, float(x) * DPY, float(d)) for x, d in zip(ages, e, strict=True)])
    np.testing.assert_allclose(f.next_times(np.zeros(2000), ages * DPY, e), scalar, rtol=1e-12)


# --------------------------------------------------------------------- in a running town

N_ZONE = 10_000


def three_villages() -> Scenario:
    """Residents aged 20-24 in one zone, 35-44 in another, 85 in a third: within a
    year nobody leaves the fertility band they start in, whatever their age inside it."""
    def zone(name: str, shares: dict[str, float]) -> dict[str, object]:
        return {"id": name, "initial_population": {"residents": N_ZONE, "age_shares": shares}}
    return Scenario.model_validate({
        "name": "villages",
        "horizon": {"start": "2019-01-01", "end": "2020-01-01"},
        "report_every": "year",
        "zones": [zone("young", {"0-19": 0.0, "20-24": 1.0}), zone("middle", {"0-34": 0.0, "35-44": 1.0}),
                  zone("old", {"0-84": 0.0, "85-85": 1.0})],
        "demography": {"tfr": TFR, "fertility_age_shares": FERTILITY, "sex_ratio_at_birth": 1.05,
                       "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0}, "out_migration_per_year": 0.0},
        "housing_defaults": {"relet_months": None},
    })


def test_births_and_deaths_in_a_town_follow_the_rates() -> None:
    r = simulate(three_villages(), 11)
    assert r.dates[-1] == dt.date(2020, 1, 1)
    years = 365 / 365.25
    births, deaths = r.events["births"].sum(axis=0), r.events["deaths"].sum(axis=0)
    k = bonferroni(3)
    # Half the residents are women (drawn 50/50); each has Poisson(m) births with
    # m = rate x years, so births have mean N m / 2 and variance N (m/2 + m^2/4).
    for zone, rate in ((0, 0.07), (1, 0.0225)):
        m = rate * years
        mean, var = N_ZONE * m / 2, N_ZONE * (m / 2 + m * m / 4)
        assert abs(births[zone] - mean) <= k * math.sqrt(var), (zone, births[zone], mean)
    assert births[2] == 0
    # Aged 85 to 86 at the start: each dies within the year with probability
    # between that at 85 and that at 86 (the hazard grows with age).
    p = [1 - math.exp(-(cumulative_hazard(x + years) - cumulative_hazard(x))) for x in (85.0, 86.0)]
    low, high = N_ZONE * p[0], N_ZONE * p[1]
    se = math.sqrt(N_ZONE * p[1] * (1 - p[0]))
    assert low - k * se <= deaths[2] <= high + k * se, (deaths[2], low, high)


def test_a_woman_gives_birth_again_at_the_band_rate() -> None:
    # Residents aged 20-24, fertility 0.2 a year at ages 20-29, five years: nobody
    # leaves the band, so a woman's births are Poisson(1) whatever came before
    # (births drawn one after another from the mother's age). Births have mean
    # N / 2 and variance N (1/2 + 1/4) (half the residents are women); were a
    # woman to stop at one birth, they would be N / 2 (1 - e^-1).
    n = 4000
    s = Scenario.model_validate({
        "name": "mothers",
        "horizon": {"start": "2019-01-01", "end": "2024-01-01"},
        "report_every": "year",
        "zones": [{"id": "z", "initial_population": {"residents": n, "age_shares": {"0-19": 0.0, "20-24": 1.0}}}],
        "demography": {"tfr": 2.0, "fertility_age_shares": {"20-29": 1.0},
                       "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0}},
        "housing_defaults": {"relet_months": None},
    })
    r = simulate(s, 2)
    m = 0.2 * (dt.date(2024, 1, 1) - dt.date(2019, 1, 1)).days / 365.25
    mean, var = n * m / 2, n * (m / 2 + m * m / 4)
    assert abs(int(r.events["births"].sum()) - mean) <= bonferroni(1) * math.sqrt(var)
