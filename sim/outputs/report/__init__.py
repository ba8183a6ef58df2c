"""The planner's report: one self-contained HTML file per results folder.

:func:`write_report` reads a results folder written by ``run``, ``compare``,
``sweep`` or ``sensitivity`` (through :mod:`sim.outputs.results_io`, never
the engine) and writes ``report.html``: headline findings first, the scenario
in plain words, figures grouped by service with one-line captions, the
sections of a comparison, a sweep or a sensitivity analysis, the validation
table where present, and a methods appendix. Figures are embedded; the page
requests nothing and prints to PDF from a browser.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.outputs.atomic import atomic_path
from sim.outputs.report.page import Page
from sim.outputs.report.run_report import Progress, quiet, run_report
from sim.outputs.results_io import ResultsFolder

REPORT = "report.html"


def build_report(folder: str | Path, fmt: str = "png", figures_dir: Path | None = None,
                 progress: Progress[Any] = quiet) -> Page:
    """The report page of a results folder.

    Parameters
    ----------
    folder
        The results folder.
    fmt
        Figure format, ``png`` or ``svg``.
    figures_dir
        For a run, also write each figure there as a file.
    progress
        Wraps the figures as they are drawn (a progress bar).

    Raises
    ------
    FileNotFoundError
        When ``folder`` is not a results folder.
    """
    rf = ResultsFolder(folder)
    kind = rf.kind()
    if kind == "compare":
        from sim.outputs.report.compare_report import compare_report

        return compare_report(rf, fmt)
    if kind == "sweep":
        from sim.outputs.report.sweep_report import sweep_report

        return sweep_report(rf, fmt)
    if kind == "sensitivity":
        from sim.outputs.report.sensitivity_report import sensitivity_report

        return sensitivity_report(rf, fmt)
    return run_report(rf, fmt, figures_dir, progress)


def write_report(folder: str | Path, out: str | Path | None = None, fmt: str = "png",
                 figures_dir: Path | None = None, progress: Progress[Any] = quiet) -> Path:
    """Write the report of ``folder`` to ``out`` (default ``folder/report.html``), atomically."""
    page = build_report(folder, fmt, figures_dir, progress)
    target = Path(out) if out is not None else Path(folder) / REPORT
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        tmp.write_text(page.html(), encoding="utf-8")
        os.chmod(tmp, 0o644)  # a report is for sharing (the temporary file was private)
    return target


__all__ = ["REPORT", "build_report", "write_report"]
