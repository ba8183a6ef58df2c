"""The scenario layer: YAML in, one frozen, validated, typed :class:`Scenario` out.

The only layer that knows YAML. Load a file with :func:`load_scenario`; make a
variant for a sweep with :func:`set_path` or :func:`shift_date_path`, which
return a new validated scenario and leave the original untouched. Every problem
is reported at once, through one exception, :class:`ScenarioError`.
"""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_merged_mapping, load_scenario, load_scenario_text
from sim.scenario.model import (
    SCHOOL_SERVICES,
    HousingType,
    ReportEvery,
    Scenario,
    Service,
    ServiceCategory,
)
from sim.scenario.paths import DAYS_PER_MONTH, get_path, set_path, shift_date_path

__all__ = [
    "DAYS_PER_MONTH",
    "SCHOOL_SERVICES",
    "HousingType",
    "Problem",
    "ReportEvery",
    "Scenario",
    "ScenarioError",
    "Service",
    "ServiceCategory",
    "get_path",
    "load_merged_mapping",
    "load_scenario",
    "load_scenario_text",
    "set_path",
    "shift_date_path",
]
