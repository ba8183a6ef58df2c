"""Service models: each turns the population into demand and serves it from facilities.

:data:`SERVICE_MODELS` lists the builders, in report order. A builder takes the
:class:`~sim.engine.services.base.Context` and returns a model, or ``None`` when
the scenario has nothing for it to do.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.engine.services.base import Context, ServiceModel, ServiceOutput

Builder = Callable[[Context], ServiceModel | None]

SERVICE_MODELS: list[Builder] = []

__all__ = ["SERVICE_MODELS", "Builder", "Context", "ServiceModel", "ServiceOutput"]
