"""Education: kindergarten, primary, middle and vocational seats, year by year.

Demand is the children of each stage's ages at the school-year cut-off
(:mod:`sim.engine.services.school_year`) times the enrolment rate (vocational:
the vocational share), counted afresh at every report: families move in all
year. Capacity is classes x class size (the facility's ``class_size`` or the
stage's; Shandong caps 30 / 45 / 50 per class, docs/facts.md §1 [5]) from the
facility's opening (planned date plus construction delay, or with the first
delivered phase of its housing project) and follows its capacity changes
(:class:`~sim.engine.services.facilities.FacilitySchedule`).

Choices a planner would expect, written down here:

- *Seats are kept.* Pupils keep their seat until they finish the stage or leave
  town (docs/model.md §4), except that a pupil placed at a school their zone likes
  less (farther, or overflow) moves to a free seat at one it likes more, such
  as their own zone's school when it opens. A household resettled to another
  zone takes its pupils' seats along (:meth:`Schools.on_relocate`, a
  population event); at a school outside the new zone's choices, a pupil moves
  to one of the new zone's schools when a seat frees there. Seat bookkeeping,
  preference, moves, transfers and placement are in
  :mod:`sim.engine.services.seats`.
- *Mid-year transfers.* Children who arrive between intakes, and children left
  without a seat at the intake, take free seats on the first day of every month
  (a transfer admission); a seat freed by a leaver is offered again then.
- *When seats change.* Seats are brought up to date by the model's own process
  (:meth:`Schools.update`) on the first day of every month and at every
  intake, after that instant's arrivals and departures; a report only reads
  them, so the results do not depend on the report grid.
- *Nine-year schools* (九年一贯制; any facility serving several school stages):
  the classes are split between the stages in proportion to their grades
  (a 45-class nine-year school under 6-3: 30 primary and 15 middle classes),
  each stage's share times its class size. A pupil who finishes primary at a
  nine-year school keeps a seat in its middle stage, where there is room
  (unless a school their zone prefers has a free seat).
- *Grade-by-grade filling* (``fill: grade_by_grade``): in the k-th school year
  from its opening (the year it opens is the first) only the first k grades
  admit pupils, each with capacity / grades seats; the capacity reported is
  that of the admitting grades. A school open from before the horizon starts is
  full-grown. A school filled ``all_grades`` pools its seats over its grades.
- *Capacity in the zone rows* is that of the open facilities located in the
  zone; *served* counts the pupils living in the zone, wherever they sit.

Randomness: none here. Only the facility schedules draw, from their own
construction stream keyed by the facility's position in the scenario, so a
change of schools leaves the population unchanged (common random numbers).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.engine.hazards import INF
from sim.engine.households import Household
from sim.engine.monitor import LateTimeout
from sim.engine.results import FacilityKey
from sim.engine.services.allocation import preference_pairs
from sim.engine.services.base import Context, ServiceOutput
from sim.engine.services.facilities import FacilitySchedule
from sim.engine.services.school_year import SchoolCalendar, Stage, school_stages
from sim.engine.services.seats import TOLERANCE, StageSeats
from sim.scenario.model import SCHOOL_SERVICES, Facility, Service


@dataclass
class StageState:
    """One stage's facilities, seats and report arrays."""

    stage: Stage
    facilities: list[Facility]
    index: list[int]  # position of each facility in the scenario
    schedules: list[FacilitySchedule]
    share: np.ndarray  # (F,) share of each facility's classes that serve this stage
    by_grade: np.ndarray  # (F,) bool: fills grade by grade
    zone: np.ndarray  # (F,) int
    seats: StageSeats
    series: dict[str, np.ndarray]  # field -> (T, Z)
    capacity: np.ndarray  # (T, F)
    served: np.ndarray  # (T, F)
    demand_now: np.ndarray | None = None  # (Z, G) at the last update
    seats_now: np.ndarray | None = None  # (F,) at the last update


