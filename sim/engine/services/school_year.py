"""The school year: stages, grades, intakes, and ages counted at the cut-off.

Each school stage admits children by their age at the school-year cut-off
(docs/model.md §4; docs/facts.md §5: kindergarten at ages 3-5 and primary from age 6,
both by birthday cut-off; 6-3 system by default, 5-4 as an option for Jining,
docs/facts.md §5 [29]):

==============  ===========  ===========
stage           6-3 system   5-4 system
==============  ===========  ===========
kindergarten    3-5          3-5
primary         6-11         6-10
middle          12-14        11-14
vocational      15-17        15-17
==============  ===========  ===========

A grade is one year of age at the cut-off. A child is *aged a at the cut-off*
if born on or before the cut-off date ``a`` calendar years earlier and after
the cut-off date ``a + 1`` years earlier: the admission rule "aged six by
31 August". Counting by calendar dates rather than by years of 365.25 days
keeps every birth cohort in one grade, one grade higher each year, so that a
cohort's seats can be carried from year to year (365-day and 366-day years
would otherwise move a child across a boundary now and then).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.engine.calendar import DAYS_PER_YEAR, Calendar
from sim.engine.population import Population
from sim.scenario.model import SchoolYear, Service, Services

FIRST_AGE = 3
"""Youngest age at the cut-off of any stage (kindergarten)."""

END_AGE = 18
"""First age at the cut-off past every stage (vocational ends at 17)."""


@dataclass(frozen=True)
class Stage:
    """One school stage: the ages it admits and the share of them who seek a seat.

    Attributes
    ----------
    service
        The stage's service.
    first_age
        Age at the cut-off of its first grade.
    grades
        Number of grades (years of age).
    rate
        Share of the children of those ages who seek a seat: the enrolment rate
        (kindergarten, primary, middle) or the vocational share.
    """

    service: Service
    first_age: int
    grades: int
    rate: float

    @property
    def columns(self) -> slice:
        """The stage's columns in a table of ages ``FIRST_AGE .. END_AGE - 1``."""
        start = self.first_age - FIRST_AGE
        return slice(start, start + self.grades)


def school_stages(services: Services) -> tuple[Stage, ...]:
    """The four school stages under the scenario's school system and rates."""
    primary_grades = 6 if services.school_year.system == "6-3" else 5
    middle_first = 6 + primary_grades
    return (
        Stage(Service.KINDERGARTEN, FIRST_AGE, 3, services.kindergarten.enrolment_rate),
        Stage(Service.PRIMARY, 6, primary_grades, services.primary.enrolment_rate),
        Stage(Service.MIDDLE, middle_first, 15 - middle_first, services.middle.enrolment_rate),
        Stage(Service.VOCATIONAL, 15, END_AGE - 15, services.vocational.share),
    )


class SchoolCalendar:
    """Intakes and cut-offs of every school year that touches the horizon.

    School year ``k`` starts at ``intakes[k]`` and counts ages at its cut-off,
    the last ``age_cutoff`` date on or before the intake. The first school year
    is the one in progress at the horizon start (its intake may lie before it).
    """

    def __init__(self, cal: Calendar, year: SchoolYear) -> None:
        self.cal = cal
        self.cutoff_day = year.age_cutoff
        self.intakes: list[float] = []
        self.cutoffs: list[dt.date] = []
        for y in range(cal.start.year - 1, cal.end.year + 1):
            intake = cal.month_day(y, year.intake)
            cutoff = cal.month_day(y, year.age_cutoff)
            if cutoff > intake:
                cutoff = cal.month_day(y - 1, year.age_cutoff)
            self.intakes.append(cal.time(intake))
            self.cutoffs.append(cutoff)

    def year_of(self, t: float) -> int:
        """Index of the school year in progress at model time ``t``."""
        return max(bisect.bisect_right(self.intakes, t) - 1, 0)

    def cutoff_time(self, k: int) -> float:
        """Model time of school year ``k``'s cut-off."""
        return self.cal.time(self.cutoffs[k])

    def age_edges(self, k: int) -> list[float]:
        """Ages in years, ``FIRST_AGE .. END_AGE``, that split residents at the
        cut-off of school year ``k`` by the calendar birthday rule.

        Edge ``a`` is the age of someone born at noon on the cut-off date ``a``
        years earlier, so that a count of residents "aged at least the edge" by
        day of birth (:meth:`Population.cohort_table`) includes those born on
        that date and nobody born later.
        """
        cutoff = self.cutoffs[k]
        c = self.cal.time(cutoff)
        edges = []
        for a in range(FIRST_AGE, END_AGE + 1):
            born = self.cal.time(self.cal.month_day(cutoff.year - a, self.cutoff_day))
            edges.append((c - born - 0.5) / DAYS_PER_YEAR)
        return edges

    def ages(self, pop: Population, k: int) -> np.ndarray:
        """Residents per zone by age at school year ``k``'s cut-off, ages
        ``FIRST_AGE .. END_AGE - 1``: ``(Z, END_AGE - FIRST_AGE)``.

        Counts today's residents (those who arrived since the cut-off included,
        those who left excluded) by their age on the cut-off date.
        """
        return np.asarray(pop.cohort_table(self.cutoff_time(k), self.age_edges(k)), dtype=float)
