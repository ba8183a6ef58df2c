"""Drawing uncertain inputs: one value set per replication, a Latin hypercube across replications.

A scenario's uncertain inputs (:class:`~sim.scenario.model.UncertainInput`) are
drawn once per replication, so that replications carry input uncertainty as
well as chance (docs/model.md §6). The draws of replications ``r0 … r0+n-1`` form a
Latin hypercube: each input's range is cut into ``n`` slices of equal
probability and every slice is used by exactly one replication, in an order of
its own (Stein 1987; scipy's ``LatinHypercube`` does the same per column).

Each input's column comes from its own stream, keyed by the experiment seed,
the input's ``id`` and the block of replications
(:attr:`~sim.engine.streams.Stream.UNCERTAIN_INPUTS`). So two scenarios that
declare an input with the same id and distribution give replication ``r`` the
same value — common random numbers still pair them — even when one declares
inputs the other does not. A point of [0, 1) becomes a value through the
distribution's quantile function (:func:`quantile`).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.engine.streams import Stream, Streams
from sim.scenario.model import (
    AnyDistribution,
    Choice,
    LogNormal,
    Triangular,
    TruncatedNormal,
    UncertainInput,
    Uniform,
)


def quantile(dist: AnyDistribution, u: float) -> Any:
    """The value below which a share ``u`` of ``dist`` lies (its inverse CDF).

    A choice takes its values in order, each over a slice of [0, 1) as wide as
    its weight's share.
    """
    u = float(u)
    if isinstance(dist, Uniform):
        return dist.low + u * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        return float(stats.triang.ppf(u, (dist.mode - dist.low) / width, loc=dist.low, scale=width))
    if isinstance(dist, TruncatedNormal):
        a, b = (dist.low - dist.mean) / dist.sd, (dist.high - dist.mean) / dist.sd
        return float(stats.truncnorm.ppf(u, a, b, loc=dist.mean, scale=dist.sd))
    if isinstance(dist, LogNormal):
        return float(dist.median * np.exp(dist.sigma * stats.norm.ppf(u)))
    return _choose(dist, u)


def _choose(dist: Choice, u: float) -> Any:
    weights = np.asarray(dist.weights if dist.weights is not None else [1.0] * len(dist.values), dtype=float)
    edges = np.cumsum(weights) / weights.sum()
    index = int(np.searchsorted(edges, u, side="right"))
    return dist.values[min(index, len(dist.values) - 1)]


def latin_column(seed: int, input_id: str, block: range) -> np.ndarray:
    """Points of [0, 1) for replications ``block``: one in each of ``len(block)``
    equal slices, in random order, from the input's own stream."""
    n = len(block)
    key = zlib.crc32(input_id.encode("utf-8"))
    rng = Streams(seed).generator(Stream.UNCERTAIN_INPUTS, key, block.start, n)
    return np.asarray((rng.permutation(n) + rng.random(n)) / n)


@dataclass(frozen=True)
class InputDraws:
    """The values of a scenario's uncertain inputs for a block of replications.

    Attributes
    ----------
    inputs
        The inputs, in the scenario's order.
    reps
        Replication numbers, in order.
    values
        ``values[k][j]``: input ``j``'s value in replication ``reps[k]``.
    """

    inputs: tuple[UncertainInput, ...]
    reps: tuple[int, ...]
    values: tuple[tuple[Any, ...], ...]

    def for_rep(self, rep: int) -> tuple[tuple[UncertainInput, Any], ...]:
        """``(input, value)`` pairs of replication ``rep``."""
        k = self.reps.index(rep)
        return tuple(zip(self.inputs, self.values[k], strict=True))

    def rows(self) -> list[dict[str, Any]]:
        """One mapping per replication: ``rep`` then each input's value by id."""
        return [{"rep": r, **{inp.id: v for inp, v in zip(self.inputs, vals, strict=True)}}
                for r, vals in zip(self.reps, self.values, strict=True)]

    def describe(self) -> dict[str, Any]:
        """What the manifest records: how the values were drawn and each replication's values."""
        first, last = (self.reps[0], self.reps[-1]) if self.reps else (0, -1)
        return {
            "mode": "drawn",
            "design": f"Latin hypercube across replications {first}-{last}, one stream per input id",
            "inputs": [inp.model_dump(mode="json") for inp in self.inputs],
            "draws": self.rows(),
        }


def draw_inputs(inputs: Sequence[UncertainInput], seed: int, block: range) -> InputDraws:
    """Draw the inputs' values for replications ``block`` (a Latin hypercube over them).

    Parameters
    ----------
    inputs
        The scenario's uncertain inputs.
    seed
        The experiment seed (the same one the replications' seeds come from).
    block
        Consecutive replication numbers drawn together.

    Returns
    -------
    InputDraws
    """
    columns = [[quantile(inp.distribution, u) for u in latin_column(seed, inp.id, block)] for inp in inputs]
    values = tuple(tuple(col[k] for col in columns) for k in range(len(block)))
    return InputDraws(tuple(inputs), tuple(block), values)


def fixed_inputs(inputs: Sequence[UncertainInput]) -> dict[str, Any]:
    """What the manifest records when the inputs keep the scenario's values."""
    return {"mode": "fixed", "design": "the scenario's own values (--fixed-inputs)",
            "inputs": [inp.model_dump(mode="json") for inp in inputs], "draws": []}
