"""Sensitivity estimators on one outcome: Morris, Sobol, tornado, and replication noise.

Each takes the outcome's values ``Y[point, rep]`` (NaN where a run failed) and
returns index rows ``input, method, index, low, high`` plus notes saying what
was left out and why — never a silent NaN:

* a design point with a failed replication is dropped whole (averaging the
  replications that ran would break the common random numbers), and with it
  the Morris trajectory or the Sobol base row it belongs to, so the estimator
  still sees complete trajectories and rows;
* an outcome that is the same at every point has no index (nothing varies);
* a tornado bar needs its point and the scenario's point.

Replications are averaged per point first: every point runs the same seeds,
so the averages differ only through the inputs and what is left of chance.
:func:`noise_share` says how much that is.

SALib computes μ*, σ and μ*'s bootstrap interval (:func:`SALib.analyze.morris.analyze`),
the first-order (Saltelli 2010) and total (Jansen 1999) indices with their
bootstrap intervals (:func:`SALib.analyze.sobol.analyze`). Written here, because
SALib lacks them: σ's bootstrap interval, the tornado's paired intervals and
the noise share.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from scipy import stats

from sim.experiments.sa_design import Design, salib_problem

NOISE = "replication_noise"
"""The ``input`` of a noise-share row."""


@dataclass
class Estimate:
    """Index rows of one outcome and the notes on what was left out."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, method: str, inp: str, index: float, low: float, high: float) -> None:
        self.rows.append({"method": method, "input": inp, "index": float(index),
                          "low": float(low), "high": float(high)})


@dataclass(frozen=True)
class Settings:
    """Estimator settings from the spec."""

    levels: int = 4
    bootstrap: int = 1000
    confidence: float = 0.95
    seed: int = 0


def estimate(design: Design, y: np.ndarray, settings: Settings) -> Estimate:
    """Indices of one outcome (``y``: ``points × replications``, NaN where a run failed)."""
    out = Estimate()
    ok = ~np.isnan(y).any(axis=1)
    if (~ok).any():
        out.notes.append(f"{int((~ok).sum())} of {len(ok)} design points dropped: a replication failed")
    ybar = np.where(ok, np.nanmean(np.where(ok[:, None], y, 0.0), axis=1), np.nan)
    if ok.sum() < 2 or np.ptp(ybar[ok]) <= 1e-12 * max(1.0, float(np.abs(ybar[ok]).max())):
        out.notes.append("no index: the outcome is the same at every design point")
        return out
    if design.method == "morris":
        _morris(design, ybar, ok, settings, out)
    elif design.method == "sobol":
        _sobol(design, ybar, ok, settings, out)
    else:
        _tornado(design, y, ok, settings, out)
    noise_share(y[ok], settings, out)
    return out


def elementary_effects(unit: np.ndarray, y: np.ndarray, per: int) -> np.ndarray:
    """Elementary effects ``(inputs, trajectories)``: each step of a trajectory moves
    one input; its effect is the change of ``y`` over the change of that input."""
    d = unit.shape[1]
    traj = len(y) // per
    x = unit.reshape(traj, per, d)
    dy = np.diff(y.reshape(traj, per), axis=1)  # (traj, d)
    dx = np.diff(x, axis=1)  # (traj, d steps, d inputs): one non-zero per step
    moved = np.argmax(np.abs(dx), axis=2)
    ee = np.empty((d, traj))
    for t in range(traj):
        for k in range(d):
            j = moved[t, k]
            ee[j, t] = dy[t, k] / dx[t, k, j]
    return ee


def _morris(design: Design, ybar: np.ndarray, ok: np.ndarray, s: Settings, out: Estimate) -> None:
    assert design.unit is not None
    d = len(design.inputs)
    per = d + 1
    keep = np.asarray(ok.reshape(-1, per).all(axis=1), dtype=bool)
    if (~keep).any():
        out.notes.append(f"Morris: {int((~keep).sum())} of {keep.size} trajectories dropped (a point failed)")
    if keep.sum() < 2:
        out.notes.append("Morris: fewer than 2 complete trajectories; no index")
        return
    x = design.unit.reshape(-1, per, d)[keep].reshape(-1, d)
    y = ybar.reshape(-1, per)[keep].reshape(-1)
    si = morris_analyze.analyze(salib_problem(design.inputs), x, y, num_resamples=s.bootstrap,
                                conf_level=s.confidence, num_levels=s.levels, seed=s.seed)
    ee = elementary_effects(x, y, per)
    rng = np.random.default_rng(s.seed)
    picks = rng.integers(0, ee.shape[1], size=(s.bootstrap, ee.shape[1]))
    sigmas = ee[:, picks].std(axis=2, ddof=1)  # (inputs, bootstrap)
    tail = (1 - s.confidence) / 2
    for j, inp in enumerate(design.inputs):
        mu_star, conf = float(si["mu_star"][j]), float(si["mu_star_conf"][j])
        out.add("morris_mu_star", inp.id, mu_star, max(0.0, mu_star - conf), mu_star + conf)
        lo, hi = np.quantile(sigmas[j], [tail, 1 - tail])
        out.add("morris_sigma", inp.id, float(si["sigma"][j]), lo, hi)


