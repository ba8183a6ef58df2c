"""Households and residents: who moves in, and the draws that shape their lives.

A batch of households (the occupied units of one delivered phase, a zone's
existing population, a month's re-lets) is composed in one vectorised pass from
its generator: every household takes a fixed row of uniforms, so its members do
not depend on what else happens in the town (common random numbers). The same
pass draws each member's exponential clocks for death, the next birth and the
care-need transitions, the age at which a child will leave home, and a 63-bit
key for the household's own generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from scipy.special import ndtr, ndtri

from sim.engine.calendar import DAYS_PER_YEAR
from sim.engine.hazards import INF, MortalityHazard, PiecewiseHazard, exp1
from sim.engine.lifelines import LifeLine
from sim.scenario.model import AgeRange, FamilyProfile, parse_band

MAX_MEMBERS = 12
"""Upper bound on members in a composed household (fixed draw layout)."""

MEMBER_DRAWS = 5
"""Uniforms per member slot: sex, death, next birth, care step 1, care step 2.

The age at leaving home takes one more uniform per slot, drawn after every other
draw of a batch so that switching home-leaving on leaves the rest unchanged."""


class Care(IntEnum):
    """A resident's care need, in the order residents pass through them.

    The values index :attr:`Population.care_counts` and are stored as plain
    integers on :class:`Person` (a need steps up by one).
    """

    INDEPENDENT = 0
    COMMUNITY = 1  # needs community care (day care, home visits)
    INSTITUTIONAL = 2  # needs institutional care (a bed)


class Person:
    """One resident. Times are model days; ``inf`` means never (in the horizon)."""

    __slots__ = ("birth", "female", "death", "next_birth", "care", "next_care", "leave_home")

    def __init__(
        self,
        birth: float,
        female: bool,
        death: float,
        next_birth: float,
        care: int,
        next_care: float,
        leave_home: float = INF,
    ) -> None:
        self.birth = birth
        self.female = female
        self.death = death
        self.next_birth = next_birth
        self.care = care  # a Care value
        self.next_care = next_care
        self.leave_home = leave_home  # when this child leaves the parental home (or looks again)


class Household:
    """People living together in one dwelling of one zone."""

    __slots__ = ("zone", "members", "depart", "key", "rng", "stock", "present")

    def __init__(self, zone: int, members: list[Person], depart: float, key: int, stock: int) -> None:
        self.zone = zone
        self.members = members
        self.depart = depart
        self.key = key
        self.rng: object | None = None  # random.Random, built at the first birth
        self.stock = stock  # dwelling stock index, for re-letting; -1 if none
        self.present = False


@dataclass(frozen=True)
class Composition:
    """Members of ``n`` households as flat arrays, ordered by household then slot."""

    n: int
    household: np.ndarray  # int (M,): household row of each member
    slot: np.ndarray  # int (M,): member slot within the household
    age: np.ndarray  # float (M,): age in years at move-in
    female: np.ndarray  # bool (M,)

    def sizes(self) -> np.ndarray:
        return np.bincount(self.household, minlength=self.n)


def truncated_normal(r: AgeRange, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws from a normal truncated to [min, max] (one uniform each)."""
    if r.sd == 0:
        return np.full(u.shape, r.mean)
    lo, hi = ndtr((r.min - r.mean) / r.sd), ndtr((r.max - r.mean) / r.sd)
    x = r.mean + r.sd * ndtri(lo + u * (hi - lo))
    return np.clip(x, r.min, r.max)


def truncated_normal_scalar(r: AgeRange, u: float) -> float:
    """Scalar :func:`truncated_normal` (one newborn at a time)."""
    if r.sd == 0:
        return float(r.mean)
    lo = 0.5 * math.erfc(-(r.min - r.mean) / (r.sd * math.sqrt(2.0)))
    hi = 0.5 * math.erfc(-(r.max - r.mean) / (r.sd * math.sqrt(2.0)))
    x = r.mean + r.sd * float(ndtri(lo + u * (hi - lo)))
    return min(max(x, r.min), r.max)


