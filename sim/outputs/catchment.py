"""The peak unmet demand in a facility's catchment, per replication (for planning answers).

A planning answer asks whether unmet demand of a facility's services in the
zones it serves exceeds a tolerance at some report date of the horizon. The
zones' unmet demand is added up at each date (a pupil without a seat in any of
the catchment's zones counts once), and the largest sum over dates and the
facility's services is what one replication returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import Results


@dataclass(frozen=True)
class CatchmentPeak:
    """Call it on a result: the largest summed unmet demand of ``services`` over ``zones``."""

    services: tuple[str, ...]
    zones: tuple[str, ...]

    def __call__(self, results: Results) -> float:
        z = [i for i, zone in enumerate(results.zones) if zone in self.zones]
        s = [i for i, service in enumerate(results.services) if service in self.services]
        if not z or not s:
            return 0.0
        unmet = results.series["unmet"][:, z, :][:, :, s].sum(axis=1)  # (dates, services)
        return float(np.max(unmet)) if unmet.size else 0.0
