"""Shared building blocks of the scenario format: constrained types, the frozen base
model, the vocabularies (services, housing types, service-centre categories) and
validation helpers."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SHARE_TOLERANCE = 1e-3
"""Shares that must sum to 1 may be off by this much (planners round percentages)."""

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Count = Annotated[int, Field(ge=0)]
Source = Annotated[str | None, Field(default=None, description="Where a number comes from, or 'ASSUMPTION: …'.")]

_BAND = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Frozen(BaseModel):
    """Base of every scenario model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


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
