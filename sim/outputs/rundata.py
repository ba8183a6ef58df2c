"""A run's results, read once from its folder and aggregated once for figures and report."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from sim.outputs import figdata
from sim.outputs.results_io import ResultsFolder, Summary
from sim.outputs.style import ZoneLabels


@dataclass
class RunData:
    """Everything the figures and the report of one run need, from its folder only."""

    folder: ResultsFolder
    labels: ZoneLabels = field(init=False)

    def __post_init__(self) -> None:
        self.labels = ZoneLabels(self.folder.zone_names())

    @cached_property
    def manifest(self) -> dict[str, Any]:
        return self.folder.manifest()

    @cached_property
    def scenario(self) -> dict[str, Any] | None:
        return self.folder.scenario()

    @cached_property
    def summary(self) -> Summary | None:
        return self.folder.summary()

    @cached_property
    def series(self) -> pd.DataFrame | None:
        return self.folder.series()

    @cached_property
    def zone_order(self) -> list[str]:
        """Zones in the scenario's order (else the order the results list them)."""
        names = list(self.folder.zone_names())
        if names:
            return names
        if self.series is not None:
            return list(dict.fromkeys(self.series["zone"].astype(str)))
        return []

    @cached_property
    def services(self) -> list[figdata.ServiceData]:
        return [] if self.series is None or self.series.empty else figdata.service_data(self.series, self.zone_order)

    @cached_property
    def openings(self) -> pd.DataFrame:
        return figdata.openings(self.folder.facilities())

    @cached_property
    def population(self) -> tuple[figdata.Bands, list[str]] | None:
        pop = self.folder.population()
        return None if pop is None or pop.empty else figdata.population_bands(pop, self.zone_order)

    @cached_property
    def pyramid(self) -> pd.DataFrame | None:
        df = self.folder.parquet("pyramid.parquet")
        return None if df is None or df.empty or not {"date", "sex", "age_group", "residents"} <= set(df.columns) else df

    def table(self, name: str) -> pd.DataFrame | None:
        """A further Parquet table of the run (``jobs``, ``worker_households``…)."""
        return self.folder.parquet(f"{name}.parquet")

    @property
    def reps(self) -> int:
        r = self.manifest.get("reps") or self.manifest.get("replications")
        if isinstance(r, int):
            return r
        return int(self.series["rep"].nunique()) if self.series is not None else 0
