"""Seeds of replications: replication ``r`` of every scenario in an experiment
gets the same root seed, so scenarios are compared on common random numbers."""

from __future__ import annotations

import numpy as np


def replication_seed(root: int, rep: int) -> int:
    """The root seed of replication ``rep`` under experiment seed ``root`` (63-bit)."""
    state = np.random.SeedSequence(int(root), spawn_key=(int(rep),)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))
