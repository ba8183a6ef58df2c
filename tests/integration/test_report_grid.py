"""What the model does does not depend on how often it is reported.

Reports only read the state: the services' state changes (a school-year intake,
mid-year transfers into free seats, eldercare waiting lists) happen in the
model's own processes and event handlers. So a town reported every month and
the same town reported every quarter, on the same seed, must show identical
figures at every date the two grids share, and identical flows summed up to
each shared date. The school-year intake is moved off both grids (10
September) so that a sample which itself promoted pupils or placed them would
show here. Nothing is tolerated: the comparison is exact.

Two towns: the tiny one that uses every part of the scenario format (three
years), and the base scenario cut to its first two years (what it schedules
later dropped). In the base town, seating pupils at every report made the
quarterly reports differ from the monthly ones by up to 0.75 pupils served.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim.engine import EVENT_KINDS, Results, simulate
from sim.scenario import load_scenario
from sim.scenario.loader import validate_data

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "scenarios" / "tiny_complete.yaml"
BASE = ROOT / "scenarios" / "liaohe_base.yaml"


def tiny() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["horizon"]["end"] = "2021-12-31"
    return data


def base_two_years() -> dict[str, Any]:
    """The base scenario to 2020-12-31, without the phases and facilities it schedules
    later, nor the observed figures it is checked against."""
    end = dt.date(2020, 12, 31)
    d: dict[str, Any] = load_scenario(BASE).model_dump()
    d["horizon"]["end"] = end
    d.pop("observed", None)
    for h in d["housing"]:
        h["phases"] = [p for p in h["phases"] if p["date"] <= end]
    d["housing"] = [h for h in d["housing"] if h["phases"]]
    kept = {h["id"] for h in d["housing"]}
    d["facilities"] = [
        {**f, "capacity_changes": [c for c in f["capacity_changes"] if c["date"] <= end]}
        for f in d["facilities"]
        if not ((f.get("opens") and f["opens"] > end) or (f.get("opens_with") and f["opens_with"] not in kept))
    ]
    return d


def run(data: dict[str, Any], report_every: str) -> Results:
    data = {**data, "report_every": report_every}
    data["services"] = {**data["services"], "school_year": {**data["services"]["school_year"], "intake": "09-10"}}
    return simulate(validate_data(data), 7)


@pytest.mark.parametrize("town", [tiny, base_two_years], ids=["tiny_complete", "base_2019_2020"])
def test_monthly_and_quarterly_reports_agree_on_common_dates(town: Any) -> None:
    data = town()
    month, quarter = run(data, "month"), run(data, "quarter")
    common = sorted(set(month.dates) & set(quarter.dates))
    intakes = sum(d.month == 9 and d.day == 10 for d in common)
    # The quarter grid and every off-grid intake (one a year) are shared.
    assert len(common) >= 8 and intakes == len({d.year for d in common}) - (common[-1].month < 9)
    assert month.services == quarter.services and month.facility_keys == quarter.facility_keys
    im = [month.dates.index(d) for d in common]
    iq = [quarter.dates.index(d) for d in common]
    np.testing.assert_array_equal(month.residents[im], quarter.residents[iq])
    np.testing.assert_array_equal(month.households[im], quarter.households[iq])
    for field in month.series:
        np.testing.assert_array_equal(month.series[field][im], quarter.series[field][iq], err_msg=field)
    for field in month.facility_series:
        np.testing.assert_array_equal(
            month.facility_series[field][im], quarter.facility_series[field][iq], err_msg=field
        )
    for kind in EVENT_KINDS:  # flows between reports: compare their running totals
        np.testing.assert_array_equal(
            np.cumsum(month.events[kind], axis=0)[im], np.cumsum(quarter.events[kind], axis=0)[iq], err_msg=kind
        )
    # The schools did something worth comparing: pupils were seated.
    assert month.series["served"].sum() > 0
