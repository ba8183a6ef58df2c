"""A planning answer's table (``plan.csv``), its figure and its sentence.

``plan.csv`` has one row per candidate the search ran: ``question`` (opening or
capacity), ``facility``, ``service``, ``catchment`` (zones joined by ``+``),
``value`` (a date or a capacity), ``exceed`` and ``reps`` (replications whose
catchment unmet demand exceeded the tolerance, out of how many), ``p_exceed``
with its 95 % interval ``low``, ``high``, ``risk``, ``tolerance``, ``safe``
(``p_exceed <= risk``) and ``answer`` (true on the answer's row).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.experiments.planning import PlanAnswer  # noqa: E402
from sim.outputs.plots import save  # noqa: E402

PLAN_COLUMNS = ("question", "facility", "service", "catchment", "value", "exceed", "reps", "p_exceed",
                "low", "high", "risk", "tolerance", "safe", "answer")


def plan_table(plan: PlanAnswer, services: tuple[str, ...], catchment: tuple[str, ...]) -> pd.DataFrame:
    """The searched curve as ``plan.csv`` rows (see the module docstring)."""
    rows = [{
        "question": plan.kind, "facility": plan.facility, "service": "+".join(services),
        "catchment": "+".join(catchment), "value": _text(p.value), "exceed": p.exceed, "reps": p.reps,
        "p_exceed": p.p, "low": p.low, "high": p.high, "risk": plan.risk, "tolerance": plan.tolerance,
        "safe": plan.safe(p), "answer": plan.answer is not None and p.value == plan.answer,
    } for p in plan.curve]
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def answer_sentence(plan: PlanAnswer, unit: str, first: Any, last: Any) -> str:
    """The answer in one sentence, or why there is none."""
    what = "opening date" if plan.kind == "opening" else "capacity"
    bound = f"P(unmet demand in the catchment > {plan.tolerance:g}) <= {plan.risk:g}"
    if plan.answer is None:
        edge = plan.curve[0] if plan.kind == "opening" else plan.curve[-1]
        best = "even at the earliest date" if plan.kind == "opening" else "even at the largest capacity"
        return (f"no {what} between {_text(first)} and {_text(last)} keeps {bound}: {best} "
                f"({_text(edge.value)}) P = {edge.p:.2f} [{edge.low:.2f}, {edge.high:.2f}]")
    point = next(p for p in plan.curve if p.value == plan.answer)
    head = (f"latest safe opening date: {_text(plan.answer)}" if plan.kind == "opening"
            else f"smallest safe capacity: {plan.answer} {unit}")
    return f"{head} ({bound}; there P = {point.p:.2f} [{point.low:.2f}, {point.high:.2f}], {point.reps} replications)"


def plan_figure(plan: PlanAnswer, unit: str, path: Path) -> Path:
    """The probability curve the search ran, with intervals, the risk bound and the answer."""
    fig, ax = plt.subplots(figsize=(7.5, 4.0), layout="constrained")
    x = [pd.Timestamp(p.value) if isinstance(p.value, dt.date) else p.value for p in plan.curve]
    p = [pt.p for pt in plan.curve]
    err = [[pt.p - pt.low for pt in plan.curve], [pt.high - pt.p for pt in plan.curve]]
    ax.errorbar(x, p, yerr=err, fmt="o", ms=4, capsize=3, color="tab:blue", label="P(exceed), 95 % interval")
    ax.plot(x, p, color="tab:blue", lw=0.8, ls=":", alpha=0.6)  # only the points were run
    ax.axhline(plan.risk, color="tab:red", lw=1.0, ls="--", label=f"risk bound {plan.risk:g}")
    if plan.answer is not None:
        at = pd.Timestamp(plan.answer) if isinstance(plan.answer, dt.date) else plan.answer
        ax.axvline(at, color="tab:green", lw=1.2, label=f"answer {_text(plan.answer)}")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("opening date" if plan.kind == "opening" else f"capacity ({unit})")
    ax.set_ylabel(f"P(catchment unmet > {plan.tolerance:g})")
    ax.set_title(f"{plan.facility}: {'latest safe opening' if plan.kind == 'opening' else 'smallest safe capacity'}",
                 fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return save(fig, path)
