"""Shared building blocks of the scenario format: constrained types, the frozen base
model, the vocabularies (services, housing types, service-centre categories),
the limits of what the engine can simulate, and validation helpers.

Every number of a scenario is finite (no ``.inf`` or ``.nan``), and a whole
number is never a boolean (``classes: true`` is refused, not read as 1). Every
number also lies inside a stated range: the limits below are what the engine
honours (ages it counts, dates pandas can hold, towns a machine can hold in
memory, rates and delays whose event times stay representable). A value outside
its range is refused by ``run.py validate`` with the range in the message.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

SHARE_TOLERANCE = 1e-3
"""Shares that must sum to 1 may be off by this much (planners round percentages)."""

# --------------------------------------------------------------------- limits

MAX_AGE_YEARS = 110
"""Oldest age an age band may reach; residents are drawn up to this age (+1 year)."""
FIRST_YEAR, LAST_YEAR = 1800, 2200
"""Horizon dates lie in these years: results are dated with pandas timestamps,
which (at nanosecond resolution) reach 1677-09-21 to 2262-04-11; the margin
leaves room for delivery dates slipping past the horizon."""
MAX_RESIDENTS = 3_000_000
"""Initial residents of a whole scenario (all zones together)."""
MAX_UNITS = 1_000_000
"""Dwelling units of a whole scenario (all phases of all projects together)."""
MEMORY_GIB = 8
"""A replication at both population limits peaked at 2.7 GB (measured over four
years, the new units about two-thirds occupied): a machine with this much memory
per worker process holds it, with room for fuller housing and the tables."""
MAX_MONTHS = 1200.0
"""Any delay, lag or duration in months (100 years)."""
MAX_RATE_PER_YEAR = 100.0
"""Any rate per person per year (care-need transitions, bed discharge)."""
MAX_KM = 1000.0
"""Any coordinate, radius or distance in km."""


def _number(value: Any) -> Any:
    if isinstance(value, bool):  # YAML true/false is no number, though Python treats it as 1/0
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Number = Annotated[float, BeforeValidator(_number)]
"""A finite number, not a boolean (finiteness is enforced by :class:`Frozen`)."""
Whole = Annotated[int, BeforeValidator(_whole)]
"""A whole number, not a boolean."""

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)]
Share = Annotated[Number, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]
Positive = Annotated[Number, Field(gt=0.0)]
Count = Annotated[Whole, Field(ge=0)]
Months = Annotated[Number, Field(ge=0.0, le=MAX_MONTHS)]
"""A delay or duration in months, 0 to :data:`MAX_MONTHS`."""
RatePerYear = Annotated[Number, Field(ge=0.0, le=MAX_RATE_PER_YEAR)]
"""A rate per person per year, 0 to :data:`MAX_RATE_PER_YEAR`."""
Km = Annotated[Number, Field(ge=-MAX_KM, le=MAX_KM)]
"""A coordinate in km, -:data:`MAX_KM` to :data:`MAX_KM`."""
PositiveKm = Annotated[Number, Field(gt=0.0, le=MAX_KM)]
"""A radius or walking range in km, more than 0 and at most :data:`MAX_KM`."""
Age = Annotated[Number, Field(ge=0, le=MAX_AGE_YEARS)]
"""An age in years, 0 to :data:`MAX_AGE_YEARS`."""
Source = Annotated[str | None, Field(default=None, description="Where a number comes from, or 'ASSUMPTION: …'.")]

_BAND = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Frozen(BaseModel):
    """Base of every scenario model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False, allow_inf_nan=False)


# --------------------------------------------------------------------- vocabularies


class Service(StrEnum):
    """The fixed vocabulary of services used in every output (docs/model.md §4)."""

    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    MIDDLE = "middle"
    VOCATIONAL = "vocational"
    ELDERCARE_BED = "eldercare_bed"
    DAY_CARE = "day_care"
    SENIOR_CANTEEN = "senior_canteen"
    FAMILY_DOCTOR = "family_doctor"
    HEALTH_CENTRE = "health_centre"
    SERVICE_CENTRE = "service_centre"
    FACTORY_SPACE = "factory_space"
    HOUSING = "housing"


SCHOOL_SERVICES = frozenset({Service.KINDERGARTEN, Service.PRIMARY, Service.MIDDLE, Service.VOCATIONAL})


class HousingType(StrEnum):
    """Kinds of housing; each has its own household profile and occupancy curve."""

    COMMODITY = "commodity"
    RESETTLEMENT = "resettlement"
    TALENT_APARTMENT = "talent_apartment"
    STAFF_APARTMENT = "staff_apartment"
    STUDENT_APARTMENT = "student_apartment"


class ServiceCategory(StrEnum):
    """The six categories of a 15-minute community service circle (docs/seed.md §1)."""

    GOVERNMENT = "government"  # 政务
    CONVENIENCE = "convenience"  # 便民
    HEALTH = "health"  # 健康
    CULTURE_SPORTS = "culture_sports"  # 文体
    SAFETY = "safety"  # 平安
    PUBLIC_WELFARE = "public_welfare"  # 公益


class ReportEvery(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# --------------------------------------------------------------------- helpers


def parse_band(label: str) -> tuple[int, int]:
    """Parse an age band label ``"a-b"`` (inclusive whole years) into ``(a, b)``."""
    m = _BAND.match(label)
    if m is None:
        raise ValueError(f"age band {label!r} must look like '25-29'")
    lo, hi = int(m.group(1)), int(m.group(2))
    if hi < lo:
        raise ValueError(f"age band {label!r} ends before it starts")
    if hi > MAX_AGE_YEARS:
        raise ValueError(f"age band {label!r} must end at age {MAX_AGE_YEARS} or younger")
    return lo, hi


def _check_shares(shares: dict[str, float] | dict[int, float], what: str) -> None:
    total = float(sum(shares.values()))
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1, got {total:.4g}")
    if any(v < 0 for v in shares.values()):
        raise ValueError(f"{what} must not be negative")


def _check_contiguous_bands(bands: dict[str, float], what: str, start: int | None = None) -> None:
    parsed = sorted(parse_band(b) for b in bands)
    if start is not None and parsed and parsed[0][0] != start:
        raise ValueError(f"{what} must start at age {start}, got {parsed[0][0]}")
    for (_, hi), (lo, _) in zip(parsed, parsed[1:], strict=False):
        if lo != hi + 1:
            raise ValueError(f"{what} must be contiguous: a band ends at {hi} and the next starts at {lo}")


def _check_rate_bands(value: dict[str, float], what: str) -> dict[str, float]:
    for label, rate in value.items():
        parse_band(label)
        if rate < 0:
            raise ValueError(f"{what} rate for {label} must be >= 0, got {rate}")
    _check_contiguous_bands(value, what)
    return value
