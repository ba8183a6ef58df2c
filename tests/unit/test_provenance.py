"""Where a scenario's numbers come from: every ASSUMPTION found, with its line and key path,
and what a variant changes against its parent."""

from __future__ import annotations

from pathlib import Path

from sim.scenario.provenance import scenario_provenance

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ROOT = Path(__file__).resolve().parents[2]

TEXT = """\
# A header that says nothing special.
name: t   # ASSUMPTION: not really, a comment after a value
# ASSUMPTION: the zone below is placed by eye
# and this line continues the same note.
zones:
  - id: a
    name: "A # not a comment"
    x_km: 1.0   # ASSUMPTION: centroid
    source: "ASSUMPTION: made up"
  - id: b
    source: >-
      facts.md §3 [39]; finer
      split ASSUMPTION
"""


def test_comments_and_sources_that_say_assumption_are_found_with_line_and_key(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(TEXT, encoding="utf-8")
    found = {(r["line"], r["kind"], r["key"]): r["text"] for r in scenario_provenance(f)["assumptions"]}
    assert found == {
        (2, "comment", "name"): "ASSUMPTION: not really, a comment after a value",
        (3, "comment", "zones"): "ASSUMPTION: the zone below is placed by eye and this line continues the same note.",
        (8, "comment", "zones[a].x_km"): "ASSUMPTION: centroid",
        (9, "source", "zones[a]"): "ASSUMPTION: made up",
        (11, "source", "zones[b]"): "facts.md §3 [39]; finer split ASSUMPTION",
    }


def test_every_assumption_of_the_base_scenario_is_found_once() -> None:
    base = ROOT / "scenarios" / "liaohe_base.yaml"
    found = scenario_provenance(base)["assumptions"]
    assert sum(r["text"].count("ASSUMPTION") for r in found) == base.read_text(encoding="utf-8").count("ASSUMPTION")
    assert any(r["key"] == "zones[jiezhuang].initial_population" for r in found)


def test_a_variant_lists_its_parent_and_what_it_changes() -> None:
    prov = scenario_provenance(SCENARIOS / "minimal_housing_late.yaml")
    assert [Path(p).name for p in prov["files"]] == ["minimal_housing_late.yaml", "minimal.yaml"]
    assert {"key": "housing_defaults.delay_months", "value": 12} in prov["overrides"]
    assert not any(o["key"] in ("name", "description", "extends") for o in prov["overrides"])
    assert scenario_provenance(SCENARIOS / "minimal.yaml")["overrides"] == []
