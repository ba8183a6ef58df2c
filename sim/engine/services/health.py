"""Health: family-doctor contracts against teams, residents against health centres.

**Family doctors** (``family_doctor``). Contracted residents per zone are
children (0-17), working-age residents (18-64) and residents 65+ each times
their contract rate (``services.family_doctor.contract_rate``; docs/facts.md §5 has
no sourced coverage, so the rates are a policy lever). Capacity is teams ×
panel size (residents per team). The lever ``online_followup_share`` moves
follow-ups online ("Internet + healthcare"), lowering the in-person load:

    effective demand = contracted × (1 − online_followup_share × FOLLOWUP_FRACTION)

where :data:`FOLLOWUP_FRACTION` is the share of a contracted resident's
in-person load that is follow-up (ASSUMPTION, no source). Demand, served and
unmet are in contracted-resident equivalents.

**Health centres** (``health_centre``). Demand is every resident in the zone;
capacity is each centre's service population (``capacity.units``): one
community health service centre per subdistrict or per 30,000-100,000 residents
(docs/facts.md §1 [12]; §5: one per 50,000 in the new town).
"""

from __future__ import annotations

import numpy as np

from sim.engine.services.demand import AgeCounts
from sim.scenario.model import FamilyDoctorPolicy

FOLLOWUP_FRACTION = 0.5
"""Share of a contracted resident's in-person load that is follow-up (ASSUMPTION)."""


def contracted(policy: FamilyDoctorPolicy, ages: AgeCounts) -> np.ndarray:
    """Contracted residents per zone: each age group times its contract rate."""
    r = policy.contract_rate
    return np.asarray(
        r.children * ages.between(0, 18) + r.working_age * ages.between(18, 65) + r.elderly * ages.between(65, None)
    )


def family_doctor_demand(policy: FamilyDoctorPolicy, ages: AgeCounts) -> np.ndarray:
    """In-person load per zone, in contracted-resident equivalents (module docstring)."""
    return contracted(policy, ages) * (1.0 - policy.online_followup_share * FOLLOWUP_FRACTION)


def health_centre_demand(ages: AgeCounts) -> np.ndarray:
    """Every resident of the zone."""
    return ages.between(0, None)
