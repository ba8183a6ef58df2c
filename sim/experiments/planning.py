"""Planning answers: the latest safe opening date and the smallest safe capacity of a facility.

The question: what is the latest opening date (or the smallest capacity) at
which the probability that unmet demand in the facility's catchment exceeds a
tolerance, at some report date of the horizon, stays at or below a risk bound?
Each candidate is the scenario with the facility opening then (opening at that
date exactly: no ``opens_with``, no construction delay) or holding that capacity
from its opening (capacity changes dropped). It runs ``reps`` replications on
common random numbers with the scenario's uncertain inputs drawn (the same
values for every candidate), and its probability is the share of replications
that exceed the tolerance, with a Clopper-Pearson interval.

The search leans on monotonicity: on common random numbers a later opening or a
smaller capacity never leaves less unmet demand in a replication, so the
probability rises with the date and falls with the capacity. A few candidates
spread over the range are run first (they draw the curve and bracket the
answer), then the bracket is halved until it is one candidate wide. Whether
the evaluated curve was in fact monotone is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from scipy import stats

from sim.engine import Results
from sim.experiments.executors import Executor
from sim.experiments.replications import ReducedTask, replicate_reduced
from sim.scenario import Scenario
from sim.scenario.paths import set_paths

Kind = Literal["opening", "capacity"]


@dataclass(frozen=True)
class CurvePoint:
    """One candidate: replications exceeding the tolerance, out of how many, and P's interval."""

    value: Any
    exceed: int
    reps: int
    low: float
    high: float

    @property
    def p(self) -> float:
        return self.exceed / self.reps


@dataclass
class PlanAnswer:
    """The answer, the curve it was found on and whether that curve was monotone."""

    kind: Kind
    facility: str
    risk: float
    tolerance: float
    curve: list[CurvePoint] = field(default_factory=list)
    answer: Any = None
    monotone: bool = True

    def safe(self, point: CurvePoint) -> bool:
        return point.p <= self.risk + 1e-12


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a proportion ``k / n``."""
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(stats.beta.ppf(tail, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - tail, k + 1, n - k))
    return low, high


def variant(base: Scenario, kind: Kind, facility: str, value: Any) -> Scenario:
    """The scenario with the facility opening at ``value`` or holding capacity ``value``."""
    prefix = f"facilities[{facility}]"
    if kind == "opening":
        return set_paths(base, {f"{prefix}.opens": value, f"{prefix}.opens_with": None,
                                f"{prefix}.construction_delay_months": None})
    measure = capacity_measure(base, facility)
    return set_paths(base, {f"{prefix}.capacity.{measure}": value, f"{prefix}.capacity_changes": []})


def capacity_measure(base: Scenario, facility: str) -> str:
    """``classes``, ``units`` or ``teams``: the measure the facility's capacity is given in."""
    cap = base.facility(facility).capacity
    return next(k for k in ("classes", "units", "teams") if getattr(cap, k) is not None)


Evaluate = Callable[[Sequence[Any]], list[CurvePoint]]


def evaluator(base: Scenario, kind: Kind, facility: str, reps: int, seed: int, tolerance: float,
              reduce: Callable[[Results], float], executor: Executor, fixed_inputs: bool = False) -> Evaluate:
    """A function that runs candidates (in one batch) and returns their curve points."""

    def evaluate(values: Sequence[Any]) -> list[CurvePoint]:
        scenarios = [variant(base, kind, facility, v) for v in values]
        exceed = [0] * len(values)

        def keep(task: ReducedTask[float], peak: float) -> None:
            exceed[task.key] += int(peak > tolerance + 1e-9)

        replicate_reduced(scenarios, range(reps), seed, reduce, executor, keep, fixed_inputs)
        return [CurvePoint(v, k, reps, *clopper_pearson(k, reps)) for v, k in zip(values, exceed, strict=True)]

    return evaluate


def search(kind: Kind, facility: str, candidates: Sequence[Any], risk: float, tolerance: float,
           evaluate: Evaluate, first_points: int = 5) -> PlanAnswer:
    """Find the latest safe date or the smallest safe capacity among ``candidates`` (ascending).

    Parameters
    ----------
    kind, facility, risk, tolerance
        The question.
    candidates
        Dates or capacities, ascending.
    evaluate
        Runs candidates and returns their curve points (:func:`evaluator`).
    first_points
        Candidates spread over the range run first, in one batch.
    """
    plan = PlanAnswer(kind, facility, risk, tolerance)
    # Order candidates so that the safe ones come first: early dates, large capacities.
    order = list(candidates) if kind == "opening" else list(reversed(candidates))
    seen: dict[int, CurvePoint] = {}

    def run(indices: list[int]) -> None:
        new = [i for i in dict.fromkeys(indices) if i not in seen]
        for i, point in zip(new, evaluate([order[i] for i in new]), strict=True):
            seen[i] = point

    n = len(order)
    run(sorted({round(k * (n - 1) / max(first_points - 1, 1)) for k in range(min(first_points, n))}))
    safe = {i: plan.safe(p) for i, p in seen.items()}
    if safe[0] and safe[n - 1]:
        lo = n - 1
    elif not safe[0]:
        lo = -1
    else:
        lo = max(i for i in seen if safe[i] and all(safe[j] for j in seen if j < i))
        hi = min(i for i in seen if i > lo and not safe[i])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            run([mid])
            if plan.safe(seen[mid]):
                lo = mid
            else:
                hi = mid
    plan.answer = order[lo] if lo >= 0 else None
    path = [seen[i] for i in sorted(seen)]
    plan.monotone = all(a.p <= b.p for a, b in zip(path, path[1:], strict=False))
    plan.curve = sorted(seen.values(), key=lambda p: p.value)
    return plan