def _sobol(design: Design, ybar: np.ndarray, ok: np.ndarray, s: Settings, out: Estimate) -> None:
    d = len(design.inputs)
    per = d + 2
    keep = np.asarray(ok.reshape(-1, per).all(axis=1), dtype=bool)
    if (~keep).any():
        out.notes.append(f"Sobol: {int((~keep).sum())} of {keep.size} base rows dropped (a point failed)")
    if keep.sum() < 2:
        out.notes.append("Sobol: fewer than 2 complete base rows; no index")
        return
    y = ybar.reshape(-1, per)[keep].reshape(-1)
    with warnings.catch_warnings():  # constant outputs are caught above; a resample may still be flat
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol_analyze.analyze(salib_problem(design.inputs), y, calc_second_order=False,
                                   num_resamples=s.bootstrap, conf_level=s.confidence, seed=s.seed)
    for j, inp in enumerate(design.inputs):
        for method, key in (("sobol_first", "S1"), ("sobol_total", "ST")):
            value, conf = float(si[key][j]), float(si[f"{key}_conf"][j])
            out.add(method, inp.id, value, value - conf, value + conf)


def _tornado(design: Design, y: np.ndarray, ok: np.ndarray, s: Settings, out: Estimate) -> None:
    """Paired differences from the scenario's point, replication by replication."""
    if not ok[0]:
        out.notes.append("tornado: the scenario's own point failed; no bars")
        return
    t = float(stats.t.ppf(0.5 + s.confidence / 2, y.shape[1] - 1))
    for j, inp in enumerate(design.inputs):
        for side, p in (("tornado_low", 1 + 2 * j), ("tornado_high", 2 + 2 * j)):
            if not ok[p]:
                out.notes.append(f"tornado: {inp.id} {side[8:]} failed; no bar")
                continue
            diff = y[p] - y[0]
            half = t * float(diff.std(ddof=1)) / math.sqrt(len(diff))
            out.add(side, inp.id, float(diff.mean()), float(diff.mean()) - half, float(diff.mean()) + half)


def noise_share(y: np.ndarray, s: Settings, out: Estimate) -> None:
    """The share of the variance of the point averages that is replication noise.

    With common random numbers, replication ``r`` has the same seed at every
    point, so part of its chance is common to all points and moves every
    average alike: it cannot change an index. What can is the rest, the
    point-by-replication interaction of a two-way analysis of variance,
    ``y[p, r] = m + a_p + b_r + e[p, r]``: its mean square estimates ``Var(e)``,
    and an average of ``R`` replications carries ``Var(e) / R`` of it. The share
    is that over the variance of the point averages across points (inputs and
    noise together); near or above 1 the inputs' effect is lost in noise. Its
    interval is a bootstrap over points. Needs ``R >= 2``.
    """
    n, reps = y.shape
    if reps < 2:
        out.notes.append("noise share: needs 2 or more replications per point")
        return

    def share(rows: np.ndarray) -> np.ndarray:
        """The share for each stack of rows ``(..., points, reps)``."""
        means = rows.mean(axis=-1)
        total = means.var(axis=-1, ddof=1)
        resid = rows - means[..., None] - rows.mean(axis=-2, keepdims=True) + rows.mean(axis=(-2, -1))[..., None, None]
        noise = (resid**2).sum(axis=(-2, -1)) / ((rows.shape[-2] - 1) * (reps - 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where(total > 0, noise / reps / total, np.nan))

    value = float(share(y))
    if not math.isfinite(value):
        return
    rng = np.random.default_rng(s.seed + 1)
    picks = rng.integers(0, n, size=(min(s.bootstrap, 1000), n))
    boots = np.concatenate([share(y[chunk]) for chunk in np.array_split(picks, max(1, picks.size // 1_000_000))])
    boots = boots[np.isfinite(boots)]
    tail = (1 - s.confidence) / 2
    lo, hi = np.quantile(boots, [tail, 1 - tail]) if len(boots) else (value, value)
    out.add("noise_share", NOISE, value, float(lo), float(hi))
