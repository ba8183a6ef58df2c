"""A hand-made sensitivity folder in the file formats agreed with the sensitivity analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

INPUTS = ("tfr", "occupancy_long_run", "slippage_mean_months", "worker_live_in_share")


def write_sensitivity(folder: Path, per_candidate_plan: bool = True) -> Path:
    """A sensitivity folder in the agreed formats: indices.csv and plan.csv (and a curve file)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for service in ("kindergarten", "primary"):
        for k, name in enumerate(INPUTS):
            base = 100.0 / (k + 1) * (2 if service == "primary" else 1)
            rows.append({"method": "morris_mu_star", "outcome": "unmet_seat_years", "zone": "core",
                         "service": service, "year": "all", "input": name, "index": base,
                         "low": 0.8 * base, "high": 1.2 * base})
            rows.append({"method": "morris_sigma", "outcome": "unmet_seat_years", "zone": "core",
                         "service": service, "year": "all", "input": name, "index": base / 3,
                         "low": base / 4, "high": base / 2})
            for year in range(2020, 2031):
                rows.append({"method": "morris_mu_star", "outcome": "unmet", "zone": "core", "service": service,
                             "year": str(year), "input": name, "index": base * (year - 2019) / 11,
                             "low": None, "high": None})
    pd.DataFrame(rows).to_csv(folder / "indices.csv", index=False)
    dates = ["2021-09-01", "2022-09-01", "2023-09-01", "2024-09-01"]
    p = [0.02, 0.06, 0.3, 0.7]
    if per_candidate_plan:
        pd.DataFrame({"question": "opening", "facility": "core_kg", "service": "kindergarten", "catchment": "core",
                      "value": dates, "exceed": [round(x * 40) for x in p], "reps": 40, "p_exceed": p,
                      "low": [max(0.0, x - 0.1) for x in p], "high": [min(1.0, x + 0.1) for x in p],
                      "risk": 0.1, "tolerance": 0, "safe": [x <= 0.1 for x in p],
                      "answer": [d == "2022-09-01" for d in dates]}).to_csv(folder / "plan.csv", index=False)
    else:
        pd.DataFrame([{"facility": "core_kg", "question": "opening", "risk": 0.1, "tolerance": 0,
                       "answer": "2022-09-01"}]).to_csv(folder / "plan.csv", index=False)
        pd.DataFrame({"facility": "core_kg", "question": "opening", "value": dates, "probability": p}).to_csv(
            folder / "plan_curve.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"command": "sensitivity", "scenario": "minimal",
                                                      "method": "morris", "seed": 3, "replications": 40}))
    return folder
