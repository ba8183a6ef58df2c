"""Figure: jobs in the parks and where the worker households they bring live.

Reads the ``jobs`` and ``worker_households`` tables (one replication, or many
with a ``rep`` or ``replication`` column, averaged per date). Left: jobs per
park over time. Right: worker households housed in the new town and commuting
(cumulative), stacked.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.outputs import style
from sim.outputs.figdata import year_fraction
from sim.outputs.figgrid import set_y_from_zero, year_ticks


def _mean_per_date(df: pd.DataFrame, by: list[str], values: list[str]) -> pd.DataFrame:
    """Sum over ``by`` within each replication, then average over replications."""
    rep = next((c for c in ("rep", "replication") if c in df.columns), None)
    keys = [rep, *by] if rep else by
    summed = df.groupby(keys, sort=True)[values].sum().reset_index()
    return summed.groupby(by, sort=True)[values].mean().reset_index()


def plot_jobs(jobs: pd.DataFrame, worker_households: pd.DataFrame, title: str | None = None) -> Figure:
    """Jobs per park, and worker households housed or commuting, over time.

    Parameters
    ----------
    jobs
        The ``jobs`` table: ``date``, ``park``, ``jobs`` (and optionally ``rep``).
    worker_households
        The ``worker_households`` table: ``date``, ``housed``, ``commuting``
        (and optionally ``rep``).
    title
        Figure title.

    Returns
    -------
    Figure
        A two-panel figure (Agg canvas, outside pyplot: nothing to close).
    """
    fig = style.new_figure(9.9, 3.3)
    left, right = fig.subplots(1, 2, gridspec_kw={"left": 0.08, "right": 0.99, "top": 0.74, "bottom": 0.14,
                                                  "wspace": 0.22})
    per_park = _mean_per_date(jobs, ["date", "park"], ["jobs"])
    top = 0.0
    for k, (park, rows) in enumerate(per_park.groupby("park", sort=True)):
        left.plot(year_fraction(rows["date"]), rows["jobs"], label=str(park), color=style.SERIES[k % len(style.SERIES)],
                  lw=1.3)
        top = max(top, float(rows["jobs"].max()))
    set_y_from_zero(left, top)
    left.set_title("Jobs in the parks", loc="left", y=1.0, pad=3)
    left.set_ylabel("jobs")
    left.legend(fontsize=6.5, ncols=2, loc="upper left")
    workers = _mean_per_date(worker_households, ["date"], ["housed", "commuting"])
    x = year_fraction(workers["date"])
    right.stackplot(x, workers["housed"], workers["commuting"], labels=["housed in the new town", "commuting"],
                    colors=(style.CAPACITY, style.DEMAND), alpha=0.85)
    set_y_from_zero(right, float((workers["housed"] + workers["commuting"]).max()))
    right.set_title("Worker households wanting to live in town (cumulative)", loc="left", y=1.0, pad=3)
    right.set_ylabel("households")
    right.legend(loc="upper left")
    for ax, xs in ((left, year_fraction(per_park["date"])), (right, x)):
        if len(xs):
            ticks = year_ticks(float(xs.min()), float(xs.max()))
            ax.set_xlim(float(xs.min()), float(xs.max()))
            ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.set_xlabel("year")
    if title:
        fig.suptitle(title, x=0.01, ha="left", y=0.97)
    return fig
