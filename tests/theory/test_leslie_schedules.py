"""Dated rate schedules reproduce the cohort-component projection of the same schedules.

A closed town (no moves, no housing) runs under a TFR that changes along a
*linear* dated schedule and a mortality level that changes in *steps*. The
cohort-component (Leslie) projection below applies the same schedules step by
step, written independently of the engine: fertility ``TFR(tau) x share /
band width`` and the mortality hazard ``level(tau) x (infant hazard, then
Gompertz)`` are evaluated at the middle of each projection step, survival
comes from the closed-form Gompertz cumulative hazard.

Compared: births in the periods the TFR schedule shapes (2019-20 falling,
2021-22 flat at 1.0, 2023 and 2024 rising, 2025-28 flat at 1.6), where a
schedule error shows at once (a TFR applied a year late moves 2019-20 births
by about 10 %, a ramp taken as a step moves 2023 and 2024 the other way), and
residents by age band at the end.

Tolerance: 3 standard errors of the replication mean (sampling), plus the
projection's own discretisation error, estimated as the difference between the
projections with steps h and h/2. Births are compared by period rather than by
year to keep the number of 3-SE comparisons (and so the chance of a false
alarm) small: 13 comparisons, about 3.5 % in all. Affordability: 4,000
residents, 10 years, 40 replications (about 15 s); the standard error of a
period's births is then about 2 % of them. A run of 300 replications gave
births by year within 1.3 SE of the projection in every year.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from sim.engine import AGE_BANDS, simulate
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario

A, B, Q0 = 4.0e-5, 0.09, 0.005
FERT_SHARES = {"15-19": 0.013, "20-24": 0.167, "25-29": 0.407, "30-34": 0.271, "35-39": 0.111,
               "40-44": 0.026, "45-49": 0.005}
SRB = 1.05
AGE_SHARES = {"0-9": 0.12, "10-19": 0.12, "20-29": 0.16, "30-39": 0.16, "40-49": 0.14,
              "50-59": 0.12, "60-69": 0.10, "70-79": 0.06, "80-89": 0.02}
START = dt.date(2019, 1, 1)
YEARS = 10
N0 = 4000
REPS = 40
# TFR: linear from 2.0 (mid-2019) down to 1.0 (2021), flat, then up to 1.6 (mid-2024).
TFR = [(dt.date(2019, 7, 1), 2.0), (dt.date(2021, 1, 1), 1.0), (dt.date(2023, 7, 1), 1.0), (dt.date(2024, 7, 1), 1.6)]
# Mortality level: 1.5 until 2022, then 0.7.
LEVEL = [(dt.date(2019, 1, 1), 1.5), (dt.date(2022, 1, 1), 0.7)]


def years_of(date: dt.date) -> float:
    return (date - START).days / 365.25


def tfr(tau: float) -> float:
    """The TFR schedule written out: flat before the first point and after the last, linear between."""
    pts = [(years_of(d), v) for d, v in TFR]
    return float(np.interp(tau, [p for p, _ in pts], [v for _, v in pts]))


def level(tau: float) -> float:
    return 1.5 if tau < years_of(LEVEL[1][0]) else 0.7


def closed_town() -> Scenario:
    return Scenario.model_validate({
        "name": "closed_dated",
        "horizon": {"start": str(START), "end": "2029-01-01"},
        "report_every": "year",
        "zones": [{"id": "town", "initial_population": {
            "residents": N0, "age_shares": AGE_SHARES, "household_size": {1: 0.5, 2: 0.5}}}],
        "demography": {
            "tfr": {"interpolation": "linear", "points": [[str(d), v] for d, v in TFR]},
            "fertility_age_shares": FERT_SHARES, "sex_ratio_at_birth": SRB,
            "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0,
                          "level": {"interpolation": "step", "points": [[str(d), v] for d, v in LEVEL]}},
            "out_migration_per_year": 0.0,
        },
        "housing_defaults": {"relet_months": None},
    })


def cumulative_hazard(age: np.ndarray) -> np.ndarray:
    h0 = -math.log(1.0 - Q0)
    return h0 * np.minimum(age, 1.0) + np.where(age > 1.0, A / B * (np.exp(B * age) - math.exp(B)), 0.0)


def shape(age: np.ndarray) -> np.ndarray:
    rate = np.zeros_like(age)
    for label, share in FERT_SHARES.items():
        lo, hi = (int(x) for x in label.split("-"))
        rate[(age >= lo) & (age < hi + 1)] = share / (hi + 1 - lo)
    return rate


def projection(h: float, max_age: float = 120.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Births in each calendar year, and residents by age cell at the end, of the projection."""
    edges = np.arange(0.0, max_age + h / 2, h)
    mid = edges[:-1] + h / 2
    pop = np.zeros(len(mid))
    for label, share in AGE_SHARES.items():
        # Within a band in proportion to survival from birth, l(x), of the life table
        # at level 1 (the model's shape of ages within a band).
        lo, hi = (int(x) for x in label.split("-"))
        inside = (mid >= lo) & (mid < hi + 1)
        weight = np.exp(-cumulative_hazard(mid[inside]))
        pop[inside] = N0 * share * weight / weight.sum()
    female, male = pop / 2, pop / 2
    step_hazard = cumulative_hazard(mid + h) - cumulative_hazard(mid)
    births_by_year = np.zeros(YEARS)
    pf = 1.0 / (1.0 + SRB)
    for n in range(int(round(YEARS / h))):
        tau = (n + 0.5) * h  # rates of the step taken at its middle
        surv = np.exp(-level(tau) * step_hazard)
        births = float((tfr(tau) * shape(mid) * h * np.sqrt(surv)) @ female)
        births_by_year[min(int(n * h + 1e-9), YEARS - 1)] += births
        newborn = births * math.exp(-level(tau) * cumulative_hazard(np.array([h / 2]))[0])
        female = np.concatenate([[newborn * pf], female[:-1] * surv[:-1]])
        male = np.concatenate([[newborn * (1 - pf)], male[:-1] * surv[:-1]])
    return births_by_year, female + male, mid


