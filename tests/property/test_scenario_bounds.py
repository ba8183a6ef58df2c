"""Whatever ``validate`` accepts, the engine runs: values at and beyond every bound.

A tiny town that uses every part of the format (``tiny_complete.yaml``, one
year) has one to three of its numbers replaced by values at a documented bound,
just beyond it, far beyond it, infinite, not a number, or a boolean; its horizon
is moved to the years at and beyond the representable ones; an age band is
stretched to and beyond the oldest age. Whatever validation accepts must then
simulate and tabulate without an exception, with no infinite number in any table
(a missing value, such as the wait of a bed nobody waited for, is NaN);
whatever it refuses must be refused with one-line problems.

The population bounds (initial residents, dwelling units) are run here only up
to a few thousand: a replication at those bounds needs minutes and gigabytes
(measured once, see ``MEMORY_GIB`` in ``sim/scenario/model/common.py``); their
refusal beyond the bound is checked in ``test_bounds_refused``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import annotated_types as at
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.engine import simulate
from sim.outputs.tables import (
    events_table,
    extra_table,
    facilities_table,
    population_table,
    series_table,
)
from sim.scenario import ScenarioError, load_merged_mapping
from sim.scenario.loader import validate_data
from sim.scenario.messages import constraints_at
from sim.scenario.model import FIRST_YEAR, LAST_YEAR, MAX_AGE_YEARS, MAX_RESIDENTS, MAX_UNITS

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny_complete.yaml"
BASE: dict[str, Any] = load_merged_mapping(TINY)
CHEAP_POPULATION = 3000
"""Residents and dwelling units run here at most (the bounds themselves cost minutes)."""
LINE = re.compile(r"^[^\n]+: [^\n]+$")


def _numbers(value: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the data that holds a number (not a boolean)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _numbers(v, (*loc, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _numbers(v, (*loc, i))]
    return [loc] if isinstance(value, int | float) and not isinstance(value, bool) else []


PATHS = _numbers(BASE)


def _edges(loc: tuple[Any, ...]) -> list[Any]:
    """The declared bounds of the value at ``loc``, and values just and far beyond them."""
    out: list[Any] = []
    for c in constraints_at(loc, BASE):
        for bound in (getattr(c, name, None) for name in ("ge", "gt", "le", "lt")):
            if bound is None:
                continue
            b = float(bound)
            out += [bound, math.nextafter(b, -math.inf), math.nextafter(b, math.inf), b - 1, b + 1, b * 10]
            if isinstance(c, at.Gt):
                out.append(b + 1e-300)
    return out


EXTREMES: list[Any] = [0, -1, 1e-300, 0.5, 1, 2, 12, 111, 999, 1e6, 1e9, 2**63, 1e300, -1e300,
                       math.inf, -math.inf, math.nan, True, False]


@st.composite
def changes(draw: st.DrawFn) -> list[tuple[tuple[Any, ...], Any]]:
    """One to three (place, new value) pairs."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        loc = draw(st.sampled_from(PATHS))
        value = draw(st.one_of(
            st.sampled_from(_edges(loc) or [0]),
            st.sampled_from(EXTREMES),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(2**70), 2**70),
        ))
        out.append((loc, value))
    return out


def _set(data: dict[str, Any], loc: tuple[Any, ...], value: Any) -> None:
    target: Any = data
    for k in loc[:-1]:
        target = target[k]
    target[loc[-1]] = value


def _get(data: Any, loc: tuple[Any, ...]) -> Any:
    for k in loc:
        data = data[k]
    return data


def _shift_years(value: Any, years: int) -> Any:
    if isinstance(value, dict):
        return {k: _shift_years(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_years(v, years) for v in value]
    if isinstance(value, dt.date):
        return value.replace(year=value.year + years)
    return value


def _runs_cleanly(data: dict[str, Any]) -> bool:
    """Validate ``data``; if valid, simulate one replication and build its tables.

    Returns whether it validated. Refusals must be one-line problems; a valid
    scenario must run without an exception and give tables without infinite numbers.
    """
    try:
        scenario = validate_data(data)
    except ScenarioError as exc:
        assert exc.problems and all(LINE.match(line) for line in exc.lines()), exc.lines()
        return False
    results = [simulate(scenario, 1)]
    tables = [population_table(results), series_table(results), facilities_table(results),
              events_table(results), *(extra_table(results, n) for n in results[0].tables)]
    for table in tables:
        numbers = table.select_dtypes("number").to_numpy(dtype=float)
        assert not np.isinf(numbers).any(), "a table holds an infinite number"  # NaN: no value
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes())
def test_whatever_validates_runs(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(BASE)
    for loc, value in edits:
        if loc[-1] in ("residents", "units") and isinstance(value, int | float) and value > CHEAP_POPULATION:
            value = -1 if value <= max(MAX_RESIDENTS, MAX_UNITS) else value  # keep the run cheap
        _set(data, loc, value)
    event("ran" if _runs_cleanly(data) else "refused")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([FIRST_YEAR - 1, FIRST_YEAR, LAST_YEAR - 1, LAST_YEAR, LAST_YEAR + 1, 2261, 2262, 9998]))
def test_horizon_years_at_and_beyond_the_bound(start_year: int) -> None:
    data = _shift_years(copy.deepcopy(BASE), start_year - BASE["horizon"]["start"].year)
    assert _runs_cleanly(data) == (FIRST_YEAR <= start_year <= LAST_YEAR)


@pytest.mark.parametrize("oldest", [MAX_AGE_YEARS - 1, MAX_AGE_YEARS, MAX_AGE_YEARS + 1, 999])
def test_age_bands_at_and_beyond_the_oldest_age(oldest: int) -> None:
    data = copy.deepcopy(BASE)
    shares = data["zones"][1]["initial_population"]["age_shares"]
    shares[f"60-{oldest}"] = shares.pop("60-110")
    rates = data["demography"]["care_needs"]["to_community_per_year"]
    rates[f"80-{oldest}"] = rates.pop("80-110")
    assert _runs_cleanly(data) == (oldest <= MAX_AGE_YEARS)


def test_every_value_at_its_bound_together_runs() -> None:
    """Demography, time and space at their bounds at once: the hardest lives to schedule."""
    data = copy.deepcopy(BASE)
    for loc, value in [
        (("demography", "mortality", "gompertz", "a"), 1.0),
        (("demography", "mortality", "gompertz", "b"), 0.5),
        (("demography", "tfr"), 8.0),
        (("demography", "care_needs", "to_community_per_year", "80-110"), 100.0),
        (("demography", "care_needs", "to_institutional_per_year", "80-110"), 100.0),
        (("services", "eldercare_bed", "discharge_per_year"), 100.0),
        (("housing_defaults", "slippage_months"), {"distribution": "gamma", "mean": 1200.0, "sd": 1200.0}),
        (("housing_defaults", "relet_months"), 1200.0),
        (("zones", 0, "x_km"), -1000.0),
        (("zones", 1, "x_km"), 1000.0),
        (("zones", 1, "radius_km"), 1000.0),
        (("services", "service_centre", "walk_km"), 1000.0),
        (("services", "allocation", "overflow_km"), 1000.0),
        (("household_profiles", "commodity", "occupancy", "points"), [[100.0, 1.0]]),
        (("enterprises", "workers", "jobs_per_household"), 0.1),
    ]:
        _set(data, loc, value)
    assert _runs_cleanly(data)


def _upper(loc: tuple[Any, ...]) -> float:
    return next(float(getattr(c, "le", getattr(c, "lt", 0))) for c in constraints_at(loc, BASE)
                if isinstance(c, at.Le | at.Lt))


def test_every_number_has_an_upper_bound_and_is_refused_beyond_it() -> None:
    """Every number of the format is bounded above; above the bound, infinite, not a
    number or a boolean, it is refused at its key path with the range it must lie in."""
    for loc in PATHS:
        hi = _upper(loc)  # StopIteration here: a number without a documented bound
        above = int(hi) * 2 + 1 if isinstance(_get(BASE, loc), int) else hi * 2 + 1
        for value, words in ((above, "must be "), (math.inf, "must be a finite number "),
                             (math.nan, "must be a finite number "), (True, "must be a ")):
            data = copy.deepcopy(BASE)
            _set(data, loc, value)
            with pytest.raises(ScenarioError) as err:
                validate_data(data)
            here = [line for line in err.value.lines() if any(w in line for w in ("between", "at most", "less than"))]
            assert here and words in here[0], (loc, value, err.value.lines())


@pytest.mark.parametrize(("what", "loc", "value", "message"), [
    ("residents", ("zones", 1, "initial_population", "residents"), MAX_RESIDENTS + 1,
     f"zones[village].initial_population.residents: must be between 0 and {MAX_RESIDENTS}, got {MAX_RESIDENTS + 1}"),
    ("units", ("housing", 0, "phases", 0, "units"), MAX_UNITS + 1,
     f"housing[estate].phases[0].units: must be between 0 and {MAX_UNITS}, got {MAX_UNITS + 1}"),
])
def test_population_bounds_refused(what: str, loc: tuple[Any, ...], value: int, message: str) -> None:
    data = copy.deepcopy(BASE)
    _set(data, loc, value)
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    assert err.value.lines() == [message]


def test_whole_town_bounds_refused() -> None:
    """Each zone and phase within its bound, but the town as a whole too large."""
    data = copy.deepcopy(BASE)
    data["zones"][0]["initial_population"] = copy.deepcopy(data["zones"][1]["initial_population"])
    for zone in data["zones"]:
        zone["initial_population"]["residents"] = MAX_RESIDENTS // 2 + 1
    data["housing"][0]["phases"] = [{"date": dt.date(2019, 2, 1), "units": MAX_UNITS // 2 + 1}] * 2
    with pytest.raises(ScenarioError) as err:
        validate_data(data)
    assert err.value.lines() == [
        f"zones: initial residents add up to {MAX_RESIDENTS + 2:,}, more than the {MAX_RESIDENTS:,} "
        "a replication can hold in 8 GiB of memory; simulate part of the town",
        f"housing: dwelling units add up to {MAX_UNITS + 2 + 50:,}, more than the {MAX_UNITS:,} "
        "a replication can hold in 8 GiB of memory; simulate part of the town",
    ]
