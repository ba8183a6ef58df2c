"""Units of time shared by every layer: the model's year and month, in days.

A year is 365.25 days (a Julian year) and a month a twelfth of it (30.4375
days). A fixed month keeps a shift of ``m`` months the same size whatever date
it starts from (calendar months vary from 28 to 31 days), and ages and rates in
years convert to the engine's clock (days) without calendar arithmetic.
"""

from __future__ import annotations

DAYS_PER_YEAR = 365.25
"""Days in the model's year (ages, rates per year)."""

DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
"""Days in the model's month (30.4375): delays and shifts given in months."""
