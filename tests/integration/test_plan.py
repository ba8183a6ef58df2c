"""Planning answers on a town whose answer can be computed by hand.

``tests/scenarios/planning/town.yaml``: an empty zone gets 200 residents from the
first report date after its first phase and 400 from the first after its
second; a health centre (demand: every resident) serves it. Nothing else is
random. Report dates are the first of each month, and a facility that opens on
a report date serves at that report.

*Opening* (``opening.yaml``, capacity 500): both phases come 0, 12, 24 or 36
months late (365.25/12-day months, so +365, +730 and +1096 days): first
deliveries 2021-01-01, 2022-01-01, 2023-01-01, 2024-01-02, second ones a year
later (2022-01-01, 2023-01-01, 2024-01-01, 2025-01-01). With 4 replications
drawn as a Latin hypercube each delay falls to exactly one. Unmet demand exceeds
0 unless the centre opens by the report after the first delivery, so the
latest safe date is 2021-02-01 when no replication may fall short (risk 0.1),
2022-02-01 when a quarter may (risk 0.3), 2023-02-01 when half may (risk 0.6).
Tolerating 200 residents lets it wait for the second phase: 2022-02-01 at risk
0.1; tolerating 400, any date.

*Capacity* (``capacity.yaml``, open from the start): the second phase has 0,
50, 100 or 150 units, so 200, 300, 400 or 500 residents in the end, one
replication each. The smallest safe capacity is 500 at risk 0.1, 400 at risk
0.3, and 450 at risk 0.1 when 50 are tolerated.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.cli.plan import candidate_dates
from sim.experiments.executors import InProcess
from sim.experiments.planning import CurvePoint, Evaluate, Kind, evaluator, search
from sim.outputs.catchment import CatchmentPeak
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PLANNING = ROOT / "tests" / "scenarios" / "planning"
REPS = 4


def memo(evaluate: Evaluate) -> Evaluate:
    """Run each candidate once; the curve does not depend on the risk bound."""
    seen: dict[Any, CurvePoint] = {}

    def run(values: Sequence[Any]) -> list[CurvePoint]:
        new = [v for v in values if v not in seen]
        for point in evaluate(new) if new else []:
            seen[point.value] = point
        return [seen[v] for v in values]

    return run


def answers(kind: Kind, file: str, tolerance: float, risks: list[float], candidates: list[Any]) -> list[Any]:
    scenario = load_scenario(PLANNING / file)
    with InProcess() as ex:
        evaluate = memo(evaluator(scenario, kind, "centre", REPS, scenario.seed, tolerance,
                                  CatchmentPeak(("health_centre",), ("core",)), ex))
        return [search(kind, "centre", candidates, risk, tolerance, evaluate).answer for risk in risks]


def months() -> list[dt.date]:
    scenario = load_scenario(PLANNING / "opening.yaml")
    return candidate_dates(scenario, "month", dt.date(2020, 1, 1), dt.date(2025, 12, 31))


def test_latest_safe_opening_date_is_the_hand_computed_one_and_later_for_a_larger_risk() -> None:
    got = answers("opening", "opening.yaml", 0.0, [0.1, 0.3, 0.6], months())
    assert got == [dt.date(2021, 2, 1), dt.date(2022, 2, 1), dt.date(2023, 2, 1)]


def test_tolerating_unmet_demand_allows_a_later_opening() -> None:
    got = [answers("opening", "opening.yaml", tol, [0.1], months())[0] for tol in (200.0, 400.0)]
    assert got == [dt.date(2022, 2, 1), dt.date(2025, 12, 1)]


def test_smallest_safe_capacity_is_the_hand_computed_one_and_smaller_for_a_larger_risk_or_tolerance() -> None:
    caps = list(range(0, 601, 10))
    assert answers("capacity", "capacity.yaml", 0.0, [0.1, 0.3], caps) == [500, 400]
    assert answers("capacity", "capacity.yaml", 50.0, [0.1], caps) == [450]


def test_when_nothing_in_the_range_is_safe_the_answer_says_so(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    argv = [sys.executable, "run.py", "plan", "capacity", "centre", str(PLANNING / "capacity.yaml"), "--risk", "0.1",
            "--reps", str(REPS), "--max", "450", "--step", "50", "--workers", "0", "--out", str(out)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "no capacity between 0 and 450 keeps P(unmet demand in the catchment > 0) <= 0.1" in done.stdout
    assert "(450) P = 0.25" in done.stdout
    table = pd.read_csv(out / "plan.csv")
    assert list(table.columns) == ["question", "facility", "service", "catchment", "value", "exceed", "reps",
                                   "p_exceed", "low", "high", "risk", "tolerance", "safe", "answer"]
    assert not table["answer"].any() and (out / "plan_curve.png").is_file()
    assert json.loads((out / "manifest.json").read_text())["answer"] is None
    # A results folder like run's: the scenario as run, and a report whose planning section
    # has the curve and says that nothing in the range suffices.
    assert json.loads((out / "scenario.json").read_text())["resolved"]["name"] == load_scenario(
        PLANNING / "capacity.yaml").name
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="plan">' in html and "none within the range searched" in html
    assert html.count("data:image/png;base64") == 1  # the probability curve
    # The folder was claimed: the same --out again is refused before anything runs.
    again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--force" in again.stderr


@pytest.mark.parametrize("argv", [["opening", "nowhere"], ["opening", "centre", "--risk", "1.5"]])
def test_a_bad_question_is_refused_with_status_2(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "run.py", "plan", *argv, str(PLANNING / "town.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
