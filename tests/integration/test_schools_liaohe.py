"""Liaohe New Town: kindergartens not built in step with housing leave a larger gap.

The variant opens every project kindergarten two to three years after its
housing instead of with it (docs/facts.md §1 [5][6]: the Shandong rule is to hand
them over together). In every replication, with the same seeds (so the same
households), the variant's kindergarten gap in unmet seat-years, summed over
zones and report dates, is larger than the base's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.engine.results import Results
from sim.engine.town import simulate
from sim.scenario import load_scenario, set_path

ROOT = Path(__file__).resolve().parents[2]
END = dt.date(2030, 12, 31)  # the project kindergartens' opening years all lie before


def seat_years(res: Results, service: str) -> float:
    """Unmet seats integrated over time (left sums over report intervals), in seat-years."""
    ordinals = np.array([d.toordinal() for d in res.dates], dtype=float)
    widths = np.diff(ordinals, append=ordinals[-1]) / 365.25
    unmet = res.series["unmet"][:, :, res.services.index(service)].sum(axis=1)
    return float(unmet @ widths)


@pytest.mark.slow
def test_kindergartens_out_of_step_leave_a_larger_gap() -> None:
    base = set_path(load_scenario(ROOT / "scenarios" / "liaohe_base.yaml"), "horizon.end", END)
    late = set_path(load_scenario(ROOT / "scenarios" / "liaohe_kg_not_in_step.yaml"), "horizon.end", END)
    for seed in (1, 2, 3):
        a, b = simulate(base, seed=seed), simulate(late, seed=seed)
        assert np.array_equal(a.residents, b.residents)  # the same town, only the schools differ
        assert seat_years(b, "kindergarten") > seat_years(a, "kindergarten")