def band_totals(total: np.ndarray, mid: np.ndarray) -> np.ndarray:
    return np.array([total[(mid >= lo) & (mid < hi)].sum() for _, lo, hi in AGE_BANDS])


def test_dated_tfr_and_mortality_schedules_match_the_projection() -> None:
    scenario = closed_town()
    births, bands = [], []
    for rep in range(REPS):
        r = simulate(scenario, replication_seed(2025, rep))
        # Reports fall on each 1 January and 1 September (school intakes): the births of
        # calendar year Y are those of the intervals ending after Y-01-01, up to Y+1-01-01.
        year = np.array([(d - dt.timedelta(days=1)).year - START.year for d in r.dates])
        births.append(np.bincount(year[1:], weights=r.events["births"][1:, 0], minlength=YEARS))
        assert r.dates[-1] == dt.date(2029, 1, 1)
        bands.append(r.residents[-1, 0])
    sim_births, sim_bands = np.array(births, dtype=float), np.array(bands, dtype=float)

    fine_births, fine_total, mid = projection(1 / 24)
    births_exp, finer_total, mid2 = projection(1 / 48)
    bands_exp = band_totals(finer_total, mid2)
    periods = [[0, 1], [2, 3], [4], [5], [6, 7, 8, 9]]  # years since 2019

    def by_period(x: np.ndarray) -> np.ndarray:
        return np.stack([x[..., p].sum(axis=-1) for p in periods], axis=-1)

    checks = (
        ("births by period", by_period(sim_births), by_period(births_exp), np.abs(by_period(fine_births - births_exp))),
        ("residents by age band at the end", sim_bands, bands_exp, np.abs(band_totals(fine_total, mid) - bands_exp)),
    )
    for what, sim, expected, discretisation in checks:
        mean, se = sim.mean(axis=0), sim.std(axis=0, ddof=1) / math.sqrt(REPS)
        report = "\n".join(f"{i:>3}: simulated {m:8.1f} ± {s:4.1f} (SE), projected {e:8.1f}"
                           for i, (m, s, e) in enumerate(zip(mean, se, expected, strict=True)))
        assert np.all(np.abs(mean - expected) <= 3 * se + discretisation), f"{what}\n{report}"
    # The schedule moves births: 2019 (TFR ≈ 2) has clearly more than 2022 (TFR 1).
    assert births_exp[0] > 1.5 * births_exp[3]
