"""Enterprises in the Liaohe base scenario: jobs bring households, households bring pupils.

Same seeds with ``enterprises.enabled`` true and false (common random numbers:
every draw outside the enterprises' own streams is shared), a few seeds only
and the horizon cut to 2019-2030, as a base replication takes several seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.engine.town import simulate
from sim.scenario import SCHOOL_SERVICES, load_scenario, set_path

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "liaohe_base.yaml"
SEEDS = (1, 2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_enterprises_raise_households_and_school_demand(seed: int) -> None:
    on = set_path(load_scenario(BASE), "horizon.end", dt.date(2030, 12, 31))
    off = set_path(on, "enterprises.enabled", False)
    a, b = simulate(on, seed), simulate(off, seed)
    w = a.tables["worker_households"]
    housed = int(w["housed"][w["date"] == w["date"][-1]].sum())
    assert housed > 0
    # Before any firm arrives the two runs are the same town.
    np.testing.assert_array_equal(a.households[0], b.households[0])
    # Worker households take dwellings on the market, which young adults leaving
    # home or re-let households would otherwise have had, so they need not add
    # households; they add residents (a young adult left without a dwelling
    # stays at home, in town).
    assert a.total_residents()[-1].sum() > b.total_residents()[-1].sum()
    ages_3_17 = slice(1, 5)  # reporting bands 3-5, 6-11, 12-14, 15-17
    assert a.residents[-1, :, ages_3_17].sum() > b.residents[-1, :, ages_3_17].sum()
    schools = [s.value for s in SCHOOL_SERVICES]
    assert set(schools) <= set(a.services)
    demand_a = sum(a.series["demand"][-1, :, a.services.index(s)].sum() for s in schools)
    demand_b = sum(b.series["demand"][-1, :, b.services.index(s)].sum() for s in schools)
    assert demand_a > demand_b
    j = a.tables["jobs"]
    np.testing.assert_array_equal(j["jobs"], j["jobs_created_cumulative"] - j["jobs_lost_cumulative"])
