"""Exact event times when rates depend on age and on the calendar.

A person born at model time ``beta`` (years) meets, at calendar time ``tau``,
the hazard ``h(tau) = S(tau) * mu(tau - beta)``: a calendar factor ``S`` (the
TFR of the year, a mortality level, an out-migration rate; piecewise constant
or piecewise linear in time, :class:`TimeCurve`) times an age hazard ``mu``
(piecewise constant by age band, or Gompertz). With ``E ~ Exp(1)`` the next
event happens at the ``tau`` where the hazard accumulated along the person's
life line since now equals ``E``: the same inversion as in
:mod:`sim.engine.hazards`, now over pieces where both the calendar segment and
the age piece are fixed.

Within one piece, with ``s`` the time since the piece starts,
``S = S0 + S1 s`` and ``mu = G e^(b s)`` (``b = 0`` for a constant hazard), so

* ``b = 0``: ``H(s) = G (S0 s + S1 s^2 / 2)``, inverted by the quadratic formula;
* ``b > 0``, ``S1 = 0``: ``H(s) = G S0 (e^(b s) - 1) / b``, inverted by a logarithm;
* ``b > 0``, ``S1 != 0``: ``H(s) = (G / b) [(S0 + S1 s - S1 / b) e^(b s) - (S0 - S1 / b)]``,
  increasing in ``s``, inverted by Newton's method kept inside the piece.

Once the calendar factor is constant for good (after the schedule's last point)
the age-only closed forms apply with ``E / S``. A rate given as one number is
such a constant from the start, so scenarios without schedules cost nothing more.
Times are in years here; the public methods take and return model days.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.hazards import INF, MortalityHazard, PiecewiseHazard
from sim.scenario.model import DatedSchedule, Rate

SMALL = 16
"""Below this many people, one person at a time is quicker than array rounds."""

NEWTON_STEPS = 60
"""Upper bound on Newton steps in a Gompertz piece with a linear calendar factor."""


@dataclass(frozen=True)
class TimeCurve:
    """A calendar factor ``S(tau)``, tau in model years: segment ``k`` covers
    ``[starts[k], starts[k + 1])`` with ``S = values[k] + slopes[k] (tau - starts[k])``.
    The first segment starts at ``-inf`` and the last runs to ``inf``; both are flat."""

    starts: tuple[float, ...]
    values: tuple[float, ...]
    slopes: tuple[float, ...]

    @classmethod
    def constant(cls, value: float) -> TimeCurve:
        return cls((-INF,), (float(value),), (0.0,))

    @classmethod
    def from_points(cls, times: list[float], values: list[float], linear: bool) -> TimeCurve:
        """From dated values (model years, increasing): step or linear between them,
        the first value before the first point and the last after the last."""
        segments = [(-INF, float(values[0]), 0.0)]
        for k in range(len(times)):
            if linear and k + 1 < len(times):
                slope = (values[k + 1] - values[k]) / (times[k + 1] - times[k])
                segments.append((times[k], float(values[k]), slope))
            elif (k > 0 or linear) and not (segments[-1][2] == 0.0 and segments[-1][1] == values[k]):
                segments.append((times[k], float(values[k]), 0.0))  # a flat segment (unless the same goes on)
        starts, vals, slopes = zip(*segments, strict=True)
        return cls(tuple(starts), tuple(vals), tuple(slopes))

    @classmethod
    def from_rate(cls, rate: Rate, start: dt.date) -> TimeCurve:
        """A scenario's rate (a number or a dated schedule) on a horizon starting ``start``."""
        if not isinstance(rate, DatedSchedule):
            return cls.constant(rate)
        times = [(d - start).days / DAYS_PER_YEAR for d, _ in rate.points]
        return cls.from_points(times, [v for _, v in rate.points], rate.interpolation == "linear")

    @property
    def is_constant(self) -> bool:
        return len(self.starts) == 1

    def segment(self, tau: float) -> int:
        return bisect.bisect_right(self.starts, tau) - 1

    def at(self, k: int, tau: float) -> float:
        """``S(tau)`` in segment ``k``."""
        slope = self.slopes[k]
        return self.values[k] + slope * (tau - self.starts[k]) if slope else self.values[k]

    def __call__(self, tau: float) -> float:
        return self.at(self.segment(tau), tau)


