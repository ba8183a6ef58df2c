"""``report`` on a compare, a sweep and a sensitivity folder writes their sections; the
validation table appears where a run has one; a folder of none of these is refused."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from _report_helpers import write_sensitivity

from sim.cli import main
from sim.outputs.report import build_report, write_report


class Page(HTMLParser):
    """Section ids, figures (decodable data URIs) and ``data-*`` rows of a report."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.figures: dict[str, list[str]] = {}
        self.rows: list[dict[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.sections.append(str(a["id"]))
        elif tag == "img" and self.sections:
            self.figures.setdefault(self.sections[-1], []).append(str(a.get("src")))
        elif tag == "tr" and any(k.startswith("data-") for k in a):
            self.rows.append({**a, "section": self.sections[-1] if self.sections else None})


def read(folder: Path) -> tuple[Page, str]:
    text = (folder / "report.html").read_text(encoding="utf-8")
    return Page(text), text


def test_compare_report_has_differences_changes_and_side_by_side(compare_folder: Path) -> None:
    page, text = read(compare_folder)  # written by the compare command itself
    assert page.sections == ["headline", "scenarios", "differences", "side-by-side", "methods"]
    assert "housing_defaults.delay_months" in text  # what the variant changes, from the recorded scenarios
    diff = pd.read_csv(compare_folder / "comparison.csv")
    clear = diff[diff["metric"].isin(["first_shortfall_days", "peak_unmet", "unmet_seat_years"])
                 & ((diff["low"] > 0) | (diff["high"] < 0))]
    shown = {(r["data-zone"], r["data-service"], r["data-metric"]) for r in page.rows if r["section"] == "headline"}
    expected = set(zip(clear["zone"], clear["service"], clear["metric"], strict=True))
    assert shown and shown <= expected and len(shown) == min(len(expected), 12)
    assert len(page.figures["differences"]) == 1
    assert len(page.figures["side-by-side"]) >= 3  # one per service with a gap
    assert all(src.startswith("data:image/png;base64,") for srcs in page.figures.values() for src in srcs)


def test_sweep_report_has_envelopes_and_gap_against_each_factor(sweep_folder: Path) -> None:
    page, text = read(sweep_folder)
    assert page.sections[:2] == ["headline", "design"] and page.sections[-1] == "methods"
    services = [s for s in page.sections if s.startswith("service-")]
    assert "service-kindergarten" in services
    for s in services:
        assert len(page.figures[s]) == 2  # the envelope and the gap against the factors
    assert "housing_delay_months" in text and "kg_opening_lag_months" in text
    summary = pd.read_csv(sweep_folder / "summary.csv")
    row = next(r for r in page.rows if r["data-service"] == "kindergarten" and r["data-metric"] == "unmet_seat_years")
    totals = summary[(summary["service"] == "kindergarten") & (summary["metric"] == "unmet_seat_years")] \
        .groupby("point")["mean"].sum()
    assert float(row["data-low"] or "nan") == pytest.approx(totals.min())
    assert float(row["data-high"] or "nan") == pytest.approx(totals.max())


@pytest.mark.parametrize("per_candidate", [True, False])
def test_sensitivity_report_has_indices_tornado_over_time_and_plan(tmp_path: Path, per_candidate: bool) -> None:
    folder = write_sensitivity(tmp_path / "sa", per_candidate_plan=per_candidate)
    assert main(["report", str(folder)]) == 0
    page, text = read(folder)
    assert page.sections == ["headline", "indices", "over-time", "plan", "methods"]
    tops = {(r["data-service"], r["data-top-input"]) for r in page.rows if r["section"] == "headline"}
    assert tops == {("kindergarten", "tfr"), ("primary", "tfr")}  # tfr has the largest μ* in both
    assert len(page.figures["indices"]) == 2 and len(page.figures["over-time"]) == 2
    assert len(page.figures["plan"]) == 1 and "2022-09-01" in text  # the answer


def test_tornado_from_low_and_high_runs(tmp_path: Path) -> None:
    folder = tmp_path / "tornado"
    folder.mkdir()
    rows = [{"method": m, "outcome": "peak_unmet", "zone": "core", "service": "kindergarten", "year": "all",
             "input": name, "index": v} for name, lo, hi in (("tfr", 10.0, 90.0), ("occupancy", 40.0, 60.0))
            for m, v in (("tornado_low", lo), ("tornado_high", hi))]
    pd.DataFrame(rows).to_csv(folder / "indices.csv", index=False)
    page = build_report(folder)
    html = page.html()
    assert "Tornado" in html and "tornado span" in html
    first = html.index('data-top-input="tfr"')  # the widest span ranks first
    assert first > 0


def test_validation_table_appears_where_the_run_has_one(base_run: Path, tmp_path: Path) -> None:
    page, _ = read(base_run)
    assert "validation" in page.sections  # the base scenario declares observed figures
    bare = tmp_path / "without_validation"
    shutil.copytree(base_run, bare, ignore=shutil.ignore_patterns("figures", "report.html", "validation.csv"))
    write_report(bare)
    assert "validation" not in read(bare)[0].sections
    folder = tmp_path / "with_validation"
    shutil.copytree(base_run, folder, ignore=shutil.ignore_patterns("figures", "report.html"))
    pd.DataFrame({
        "quantity": ["residents", "residents", "kindergarten_demand"], "zone": ["all", "jiezhuang", "guanghe"],
        "date": ["2023-12-31", "2023-12-31", "2022-09-01"], "observed": [337100, 89300, 3400],
        "source": ["facts.md §3 [37]", "facts.md §3 [39]", "test"], "used_for": ["validation", "calibration", "validation"],
        "sim_median": [336000, 88000, 3600], "sim_low": [330000, 86000, 3500], "sim_high": [342000, 90000, 3700],
        "inside": [True, True, False]}).to_csv(folder / "validation.csv", index=False)
    out = write_report(folder)
    page, text = read(folder)
    assert out == folder / "report.html" and "validation" in page.sections
    assert "1 of 2 observed figures not used for calibration lie inside" in text


def test_report_command_refuses_what_is_not_a_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "not a results folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert not (tmp_path / "report.html").exists()
