"""Building the engine's tables: plain named columns of NumPy arrays.

A table is a ``dict`` of equal-length arrays (the outputs layer turns it into a
data frame). Two shapes recur: rows collected during a run (tuples) turned
into columns, and a value per report date and zone laid out date-major.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rows_to_columns(rows: Sequence[tuple], names: Sequence[str], dtypes: Sequence[type]) -> dict[str, np.ndarray]:
    """Rows of equal-length tuples as named, typed column arrays (empty columns without rows)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {n: np.array(list(c), dtype=d) for n, c, d in zip(names, columns, dtypes, strict=True)}


def date_zone_columns(dates: Sequence[object], zones: Sequence[str]) -> dict[str, np.ndarray]:
    """The ``date`` and ``zone`` columns of a table with one row per date and zone,
    dates outermost: values ``(T, Z)`` go beside them as ``values.reshape(-1)``."""
    return {
        "date": np.repeat(np.array(list(dates), dtype=object), len(zones)),
        "zone": np.tile(np.array(list(zones), dtype=object), len(dates)),
    }
