"""Synthetic towns of any size, for measuring how the engine's cost scales.

Half of the target population lives in existing zones at the start; the other
half arrives through commodity and resettlement projects delivered 2019–2030.
Every number is a benchmark setting (ASSUMPTION), not a planning figure.
"""

from __future__ import annotations

import yaml

from sim.scenario import load_scenario_text
from sim.scenario.model import Scenario

BASE = "scenarios/liaohe_base.yaml"


def synthetic_town(
    residents: int, zones: int = 6, facilities: bool = True, end: str = "2040-12-31"
) -> Scenario:
    """A town that reaches about ``residents`` people, split evenly over ``zones``.

    ``end`` cuts the horizon (ISO date); housing phases after it are dropped.
    """
    with open(BASE, encoding="utf-8") as f:
        base = yaml.safe_load(f)
    existing = residents // 2 // zones
    # Units so that the new half arrives: units x 0.8 occupancy x 2.7 persons.
    units = int(residents / 2 / zones / (0.8 * 2.7))
    zone_list, housing, fac = [], [], []
    for z in range(zones):
        zid = f"z{z}"
        zone_list.append({
            "id": zid, "x_km": 3.0 * (z % 3), "y_km": 3.0 * (z // 3), "radius_km": 1.5,
            "initial_population": {
                "residents": existing,
                "age_shares": {"0-14": 0.19, "15-59": 0.6, "60-79": 0.17, "80-99": 0.04},
                "household_size": {1: 0.15, 2: 0.3, 3: 0.3, 4: 0.15, 5: 0.1},
            },
        })
        phases = [{"date": f"{2019 + 2 * k}-06-30", "units": units // 6} for k in range(6)]
        phases = [ph for ph in phases if ph["date"] <= end]
        housing.append({"id": f"estate_{z}", "zone": zid, "type": "commodity", "phases": phases})
        if facilities:
            fac += [
                {"id": f"kg_{z}", "service": "kindergarten", "zone": zid, "capacity": {"classes": 12},
                 "opens_with": f"estate_{z}"},
                {"id": f"school_{z}", "service": ["primary", "middle"], "zone": zid, "capacity": {"classes": 45}},
                {"id": f"home_{z}", "service": "eldercare_bed", "zone": zid, "capacity": {"units": 200}},
            ]
    doc = {
        "name": f"synthetic_{residents}",
        "horizon": {"start": "2019-01-01", "end": end},
        "zones": zone_list,
        "demography": base["demography"],
        "household_profiles": {"commodity": base["household_profiles"]["commodity"]},
        "housing_defaults": base.get("housing_defaults", {}),
        "housing": housing,
        "facilities": fac,
        "services": base.get("services", {}),
        "enterprises": {"enabled": False},
    }
    return load_scenario_text(yaml.safe_dump(doc, allow_unicode=True), f"<synthetic {residents}>")
