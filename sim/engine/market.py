"""Dwellings and the housing market: counts of units by state, and taking one on the market.

A *stock* is a set of dwellings that share a zone and a household profile (a
housing project, or a zone's existing housing). Its units are delivered,
occupied, reserved for a household already scheduled to move in, or empty.

Only part of the empty units is **on the market**, open to worker households
and to young adults leaving home:

* units of a delivered phase that its occupancy curve leaves empty for good,
  in the share ``housing_defaults.on_market_share`` of the project's type
  (ASSUMPTION: the rest are investors' flats held off the market);
* dwellings waiting to be let again after their household left (re-lets): a
  seeker who takes one replaces the household the re-let would have brought.

Empty units that are not on the market are never taken, so a stock keeps at
least its curve's long-run vacancy less the on-market share of it.

Seekers (:class:`Seeker`) who find nothing wait in one list, whatever brought
them (a job, leaving home), and are served in order of waiting every
``market_retry_months``: a newcomer does not jump the list.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.engine.households import Composition
from sim.scenario.model import HousingType

Composer = Callable[[np.ndarray], Composition]


class Relet:
    """A dwelling of stock ``stock`` waiting to be let again at model time ``when``."""

    __slots__ = ("stock", "when", "taken")

    def __init__(self, stock: int, when: float) -> None:
        self.stock = stock
        self.when = when
        self.taken = False  # let: to its re-let household or to a seeker from the market


@dataclass
class Stock:
    """Dwellings of one zone and profile; counts of units by state."""

    index: int
    zone: int
    group: int  # stocks of one group share a household profile (and re-let together)
    columns: int
    compose: Composer
    kind: HousingType | None = None  # housing type; None for a zone's existing housing
    delivered: int = 0
    occupied: int = 0
    reserved: int = 0  # delivered, empty, promised to a household already scheduled to move in
    market: int = 0  # empty units on the market that nobody has taken (never let)
    relets: deque[Relet] = field(default_factory=deque)  # oldest first; taken ones removed lazily
    open_relets: int = 0  # re-lets not yet let (on the market)

    @property
    def on_market(self) -> int:
        """Units a seeker could take now: empty ones on the market and open re-lets."""
        return self.market + self.open_relets

    def add_relet(self, entry: Relet) -> None:
        """A dwelling was vacated: reserved for its re-let, and on the market meanwhile."""
        self.reserved += 1
        self.relets.append(entry)
        self.open_relets += 1

    def let(self, entry: Relet) -> None:
        """Re-let ``entry`` (to its re-let household or to a seeker): occupied from now."""
        entry.taken = True
        self.open_relets -= 1
        self.reserved -= 1
        self.occupied += 1
        while self.relets and self.relets[0].taken:
            self.relets.popleft()

    def take(self) -> None:
        """A seeker takes one unit on the market: an empty unit first, else the oldest re-let."""
        if self.market > 0:
            self.market -= 1
            self.occupied += 1
            return
        while self.relets[0].taken:
            self.relets.popleft()
        self.let(self.relets[0])


def on_market_units(u_occ: np.ndarray, lag: np.ndarray, long_run: float, share: float, random: bool) -> int:
    """How many units of a phase are on the market: a ``share`` of those left empty for good.

    With ``random`` on, a unit is empty for good when ``u_occ >= long_run``
    (:func:`sim.engine.housing.move_in_lags`) and on the market when also
    ``u_occ < long_run + share x (1 - long_run)``: probability exactly
    ``share x (1 - long_run)``. With ``random`` off, round(empty x share).
    """
    empty = np.isnan(lag)
    if not random:
        return int(round(int(empty.sum()) * share))
    return int((empty & (u_occ < long_run + share * (1.0 - long_run))).sum())


class Seeker:
    """Someone looking for a dwelling on the market (a worker household, a young adult).

    Subclasses say whether they still look (:meth:`looking`) and what happens
    when they get a dwelling (:meth:`found`) or stop looking (:meth:`gone`).
    """

    __slots__ = ("types", "near")

    def __init__(self, types: Sequence[HousingType], near: Sequence[float]) -> None:
        self.types = types  # housing types acceptable, in order of preference
        self.near = near  # distance to each zone, km: the nearest dwelling of a type first

    def looking(self, now: float) -> bool:
        return True

    def found(self, stock: Stock) -> None:
        raise NotImplementedError

    def gone(self, now: float) -> None:
        """Called once when the seeker is dropped from the waiting list."""


class Market:
    """The dwellings on the market and the seekers waiting for one.

    A seeker takes a dwelling at once when nobody is waiting and one of its
    types is on the market; otherwise it joins the waiting list. Every
    ``retry_days`` the list is served longest waiting first while dwellings
    remain (ASSUMPTION: ``housing_defaults.market_retry_months``).
    """

    def __init__(self, env: simpy.Environment, stocks: list[Stock], retry_days: float, end: float) -> None:
        self.env, self.stocks, self.retry_days, self.end = env, stocks, retry_days, end
        self.waiting: deque[Seeker] = deque()
        self._by_kind: dict[HousingType, list[Stock]] | None = None

    def _kinds(self) -> dict[HousingType, list[Stock]]:
        if self._by_kind is None:  # stocks are all added before the first seeker comes
            by_kind: dict[HousingType, list[Stock]] = {}
            for stock in self.stocks:
                if stock.kind is not None:
                    by_kind.setdefault(stock.kind, []).append(stock)
            self._by_kind = by_kind
        return self._by_kind

    def start(self) -> None:
        """Start serving the waiting list at the retry interval."""
        self.env.process(self._serving())

    def seek(self, seeker: Seeker) -> None:
        """A seeker comes to the market: a dwelling now if nobody is waiting, else the list."""
        if not self.waiting:
            stock = self.take(seeker.types, seeker.near)
            if stock is not None:
                seeker.found(stock)
                return
        self.waiting.append(seeker)

    def _serving(self) -> Generator[simpy.Event, Any, None]:
        while self.env.now + self.retry_days < self.end:
            yield self.env.timeout(self.retry_days)
            self.serve()

    def serve(self) -> None:
        """Serve the waiting list, longest waiting first, while any dwelling of a seeker's types is free."""
        now, waiting = self.env.now, self.waiting
        kept: deque[Seeker] = deque()
        wanted = {kind for s in waiting for kind in s.types}
        exhausted: set[HousingType] = set()  # types with nothing left on the market this round
        while waiting and not exhausted >= wanted:
            seeker = waiting.popleft()
            if not seeker.looking(now):
                seeker.gone(now)
                continue
            stock = None if exhausted.issuperset(seeker.types) else self.take(seeker.types, seeker.near)
            if stock is None:
                exhausted.update(seeker.types)
                kept.append(seeker)
            else:
                seeker.found(stock)
        for seeker in waiting:  # nothing left for them: only drop those who stopped looking
            if seeker.looking(now):
                kept.append(seeker)
            else:
                seeker.gone(now)
        self.waiting = kept

    def take(self, types: Sequence[HousingType], distance_km: Sequence[float] | None = None) -> Stock | None:
        """Take one dwelling on the market of the first of ``types`` that has one, or ``None``.

        Among stocks of that type, the one whose zone is nearest by
        ``distance_km`` (per zone; default and ties: scenario order) is taken.
        The dwelling counts as occupied from now: the caller settles its household.
        """
        kinds = self._kinds()
        for kind in types:
            best: Stock | None = None
            for stock in kinds.get(kind, ()):
                if stock.on_market <= 0:
                    continue
                if best is None or (distance_km is not None and distance_km[stock.zone] < distance_km[best.zone]):
                    best = stock
            if best is not None:
                best.take()
                return best
        return None

    def on_market_by_zone(self, types: Sequence[HousingType], n_zones: int) -> np.ndarray:
        """Dwellings of ``types`` on the market in each zone, now."""
        out = np.zeros(n_zones)
        kinds = self._kinds()
        for kind in set(types):
            for stock in kinds.get(kind, ()):
                out[stock.zone] += stock.on_market
        return out


