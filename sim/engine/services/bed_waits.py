"""The bed waiting table: every join to a bed waiting list and how it ended.

A join ends in one of four ways: **admitted** (at once or after a wait), **died
waiting**, **left town** waiting (the household moved away), or it is **still
waiting** at the end of the horizon. A table of the admitted elders' waits
alone describes the survivors only: the elders who die on the list are the
ones who waited longest. So the table counts every join by outcome, and beside
the admitted elders' mean wait it gives the Kaplan-Meier estimate of the time to
admission, in which deaths, departures and the end of the horizon *censor* a
wait (the elder was still waiting then) rather than drop it. Read the
Kaplan-Meier quantiles as the wait an elder would face who neither died nor
left; they are missing (NaN) where too few joins were admitted for the curve to
reach the quantile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.engine.calendar import Calendar
from sim.engine.services.beds import ADMITTED, DIED, LEFT, Stay

STILL_WAITING = -1
"""Outcome of a join still on the list at the end (censored)."""

OUTCOME_COLUMNS = {ADMITTED: "admitted", DIED: "died_waiting", LEFT: "left_town", STILL_WAITING: "still_waiting"}


def km_quantiles(days: np.ndarray, admitted: np.ndarray, qs: Sequence[float]) -> list[float]:
    """Kaplan-Meier quantiles of the time to admission.

    Parameters
    ----------
    days
        Time from joining to the outcome (admission or censoring), per join.
    admitted
        True where the outcome is an admission; false where the wait is censored.
    qs
        Quantiles (0-1) of the wait.

    Returns
    -------
    list of float
        For each ``q``, the shortest wait by which the estimated share admitted
        reaches ``q``; NaN if it never does.
    """
    # At equal times admissions come before censorings (the usual convention);
    # taking tied admissions one at a time gives the same product (1 - d/n).
    order = np.lexsort((~admitted, days))
    d, e = days[order], admitted[order]
    at_risk = len(d) - np.arange(len(d))
    share = 1.0 - np.cumprod(np.where(e, 1.0 - 1.0 / at_risk, 1.0))
    out = []
    for q in qs:
        hit = np.flatnonzero(e & (share >= q - 1e-12))
        out.append(float(d[hit[0]]) if len(hit) else float("nan"))
    return out


def wait_table(
    outcomes: Sequence[tuple[int, float, float, int, int]],
    still: Sequence[Stay],
    end: float,
    zones: list[str],
    cal: Calendar,
) -> dict[str, np.ndarray]:
    """Joins by zone and year of joining, counted by outcome, with their waits.

    Parameters
    ----------
    outcomes
        ``(zone, joined, ended, outcome, episode)`` of every join that ended
        (:attr:`~sim.engine.services.beds.BedQueue.outcomes`); the zone is where
        the elder was listed when it ended.
    still
        Stays still on a list now.
    end
        Model time of the end of the horizon: the state then is what counts
        (a join that ended later was still waiting at the end); waits still
        running are censored there.
    """
    rows = [
        (z, j, e, o, k) if e <= end else (z, j, end, STILL_WAITING, k)
        for z, j, e, o, k in outcomes
        if o in OUTCOME_COLUMNS and j <= end
    ]
    rows += [(s.zone, s.joined, end, STILL_WAITING, s.episode) for s in still if s.joined <= end]
    groups: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
    for z, joined, ended, outcome, episode in rows:
        groups.setdefault((z, cal.date(joined).year), []).append((ended - joined, outcome, episode))
    keys = sorted(groups)
    cols: dict[str, list[float]] = {c: [] for c in (
        "joins", "rejoins", *OUTCOME_COLUMNS.values(), "admitted_at_once",
        "wait_mean_days", "wait_p90_days", "km_median_wait_days", "km_p90_wait_days")}
    for key in keys:
        days = np.array([g[0] for g in groups[key]])
        kinds = np.array([g[1] for g in groups[key]])
        admitted = kinds == ADMITTED
        waits = days[admitted]
        cols["joins"].append(len(days))
        cols["rejoins"].append(sum(g[2] > 0 for g in groups[key]))
        for code, name in OUTCOME_COLUMNS.items():
            cols[name].append(int(np.sum(kinds == code)))
        cols["admitted_at_once"].append(int(np.sum(waits == 0.0)))
        cols["wait_mean_days"].append(float(waits.mean()) if len(waits) else float("nan"))
        cols["wait_p90_days"].append(float(np.quantile(waits, 0.9)) if len(waits) else float("nan"))
        median, p90 = km_quantiles(days, admitted, (0.5, 0.9))
        cols["km_median_wait_days"].append(median)
        cols["km_p90_wait_days"].append(p90)
    table: dict[str, np.ndarray] = {
        "zone": np.array([zones[z] for z, _ in keys], dtype=object),
        "year": np.array([y for _, y in keys], dtype=np.int64),
    }
    for name, values in cols.items():
        table[name] = np.array(values, dtype=float if "days" in name else np.int64)
    return table
