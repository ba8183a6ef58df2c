"""Who listens to which population event: the model's event flow, in one place.

The sources of population (the housing with its deliveries and re-lets, the
worker households held by the parks' jobs, the young adults leaving home) write
into the population; the service models only read it and keep their own state
current from the residents' events below. Handlers of one event are called in
the order listed here (the order matters where one handler's effect can be
seen by a later one: the dwelling is offered again only after every service
has heard that its household left).

========================  ==================================================  ============================
event                     listener                                            why
========================  ==================================================  ============================
``SETTLE``                eldercare beds, young community care                residents needing care arrive
``RELOCATE``              eldercare beds, young community care, schools       claims and seats move zones
``CARE``                  eldercare beds, young community care                a care need changed
``DEATH``                 eldercare beds, young community care                claims end
``LEAVE``                 worker households, eldercare beds, young community  jobs refilled, claims end,
                          care, then the housing                              the dwelling is re-let
``LEAVE_HOME``            the home-leaving source (the one decider)           leave town, move out or stay
========================  ==================================================  ============================

Schools read pupils from the population's counts at their own updates, so
they need no event but a move between zones (their seats move with the pupils).
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.engine.home_leaving import HomeLeavers
from sim.engine.housing import Housing
from sim.engine.population import Population, PopulationEvent
from sim.engine.services.base import ServiceModel
from sim.engine.services.community import CommunityServices
from sim.engine.services.eldercare import EldercareBeds, YoungCommunityCare
from sim.engine.services.schools import Schools
from sim.engine.workers import WorkerHouseholds

E = PopulationEvent


def wire(
    pop: Population,
    housing: Housing,
    workers: WorkerHouseholds | None,
    leavers: HomeLeavers | None,
    models: Sequence[ServiceModel],
) -> None:
    """Subscribe every listener to the population's events (see the module docstring).

    Call once, after the service models are built and before the existing
    residents settle, so that listeners hear them arrive.
    """
    if workers is not None:
        pop.subscribe(E.LEAVE, workers.on_leave)
    for model in models:
        if isinstance(model, EldercareBeds):
            _care_listener(pop, model)
    for model in models:
        if isinstance(model, CommunityServices) and model.young is not None:
            _care_listener(pop, model.young)
    for model in models:
        if isinstance(model, Schools):
            pop.subscribe(E.RELOCATE, model.on_relocate)
    pop.subscribe(E.LEAVE, housing.vacated)
    if leavers is not None:
        pop.subscribe(E.LEAVE_HOME, leavers.leave)


def _care_listener(pop: Population, listener: EldercareBeds | YoungCommunityCare) -> None:
    """A model that follows residents' care needs from arrival to departure."""
    pop.subscribe(E.SETTLE, listener.on_settle)
    pop.subscribe(E.RELOCATE, listener.on_relocate)
    pop.subscribe(E.CARE, listener.on_care)
    pop.subscribe(E.DEATH, listener.on_death)
    pop.subscribe(E.LEAVE, listener.on_leave)
