"""The SimPy model of the town. Imports simpy and numpy; never yaml, pandas,
matplotlib or the file system."""

from sim.engine.results import AGE_BANDS, EVENT_KINDS, SERIES_FIELDS, FacilityKey, Results
from sim.engine.town import simulate

__all__ = ["AGE_BANDS", "EVENT_KINDS", "SERIES_FIELDS", "FacilityKey", "Results", "simulate"]
