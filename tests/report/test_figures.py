"""Every figure has a title, axes labelled with units, a legend where it shows more than one
series, and y from zero where levels are compared; Chinese zone names are drawn with a font
that has their glyphs, or replaced by the zone id with a warning, never by empty boxes."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from sim.outputs import plots_experiments as px
from sim.outputs import style
from sim.outputs.plots import Drawn, run_figures
from sim.outputs.results_io import ResultsFolder
from sim.outputs.rundata import RunData

UNIT_WORDS = {*style.UNITS.values(), "year", "residents", "people", "km", "%", "jobs", "households", "days",
              "index", "probability", "beds", "seats", "seat-years", "months", "ratio"}
CATEGORIES = {"zone", "input", "zone · service", "age (years)", "observed figure"}
"""Axes whose ticks name categories (zones, inputs, age groups): labelled, no unit to give.
A sweep factor is labelled by its name, which carries its unit (``housing_delay_months``)."""


def _has_data(ax: Axes) -> bool:
    return bool(ax.lines or ax.collections or ax.images or ax.patches)


def _label_ok(label: str) -> bool:
    return label in CATEGORIES or any(word in label for word in UNIT_WORDS)


def _series(fig: Figure) -> int:
    """Labelled series drawn (legend-able artists), counted once per label."""
    labels = set()
    for ax in fig.axes:
        for art in [*ax.lines, *ax.collections, *ax.patches]:
            if not art.get_label().startswith("_") and art.get_visible():
                labels.add(art.get_label())
    return len(labels)


def check_figure(fig: Figure, name: str) -> None:
    """The rules above, on a drawn figure (row-shared labels are set on every panel and shown once)."""
    assert fig.get_suptitle().strip(), f"{name}: no title"
    panels = [ax for ax in fig.axes if ax.get_visible() and _has_data(ax) and ax.get_label() != "<colorbar>"]
    assert panels, f"{name}: nothing drawn"
    for ax in panels:
        for which, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if which == "x" and not label and not any(t.get_text() for t in ax.get_xticklabels()):
                continue  # an inner panel: the panel below it carries the shared x label
            assert label and _label_ok(label), f"{name}: {which} axis labelled {label!r}"
    for cbar in [ax for ax in fig.axes if ax.get_label() == "<colorbar>" and ax.get_visible()]:
        label = cbar.get_ylabel() or cbar.get_xlabel()
        assert label and _label_ok(label), f"{name}: colour bar labelled {label!r}"
    if _series(fig) > 1:
        assert fig.legends or any(ax.get_legend() for ax in fig.axes), f"{name}: several series, no legend"


@pytest.fixture(scope="module")
def drawn_run(base_run: Path) -> list[str]:
    """Check every run figure as it is drawn (panels are reused: each is valid until the next)."""
    names = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a missing glyph warns: fail on it
        for d in run_figures(RunData(ResultsFolder(base_run))):
            assert isinstance(d, Drawn)
            check_figure(d.fig, d.name)
            d.fig.canvas.draw()
            if d.name.endswith("demand_capacity") or d.name == "population_by_zone":
                for ax in d.fig.axes:
                    if ax.get_visible() and ax.get_label() != "<colorbar>" and ax.lines and ax.get_xlabel() != "km east (schematic)":
                        assert ax.get_ylim()[0] == 0.0, f"{d.name}: y axis does not start at zero"
            names.append(d.name)
    return names


def test_every_run_figure_is_titled_labelled_with_units_and_has_a_legend(base_run: Path, drawn_run: list[str]) -> None:
    for service in ("kindergarten", "primary", "eldercare_bed", "family_doctor"):
        assert f"{service}_demand_capacity" in drawn_run and f"{service}_unmet_heatmap" in drawn_run
    # The base declares observed figures: their figure is drawn.
    assert {"population_by_zone", "population_pyramid", "validation"} <= set(drawn_run)
    # A waiting-list figure for exactly the services where someone waits.
    series = pd.read_parquet(base_run / "series.parquet", columns=["service", "waiting"])
    waits = {str(s) for s, w in series.groupby("service", observed=True)["waiting"].max().items() if w > 0}
    assert {n.removesuffix("_waiting") for n in drawn_run if n.endswith("_waiting")} == waits


def test_figure_files_match_the_figures_and_are_png(base_run: Path, drawn_run: list[str]) -> None:
    files = sorted(p.stem for p in (base_run / "figures").glob("*.png"))
    assert files == sorted(drawn_run)
    for p in (base_run / "figures").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_experiment_figures_follow_the_same_rules(compare_folder: Path, sweep_folder: Path) -> None:
    from sim.outputs.comparison import comparison_plot

    label = style.ZoneLabels({"core": "核心区", "village": "旧村"})
    diff = pd.read_csv(compare_folder / "comparison.csv")
    check_figure(comparison_plot(diff, label=label), "comparison")
    outcomes = pd.read_csv(compare_folder / "outcomes.csv")
    fig = px.side_by_side(outcomes, "primary", ["minimal", "minimal_housing_late"], label)
    assert fig is not None
    check_figure(fig, "side by side")
    summary = pd.read_csv(sweep_folder / "summary.csv")
    for fig in (px.envelope(summary, "primary", "unmet_seat_years", label),
                px.against_factors(summary, ["housing_delay_months", "kg_opening_lag_months"], "primary",
                                   "unmet_seat_years")):
        assert fig is not None
        check_figure(fig, "sweep")
    ind = pd.DataFrame({"input": ["a", "b"], "index": [2.0, 1.0], "low": [1.5, 0.5], "high": [2.5, 1.5]})
    for fig in (px.index_bars(ind, "bars"), px.tornado(ind, ind.assign(index=[3.0, 1.2]), "t", "peak unmet (seats)"),
                px.indices_over_time(pd.DataFrame({"input": ["a", "a", "b", "b"], "year": [2020, 2021] * 2,
                                                   "index": [1, 2, 3, 4]}), "over time"),
                px.probability_curve(pd.DataFrame({"value": ["2021-09-01", "2022-09-01"], "p": [0.1, 0.5]}),
                                     "value", "p", "plan", 0.2, "2021-09-01")):
        assert fig is not None
        check_figure(fig, "sensitivity")


def test_svg_on_request(base_run: Path) -> None:
    d = next(iter(run_figures(RunData(ResultsFolder(base_run)))))
    svg = style.render(d.fig, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    with pytest.raises(ValueError, match="png, svg"):
        style.render(d.fig, "gif")


# ---------------------------------------------------------------------------------- Chinese zone names

NAME = "蓼河新城核心区"


def test_a_chinese_zone_name_is_drawn_with_a_font_that_has_its_glyphs() -> None:
    labels = style.ZoneLabels({"liaohe_core": NAME})
    if style.cjk_font() is None:
        pytest.skip("no font with Chinese glyphs installed (.ci/run installs fonts-noto-cjk); "
                    "the fallback to zone ids is tested below")
    label = labels("liaohe_core")
    assert label == NAME and not labels.fallbacks
    fig = style.new_figure(3, 2)
    ax = fig.add_axes((0.3, 0.3, 0.6, 0.6))
    ax.plot([0, 1], [0, 1])
    ax.set_title(label)
    ax.set_yticks([0.5], [label])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Matplotlib warns "Glyph … missing from font(s)"
        fig.canvas.draw()
    for text in (ax.title, *ax.get_yticklabels()):
        prop: FontProperties = text.get_fontproperties()
        first = prop.get_family()[0]
        path = findfont(FontProperties(family=first), fallback_to_default=False)
        assert style.has_glyphs(path, NAME), f"{text.get_text()!r} resolves to {path}, which lacks the glyphs"
    assert not style.has_glyphs(findfont(FontProperties(family="DejaVu Sans")), NAME)  # the check can fail


def test_without_a_chinese_font_zones_are_labelled_by_id_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(style, "cjk_font", lambda: None)
    monkeypatch.setattr(style, "_family_file", lambda family: None)
    labels = style.ZoneLabels({"liaohe_core": NAME, "qilin": "Qilin Island"})
    with pytest.warns(UserWarning, match="liaohe_core.*labelled by its id"):
        assert labels("liaohe_core") == "liaohe_core"
    assert labels("qilin") == "Qilin Island"  # Latin names need no special font
    assert len(labels.fallbacks) == 1


def test_the_style_uses_the_chinese_font_first_when_there_is_one() -> None:
    style.apply()
    family = matplotlib.rcParams["font.family"]
    cjk = style.cjk_font()
    assert family[0] == (cjk or "DejaVu Sans")
    if cjk is not None:
        assert style.has_glyphs(style.font_file(), NAME)
