"""Calendar arithmetic: the model's clock runs in days since the horizon start.

Scenarios speak in dates; the engine's SimPy clock is a float number of days
since ``horizon.start`` so that every event happens at its exact date. Ages and
rates are in years of 365.25 days.
"""

from __future__ import annotations

import datetime as dt

from sim.scenario.units import DAYS_PER_MONTH, DAYS_PER_YEAR

__all__ = ["DAYS_PER_MONTH", "DAYS_PER_YEAR", "Calendar"]


class Calendar:
    """Converts between dates and model time for one horizon."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.end = end
        self.end_time = float((end - start).days)

    def time(self, date: dt.date) -> float:
        """Model time (days since the start) of ``date``."""
        return float((date - self.start).days)

    def date(self, time: float) -> dt.date:
        """The calendar date on which model time ``time`` falls."""
        return self.start + dt.timedelta(days=int(time // 1))

    def month_day(self, year: int, month_day: str) -> dt.date:
        """The date ``MM-DD`` in ``year`` (29 February falls back to the 28th)."""
        month, day = (int(x) for x in month_day.split("-"))
        try:
            return dt.date(year, month, day)
        except ValueError:
            return dt.date(year, month, 28)

    def yearly(self, month_day: str) -> list[dt.date]:
        """Every date ``MM-DD`` inside the horizon."""
        out = []
        for year in range(self.start.year, self.end.year + 1):
            d = self.month_day(year, month_day)
            if self.start <= d <= self.end:
                out.append(d)
        return out

    def grid(self, every: str) -> list[dt.date]:
        """Regular report dates: the start, then the first day of each month,
        quarter or year after it, up to the end."""
        step = {"month": 1, "quarter": 3, "year": 12}[every]
        out = [self.start]
        y, m = self.start.year, self.start.month
        while True:
            m += step
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
            d = dt.date(y, m, 1)
            if d > self.end:
                return out
            out.append(d)
