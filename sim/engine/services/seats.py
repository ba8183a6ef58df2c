"""Seats of one school stage: who holds them, and how children are placed.

Bookkeeping is by cohort, never by pupil: ``held[f, z, g]`` is the number of
pupils living in zone ``z``, in grade ``g``, who hold a seat at facility ``f``.
Counts are floats because demand carries the enrolment rate. Every operation
is a handful of array operations over (facilities x zones x grades).

The rules (docs/model.md §4):

- *Promotion.* At each intake every pupil moves up a grade and keeps the seat;
  the last grade leaves the stage.
- *Leavers.* When a cohort (zone, grade) holds more seats than it has children
  seeking them (pupils moved away or died), the seats it holds shrink in
  proportion at every facility. Counts are net: an arrival in the same cohort
  and zone takes a leaver's place where it was.
- *Capacity cuts.* Where a facility holds more pupils than it has seats (a
  capacity reduction), pupils lose seats in proportion and are placed again.
- *Preference.* The stage's *edges* are (zone, facility) pairs in order of
  preference, the same order every service uses
  (:func:`~sim.engine.services.allocation.preference_pairs`): catchment pairs
  nearest first, then overflow pairs. A zone nearer a school has the first
  claim on its seats (就近入学).
- *Moves.* A household that moves to another zone (resettlement) takes its
  pupils' seats along: the cohort's seats at every facility shrink in the old
  zone and grow in the new one by the movers' share (:meth:`StageSeats.move`).
- *Transfers.* A pupil placed at a school that their zone likes less (farther,
  or overflow) moves to a free seat at one it likes more, in the same grade:
  children placed in a neighbouring school until their own opens go back to it.
  A seat kept after a move, at a school the new zone may not choose at all,
  is liked least: the pupil moves to any school of the new zone with a free seat.
  This makes the placement depend on the seats there are, not on the order in
  which schools opened, so that more seats, or earlier ones, never leave more
  children without one (docs/model.md §8).
- *Placement.* Children without a seat are placed along the edges in order.
  On one edge, a zone's grades share the facility's free seats in proportion
  to their need, within the free seats of each grade.

Kept seats make placement depend on history. With strict catchments and
schools that admit every grade, more or earlier seats never leave more
children without one. Two cases can (a few seats, for a while): a zone using
a school by overflow takes seats that free up early and keeps them against a
nearer zone's later entrants, whose own alternative is out of reach; and a
grade-by-grade school's admitting grades stay empty after their pupils move
to a school that could have taken any grade.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-9
"""Seat counts within this of each other are equal."""


class StageSeats:
    """Seats held at each facility of one stage, by zone and grade.

    Parameters
    ----------
    n_facilities, n_zones, grades
        Shape of the bookkeeping.
    edges
        (zone, facility) pairs in order of preference, from
        :func:`~sim.engine.services.allocation.preference_pairs`.
    """

    def __init__(self, n_facilities: int, n_zones: int, grades: int, edges: list[tuple[int, int]]) -> None:
        self.held = np.zeros((n_facilities, n_zones, grades))
        self.edges = edges
        # For each edge, the facilities its zone likes less, in order; last, those
        # it may not choose at all (a seat kept from before the household moved).
        choices: dict[int, list[int]] = {}
        for z, f in edges:
            choices.setdefault(z, []).append(f)
        outside = {z: [f for f in range(n_facilities) if f not in c] for z, c in choices.items()}
        self.worse = [choices[z][choices[z].index(f) + 1 :] + outside[z] for z, f in edges]

    def served(self) -> np.ndarray:
        """Pupils per zone and grade holding a seat anywhere, ``(Z, G)``."""
        return np.asarray(self.held.sum(axis=0))

    def promote(self) -> np.ndarray:
        """Move every pupil up a grade; return those who finished the stage, ``(F, Z)``."""
        done = self.held[:, :, -1].copy()
        self.held[:, :, 1:] = self.held[:, :, :-1].copy()
        self.held[:, :, 0] = 0.0
        return done

    def fit(self, grade_seats: np.ndarray, seats: np.ndarray) -> None:
        """Shed pupils in proportion where a facility holds more than its seats.

        Parameters
        ----------
        grade_seats
            Seats per facility and grade, ``(F, G)`` (``inf``: no limit per grade).
        seats
            Seats per facility, ``(F,)``.
        """
        by_grade = self.held.sum(axis=1)
        over = by_grade > grade_seats + TOLERANCE
        if over.any():
            scale = np.where(over, grade_seats / np.where(over, by_grade, 1.0), 1.0)
            self.held *= scale[:, None, :]
        total = self.held.sum(axis=(1, 2))
        over_f = total > seats + TOLERANCE
        if over_f.any():
            self.held[over_f] *= (seats[over_f] / total[over_f])[:, None, None]

    def reconcile(self, demand: np.ndarray) -> None:
        """Free the seats of pupils who left: shrink each cohort's seats to its demand.

        Parameters
        ----------
        demand
            Children seeking a seat per zone and grade, ``(Z, G)``.
        """
        held = self.served()
        over = held > demand + TOLERANCE
        if over.any():
            ratio = np.where(over, demand / np.where(over, held, 1.0), 1.0)
            self.held *= ratio[None, :, :]

    def transfer(self, grade_seats: np.ndarray, seats: np.ndarray) -> None:
        """Move pupils to free seats at schools their zone prefers, grade for grade.

        Parameters
        ----------
        grade_seats, seats
            As in :meth:`fit`.
        """
        free = np.maximum(seats - self.held.sum(axis=(1, 2)), 0.0)
        free_grade = np.maximum(grade_seats - self.held.sum(axis=1), 0.0)
        holds = (self.held.sum(axis=2) > TOLERANCE).tolist()  # [f][z]: zone z has pupils at f
        for _ in range(len(self.edges)):  # seats freed by a move may start others
            moved = False
            for (z, f), worse in zip(self.edges, self.worse, strict=True):
                for w in worse:
                    if free[f] <= TOLERANCE:
                        break
                    if not holds[w][z]:
                        continue
                    take = np.minimum(self.held[w, z], free_grade[f])
                    total = take.sum()
                    if total <= TOLERANCE:
                        continue
                    if total > free[f]:
                        take, total = take * (free[f] / total), free[f]
                    self.held[w, z] -= take
                    self.held[f, z] += take
                    holds[f][z] = True
                    free_grade[f] -= take
                    free_grade[w] += take
                    free[f] -= total
                    free[w] += total
                    moved = True
            if not moved:
                return

    def move(self, old_zone: int, new_zone: int, grade: int, share: float) -> None:
        """Pupils of one cohort move house: ``share`` of the seats the cohort
        (``old_zone``, ``grade``) holds, at every facility, go with them to
        ``new_zone``, same facility and grade (a kept seat)."""
        moving = self.held[:, old_zone, grade] * share
        self.held[:, old_zone, grade] -= moving
        self.held[:, new_zone, grade] += moving

    def place(self, demand: np.ndarray, grade_seats: np.ndarray, seats: np.ndarray) -> None:
        """Place children without a seat in free seats, edge by edge.

        Parameters
        ----------
        demand
            Children seeking a seat per zone and grade, ``(Z, G)``.
        grade_seats, seats
            As in :meth:`fit`; a facility that is not open has no seats.
        """
        need = np.maximum(demand - self.served(), 0.0)
        if not (need > TOLERANCE).any():
            return
        free = np.maximum(seats - self.held.sum(axis=(1, 2)), 0.0)
        free_grade = np.maximum(grade_seats - self.held.sum(axis=1), 0.0)
        for z, f in self.edges:
            if free[f] <= TOLERANCE:
                continue
            want = need[z]
            if want.sum() <= TOLERANCE:
                continue
            take = np.minimum(want, free_grade[f])
            total = take.sum()
            if total > free[f]:
                take = take * (free[f] / total)
                total = free[f]
            self.held[f, z] += take
            need[z] -= take
            free_grade[f] -= take
            free[f] -= total