def categorical(shares: dict[int, float], u: np.ndarray) -> np.ndarray:
    """Map uniforms to the keys of ``shares`` by inverse CDF."""
    keys = np.array(sorted(shares))
    cdf = np.cumsum([shares[k] for k in keys])
    cdf /= cdf[-1]
    return np.asarray(keys[np.minimum(np.searchsorted(cdf, u, side="right"), len(keys) - 1)])


SURVIVAL_STEP_YEARS = 1.0 / 100.0
"""Grid step of the tabulated survival function that shapes ages within a band."""


class BandAges:
    """Ages drawn from age-band shares, shaped within each band ``[lo, hi + 1)``.

    With a survival function ``l(x)`` (the scenario's life table) the density
    within a band is proportional to ``l(x)``: the band's slice of the
    stationary population of that life table, i.e. equal birth cohorts thinned
    by mortality alone. Without one the density is flat. Draws invert the
    band's cumulative ``L(x) = ∫ l`` (tabulated on a fine grid, piecewise
    linear in between), one uniform per age.

    Parameters
    ----------
    shares
        Share of people per band ``"a-b"`` (whole years, inclusive).
    survival
        Probability of surviving from birth to each age (vectorised), or
        ``None`` for a flat density within each band.
    """

    def __init__(self, shares: dict[str, float], survival: Callable[[np.ndarray], np.ndarray] | None) -> None:
        labels = sorted(shares, key=lambda s: parse_band(s)[0])
        self.shares = {i: shares[s] for i, s in enumerate(labels)}
        self.lo = np.array([parse_band(s)[0] for s in labels], dtype=float)
        self.hi = np.array([parse_band(s)[1] + 1.0 for s in labels], dtype=float)
        self.grid: np.ndarray | None = None
        if survival is not None:
            grid = np.arange(0.0, self.hi.max() + SURVIVAL_STEP_YEARS / 2, SURVIVAL_STEP_YEARS)
            lx = np.asarray(survival(grid), dtype=float)
            cum = np.concatenate([[0.0], np.cumsum((lx[1:] + lx[:-1]) * (SURVIVAL_STEP_YEARS / 2))])
            self.grid, self.cum = grid, cum
            self.cum_lo, self.cum_hi = np.interp(self.lo, grid, cum), np.interp(self.hi, grid, cum)
            # A band nobody survives to (l underflows) has no shape to follow: flat.
            self.shaped = self.cum_hi - self.cum_lo > 1e-12 * cum[-1]

    def __call__(self, u_band: np.ndarray, u_within: np.ndarray) -> np.ndarray:
        """Ages in years: the band from ``u_band``, the age within it from ``u_within``."""
        idx = categorical(self.shares, u_band)
        lo, hi = self.lo[idx], self.hi[idx]
        flat = lo + u_within * (hi - lo)
        if self.grid is None:
            return np.asarray(flat)
        target = self.cum_lo[idx] + u_within * (self.cum_hi[idx] - self.cum_lo[idx])
        shaped = np.clip(np.interp(target, self.cum, self.grid), lo, np.nextafter(hi, lo))
        return np.asarray(np.where(self.shaped[idx], shaped, flat))


FAMILY_COLUMNS = 8 + 2 * 8
"""Uniforms per family household: head age and sex, partner and age gap,
grandparent, age and sex, number of children, then age and sex of up to 8 children."""