Piece = tuple[float, float, float, float]
"""An age piece ``(lo, hi, g, b)``: ``mu(x) = g e^(b (x - lo))`` for ``lo <= x < hi``, years."""

AgeInverse = Callable[[float, float], float]
AgeInverseArray = Callable[[np.ndarray, np.ndarray], np.ndarray]


def piece_hazard(g: float, b: float, s0: float, s1: float, length: float) -> float:
    """Hazard accumulated over a piece of ``length`` years (see the module docstring)."""
    if length <= 0.0:
        return 0.0
    if b == 0.0:
        return g * (s0 * length + 0.5 * s1 * length * length)
    ebs = math.exp(b * length) if length < INF else INF
    if s1 == 0.0:
        return g * s0 * (ebs - 1.0) / b
    return g / b * ((s0 + s1 * length - s1 / b) * ebs - (s0 - s1 / b))


def piece_inverse(g: float, b: float, s0: float, s1: float, e: float, length: float) -> float:
    """Time into a piece at which its hazard reaches ``e`` (``e`` <= its total)."""
    if b == 0.0:
        c = e / g
        if s1 == 0.0:
            return c / s0
        return 2.0 * c / (s0 + math.sqrt(max(s0 * s0 + 2.0 * s1 * c, 0.0)))
    if s1 == 0.0:
        return math.log1p(e * b / (g * s0)) / b
    lo, hi = 0.0, length
    s = min(math.log1p(e * b / (g * max(s0, 1e-300))) / b, length)
    for _ in range(NEWTON_STEPS):
        f = piece_hazard(g, b, s0, s1, s) - e
        if f > 0.0:
            hi = s
        else:
            lo = s
        slope = g * (s0 + s1 * s) * math.exp(b * s)
        nxt = s - f / slope if slope > 0.0 else 0.5 * (lo + hi)
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        if abs(nxt - s) <= 1e-13 * max(1.0, s):
            return nxt
        s = nxt
    return s


@dataclass(frozen=True)
class _Arrays:
    """A life line's curve and pieces as arrays, for the vectorised walk."""

    starts: np.ndarray
    values: np.ndarray
    slopes: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    g: np.ndarray
    b: np.ndarray


