"""On the base scenario, an earlier school or more classes never leave more seats unmet.

Same seed, so the same households (common random numbers): the comparison is
exact, date by date and zone by zone. The horizon is cut to 2019-2030: the
changed schools open in 2022-2024, and their first pupils' whole primary and
middle schooling falls within it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.engine import simulate
from sim.scenario import load_scenario, set_path

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "liaohe_base.yaml"
SCHOOLS = ("kindergarten", "primary", "middle", "vocational")


@pytest.mark.slow
def test_earlier_and_larger_schools_never_add_unmet_seats_on_the_base() -> None:
    base = set_path(load_scenario(BASE), "horizon.end", dt.date(2030, 12, 31))
    better = set_path(base, "facilities[ningan_primary].opens", dt.date(2022, 9, 1))  # a year earlier
    better = set_path(better, "facilities[liaohe_north_middle].opens", dt.date(2024, 9, 1))
    better = set_path(better, "facilities[liaohe_foreign_language_school].capacity.classes", 90)
    a, b = simulate(base, 3), simulate(better, 3)
    assert np.array_equal(a.residents, b.residents)
    for service in SCHOOLS:
        s = a.services.index(service)
        unmet_a, unmet_b = a.series["unmet"][:, :, s], b.series["unmet"][:, :, s]
        assert np.all(unmet_b <= unmet_a + 1e-6), service
    primary = a.services.index("primary")
    # The change matters: fewer unmet primary seat-months somewhere.
    assert b.series["unmet"][:, :, primary].sum() < a.series["unmet"][:, :, primary].sum()
