"""Enterprises, a source of population: parks, the incubator, factory space and worker housing.

Wires :mod:`sim.engine.firms` into a replication. It sits beside the other
sources of population (:mod:`sim.engine.workers`, :mod:`sim.engine.home_leaving`)
rather than among the service models, which only consume the population; it
still reports the ``factory_space`` and worker ``housing`` series as a service
model does. Established firms arrive in
each park as a Poisson process (stream ``enterprises``, key ``(0, park)``);
the incubator screens projects from key ``(1, park)``. The firms tell the
worker-household source (:mod:`sim.engine.workers`, a population source of the
engine) of every job gained or lost; this model only reads its counts.

Services reported:

* ``factory_space``: demand = floor space (jobs x ``m2_per_job``) of the live
  firms, in the parks of each zone, that rent standard factory space. A park
  *offers* such space while a ``factory_space`` facility whose catchment holds
  the park's zone is open; a firm founded then rents it with the park's
  ``standard_space_share``, decided once at its founding (ASSUMPTION: a firm
  founded elsewhere, or before the factories open, keeps its own premises and
  does not move). So no demand exists before factories open, and firms of a
  park no factory serves never count. Served nearest first within catchments
  (and the overflow distance), as for other counted services; unmet = the rest.
* Parks start with their ``existing_firms`` (established profile, first jobs of
  mean ``existing_jobs_mean``); their jobs at the start bring no worker
  households (those workers live in the town already), the jobs they gain later do.
* ``housing``: per zone of the parks, at each date, worker households held by
  live jobs that want to live in town (demand), living there (served) and
  commuting while they wait (unmet); capacity = dwellings of the preferred
  types on the market in each zone.

Tables: ``jobs`` (per report date and park, with the parks' floor space and
standard-space demand), ``incubator`` (cumulative pipeline counts and grants)
and ``worker_households`` (per date and park zone: stocks housed, commuting,
living elsewhere now; flows, cumulative: households that left town or stayed
when their job ended).
With ``enterprises.enabled`` false, or no parks, nothing here runs.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from sim.engine.firms import ESTABLISHED, KEY_LIMIT, Economy, Pipeline, established_arrivals
from sim.engine.services.allocation import CountService, schedules_for
from sim.engine.services.base import Context, ServiceOutput
from sim.engine.streams import Stream
from sim.engine.tables import rows_to_columns
from sim.engine.workers import WorkerHouseholds
from sim.scenario.model import Service

ARRIVALS_KEY, PIPELINE_KEY, EXISTING_KEY = 0, 1, 2

WORKER_COLUMNS = ("housed", "commuting", "living_elsewhere", "left_town_job_ended", "stayed_job_ended")
"""Columns of ``worker_households`` after date and zone: the first three now, the last two cumulative."""


class EnterpriseModel:
    """Firms, the incubator, factory space and worker households of one replication."""

    def __init__(self, ctx: Context, workers: WorkerHouseholds) -> None:
        e = ctx.scenario.enterprises
        self.ctx = ctx
        self.park_zones = [ctx.zone_index[p.zone] for p in e.parks]
        self.workers = workers
        profiles = (e.established_firm, e.incubated_firm)
        self.space = CountService(ctx, Service.FACTORY_SPACE, schedules_for(ctx, Service.FACTORY_SPACE))
        self.economy = Economy(ctx.env, ctx.cal.end_time, profiles, len(e.parks), workers.jobs_changed, self.rents_space)
        self.pipeline: Pipeline | None = None
        if e.incubator is not None:
            park = [p.id for p in e.parks].index(e.incubator.park)
            gen = ctx.streams.generator(Stream.ENTERPRISES, PIPELINE_KEY, park)
            self.pipeline = Pipeline(self.economy, e.incubator, park, gen)
        self.housing_series = ctx.series_arrays()
        self.job_rows: list[tuple[dt.date, int, int, int, int, int, int, int, float, float]] = []
        self.incubator_rows: list[tuple[dt.date, int, int, int, float]] = []
        self.worker_rows: list[tuple[object, ...]] = []  # date, zone, then WORKER_COLUMNS

    def start(self) -> None:
        """Open the factories there are, found the parks' existing firms, and start
        the arrivals and the incubator."""
        self.space.start()
        for park, p in enumerate(self.ctx.scenario.enterprises.parks):
            gen = self.ctx.streams.generator(Stream.ENTERPRISES, EXISTING_KEY, park)
            for key in gen.integers(KEY_LIMIT, size=p.existing_firms).tolist():
                self.economy.found(park, ESTABLISHED, random.Random(key), jobs_mean=p.existing_jobs_mean, existing=True)
            gen = self.ctx.streams.generator(Stream.ENTERPRISES, ARRIVALS_KEY, park)
            self.ctx.env.process(established_arrivals(self.economy, park, p.established_firms_per_year, gen))
        if self.pipeline is not None:
            self.pipeline.start()

    def rents_space(self, park: int, u: float) -> bool:
        """Whether a firm founded now in ``park`` rents standard factory space (given ``u``)."""
        p = self.ctx.scenario.enterprises.parks[park]
        if u >= p.standard_space_share:
            return False
        zone, now = self.park_zones[park], self.ctx.env.now
        return any(zone in s.catchment and s.capacity(now) > 0.0 for s in self.space.schedules)

    def sample(self, i: int, t: float) -> None:
        """Record factory space, worker housing and the tables at report ``i``."""
        demand = np.zeros(self.ctx.n_zones)
        for park, zone in enumerate(self.park_zones):
            demand[zone] += self.economy.standard_space_m2(park)
        self.space.record(i, t, demand)
        self._record_housing(i)
        self._record_tables(self.ctx.dates[i])

    def _record_housing(self, i: int) -> None:
        w, n_z = self.workers, self.ctx.n_zones
        housed = w.by_zone(w.housed_counts(), n_z)
        commuting = w.by_zone(w.commuting, n_z)
        self.housing_series["demand"][i] = housed + commuting
        self.housing_series["served"][i] = housed
        self.housing_series["unmet"][i] = commuting
        self.housing_series["capacity"][i] = w.on_market_by_zone(n_z)

    def _record_tables(self, date: dt.date) -> None:
        ec = self.economy
        for park in range(len(self.park_zones)):
            row = (date, park, ec.park_jobs(park), ec.untied[park], ec.alive[park], ec.failed[park], ec.created[park],
                   ec.lost[park], ec.floor_m2(park), ec.standard_space_m2(park))
            self.job_rows.append(row)
        c = self.pipeline.counts if self.pipeline is not None else None
        if c is not None:
            self.incubator_rows.append((date, c.screened, c.incubated, c.financed, c.grants_yuan))
        w, n_z = self.workers, self.ctx.n_zones
        counts = [w.by_zone(c, n_z) for c in (w.housed_counts(), w.commuting, w.elsewhere, w.left_town, w.stayed)]
        for zone in sorted(set(self.park_zones)):
            self.worker_rows.append((date, zone, *(int(c[zone]) for c in counts)))

    def output(self) -> ServiceOutput:
        """Factory-space and housing series, facility rows and the three tables."""
        out = self.space.output()
        out.series[Service.HOUSING] = self.housing_series
        out.tables = {"jobs": self._jobs_table(), "worker_households": self._workers_table()}
        if self.pipeline is not None:
            out.tables["incubator"] = rows_to_columns(
                self.incubator_rows, ("date", "screened", "incubated", "financed", "grants_yuan"), (object, np.int64, np.int64, np.int64, float)
            )
        return out

    def _jobs_table(self) -> dict[str, np.ndarray]:
        parks = self.ctx.scenario.enterprises.parks
        zones = list(self.ctx.zone_index)
        cols = rows_to_columns(
            self.job_rows,
            ("date", "park", "jobs", "jobs_untied", "enterprises_alive", "enterprises_failed_cumulative",
             "jobs_created_cumulative", "jobs_lost_cumulative", "floor_m2", "standard_space_m2"),
            (object, np.int64, np.int64, np.int64, np.int64, np.int64, np.int64, np.int64, float, float),
        )
        index = cols.pop("park")
        return {
            "date": cols.pop("date"),
            "park": np.array([parks[k].id for k in index.tolist()], dtype=object),
            "zone": np.array([zones[self.park_zones[k]] for k in index.tolist()], dtype=object),
            **cols,
        }

    def _workers_table(self) -> dict[str, np.ndarray]:
        zones = list(self.ctx.zone_index)
        names = ("date", "zone", *WORKER_COLUMNS)
        cols = rows_to_columns(self.worker_rows, names, (object, *[np.int64] * (len(names) - 1)))
        cols["zone"] = np.array([zones[z] for z in cols["zone"].tolist()], dtype=object)
        return cols


def build_enterprises(ctx: Context) -> EnterpriseModel | None:
    """The enterprise model, or ``None`` when enterprises are off or there are no parks."""
    if ctx.workers is None:
        return None
    return EnterpriseModel(ctx, ctx.workers)
