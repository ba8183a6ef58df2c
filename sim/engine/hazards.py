"""Exact sampling of event ages from age-dependent hazards.

Every life event (death, a birth, a change of care need) is drawn by inverting
the cumulative hazard: with ``E ~ Exp(1)`` the event happens at the age ``y``
where ``H(y) - H(x) = E`` for a person now aged ``x``. This is exact for the
hazards used here and needs no time stepping, so a resident costs one
scheduled event per life event and nothing in between.

Two hazard shapes are used:

* mortality: a constant hazard ``h0 = -ln(1 - q0)`` in the first year of life
  (so that the infant death probability is exactly ``q0``) and a Gompertz hazard
  ``a * exp(b * x)`` from age 1 (docs/facts.md §5: a = 4.0e-5, b = 0.09 gives e0 = 79);
* piecewise-constant rates by age band (fertility, care-need transitions).

Ages are in years. ``inf`` means "never".
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

INF = math.inf


@dataclass(frozen=True)
class MortalityHazard:
    """Infant hazard for [0, 1) then Gompertz ``a * exp(b * x)``."""

    a: float
    b: float
    infant_q: float

    @property
    def h0(self) -> float:
        return -math.log1p(-self.infant_q) if self.infant_q < 1.0 else INF

    def cumulative(self, age: np.ndarray) -> np.ndarray:
        """Cumulative hazard from birth to ``age`` (vectorised)."""
        age = np.asarray(age, dtype=float)
        first = self.h0 * np.minimum(age, 1.0)
        later = np.where(
            age > 1.0, self.a / self.b * (np.exp(self.b * age) - math.exp(self.b)), 0.0
        )
        return np.asarray(first + later)

    def survival(self, age: np.ndarray) -> np.ndarray:
        """Probability of surviving from birth to ``age``."""
        return np.asarray(np.exp(-self.cumulative(age)))

    def death_age(self, age: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Age at death of people now aged ``age``, given ``E ~ Exp(1)`` draws."""
        age = np.asarray(age, dtype=float)
        e = np.asarray(e, dtype=float)
        out = np.empty_like(age)
        infant = age < 1.0
        # Hazard left to spend in the first year for infants.
        first_left = np.where(infant, self.h0 * (1.0 - age), 0.0)
        dies_infant = infant & (e < first_left)
        out[dies_infant] = age[dies_infant] + e[dies_infant] / self.h0
        rest = ~dies_infant
        start = np.maximum(age[rest], 1.0)
        e_rest = e[rest] - first_left[rest]
        out[rest] = np.log1p(e_rest * self.b / (self.a * np.exp(self.b * start))) / self.b + start
        return out

    def death_age_scalar(self, age: float, e: float) -> float:
        """Scalar :meth:`death_age`, for one newborn at a time."""
        if age < 1.0:
            first_left = self.h0 * (1.0 - age)
            if e < first_left:
                return age + e / self.h0
            e -= first_left
            age = 1.0
        return math.log1p(e * self.b / (self.a * math.exp(self.b * age))) / self.b + age


class PiecewiseHazard:
    """A hazard constant within age bands ``[lo, hi + 1)`` and zero elsewhere."""

    def __init__(self, bands: list[tuple[float, float, float]]) -> None:
        """``bands``: (start age, end age (exclusive), rate per year), contiguous."""
        bands = sorted(bands)
        self.breaks: list[float] = [bands[0][0]] + [hi for _, hi, _ in bands] if bands else [0.0]
        self.rates: list[float] = [r for _, _, r in bands]
        cum = [0.0]
        for (lo, hi, r) in bands:
            cum.append(cum[-1] + r * (hi - lo))
        self.cum = cum
        self._breaks = np.asarray(self.breaks)
        self._rates = np.asarray(self.rates + [0.0])
        self._cum = np.asarray(cum)

    @classmethod
    def from_labels(cls, rates: dict[str, float], scale: float = 1.0) -> PiecewiseHazard:
        """Build from labels ``"a-b"`` (whole years, inclusive) -> rate per year."""
        bands = []
        for label, rate in rates.items():
            lo, hi = (int(x) for x in label.split("-"))
            bands.append((float(lo), float(hi + 1), rate * scale))
        return cls(bands)

    @property
    def total(self) -> float:
        return self.cum[-1]

    def cumulative_scalar(self, age: float) -> float:
        b = self.breaks
        if not self.rates or age <= b[0]:
            return 0.0
        if age >= b[-1]:
            return self.cum[-1]
        k = bisect.bisect_right(b, age) - 1
        return self.cum[k] + self.rates[k] * (age - b[k])

    def cumulative(self, age: np.ndarray) -> np.ndarray:
        age = np.clip(np.asarray(age, dtype=float), self._breaks[0], self._breaks[-1])
        k = np.clip(np.searchsorted(self._breaks, age, side="right") - 1, 0, len(self.rates) - 1)
        return np.asarray(self._cum[k] + self._rates[k] * (age - self._breaks[k]))

    def next_age_scalar(self, age: float, e: float) -> float:
        """Age of the next event after ``age`` given ``E ~ Exp(1)``; ``inf`` if none."""
        target = self.cumulative_scalar(age) + e
        if not self.rates or target >= self.cum[-1]:
            return INF
        k = max(bisect.bisect_left(self.cum, target) - 1, 0)
        return self.breaks[k] + (target - self.cum[k]) / self.rates[k]

    def next_age(self, age: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`next_age_scalar`."""
        target = self.cumulative(age) + np.asarray(e, dtype=float)
        out = np.full(target.shape, INF)
        if not self.rates:
            return out
        ok = target < self._cum[-1]
        k = np.maximum(np.searchsorted(self._cum, target[ok], side="left") - 1, 0)
        out[ok] = self._breaks[k] + (target[ok] - self._cum[k]) / self._rates[k]
        return out


def exp1(u: np.ndarray) -> np.ndarray:
    """``Exp(1)`` variates from uniforms on [0, 1)."""
    return np.asarray(-np.log1p(-np.asarray(u)))
