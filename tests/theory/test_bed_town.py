"""Bed occupancy and length of stay in a test town, against the queue's closed form.

The whole chain runs here — residents, their care needs, the share who seek a
bed, admission, stays ended by death or discharge — not a harness around the
queue (``test_bed_queue.py`` checks the queue alone against Erlang B and C).

The town: ``N`` one-person households, every resident aged 60 to 61 at the
start and needing community care already (rate 100 a year from age 50). From
age 60 each comes to need institutional care at rate ``r``; a share ``s`` then
seeks a bed. Mortality is constant, ``m`` a year (Gompertz with ``b`` ~ 0), and
a stay ends at death or discharge (``delta`` a year), so a stay is exponential
with rate ``mu = m + delta``. Nobody moves; nothing is re-let.

Arrivals of seekers are then a Poisson process whose rate falls slowly as the
pool of residents not yet needing a bed shrinks (by ``r + m`` = 1.4 % a year):
an M(t)/M/c queue. With ``c`` well above the offered load the expected number
of occupied beds is the infinite-server mean (Eick, Massey and Whitt 1993),
written for this town's rates (``T`` = the time a resident comes to need a bed,
``D = age - 60`` uniform on [0, 1) at the start):

    busy(t) = N s [ P(T <= 0) e^(-mu t)
                    + (1 - e^(-r)) (e^(-(r + m) t) - e^(-mu t)) / (mu - r - m) ]

with ``P(T <= 0) = 1 - (1 - e^(-r)) / r`` (those needing a bed at the start seek
it at once). With 230 beds and a load of about 175 Erlangs, the chance that
all beds are busy is below 10^-4 (Erlang B), so finite ``c`` changes the mean
by far less than the sampling error. The mean stay is ``1 / mu``; stays are
counted when they end, from 2029 on, when every stay that could end then began
after the start (truncation below e^(-8 mu) ≈ 0.2 %).

Tolerance: 3 standard errors over independent replications.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine import simulate
from sim.experiments.seeds import replication_seed
from sim.scenario.model import Scenario

N, R, M, SHARE, DELTA, BEDS = 60_000, 0.004, 0.01, 0.6, 0.8, 230
MU = M + DELTA
REPS = 6
WINDOW_FROM = 2021  # occupancy compared from 2021 (after the start's burst has mostly left)
STAYS_FROM = 2029


def town() -> Scenario:
    return Scenario.model_validate({
        "name": "bed_town",
        "horizon": {"start": "2019-01-01", "end": "2034-12-31"},
        "report_every": "month",
        "zones": [{"id": "town", "initial_population": {
            "residents": N, "age_shares": {"0-59": 0.0, "60-60": 1.0}, "household_size": {1: 1.0}}}],
        "demography": {
            "tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
            "mortality": {"gompertz": {"a": M, "b": 1e-12}, "infant": 0.0},
            "out_migration_per_year": 0.0,
            "ages_within_band": "uniform",  # ages 60-61 spread evenly, as the closed form assumes
            "care_needs": {"to_community_per_year": {"50-110": 100.0}, "to_institutional_per_year": {"60-110": R}},
        },
        "housing_defaults": {"relet_months": None},
        "facilities": [{"id": "home", "service": "eldercare_bed", "zone": "town", "capacity": {"units": BEDS}}],
        "services": {"eldercare_bed": {"institutional_share": SHARE, "discharge_per_year": DELTA}},
    })


def expected_busy(t: np.ndarray) -> np.ndarray:
    p0 = 1.0 - (1.0 - math.exp(-R)) / R
    later = (1.0 - math.exp(-R)) * (np.exp(-(R + M) * t) - np.exp(-MU * t)) / (MU - R - M)
    return np.asarray(N * SHARE * (p0 * np.exp(-MU * t) + later))


def erlang_b(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def test_occupancy_and_mean_stay_match_the_closed_form() -> None:
    occupancy, stays = [], []
    for rep in range(REPS):
        r = simulate(town(), replication_seed(31, rep))
        years = np.array([(d - r.dates[0]).days / 365.25 for d in r.dates])
        window = np.array([d.year >= WINDOW_FROM for d in r.dates])
        busy = r.facility_series["served"][:, 0]
        assert (busy <= BEDS).all()
        occupancy.append(float(busy[window].mean()) / BEDS)
        s = r.tables["bed_stays"]
        late = s["year"] >= STAYS_FROM
        stays.append(float((s["stays_ended"][late] * s["stay_mean_days"][late]).sum() / s["stays_ended"][late].sum()))
    expected_occupancy = float(expected_busy(years[window]).mean()) / BEDS
    assert erlang_b(BEDS, float(expected_busy(years[window]).max())) < 1e-4  # beds almost never all busy

    for what, values, expected in (
        ("occupancy", occupancy, expected_occupancy),
        ("mean stay (days)", stays, 365.25 / MU),
    ):
        x = np.asarray(values)
        se = float(x.std(ddof=1)) / math.sqrt(len(x))
        assert abs(float(x.mean()) - expected) <= 3 * se, f"{what}: {x.mean():.4f} ± {se:.4f} vs {expected:.4f}"
    assert 0.6 < expected_occupancy < 0.9  # the check is not vacuous: most beds are in use
