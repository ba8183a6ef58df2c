"""Ages within an age band follow the life table's stationary shape.

An age structure gives shares by band; within a band the model draws ages from
the stationary population of the scenario's mortality: density proportional
to the survival function l(x). The expectations below are integrals of the
closed-form Gompertz survival (written here, not taken from the engine),
computed with ``scipy.integrate.quad``.

Tolerances: 3 standard errors of a binomial count. A resident's age is drawn
independently of everyone else's (the composition draws each member's band and
age from their own uniforms), so the number aged 90+ among the n in the 80-99
band is Binomial(n, p), and the deaths in a year among N residents of a closed
town, each dying in that year with the same marginal probability p_k, are
Binomial(N, p_k); replications are independent.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from scipy import integrate

from sim.engine import simulate
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario

A, B, Q0 = 4.0e-5, 0.09, 0.005
H0 = -math.log(1.0 - Q0)


def survival(x: float) -> float:
    """l(x): infant hazard -ln(1 - q0) in the first year, Gompertz a e^(bx) from age 1."""
    h = H0 * min(x, 1.0) + (A / B * (math.exp(B * x) - math.exp(B)) if x > 1.0 else 0.0)
    return math.exp(-h)


def person_years(lo: float, hi: float) -> float:
    """∫_lo^hi l(x) dx: the stationary population between two ages (per birth)."""
    return integrate.quad(survival, lo, hi, limit=200)[0]


def town(age_shares: dict[str, float], residents: int, end: str, within: str = "life_table") -> Scenario:
    return Scenario.model_validate({
        "name": "closed",
        "horizon": {"start": "2019-01-01", "end": end},
        "report_every": "year",
        "zones": [{"id": "town", "initial_population": {
            "residents": residents, "age_shares": age_shares, "household_size": {1: 0.5, 2: 0.5}}}],
        "demography": {
            "tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
            "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0},
            "out_migration_per_year": 0.0,
            "ages_within_band": within,
        },
        "housing_defaults": {"relet_months": None},
    })


def test_share_aged_90_and_over_among_the_80_plus_is_the_stationary_share() -> None:
    expected = person_years(90, 100) / person_years(80, 100)  # ≈ 0.22 (a flat line: 0.50)
    r = simulate(town({"0-79": 0.5, "80-99": 0.5}, 20_000, "2019-12-31"), 11)
    p = r.tables["pyramid"]
    start = p["date"] == p["date"][0]
    lo = np.array([int(str(g).split("-")[0].rstrip("+")) for g in p["age_group"]])
    n80 = int(p["residents"][start & (lo >= 80)].sum())
    n90 = int(p["residents"][start & (lo >= 90)].sum())
    se = math.sqrt(expected * (1 - expected) / n80)
    assert abs(n90 / n80 - expected) <= 3 * se, (n90 / n80, expected, se)


# A closed town whose band shares are those of the stationary population (ages
# 0-109; l(110) ≈ 1e-4, so the ages beyond are left out), with no births and no
# moves. A resident aged x at the start dies between t0 and t1 years later with
# probability (l(x + t0) - l(x + t1)) / l(x). Averaged over the band's draw
# density, l(x) / ∫_band l (life table) or 1 / width (flat line), and over the
# band shares s_b, that is the probability p_k that one resident dies in year k.
BANDS = [(0, 20), (20, 40), (40, 60), (60, 70), (70, 80), (80, 90), (90, 110)]
RESIDENTS, REPS, YEARS = 20_000, 4, 5
YEAR_STARTS = [dt.date(2019 + k, 1, 1) for k in range(YEARS + 1)]


def stationary_shares() -> dict[str, float]:
    mass = np.array([person_years(lo, hi) for lo, hi in BANDS])
    return {f"{lo}-{hi - 1}": float(m) for (lo, hi), m in zip(BANDS, mass / mass.sum(), strict=True)}


def death_probability(shares: dict[str, float], t0: float, t1: float, within: str) -> float:
    """P(a resident dies between t0 and t1 years from the start)."""
    p = 0.0
    for (lo, hi), s in zip(BANDS, shares.values(), strict=True):
        if within == "life_table":
            died = person_years(lo + t0, hi + t0) - person_years(lo + t1, hi + t1)
            p += s * died / person_years(lo, hi)
        else:
            def dies(x: float, t0: float = t0, t1: float = t1) -> float:
                return (survival(x + t0) - survival(x + t1)) / survival(x)
            p += s * integrate.quad(dies, lo, hi, limit=200)[0] / (hi - lo)
    return p


def expected_p(within: str) -> np.ndarray:
    """p_k for the calendar years 2019-2023 (their lengths in years of 365.25 days)."""
    shares = stationary_shares()
    offsets = [(d - YEAR_STARTS[0]).days / 365.25 for d in YEAR_STARTS]
    return np.array([death_probability(shares, a, b, within) for a, b in zip(offsets, offsets[1:], strict=False)])


def simulated_deaths(within: str) -> np.ndarray:
    """Mean deaths in each of the first five years over the replications."""
    scenario = town(stationary_shares(), RESIDENTS, f"{2019 + YEARS}-01-01", within)
    counts = np.zeros((REPS, YEARS))
    for rep in range(REPS):
        r = simulate(scenario, replication_seed(31, rep))
        cum = np.cumsum(r.events["deaths"][:, 0])
        counts[rep] = np.diff([cum[r.dates.index(d)] for d in YEAR_STARTS])
    return counts.mean(axis=0)


def binomial_se(p: np.ndarray) -> np.ndarray:
    return np.asarray(np.sqrt(RESIDENTS * p * (1 - p) / REPS))


def test_closed_stationary_town_has_no_death_rate_jump_in_its_first_five_years() -> None:
    p = expected_p("life_table")
    expected, se = RESIDENTS * p, binomial_se(p)
    # A stationary population dies at a steady rate, about N / e0 a year: its
    # closed form varies by under 1 % over the five years.
    assert expected.max() / expected.min() < 1.01
    mean = simulated_deaths("life_table")
    assert np.all(np.abs(mean - expected) <= 3 * se), (mean, expected, se)
    # Year 1 against year 5 directly: the two counts have the multinomial
    # covariance -N p1 p5, so Var(d1 - d5) = var1 + var5 + 2 N p1 p5.
    se_diff = math.sqrt(se[0] ** 2 + se[-1] ** 2 + 2 * RESIDENTS * p[0] * p[-1] / REPS)
    assert abs((mean[0] - mean[-1]) - (expected[0] - expected[-1])) <= 3 * se_diff


def test_a_flat_line_within_bands_front_loads_the_deaths() -> None:
    # The older rule (ages flat within a band) puts too many of the 90-109 band
    # near 109: the first year's deaths are far above the stationary rate. The
    # simulation matches the flat line's own closed form, and year 1 misses the
    # stationary expectation by many standard errors: the check above can fail.
    p = expected_p("uniform")
    mean = simulated_deaths("uniform")
    assert np.all(np.abs(mean - RESIDENTS * p) <= 3 * binomial_se(p)), (mean, RESIDENTS * p)
    stationary = expected_p("life_table")
    assert mean[0] - RESIDENTS * stationary[0] > 3 * binomial_se(stationary)[0]
