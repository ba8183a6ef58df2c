"""Named random streams: reproducible, and independent across names, keys and seeds.

Two streams that should be independent are compared by the correlation of their
first ``N`` uniforms: for independent sequences the sample correlation is
approximately normal with mean 0 and standard error ``1/sqrt(N)``. Every pair
is allowed ``Z`` standard errors, with ``Z`` the two-sided Bonferroni bound for a
family error rate of 1e-3 over all the pairs compared. Identical or shifted
sequences (a stream name or key dropped from the seed) give correlation 1.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

from sim.engine.streams import Stream, Streams

N = 4096
PAIRS = math.comb(len(Stream), 2) + 3 * 3  # name pairs, then key and seed pairs below
Z = float(stats.norm.ppf(1 - 1e-3 / (2 * PAIRS)))


def first(streams: Streams, name: Stream, *key: int) -> np.ndarray:
    return streams.generator(name, *key).random(N)


def uncorrelated(x: np.ndarray, y: np.ndarray) -> bool:
    return not np.array_equal(x, y) and abs(float(np.corrcoef(x, y)[0, 1])) < Z / math.sqrt(N)


def test_the_same_name_key_and_seed_give_the_same_numbers() -> None:
    a, b = Streams(42), Streams(42)
    for name in Stream:
        np.testing.assert_array_equal(first(a, name, 3, 1), first(b, name, 3, 1))


def test_distinct_stream_names_give_independent_streams() -> None:
    s = Streams(20190424)
    draws = {name: first(s, name, 0, 0) for name in Stream}
    for a, b in itertools.combinations(Stream, 2):
        assert uncorrelated(draws[a], draws[b]), (a, b)
        # Not a shifted copy of each other either (one stream offset into the other).
        assert not np.isin(draws[a][:16], draws[b]).any(), (a, b)


def test_distinct_keys_and_seeds_give_independent_streams() -> None:
    s = Streams(7)
    for key_a, key_b in [((0, 0), (0, 1)), ((0, 1), (1, 0)), ((2,), (2, 0))]:
        assert uncorrelated(first(s, Stream.OCCUPANCY, *key_a), first(s, Stream.OCCUPANCY, *key_b)), (key_a, key_b)
    for seed_a, seed_b in [(7, 8), (0, 1), (7, 2**40 + 7)]:
        x, y = first(Streams(seed_a), Stream.HOUSEHOLDS, 0), first(Streams(seed_b), Stream.HOUSEHOLDS, 0)
        assert uncorrelated(x, y), (seed_a, seed_b)
    for key in [(0, 0), (1, 0), (0, 1)]:
        assert uncorrelated(first(s, Stream.SLIPPAGE, *key), first(s, Stream.OCCUPANCY, *key)), key
