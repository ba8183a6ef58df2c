"""Figure: jobs in the parks and where the worker households they bring live.

Reads the ``jobs`` and ``worker_households`` tables (one replication, or many
with a ``replication`` column, averaged per date). Left: jobs per park over
time. Right: worker households housed in the new town and commuting
(cumulative), stacked.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def _mean_per_date(df: pd.DataFrame, by: list[str], values: list[str]) -> pd.DataFrame:
    """Sum over ``by`` within each replication, then average over replications."""
    keys = ["replication", *by] if "replication" in df.columns else by
    summed = df.groupby(keys, sort=True)[values].sum().reset_index()
    return summed.groupby(by, sort=True)[values].mean().reset_index()


def plot_jobs(jobs: pd.DataFrame, worker_households: pd.DataFrame, title: str | None = None) -> Figure:
    """Jobs per park, and worker households housed or commuting, over time.

    Parameters
    ----------
    jobs
        The ``jobs`` table: ``date``, ``park``, ``jobs`` (and optionally ``replication``).
    worker_households
        The ``worker_households`` table: ``date``, ``housed``, ``commuting``
        (and optionally ``replication``).
    title
        Figure title.

    Returns
    -------
    Figure
        A two-panel matplotlib figure (Agg backend); the caller saves or closes it.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    per_park = _mean_per_date(jobs, ["date", "park"], ["jobs"])
    for park, rows in per_park.groupby("park", sort=True):
        left.plot(pd.to_datetime(rows["date"]), rows["jobs"], label=str(park))
    left.set_title("Jobs in the parks")
    left.set_ylabel("jobs")
    left.legend(fontsize="small", frameon=False)
    workers = _mean_per_date(worker_households, ["date"], ["housed", "commuting"])
    dates = pd.to_datetime(workers["date"])
    right.stackplot(dates, workers["housed"], workers["commuting"], labels=["housed in the new town", "commuting"], alpha=0.8)
    right.set_title("Worker households wanting to live in town (cumulative)")
    right.set_ylabel("households")
    right.legend(loc="upper left", fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig
