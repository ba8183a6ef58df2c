"""Checks that relate one part of a scenario to another.

Single-value checks (ranges, shares, ordered dates) are field constraints in
:mod:`sim.scenario.model`. The checks here need the whole scenario: every
reference to a zone, housing project or park names one that exists; ids are
unique in each list; every planned or observed date lies inside the horizon; every housing
type in use has a household profile; the town fits in memory; and each facility states its services and
capacity the way its service counts them (classes for schools, family-doctor
teams only for family doctors).

Each check yields ``(loc, message)`` pairs; the loader turns them into problems
with file, line and key path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from sim.scenario.errors import Loc
from sim.scenario.model import (
    ALL_ZONES,
    MAX_RESIDENTS,
    MAX_UNITS,
    MEMORY_GIB,
    SCHOOL_SERVICES,
    Facility,
    Scenario,
    Service,
)

Finding = tuple[Loc, str]
NINE_YEAR_SCHOOL = frozenset({Service.PRIMARY, Service.MIDDLE})
_LISTED_NAMES = 8


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def cross_check(scenario: Scenario) -> list[Finding]:
    """Run every cross-check on a validated scenario.

    Parameters
    ----------
    scenario
        A scenario that passed model validation.

    Returns
    -------
    list of (loc, message)
        Every problem found, as a key path (keys and list indices) and a message;
        empty when the scenario is consistent.
    """
    findings: list[Finding] = []
    for check in (
        _unique_ids,
        _zone_references,
        _other_references,
        _dates_in_horizon,
        _profiles,
        _facilities,
        _size,
    ):
        findings.extend(check(scenario))
    return findings


def _unique_ids(s: Scenario) -> Iterator[Finding]:
    lists: tuple[tuple[Loc, Sequence[_HasId]], ...] = (
        (("zones",), s.zones),
        (("housing",), s.housing),
        (("facilities",), s.facilities),
        (("enterprises", "parks"), s.enterprises.parks),
    )
    for loc, items in lists:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                yield (*loc, i, "id"), f"duplicate id '{item.id}'"
            seen.add(item.id)


def _names(ids: Iterable[str]) -> str:
    names = sorted(set(ids))
    shown = ", ".join(names[:_LISTED_NAMES])
    return shown + (", ..." if len(names) > _LISTED_NAMES else "") if names else "none defined"


def _zone_references(s: Scenario) -> Iterator[Finding]:
    zones = {z.id for z in s.zones}
    known = f"(zones: {_names(zones)})"
    refs: list[tuple[Loc, str | None]] = []
    for i, p in enumerate(s.housing):
        refs += [
            (("housing", i, "zone"), p.zone),
            (("housing", i, "relocates_from"), p.relocates_from),
        ]
    for i, f in enumerate(s.facilities):
        refs.append((("facilities", i, "zone"), f.zone))
        refs += [(("facilities", i, "catchment", j), z) for j, z in enumerate(f.catchment or [])]
    for i, park in enumerate(s.enterprises.parks):
        refs.append((("enterprises", "parks", i, "zone"), park.zone))
    refs += [(("observed", i, "zone"), o.zone) for i, o in enumerate(s.observed) if o.zone != ALL_ZONES]
    for loc, zone in refs:
        if zone is not None and zone not in zones:
            yield loc, f"unknown zone '{zone}' {known}"


def _other_references(s: Scenario) -> Iterator[Finding]:
    projects = {p.id for p in s.housing}
    for i, f in enumerate(s.facilities):
        if f.opens_with is not None and f.opens_with not in projects:
            yield (
                ("facilities", i, "opens_with"),
                (f"unknown housing project '{f.opens_with}' (projects: {_names(projects)})"),
            )
    facilities = {f.id: f for f in s.facilities}
    for i, o in enumerate(s.observed):
        if o.facility is None:
            continue
        school = facilities.get(o.facility)
        if school is None:
            yield ("observed", i, "facility"), f"unknown facility '{o.facility}' (facilities: {_names(facilities)})"
        elif o.service not in school.services:
            offered = ", ".join(v.value for v in school.services)
            yield ("observed", i, "service"), f"facility '{o.facility}' does not provide {o.service} (it provides {offered})"
    incubator = s.enterprises.incubator
    parks = {p.id for p in s.enterprises.parks}
    if incubator is not None and incubator.park not in parks:
        yield (
            ("enterprises", "incubator", "park"),
            f"unknown park '{incubator.park}' (parks: {_names(parks)})",
        )


def _dates_in_horizon(s: Scenario) -> Iterator[Finding]:
    start, end = s.horizon.start, s.horizon.end
    dates: list[tuple[Loc, dt.date | None]] = []
    for i, p in enumerate(s.housing):
        dates += [(("housing", i, "phases", j, "date"), ph.date) for j, ph in enumerate(p.phases)]
    for i, f in enumerate(s.facilities):
        dates.append((("facilities", i, "opens"), f.opens))
        dates += [
            (("facilities", i, "capacity_changes", j, "date"), c.date)
            for j, c in enumerate(f.capacity_changes)
        ]
    for loc, day in dates:
        if day is not None and not start <= day <= end:
            yield (
                loc,
                f"must lie inside the horizon {start.isoformat()} to {end.isoformat()}, got {day.isoformat()}",
            )
    for i, o in enumerate(s.observed):
        if o.date is not None and not start <= o.date <= end:
            yield ("observed", i, "date"), (
                f"must lie inside the horizon {start.isoformat()} to {end.isoformat()}, got {o.date.isoformat()}")
        if o.year is not None and not start.year <= o.year <= end.year:
            yield ("observed", i, "year"), f"must be a year of the horizon {start.year} to {end.year}, got {o.year}"


def _profiles(s: Scenario) -> Iterator[Finding]:
    for i, p in enumerate(s.housing):
        if p.type not in s.household_profiles:
            yield (
                ("housing", i, "type"),
                (
                    f"no household profile for housing type '{p.type.value}' "
                    f"(add household_profiles.{p.type.value})"
                ),
            )


def _facilities(s: Scenario) -> Iterator[Finding]:
    for i, f in enumerate(s.facilities):
        services = f.services
        if len(services) > 1 and frozenset(services) != NINE_YEAR_SCHOOL:
            listed = ", ".join(x.value for x in services)
            yield (
                ("facilities", i, "service"),
                (
                    f"only primary and middle may share one facility (a nine-year school), got {listed}"
                ),
            )
        if f.categories and Service.SERVICE_CENTRE not in services:
            yield (
                ("facilities", i, "categories"),
                "categories are only for service_centre facilities",
            )
        yield from _capacity_measures(f, ("facilities", i))


def _capacity_measures(f: Facility, loc: Loc) -> Iterator[Finding]:
    """Schools count classes; family doctors count teams or units; the rest count units."""
    services = f.services
    school = any(x in SCHOOL_SERVICES for x in services)
    if school:
        allowed, wanted = {"classes"}, "classes"
    elif Service.FAMILY_DOCTOR in services:
        allowed, wanted = {"teams", "units"}, "teams or units"
    else:
        allowed, wanted = {"units"}, "units"
    what = "/".join(x.value for x in services)
    measures: list[tuple[Loc, str]] = [((*loc, "capacity"), _measure(f.capacity))]
    measures += [
        ((*loc, "capacity_changes", j), _measure(c)) for j, c in enumerate(f.capacity_changes)
    ]
    for where, measure in measures:
        if measure not in allowed:
            yield (
                (*where, measure),
                f"{what} capacity is given in {wanted}, not {measure}",
            )
    if f.capacity.class_size is not None and not school:
        yield (*loc, "capacity", "class_size"), f"class_size is only for schools, not {what}"
    if f.capacity.panel_size is not None and Service.FAMILY_DOCTOR not in services:
        yield (*loc, "capacity", "panel_size"), f"panel_size is only for family_doctor, not {what}"


class _Measured(Protocol):
    @property
    def classes(self) -> int | None: ...
    @property
    def units(self) -> float | None: ...
    @property
    def teams(self) -> int | None: ...


def _measure(c: _Measured) -> str:
    for name in ("classes", "units", "teams"):
        if getattr(c, name) is not None:
            return name
    return "none"


def _size(s: Scenario) -> Iterator[Finding]:
    """The whole town within the limits that one replication's memory can hold."""
    residents = sum(z.initial_population.residents for z in s.zones if z.initial_population)
    if residents > MAX_RESIDENTS:
        yield ("zones",), (
            f"initial residents add up to {residents:,}, more than the {MAX_RESIDENTS:,} "
            f"a replication can hold in {MEMORY_GIB} GiB of memory; simulate part of the town"
        )
    units = sum(ph.units for p in s.housing for ph in p.phases)
    if units > MAX_UNITS:
        yield ("housing",), (
            f"dwelling units add up to {units:,}, more than the {MAX_UNITS:,} "
            f"a replication can hold in {MEMORY_GIB} GiB of memory; simulate part of the town"
        )
