"""Event times under calendar schedules, checked against numerical integration.

For a person born at ``beta`` who draws ``E`` at time ``now``, the event time
``t`` must satisfy ``∫_now^t S(tau) mu(tau - beta) dtau = E``. The integral is
computed here with scipy's adaptive quadrature, piece by piece, from the hazard
written out independently of the engine (Gompertz, infant hazard, age bands,
step and linear calendar factors), so a wrong piece boundary, a wrong closed
form or a slipped index shows as a residual far above quadrature error.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import integrate

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.hazards import MortalityHazard, PiecewiseHazard
from sim.engine.lifelines import TimeCurve, fertility_line, mortality_line, rate_line
from sim.scenario.model import DatedSchedule

A, B, Q0 = 4.0e-5, 0.09, 0.005
BANDS = [(15.0, 20.0, 0.01), (20.0, 25.0, 0.05), (25.0, 30.0, 0.09), (30.0, 35.0, 0.06), (35.0, 50.0, 0.01)]
POINTS = [1.0, 2.5, 4.0, 7.0]  # model years
VALUES = [1.6, 1.0, 0.7, 1.2]


def calendar(tau: float, linear: bool) -> float:
    """The calendar factor written out: flat outside the points, step or linear between."""
    if tau <= POINTS[0]:
        return VALUES[0]
    if tau >= POINTS[-1]:
        return VALUES[-1]
    k = max(i for i, p in enumerate(POINTS) if p <= tau)
    if not linear:
        return VALUES[k]
    w = (tau - POINTS[k]) / (POINTS[k + 1] - POINTS[k])
    return VALUES[k] + w * (VALUES[k + 1] - VALUES[k])


def mortality(age: float) -> float:
    return -math.log1p(-Q0) if age < 1.0 else A * math.exp(B * age)


def fertility(age: float) -> float:
    return next((r for lo, hi, r in BANDS if lo <= age < hi), 0.0)


def accumulated(mu, beta: float, now: float, t: float, linear: bool) -> float:  # type: ignore[no-untyped-def]
    """∫_now^t S(tau) mu(tau - beta) dtau by quadrature between every break point."""
    breaks = {now, t, *POINTS, beta + 1.0, *(beta + lo for lo, _, _ in BANDS), *(beta + hi for _, hi, _ in BANDS)}
    grid = sorted(x for x in breaks if now <= x <= t)
    total = 0.0
    for a, b in zip(grid, grid[1:], strict=False):
        value, _ = integrate.quad(lambda x: calendar(x, linear) * mu(x - beta), a, b, epsabs=1e-13, epsrel=1e-11)
        total += value
    return total


def lines(linear: bool):  # type: ignore[no-untyped-def]
    curve = TimeCurve.from_points(POINTS, VALUES, linear)
    m = MortalityHazard(A, B, Q0)
    return mortality_line(m, curve), fertility_line(PiecewiseHazard(BANDS), curve), curve


CASES = [(-70.0, 0.5), (-0.3, 0.2), (0.0, 0.0), (-22.0, 1.7), (-14.0, 0.1), (-40.0, 3.0), (2.0, 2.0)]


@pytest.mark.parametrize("linear", [False, True])
def test_event_times_accumulate_exactly_the_drawn_hazard(linear: bool) -> None:
    deaths, births, _ = lines(linear)
    rng = np.random.default_rng(5)
    for beta, now in CASES:
        for e in (*rng.exponential(size=6), 1e-4):
            for line, mu in ((deaths, mortality), (births, fertility)):
                t = line.next_time(beta * DAYS_PER_YEAR, now * DAYS_PER_YEAR, float(e)) / DAYS_PER_YEAR
                if math.isinf(t):  # no event: the fertility left is below E
                    assert accumulated(mu, beta, now, beta + 50.0, linear) < e
                    continue
                assert t >= now
                assert accumulated(mu, beta, now, t, linear) == pytest.approx(e, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("linear", [False, True])
def test_arrays_agree_with_one_at_a_time(linear: bool) -> None:
    deaths, births, _ = lines(linear)
    rng = np.random.default_rng(8)
    n = 400  # above the size where arrays are walked round by round
    birth = rng.uniform(-90.0, 3.0, n) * DAYS_PER_YEAR
    now = np.maximum(birth, rng.uniform(-1.0, 8.0, n) * DAYS_PER_YEAR)
    e = rng.exponential(size=n)
    for line in (deaths, births):
        many = line.next_times(birth, now, e)
        one = np.array([line.next_time(b, t, x) for b, t, x in zip(birth, now, e, strict=True)])
        np.testing.assert_allclose(many, one, rtol=1e-10)


def test_a_constant_rate_is_the_age_only_closed_form_scaled() -> None:
    m = MortalityHazard(A, B, Q0)
    line = mortality_line(m, TimeCurve.constant(0.8))
    ages, e = np.array([0.0, 0.5, 30.0, 85.0]), np.array([0.3, 1.0, 2.0, 0.1])
    got = line.next_times(-ages * DAYS_PER_YEAR, np.zeros(4), e) / DAYS_PER_YEAR
    np.testing.assert_allclose(got + ages, m.death_age(ages, e / 0.8))  # a time, from births at -age


def test_a_calendar_rate_alone_inverts_its_integral() -> None:
    line = rate_line(TimeCurve.from_points(POINTS, VALUES, linear=True))
    for now, e in ((0.0, 0.5), (2.0, 3.0), (6.5, 0.01), (9.0, 1.0)):
        t = line.next_time(now * DAYS_PER_YEAR, now * DAYS_PER_YEAR, e) / DAYS_PER_YEAR
        value, _ = integrate.quad(lambda x: calendar(x, True), now, t, points=[p for p in POINTS if now < p < t])
        assert value == pytest.approx(e, rel=1e-9)


def test_schedule_dates_become_model_years_and_flat_ends() -> None:
    sched = DatedSchedule(interpolation="step", points=[(dt.date(2020, 1, 1), 2.0), (dt.date(2021, 1, 1), 1.0)])
    curve = TimeCurve.from_rate(sched, dt.date(2019, 1, 1))
    assert curve(-5.0) == 2.0 and curve(0.5) == 2.0 and curve(1.5) == 2.0  # the first value before its date
    assert curve(2.0 + 1 / 365.25) == 1.0 and curve(50.0) == 1.0  # the last value after its date
    assert sched.value_at(dt.date(2020, 6, 1)) == 2.0
    linear = sched.model_copy(update={"interpolation": "linear"})
    assert TimeCurve.from_rate(linear, dt.date(2020, 1, 1))(0.5) == pytest.approx(1.5, abs=2e-3)
    assert linear.value_at(dt.date(2020, 7, 2)) == pytest.approx(2.0 - 183 / 366)
    assert TimeCurve.from_rate(1.3, dt.date(2020, 1, 1)).is_constant