def _hazards(g: np.ndarray, b: np.ndarray, s0: np.ndarray, s1: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Vectorised :func:`piece_hazard` (lengths finite)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        flat = g * (s0 * length + 0.5 * s1 * length * length)
        bb = np.where(b > 0.0, b, 1.0)
        ebs = np.exp(b * length)
        gomp_const = g * s0 * np.expm1(b * length) / bb
        gomp_lin = g / bb * ((s0 + s1 * length - s1 / bb) * ebs - (s0 - s1 / bb))
    return np.asarray(np.where(b == 0.0, flat, np.where(s1 == 0.0, gomp_const, gomp_lin)))


def _inverses(
    g: np.ndarray, b: np.ndarray, s0: np.ndarray, s1: np.ndarray, e: np.ndarray, length: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`piece_inverse`."""
    out = np.empty(len(g))
    flat = b == 0.0
    if flat.any():
        c = e[flat] / g[flat]
        out[flat] = 2.0 * c / (s0[flat] + np.sqrt(np.maximum(s0[flat] ** 2 + 2.0 * s1[flat] * c, 0.0)))
    const = ~flat & (s1 == 0.0)
    if const.any():
        out[const] = np.log1p(e[const] * b[const] / (g[const] * s0[const])) / b[const]
    lin = ~flat & ~const
    if lin.any():
        out[lin] = _newton(g[lin], b[lin], s0[lin], s1[lin], e[lin], length[lin])
    return out


def _newton(g: np.ndarray, b: np.ndarray, s0: np.ndarray, s1: np.ndarray, e: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Vectorised safeguarded Newton for a Gompertz piece under a linear calendar factor."""
    lo, hi = np.zeros(len(g)), length.copy()
    s = np.minimum(np.log1p(e * b / (g * np.maximum(s0, 1e-300))) / b, length)
    for _ in range(NEWTON_STEPS):
        f = _hazards(g, b, s0, s1, s) - e
        hi = np.where(f > 0.0, s, hi)
        lo = np.where(f > 0.0, lo, s)
        slope = g * (s0 + s1 * s) * np.exp(b * s)
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = np.where(slope > 0.0, s - f / slope, 0.5 * (lo + hi))
        nxt = np.where((nxt > lo) & (nxt < hi), nxt, 0.5 * (lo + hi))
        done = np.abs(nxt - s) <= 1e-13 * np.maximum(1.0, s)
        s = nxt
        if done.all():
            break
    return s


class LifeLine:
    """Events of one kind along life lines: hazard ``S(tau) mu(age)`` (module docstring).

    Parameters
    ----------
    curve
        The calendar factor.
    pieces
        The age hazard as :data:`Piece` s in age order; ages outside them have none.
    age_inverse, age_inverse_array
        The age-only inversion ``(age, E) -> age of the event`` of ``mu``
        (``inf``: none), used once the calendar factor is constant.
    """

    def __init__(
        self, curve: TimeCurve, pieces: list[Piece], age_inverse: AgeInverse, age_inverse_array: AgeInverseArray
    ) -> None:
        self.curve, self.pieces = curve, pieces
        self.age_inverse, self.age_inverse_array = age_inverse, age_inverse_array
        self._his = np.array([p[1] for p in pieces])
        self._final = curve.values[-1]
        self._arrays = _Arrays(
            starts=np.array(curve.starts), values=np.array(curve.values), slopes=np.array(curve.slopes),
            lo=np.array([p[0] for p in pieces]), hi=self._his,
            g=np.array([p[2] for p in pieces]), b=np.array([p[3] for p in pieces]),
        )

    def next_time(self, birth: float, now: float, e: float) -> float:
        """Model day of the next event of someone born on day ``birth``, from day ``now``."""
        tau = self._next_years(birth / DAYS_PER_YEAR, now / DAYS_PER_YEAR, e)
        return tau * DAYS_PER_YEAR

    def _next_years(self, beta: float, tau: float, e: float) -> float:
        curve, pieces = self.curve, self.pieces
        k = curve.segment(tau)
        j = int(np.searchsorted(self._his, tau - beta, side="right"))
        last = len(curve.starts) - 1
        while j < len(pieces):
            lo, hi, g, b = pieces[j]
            x = tau - beta
            if x < lo:  # no hazard before this piece (or a rounding short of it): start there
                tau, x = beta + lo, lo
                k = curve.segment(tau)
            if k == last:  # the calendar factor is constant from here on
                s = self._final
                return beta + self.age_inverse(x, e / s) if s > 0.0 else INF
            end_age, end_cal = beta + hi, curve.starts[k + 1]
            end = min(end_age, end_cal)
            gg = g * math.exp(b * (x - lo)) if b else g
            s0, s1 = curve.at(k, tau), curve.slopes[k]
            h = piece_hazard(gg, b, s0, s1, end - tau)
            if h >= e:
                return tau + piece_inverse(gg, b, s0, s1, e, end - tau)
            e -= h
            tau = end
            if end_cal <= end_age:
                k += 1
            if end_age <= end_cal:
                j += 1
        return INF

    def next_times(self, birth: np.ndarray, now: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`next_time` (model days)."""
        beta = np.asarray(birth, dtype=float) / DAYS_PER_YEAR
        tau = np.broadcast_to(np.asarray(now, dtype=float) / DAYS_PER_YEAR, beta.shape).copy()
        e = np.broadcast_to(np.asarray(e, dtype=float), beta.shape).copy()
        if self.curve.is_constant or not len(beta):
            return self._constant(beta, tau, e) * DAYS_PER_YEAR
        if len(beta) <= SMALL:
            years = [self._next_years(b, t, x) for b, t, x in zip(beta.tolist(), tau.tolist(), e.tolist(), strict=True)]
            return np.array(years) * DAYS_PER_YEAR
        return self._walk(beta, tau, e) * DAYS_PER_YEAR

    def _walk(self, beta: np.ndarray, tau: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Piece by piece for everyone at once; each round settles or advances each person."""
        c = self._arrays
        out = np.full(beta.shape, INF)
        idx = np.arange(len(beta))
        k = np.searchsorted(c.starts, tau, side="right") - 1
        j = np.searchsorted(self._his, tau - beta, side="right")
        last, n_pieces = len(c.starts) - 1, len(self.pieces)
        while len(idx):
            keep = j < n_pieces  # past the last piece: no event
            idx, k, j = idx[keep], k[keep], j[keep]
            lo = c.lo[j]
            gap = tau[idx] - beta[idx] < lo
            if gap.any():  # no hazard before the piece: jump to its start
                tau[idx[gap]] = beta[idx[gap]] + lo[gap]
                k[gap] = np.searchsorted(c.starts, tau[idx[gap]], side="right") - 1
            flat = k == last  # the calendar factor is constant from here on
            if flat.any():
                i = idx[flat]
                out[i] = self._constant(beta[i], tau[i], e[i])
                idx, k, j, lo = idx[~flat], k[~flat], j[~flat], lo[~flat]
            if not len(idx):
                break
            b, t0 = c.b[j], tau[idx]
            x0 = np.maximum(t0 - beta[idx], lo)
            end_age, end_cal = beta[idx] + c.hi[j], c.starts[k + 1]
            end = np.minimum(end_age, end_cal)
            length = end - t0
            g = c.g[j] * np.exp(b * (x0 - lo))
            s1 = c.slopes[k]
            s0 = c.values[k] + np.where(s1 != 0.0, s1 * (t0 - np.where(np.isfinite(c.starts[k]), c.starts[k], 0.0)), 0.0)
            h = _hazards(g, b, s0, s1, length)
            hit = h >= e[idx]
            if hit.any():
                out[idx[hit]] = t0[hit] + _inverses(g[hit], b[hit], s0[hit], s1[hit], e[idx[hit]], length[hit])
            miss = ~hit
            idx, k, j = idx[miss], k[miss], j[miss]
            e[idx] -= h[miss]
            tau[idx] = end[miss]
            k = k + (end_cal[miss] <= end_age[miss])
            j = j + (end_age[miss] <= end_cal[miss])
        return out

    def _constant(self, beta: np.ndarray, tau: np.ndarray, e: np.ndarray) -> np.ndarray:
        s = self._final
        if s <= 0.0:
            return np.full(beta.shape, INF)
        return np.asarray(beta + self.age_inverse_array(tau - beta, e / s))


# --------------------------------------------------------------------- the model's life lines


def mortality_line(h: MortalityHazard, level: TimeCurve) -> LifeLine:
    """Deaths: the infant hazard and Gompertz (:class:`MortalityHazard`) times a calendar level."""
    pieces = [(0.0, 1.0, h.h0, 0.0), (1.0, INF, h.a * math.exp(h.b), h.b)]
    return LifeLine(level, pieces, h.death_age_scalar, h.death_age)


def fertility_line(shape: PiecewiseHazard, tfr: TimeCurve) -> LifeLine:
    """Births to a woman: age-specific rates per unit of TFR times the TFR of the time."""
    pieces = [(lo, hi, r, 0.0) for lo, hi, r in zip(shape.breaks, shape.breaks[1:], shape.rates, strict=False) if r > 0]
    return LifeLine(tfr, pieces, shape.next_age_scalar, shape.next_age)


def rate_line(rate: TimeCurve) -> LifeLine:
    """A calendar rate per year with no age dependence (out-migration): call with ``birth = now``."""

    def age_inverse(age: float, e: float) -> float:
        return age + e

    def age_inverse_array(age: np.ndarray, e: np.ndarray) -> np.ndarray:
        return np.asarray(age + e)

    return LifeLine(rate, [(0.0, INF, 1.0, 0.0)], age_inverse, age_inverse_array)