def compose_family(p: FamilyProfile, u: np.ndarray, female_share: float) -> Composition:
    """Households of a head, maybe a partner, children and a grandparent.

    ``u`` has shape (n, :data:`FAMILY_COLUMNS`). Children are aged uniformly
    between 0 and the smaller of ``child_max_age`` and the younger parent's age
    less 18 (ASSUMPTION: no parent younger than 18 at a child's birth).
    """
    n = u.shape[0]
    head = truncated_normal(p.head_age, u[:, 0])
    head_female = u[:, 1] < 0.5
    partner = u[:, 2] < p.partner_share
    gap = p.partner_age_gap_sd * ndtri(np.clip(u[:, 3], 1e-12, 1 - 1e-12))
    partner_age = np.clip(head + gap, 18.0, 110.0)
    grand = u[:, 4] < p.grandparent_share
    grand_age = truncated_normal(p.grandparent_age, u[:, 5])
    grand_female = u[:, 6] < 0.5
    kids = categorical(p.children, u[:, 7])
    youngest_parent = np.where(partner, np.minimum(head, partner_age), head)
    kid_max = np.clip(np.minimum(p.child_max_age, youngest_parent - 18.0), 0.0, None)

    rows = np.arange(n)
    parts = [(rows, 0, head, head_female), (rows[partner], 1, partner_age[partner], ~head_female[partner])]
    for c in range(int(kids.max(initial=0))):
        has = kids > c
        parts.append((rows[has], 2 + c, u[has, 8 + 2 * c] * kid_max[has], u[has, 9 + 2 * c] < female_share))
    parts.append((rows[grand], MAX_MEMBERS - 1, grand_age[grand], grand_female[grand]))
    return _gather(n, parts)


def structure_columns() -> int:
    """Uniforms per age-structure household: size, then band, age and sex per slot."""
    return 1 + 3 * MAX_MEMBERS


def compose_structure(sizes: dict[int, float], ages_of: BandAges, u: np.ndarray) -> Composition:
    """Households whose members are drawn independently from an age structure.

    ``u`` has shape (n, :func:`structure_columns`); ``ages_of`` draws ages from
    the structure's band shares. ASSUMPTION: members' ages are independent of
    each other (no family structure is known for these households).
    """
    n = u.shape[0]
    size = categorical(sizes, u[:, 0])
    slots = u[:, 1:].reshape(n, MAX_MEMBERS, 3)
    # Households in row order, members in slot order: the layout _gather would sort to.
    h, k = np.nonzero(np.arange(MAX_MEMBERS)[None, :] < size[:, None])
    ages = ages_of(slots[h, k, 0], slots[h, k, 1])
    return Composition(n=n, household=h, slot=k, age=ages.astype(float), female=slots[h, k, 2] < 0.5)


def _gather(n: int, parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]) -> Composition:
    h = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, int)
    s = np.concatenate([np.full(len(p[0]), p[1]) for p in parts]) if parts else np.zeros(0, int)
    a = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    f = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, bool)
    order = np.lexsort((s, h))
    return Composition(
        n=n, household=h[order], slot=s[order], age=a[order].astype(float), female=f[order].astype(bool)
    )


@dataclass(frozen=True)
class LifeTables:
    """The demographic hazards of a scenario.

    ``deaths``, ``births`` and ``leaving`` are :class:`~sim.engine.lifelines.LifeLine` s:
    an age hazard times a calendar factor (the mortality level, the TFR, the
    out-migration rate), each a number or a dated schedule. ``mortality`` is the
    age hazard of deaths at level 1 (a life table); the care-need rates depend
    on age only.
    """

    mortality: MortalityHazard
    deaths: LifeLine
    births: LifeLine
    to_community: PiecewiseHazard
    to_institutional: PiecewiseHazard
    female_share_at_birth: float
    leaving: LifeLine
    leave_home_age: AgeRange | None = None  # None: nobody leaves the parental home

    @property
    def time_invariant(self) -> bool:
        """True when no rate changes with the calendar: clocks drawn for an arrival at
        time 0 are then valid, shifted, for an arrival at any time."""
        return all(line.curve.is_constant for line in (self.deaths, self.births, self.leaving))

    @property
    def out_migration_per_year(self) -> float:
        """The out-migration rate at the start of the horizon (per household and year)."""
        return float(self.leaving.curve(0.0))


