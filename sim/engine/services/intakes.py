"""First-grade demand at each school-year intake, per zone and school stage.

A read-only probe beside the school model: on every intake date it counts the
children of each stage's first-grade age at the cut-off (the calendar birthday
rule of :mod:`sim.engine.services.school_year`) times the stage's enrolment
rate (vocational: its share), per zone. This is the first-grade demand a
school's catchment puts on it, the figure schools report as their intake (for
example in classes of grade 1). It draws nothing and changes nothing.

Table ``first_grades``: ``date, zone, service, pupils``.
"""

from __future__ import annotations

import numpy as np

from sim.engine.services.base import Context, ServiceOutput
from sim.engine.services.school_year import SchoolCalendar, school_stages
from sim.scenario.model import SCHOOL_SERVICES


class FirstGrades:
    """Records first-grade demand at each intake (see the module docstring)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.calendar = SchoolCalendar(ctx.cal, ctx.scenario.services.school_year)
        self.stages = school_stages(ctx.scenario.services)
        intakes = set(ctx.cal.yearly(ctx.scenario.services.school_year.intake))
        self.at_intake = [d in intakes for d in ctx.dates]
        self.rows: dict[str, list[object]] = {"date": [], "zone": [], "service": [], "pupils": []}

    def start(self) -> None:
        """Nothing to start: the probe only reads."""

    def sample(self, i: int, t: float) -> None:
        if not self.at_intake[i]:
            return
        ages = self.calendar.ages(self.ctx.pop, self.calendar.year_of(t))
        zones = list(self.ctx.zone_index)
        for stage in self.stages:
            first = ages[:, stage.columns.start] * stage.rate
            for z, zone in enumerate(zones):
                self.rows["date"].append(self.ctx.dates[i])
                self.rows["zone"].append(zone)
                self.rows["service"].append(stage.service.value)
                self.rows["pupils"].append(float(first[z]))

    def output(self) -> ServiceOutput:
        table = {k: np.array(v, dtype=float if k == "pupils" else object) for k, v in self.rows.items()}
        return ServiceOutput(tables={"first_grades": table})


def build_first_grades(ctx: Context) -> FirstGrades | None:
    """The probe, or ``None`` when the scenario has no school at all."""
    if not any(set(f.services) & SCHOOL_SERVICES for f in ctx.scenario.facilities):
        return None
    return FirstGrades(ctx)
