"""The base scenario's report: its headline matches summary.csv, and a browser shows it whole.

The browser test opens the report in headless Chromium (``.ci/run`` installs
Debian's ``chromium`` when absent), keeps a screenshot in the test's output
folder, and checks that the page is not blank, that every embedded image was
decoded, and that no request left the page: the page's own
Content-Security-Policy forbids every source but ``data:``, a script injected
into a copy of the page records every request the policy blocked and every
resource the page loaded, and Chromium runs with a proxy and a host resolver
that lead nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)


class Rows(HTMLParser):
    """The ``<tr>`` rows of the headline section: their data attributes and cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.section: str | None = None
        self.rows: list[tuple[dict[str, str | None], list[str]]] = []
        self.leads: list[str] = []
        self._cell: list[str] | None = None
        self._in_lead = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
        elif self.section == "headline" and tag == "tr" and "data-service" in a:
            self.rows.append((a, []))
        elif self.section == "headline" and tag == "td" and self.rows:
            self._cell = []
        elif self.section == "headline" and tag == "li":
            self._in_lead = True
            self.leads.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "li":
            self._in_lead = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_lead:
            self.leads[-1] += data


def test_headline_names_zone_first_shortfall_and_peak_with_its_interval_as_in_summary(base_run: Path) -> None:
    summary = pd.read_csv(base_run / "summary.csv")
    short = summary[summary["share_reps_shortfall"] > 0]
    assert len(short) > 10  # the base town falls short in many places: the test has something to check
    parser = Rows()
    parser.feed((base_run / "report.html").read_text(encoding="utf-8"))
    rows = {(a["data-service"], a["data-zone"]): (a, cells) for a, cells in parser.rows}
    assert set(rows) == set(zip(short["service"], short["zone"], strict=True))
    high_col = next(c for c in ("peak_unmet_ci_high", "peak_unmet_high", "peak_unmet_p95", "peak_unmet_p90")
                    if c in summary.columns)
    for r in short.itertuples():
        attrs, cells = rows[(r.service, r.zone)]
        # A zone short only by its backlog at the start has no new shortfall: no date.
        first = r.first_shortfall_median if isinstance(r.first_shortfall_median, str) else None
        assert attrs.get("data-first-shortfall") == first
        assert math.isclose(float(attrs["data-peak"] or "nan"), r.peak_unmet_median, rel_tol=1e-12)
        assert math.isclose(float(attrs["data-peak-high"] or "nan"), getattr(r, high_col), rel_tol=1e-12)
        # What a reader sees: the date, the rounded median peak and its interval's bound.
        assert cells[1] == (first or "–")
        assert cells[2] == f"{r.peak_unmet_median:,.0f}"
        assert f"{getattr(r, high_col):,.0f}" in cells[3]
    names = {"kindergarten": "Kindergarten", "primary": "Primary school", "eldercare_bed": "Eldercare beds"}
    for service in set(short["service"]) & set(names):
        assert any(lead.startswith(names[service]) for lead in parser.leads), service


def test_methods_appendix_lists_every_assumption_of_the_scenario(base_run: Path) -> None:
    page = (base_run / "report.html").read_text(encoding="utf-8")
    methods = page[page.index('<section id="methods">'):]
    listed = html.unescape(methods).count("ASSUMPTION")
    written = (Path(__file__).resolve().parents[2] / "scenarios" / "liaohe_base.yaml").read_text().count("ASSUMPTION")
    # every occurrence in the scenario file is listed once (the appendix's own prose names the label once)
    assert listed - methods.count("labelled <code>ASSUMPTION</code>") == written
    for item in ("1.1 Purpose of the model", "3.4 Assumptions", "4.3 Estimation approach", "5.2 Random sampling"):
        assert item in methods
    manifest = json.loads((base_run / "manifest.json").read_text())
    for value in (manifest["scenario_sha256"], manifest["scenario_file"], str(manifest["seed"]), "replications"):
        assert value in methods


CHECK = """
(function () {
  var blocked = [];
  document.addEventListener('securitypolicyviolation', function (e) { blocked.push(e.blockedURI); });
  window.addEventListener('load', function () {
    var imgs = Array.prototype.slice.call(document.images);
    var out = {
      images: imgs.length,
      decoded: imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
      blocked: blocked,
      requested: performance.getEntriesByType('resource').map(function (r) { return r.name; })
                  .filter(function (n) { return n.indexOf('data:') !== 0; }),
      text: document.body.innerText.length
    };
    var pre = document.createElement('pre');
    pre.id = 'liaohe-check';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
})();
"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         *args],
        capture_output=True, text=True, timeout=180)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here; .ci/run installs Debian's chromium")
def test_report_renders_in_chromium_whole_offline_and_not_blank(base_run: Path, tmp_path: Path) -> None:
    page = (base_run / "report.html").read_text(encoding="utf-8")
    # Nothing in the page may point outside it: every src is a data: URI, every href an anchor.
    assert not re.findall(r'\bsrc="(?!data:)', page) and not re.findall(r'\bhref="(?!#)', page)
    assert "default-src 'none'" in page

    shot = tmp_path / "report.png"
    r = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", (base_run / "report.html").as_uri(),
                  profile=tmp_path / "profile-shot")
    assert shot.is_file(), r.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 20 and (pixels < 128).mean() > 0.01  # text and figures, not a blank page

    digest = base64.b64encode(hashlib.sha256(CHECK.encode()).digest()).decode()
    checked = page.replace("default-src 'none';", f"default-src 'none'; script-src 'sha256-{digest}';", 1)
    checked = checked.replace("<title>", f"<script>{CHECK}</script><title>", 1)
    copy = tmp_path / "checked.html"
    copy.write_text(checked, encoding="utf-8")
    r = _chromium("--dump-dom", "--virtual-time-budget=15000", copy.as_uri(), profile=tmp_path / "profile-dom")
    found = re.search(r'<pre id="liaohe-check">(.*?)</pre>', r.stdout, re.S)
    assert found, r.stderr[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    assert result["images"] >= 20  # town figures and two per service
    assert result["decoded"] == result["images"]
    assert result["blocked"] == [] and result["requested"] == []
    assert result["text"] > 2000