@dataclass(frozen=True)
class Lives:
    """Per-member clocks, absolute model days (``inf``: never)."""

    birth: np.ndarray
    death: np.ndarray
    next_birth: np.ndarray
    care: np.ndarray
    next_care: np.ndarray
    leave_home: np.ndarray


def draw_lives(
    comp: Composition, arrival: np.ndarray, u: np.ndarray, life: LifeTables, u_home: np.ndarray | None = None
) -> Lives:
    """Clocks for members arriving at model times ``arrival`` (per household row).

    ``u`` has shape (n, MAX_MEMBERS, MEMBER_DRAWS); a member uses its slot's row.
    Care states are drawn from the whole life course since birth, so that an
    80-year-old arrives in the care state the model's rates imply at 80: with
    death independent of care need this is exact. ``u_home`` (n, MAX_MEMBERS)
    gives the age at leaving home of members younger than its minimum (the
    household's children); older members never leave home.
    """
    uu = u[comp.household, comp.slot]
    t0 = arrival[comp.household]
    age = comp.age
    birth = t0 - age * DAYS_PER_YEAR
    death = life.deaths.next_times(birth, t0, exp1(uu[:, 1]))
    next_birth = np.full(len(age), INF)
    women = np.flatnonzero(comp.female)
    next_birth[women] = life.births.next_times(birth[women], t0[women], exp1(uu[women, 2]))
    care, care_age = care_state(age, exp1(uu[:, 3]), exp1(uu[:, 4]), life)
    leave = np.full(age.shape, INF)
    rule = life.leave_home_age
    if rule is not None and u_home is not None:
        child = age < rule.min
        leave[child] = truncated_normal(rule, u_home[comp.household, comp.slot][child])
    return Lives(
        birth=birth,
        death=death,
        next_birth=next_birth,
        care=care,
        next_care=birth + care_age * DAYS_PER_YEAR,
        leave_home=birth + leave * DAYS_PER_YEAR,
    )


def care_state(
    age: np.ndarray, e1: np.ndarray, e2: np.ndarray, life: LifeTables
) -> tuple[np.ndarray, np.ndarray]:
    """Care state at ``age`` and the age of the next transition (``inf``: none)."""
    a1 = life.to_community.next_age(np.zeros_like(age), e1)
    a2 = np.where(np.isfinite(a1), life.to_institutional.next_age(np.where(np.isfinite(a1), a1, 0.0), e2), INF)
    state = (a1 <= age).astype(np.int8) + (a2 <= age).astype(np.int8)  # a Care value
    nxt = np.where(state == Care.INDEPENDENT, a1, np.where(state == Care.COMMUNITY, a2, INF))
    return state, nxt


def household_keys(u: np.ndarray) -> list[int]:
    """63-bit household keys from uniforms (for the household's own generator)."""
    return [int(x) for x in (u * 2.0**63).astype(np.int64)]


def depart_times(arrival: np.ndarray, u: np.ndarray, leaving: LifeLine) -> np.ndarray:
    """Out-migration times of households arriving at ``arrival``: the scenario's rate per
    household and year (a number or a dated schedule), by inversion from one uniform each."""
    return leaving.next_times(arrival, arrival, exp1(u))


def newborn_clocks(t: float, rng: object, life: LifeTables) -> Person:
    """A baby born at model time ``t``, drawn from its household's generator."""
    r = rng.random  # type: ignore[attr-defined]
    female = r() < life.female_share_at_birth
    death = life.deaths.next_time(t, t, -math.log1p(-r()))
    e_birth = -math.log1p(-r())
    next_birth = life.births.next_time(t, t, e_birth) if female else INF
    a1 = life.to_community.next_age_scalar(0.0, -math.log1p(-r()))
    rule = life.leave_home_age
    leave = INF if rule is None else truncated_normal_scalar(rule, r())
    return Person(t, female, death, next_birth, 0, t + a1 * DAYS_PER_YEAR, t + leave * DAYS_PER_YEAR)
