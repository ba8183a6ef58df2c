"""Service models: each turns the population into demand and serves it from facilities.

:data:`SERVICE_MODELS` lists the builders, in report order. A builder takes the
:class:`~sim.engine.services.base.Context` and returns a model, or ``None`` when
the scenario has nothing for it to do.
The enterprise model (:mod:`sim.engine.enterprises`) is a source of population,
not a service model, but it reports series as one and keeps its place in this
order.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.engine.enterprises import build_enterprises
from sim.engine.services.base import Context, ServiceModel, ServiceOutput
from sim.engine.services.circles import build_service_circles
from sim.engine.services.community import build_community_services
from sim.engine.services.eldercare import build_eldercare_beds
from sim.engine.services.intakes import build_first_grades
from sim.engine.services.schools import build_schools

Builder = Callable[[Context], ServiceModel | None]

SERVICE_MODELS: list[Builder] = []
SERVICE_MODELS.append(build_eldercare_beds)
SERVICE_MODELS.append(build_community_services)
SERVICE_MODELS.append(build_service_circles)
SERVICE_MODELS.append(build_schools)
SERVICE_MODELS.append(build_enterprises)
SERVICE_MODELS.append(build_first_grades)

__all__ = ["SERVICE_MODELS", "Builder", "Context", "ServiceModel", "ServiceOutput"]