def stage_share(facility: Facility, stage: Stage, stages: tuple[Stage, ...]) -> float:
    """Share of a facility's classes that serve ``stage``: in proportion to grades."""
    grades = {s.service: s.grades for s in stages}
    mine = [grades[s] for s in facility.services if s in grades]
    return stage.grades / sum(mine)


class Schools:
    """The education service model (see the module docstring).

    Parameters
    ----------
    ctx
        The replication's context.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        sc = ctx.scenario
        self.calendar = SchoolCalendar(ctx.cal, sc.services.school_year)
        self.stages = school_stages(sc.services)
        self.states = [self._state(stage) for stage in self.stages]
        self.state = {st.stage.service: st for st in self.states}
        self.year: int | None = None
        # Nine-year progression: a primary facility's row -> its middle row.
        middle = {idx: row for row, idx in enumerate(self.state[Service.MIDDLE].index)}
        primary = self.state[Service.PRIMARY].index
        self.continues = {row: middle[idx] for row, idx in enumerate(primary) if idx in middle}
        self._slots: dict[int, list[int]] = {}  # school year -> birth-day slots of its age edges

    def _state(self, stage: Stage) -> StageState:
        ctx = self.ctx
        chosen = [(i, f) for i, f in enumerate(ctx.scenario.facilities) if stage.service in f.services]
        facilities = [f for _, f in chosen]
        schedules = [FacilitySchedule(ctx, i, f, stage.service) for i, f in chosen]
        edges = preference_pairs(
            [s.zone for s in schedules],
            [s.catchment for s in schedules],
            ctx.distance_km,
            ctx.scenario.services.allocation.overflow_km,
        )
        t, z, n = len(ctx.times), ctx.n_zones, len(chosen)
        return StageState(
            stage=stage,
            facilities=facilities,
            index=[i for i, _ in chosen],
            schedules=schedules,
            share=np.array([stage_share(f, stage, self.stages) for f in facilities]),
            by_grade=np.array(
                [f.fill == "grade_by_grade" and (f.opens is not None or f.opens_with is not None) for f in facilities],
                dtype=bool,
            ),
            zone=np.array([s.zone for s in schedules], dtype=np.int64),
            seats=StageSeats(n, z, stage.grades, edges),
            series=ctx.series_arrays(),
            capacity=np.zeros((t, n)),
            served=np.zeros((t, n)),
        )

    # ----------------------------------------------------------------- protocol

    def start(self) -> None:
        """Start every facility's opening process and the seats' updates."""
        for st in self.states:
            for s in st.schedules:
                s.start()
        self.ctx.env.process(self._updates())

    def update_times(self) -> list[float]:
        """When seats are brought up to date: the start, the first day of every
        month and every intake (a superset of every report grid)."""
        cal = self.ctx.cal
        dates = set(cal.grid("month")) | set(cal.yearly(self.ctx.scenario.services.school_year.intake))
        return sorted(cal.time(d) for d in dates)

    def _updates(self) -> Generator[simpy.Event, Any, None]:
        env = self.ctx.env
        for t in self.update_times():
            # After the instant's ordinary events, before its report.
            yield LateTimeout(env, t - env.now)
            self.update(t)

    def update(self, t: float) -> None:
        """Bring the seats up to date at time ``t``: the intake if a school
        year began, then seats fitted to capacity, freed, transferred and placed."""
        k = self.calendar.year_of(t)
        if self.year is not None:
            for _ in range(k - self.year):
                self._promote()
        self.year = k
        ages = self.calendar.ages(self.ctx.pop, k)
        for st in self.states:
            demand = ages[:, st.stage.columns] * st.stage.rate
            grade_seats, seats = self._seats(st, t, k)
            st.seats.fit(grade_seats, seats)
            st.seats.reconcile(demand)
            st.seats.transfer(grade_seats, seats)
            st.seats.place(demand, grade_seats, seats)
            st.demand_now, st.seats_now = demand, seats

    def sample(self, i: int, t: float) -> None:
        """Record report ``i`` (time ``t``): the seats as the last update left them."""
        for st in self.states:
            assert st.demand_now is not None and st.seats_now is not None
            self._record(st, i, st.demand_now, st.seats_now)

    def output(self) -> ServiceOutput:
        """Series per zone and stage, and per facility and stage."""
        out = ServiceOutput()
        zones = [z.id for z in self.ctx.scenario.zones]
        for st in self.states:
            out.series[st.stage.service] = st.series
            for row, f in enumerate(st.facilities):
                out.facility_keys.append(FacilityKey(f.id, st.stage.service.value, zones[int(st.zone[row])]))
                out.facility_series.setdefault("capacity", []).append(st.capacity[:, row])
                out.facility_series.setdefault("served", []).append(st.served[:, row])
        return out

    # ----------------------------------------------------------------- population events

    def on_relocate(self, hh: Household, old_zone: int) -> None:
        """A household moved zones: its pupils keep their seats (see :meth:`StageSeats.move`).

        Seats are held by cohort, so the movers take their cohort's seats in
        proportion: each mover in cohort (old zone, grade) takes ``rate / max(H,
        n x rate)`` of the cohort's ``H`` seats at every facility, ``n`` counting
        the cohort's children before the move (a share of 1 / n when everyone
        seeking a seat holds one). Grades are those of the school year the seats
        were last brought up to date for.
        """
        k = self.year
        if k is None:
            return
        pop = self.ctx.pop
        slots = self._slots.get(k)
        if slots is None:
            slots = self._slots[k] = pop.cohort_slots(self.calendar.cutoff_time(k), self.calendar.age_edges(k))
        movers = np.zeros(len(slots) - 1, dtype=np.int64)
        for j in pop.cohorts_of(hh.members, slots):
            if j >= 0:
                movers[j] += 1
        if not movers.any():
            return
        left = pop.zone_cohorts(old_zone, slots)  # the old zone's children after the move
        for st in self.states:
            cols = st.stage.columns
            for g in np.flatnonzero(movers[cols]):
                n, stay = float(movers[cols][g]), float(left[cols][g])
                held = float(st.seats.held[:, old_zone, g].sum())
                if held > TOLERANCE:
                    rate = st.stage.rate
                    st.seats.move(old_zone, hh.zone, int(g), n * rate / max(held, (n + stay) * rate))

    # ----------------------------------------------------------------- steps

    def _promote(self) -> None:
        """The intake: everyone moves up a grade; nine-year pupils go on to middle."""
        finished = {st.stage.service: st.seats.promote() for st in self.states}
        middle = self.state[Service.MIDDLE].seats.held
        for row, mrow in self.continues.items():
            middle[mrow, :, 0] += finished[Service.PRIMARY][row]

    def _seats(self, st: StageState, t: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Seats per facility and grade ``(F, G)`` (``inf``: pooled) and per facility ``(F,)``."""
        g = st.stage.grades
        full = np.array([s.capacity(t) for s in st.schedules]) * st.share
        grade_seats = np.full((len(full), g), INF)
        seats = full.copy()
        for row in np.flatnonzero(st.by_grade & (full > 0)):
            year = k - self.calendar.year_of(st.schedules[row].opened_at) + 1
            admitting = min(max(year, 0), g)
            grade_seats[row] = 0.0
            grade_seats[row, :admitting] = full[row] / g
            seats[row] = full[row] * admitting / g
        return grade_seats, seats

    def _record(self, st: StageState, i: int, demand: np.ndarray, seats: np.ndarray) -> None:
        z = self.ctx.n_zones
        wanted = demand.sum(axis=1)
        served = st.seats.held.sum(axis=(0, 2))
        st.series["demand"][i] = wanted
        st.series["served"][i] = served
        st.series["unmet"][i] = np.maximum(wanted - served, 0.0)
        st.series["capacity"][i] = np.bincount(st.zone, weights=seats, minlength=z)
        st.capacity[i] = seats
        st.served[i] = st.seats.held.sum(axis=(1, 2))


def build_schools(ctx: Context) -> Schools | None:
    """The education model, or ``None`` when the scenario has no school at all."""
    if not any(set(f.services) & SCHOOL_SERVICES for f in ctx.scenario.facilities):
        return None
    return Schools(ctx)
