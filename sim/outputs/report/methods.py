"""The methods appendix: what was run, with what, and the STRESS-DES reporting items.

STRESS-DES (Monks et al. 2019, *Strengthening the reporting of empirical
simulation studies: introducing the STRESS guidelines*, Journal of Simulation
13(1)) lists what a report of a discrete-event simulation study must say. Each
item is answered here from the results folder (manifest, recorded scenario)
or points to the project's documentation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.outputs.report.page import esc, table

MANIFEST_FIELDS = (
    ("command", "command"), ("scenario", "scenario"), ("scenario_file", "scenario file"),
    ("scenario_sha256", "scenario hash (SHA-256 of the resolved scenario)"), ("baseline", "baseline"),
    ("seed", "root seed"), ("reps", "replications"), ("replications", "replications"), ("runs", "runs"),
    ("points", "design points"), ("version", "package version"), ("git_commit", "code commit"),
    ("executor", "executor"), ("python", "Python"), ("platform", "system"), ("started", "started (UTC)"),
    ("simulation_seconds", "simulation time (s)"), ("wall_seconds", "run time (s)"), ("wall_s", "run time (s)"),
    ("last_wall_s", "last run time (s)"),
)


def run_table(manifest: Mapping[str, Any]) -> str:
    """The manifest's fields, in words."""
    rows = []
    for key, name in MANIFEST_FIELDS:
        if key in manifest and manifest[key] not in (None, ""):
            value = manifest[key]
            if isinstance(value, list | dict):
                value = ", ".join(f"{v.get('name')} ({v.get('file')})" if isinstance(v, dict) else str(v)
                                  for v in (value if isinstance(value, list) else [value]))
            rows.append([name, str(value)])
    return table(["", "value"], rows) if rows else '<p class="note">No manifest in this folder.</p>'


def assumptions_html(record: Mapping[str, Any] | None) -> str:
    """Every ASSUMPTION of the scenario with where it is written and what it says."""
    prov = (record or {}).get("provenance") or {}
    rows = prov.get("assumptions")
    if rows is None:
        return ('<p class="note">The scenario\'s assumptions are listed when the run records its scenario '
                "(scenario.json, written by run, compare and sweep).</p>")
    body = [[f"{r.get('file')}:{r.get('line')}", str(r.get("key")), str(r.get("text"))] for r in rows]
    return (f"<p>{len(rows)} values of the scenario rest on an assumption rather than a source. Each is "
            "labelled <code>ASSUMPTION</code> where it is written: in a <code>source:</code> field or in a "
            "comment beside or above the value. Sourced values cite <code>docs/facts.md</code>.</p>"
            '<details open><summary>Every assumption</summary>'
            + table(["where", "key", "assumption and its source"], body) + "</details>")


def stress_items(manifest: Mapping[str, Any], record: Mapping[str, Any] | None, reps: int | None,
                 outputs: Sequence[str]) -> list[list[str]]:
    """STRESS-DES items 1.1-6.1 answered for this study."""
    sc = (record or {}).get("resolved") or {}
    h = sc.get("horizon") or {}
    seed = manifest.get("seed", "the scenario's seed")
    return [
        ["1.1 Purpose of the model", "Predict where and when demand for public services outruns capacity in a "
         "growing new town, how much, for how long and how likely (docs/model.md §1)."],
        ["1.2 Model outputs", "Per report date, zone and service: demand, capacity, served, unmet, waiting; "
         "gap metrics per zone and service (first shortfall, peak unmet, months short, unmet seat-years, "
         "P(shortfall)) beside the static per-1,000 requirement. Files: " + ", ".join(outputs) + "."],
        ["1.3 Experimentation aims", "The scenario described above" + (
            "; compared, swept or analysed for sensitivity as this report's sections say." if manifest.get(
                "command") in ("compare", "sweep", "sensitivity") else ".")],
        ["2.1 Base model overview diagram", "docs/model.md (agents, processes and services)."],
        ["2.2 Base model logic", "Housing phases delivered with random slippage; households move in along "
         "occupancy curves, age, give birth, die and leave; elders move through care-need states; firms arrive "
         "and bring worker households; facilities open on their dates (docs/model.md §3)."],
        ["2.3 Scenario logic", "What this scenario sets and changes: see 'The question and the scenario'."],
        ["2.4 Algorithms", "Allocation nearest-first within catchments; schools admit at the intake; beds are a "
         "first-come queue (docs/model.md §4, docs/model_choices.md)."],
        ["2.5 Components", "Entities: households and residents, enterprises. Resources: facility places "
         "(seats, beds, places, teams). Queues: eldercare bed waiting lists. Entry and exit: move-in, birth, "
         "death, out-migration."],
        ["3.1 Data sources", "docs/facts.md (every sourced figure, cited by section and source number)."],
        ["3.2 Pre-processing", "None: scenario values are entered as written in the scenario file."],
        ["3.3 Input parameters", f"The scenario file ({manifest.get('scenario_file') or sc.get('name', '–')}), "
         "hash in the run table above."],
        ["3.4 Assumptions", "Listed below, every one with its place in the scenario."],
        ["4.1 Initialisation", "Existing zones start with their residents in a steady state; new-town zones "
         "start empty. No warm-up period is discarded."],
        ["4.2 Run length", f"{h.get('start', '–')} to {h.get('end', '–')}, reported {sc.get('report_every', '–')}."],
        ["4.3 Estimation approach", f"{reps if reps is not None else '–'} replications; medians and 5-95 % "
         "ranges across replications; 95 % intervals of means; paired differences on common random numbers "
         "for comparisons."],
        ["5.1 Software", f"Python with SimPy; package version {manifest.get('version', '–')}, commit "
         f"{manifest.get('git_commit', '–')}."],
        ["5.2 Random sampling", f"Named random streams spawned from root seed {seed} (NumPy SeedSequence); "
         "replication r of every scenario uses the same streams."],
        ["5.3 Model execution", f"Discrete-event (SimPy), executor {manifest.get('executor', '–')}; results "
         "are identical whatever the number of workers."],
        ["5.4 System specification", str(manifest.get("platform") or "not recorded in the manifest")],
        ["6.1 Code access", "The project's repository at the commit above; the scenario and this results "
         "folder reproduce the run."],
    ]


def methods_html(manifest: Mapping[str, Any], record: Mapping[str, Any] | None, reps: int | None,
                 outputs: Sequence[str], notes: Sequence[str] = ()) -> str:
    """The appendix: run table, STRESS-DES items, assumptions and any notes (font fallbacks)."""
    parts = ["<h3>What was run</h3>", run_table(manifest)]
    if notes:
        parts.append("".join(f'<p class="warn">{esc(n)}</p>' for n in notes))
    parts.append("<h3>STRESS-DES reporting items</h3>")
    parts.append(table(["item", "in this study"], stress_items(manifest, record, reps, outputs)))
    parts.append("<h3>Assumptions</h3>")
    parts.append(assumptions_html(record))
    return "".join(parts)