EXISTING = "existing"
"""Housing type label of a zone's existing housing in the ``dwellings`` table."""


class DwellingCounts:
    """Table ``dwellings``: per report date, zone and housing type, the units
    delivered, occupied and on the market (empty and open to seekers)."""

    def __init__(self, stocks: list[Stock], zones: Sequence[str]) -> None:
        self.stocks, self.zones = stocks, list(zones)
        keys: dict[tuple[int, str], int] = {}
        self.group = [keys.setdefault((s.zone, s.kind.value if s.kind else EXISTING), len(keys)) for s in stocks]
        self.keys = list(keys)
        self.rows: list[np.ndarray] = []

    def sample(self, i: int, t: float) -> None:
        """Keep the counts at report ``i``."""
        counts = np.zeros((len(self.keys), 3), dtype=np.int64)
        for g, s in zip(self.group, self.stocks, strict=True):
            counts[g] += (s.delivered, s.occupied, s.on_market)
        self.rows.append(counts)

    def table(self, dates: Sequence[object]) -> dict[str, np.ndarray]:
        n_k = len(self.keys)
        stacked = np.stack(self.rows) if self.rows else np.zeros((0, n_k, 3), dtype=np.int64)
        return {
            "date": np.repeat(np.array(list(dates), dtype=object), n_k),
            "zone": np.tile(np.array([self.zones[z] for z, _ in self.keys], dtype=object), len(dates)),
            "type": np.tile(np.array([k for _, k in self.keys], dtype=object), len(dates)),
            "delivered": stacked[:, :, 0].reshape(-1),
            "occupied": stacked[:, :, 1].reshape(-1),
            "on_market": stacked[:, :, 2].reshape(-1),
        }
