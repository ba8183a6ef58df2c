"""A closed population reproduces the cohort-component (Leslie matrix) projection.

The model's residents are born, age and die as individuals with exact event
times. With no moves and no housing, the expected number of residents in each
age band after T years is given by a cohort-component projection of the same
rates. The projection below is written independently of the engine: a two-sex,
female-dominant Leslie matrix on an age grid of step ``h``, with survival from
the closed-form Gompertz cumulative hazard and the infant hazard
``-ln(1 - q0)``.

Tolerance: 3 standard errors of the mean over the replications (sampling), plus
the projection's own discretisation error, estimated as the difference between
the projections with steps h and h/2.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.engine import AGE_BANDS, simulate
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario

A, B, Q0 = 4.0e-5, 0.09, 0.005
TFR = 1.4
FERT_SHARES = {"15-19": 0.013, "20-24": 0.167, "25-29": 0.407, "30-34": 0.271, "35-39": 0.111,
               "40-44": 0.026, "45-49": 0.005}
SRB = 1.05
AGE_SHARES = {"0-9": 0.12, "10-19": 0.12, "20-29": 0.16, "30-39": 0.16, "40-49": 0.14,
              "50-59": 0.12, "60-69": 0.10, "70-79": 0.06, "80-89": 0.02}
N0 = 3000
YEARS = 20
REPS = 200


def closed_town() -> Scenario:
    return Scenario.model_validate({
        "name": "closed",
        "horizon": {"start": "2019-01-01", "end": "2039-12-31"},
        "report_every": "year",
        "zones": [{"id": "town", "initial_population": {
            "residents": N0, "age_shares": AGE_SHARES, "household_size": {1: 0.5, 2: 0.5}}}],
        "demography": {
            "tfr": TFR, "fertility_age_shares": FERT_SHARES, "sex_ratio_at_birth": SRB,
            "mortality": {"gompertz": {"a": A, "b": B}, "infant": Q0},
            "out_migration_per_year": 0.0,
        },
        "housing_defaults": {"relet_months": None},
    })


def cumulative_hazard(age: np.ndarray) -> np.ndarray:
    h0 = -math.log(1.0 - Q0)
    return h0 * np.minimum(age, 1.0) + np.where(age > 1.0, A / B * (np.exp(B * age) - math.exp(B)), 0.0)


def fertility(age: np.ndarray) -> np.ndarray:
    rate = np.zeros_like(age)
    for label, share in FERT_SHARES.items():
        lo, hi = (int(x) for x in label.split("-"))
        rate[(age >= lo) & (age < hi + 1)] = TFR * share / (hi + 1 - lo)
    return rate


def leslie_projection(h: float, years: float = YEARS, max_age: float = 120.0) -> np.ndarray:
    """Expected residents by sex (rows) and age cell of width h after ``years``."""
    edges = np.arange(0.0, max_age + h / 2, h)
    mid = edges[:-1] + h / 2
    n = len(mid)
    # Initial: within each band in proportion to survival from birth, l(x) (the
    # band's slice of the stationary population), half female (the model draws
    # sex 50/50).
    pop = np.zeros(n)
    for label, share in AGE_SHARES.items():
        lo, hi = (int(x) for x in label.split("-"))
        inside = (mid >= lo) & (mid < hi + 1)
        weight = np.exp(-cumulative_hazard(mid[inside]))
        pop[inside] = N0 * share * weight / weight.sum()
    female, male = pop / 2, pop / 2
    # Survival of a cell to the next over one step, from the closed-form hazard.
    surv = np.exp(-(cumulative_hazard(mid + h) - cumulative_hazard(mid)))
    # Births in a step to a woman of cell k who survives it (mid-step exposure),
    # and the newborns' survival from birth to the end of the step.
    births_per_woman = fertility(mid) * h * np.sqrt(surv)
    newborn_surv = math.exp(-cumulative_hazard(np.array([h / 2]))[0])
    pf = 1.0 / (1.0 + SRB)
    for _ in range(int(round(years / h))):
        births = float(births_per_woman @ female) * newborn_surv
        # The Leslie matrix's subdiagonal: cell k survives into cell k + 1 (the
        # last cell dies out), applied as a shift rather than an n x n product.
        female, male = _age_one_step(female, surv), _age_one_step(male, surv)
        # Newborns of the step sit, on average, at age h/2: the first cell.
        female[0] += births * pf
        male[0] += births * (1 - pf)
    return np.vstack([male, female]), mid


def _age_one_step(cells: np.ndarray, surv: np.ndarray) -> np.ndarray:
    out = np.zeros_like(cells)
    out[1:] = cells[:-1] * surv[:-1]
    return out


def band_totals(proj: np.ndarray, mid: np.ndarray) -> np.ndarray:
    total = proj.sum(axis=0)
    return np.array([total[(mid >= lo) & (mid < hi)].sum() for _, lo, hi in AGE_BANDS])


@pytest.mark.slow
def test_closed_population_matches_leslie_projection_in_every_age_band() -> None:
    scenario = closed_town()
    bands = []
    for rep in range(REPS):
        r = simulate(scenario, replication_seed(2024, rep))
        i = r.dates.index(dt.date(2039, 1, 1))
        bands.append(r.residents[i, 0])
    sim = np.array(bands, dtype=float)
    mean, se = sim.mean(axis=0), sim.std(axis=0, ddof=1) / math.sqrt(REPS)

    fine, mid = leslie_projection(1 / 24)
    finer, mid2 = leslie_projection(1 / 48)
    expected = band_totals(finer, mid2)
    discretisation = np.abs(band_totals(fine, mid) - expected)
    tolerance = 3 * se + discretisation
    report = "\n".join(
        f"{label:>6}: simulated {m:9.1f} ± {s:5.1f} (SE), projected {e:9.1f}"
        for (label, _, _), m, s, e in zip(AGE_BANDS, mean, se, expected, strict=True)
    )
    assert np.all(np.abs(mean - expected) <= tolerance), report
