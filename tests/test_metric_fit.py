"""Headline-figure labels (``st.metric``) are never cut to "…" at 1024 px, in either language.

Two ways: every figure a page can show, from the catalogue (``etl/spec``) and
``pages.yaml``, measured against the room its row gives; and the figures the
pages really draw (AppTest on the seed warehouse), each measured against the
number of columns of the row it sits in. The width model itself is pinned to
widths Chromium drew at 1024 px.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Block, Column, Metric

from ui import catalog, components, metric_fit, metrics, rankings
from ui.i18n import LANGS, t, using

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "etl" / "spec" / "indicators.csv"


def _catalogue() -> pd.DataFrame:
    """The warehouse's ``indicators`` table as the build loads it from the spec."""
    with INDICATORS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame(rows).rename(columns={"id": "indicator"})


def _headline_pages() -> list[tuple[str, str]]:
    """``(page, group)`` of every headline row: the home page's, and each standard page's indicators."""
    standard = sorted({m for p in (ROOT / "pages").glob("*.py")
                       for m in re.findall(r'standard_page\("(\w+)"', p.read_text(encoding="utf-8"))})
    assert standard, "the indicator pages are found"
    return [("home", "headline"), *((page, "indicators") for page in standard)]


def test_width_model_matches_the_browser() -> None:
    # Drawn by Chromium in Streamlit's font at 1024 px, three figures with help to a row: the first
    # label was whole (154.2 px), the second was cut ("Special inspections (tim…", 156.5 px).
    assert metric_fit.width_px("Units self-corrected (units)") == pytest.approx(154.2, abs=2.5)
    assert metric_fit.width_px("Special inspections (times)") >= 156.5
    assert metric_fit.budget_px("headline", with_help=True) == pytest.approx(155.3, abs=0.5)
    assert not metric_fit.fits("Special inspections (times)", "headline", with_help=True)
    assert metric_fit.width_px("部门联合检查单位数") == pytest.approx(9 * 14)


def test_the_longest_value_fits_every_row_at_1024_px() -> None:
    longest = metric_fit.longest_value()
    assert len(longest.replace(",", "")) >= 10, "a nine-digit total with its qualifier"
    for row in ("loaded", "headline", "ranking"):
        assert metric_fit.value_fits(longest, metric_fit.per_row(row)), row
    # Streamlit's own 36 px would cut it: the CSS is what makes it fit
    assert metric_fit.value_font_px(1024) < 36 and metric_fit.value_font_px(1440) == 36
    assert "clamp(" in metric_fit.css() and 'data-testid="stMetricValue"' in metric_fit.css()


@pytest.mark.parametrize("lang", LANGS)
def test_every_headline_label_fits_its_row(lang: str) -> None:
    catalogue = _catalogue()
    too_long = {}
    with using(lang):
        names = {r["indicator"]: r[f"name_{lang}"] for r in catalogue.to_dict("records")}
        for page, group in _headline_pages():
            ids = catalog.indicator_ids(page, group)
            assert ids, (page, group)
            for ind in ids:
                label = metric_fit.tile_label(ind, names[ind], components.unit_of(catalogue, ind))
                if not metric_fit.fits(label, "headline", with_help=True):
                    too_long[f"{page}:{ind}"] = (label, round(metric_fit.width_px(label)))
    assert not too_long, too_long


def test_a_shortened_label_keeps_the_full_name_in_its_help() -> None:
    catalogue = _catalogue()
    with using("en"):
        long_ones = [r for r in catalogue.to_dict("records")
                     if not metric_fit.fits(f"{r['name_en']} (x)", "headline", with_help=True)]
        assert long_ones, "the catalogue has names too long for a figure, so the short names matter"
        for r in long_ones:
            unit = components.unit_of(catalogue, r["indicator"])
            label = metric_fit.tile_label(r["indicator"], r["name_en"], unit)
            assert label != metric_fit.with_unit(r["name_en"], unit), r["indicator"]
            assert metric_fit.tile_help(r["indicator"], r["name_en"], unit, "H").startswith(r["name_en"])


@pytest.mark.parametrize("lang", LANGS)
def test_ranking_figures_fit_for_every_metric(lang: str) -> None:
    catalogue = _catalogue()
    ids = metrics.metric_ids(list(catalogue["indicator"]), ["any_theme"])
    bad = {}
    with using(lang):
        for metric in ids:
            name = t("rk.total") if metrics.parse(metric)[0] == "ind" else t("rk.median_regions")
            label, help_text = metric_fit.unit_label(name, rankings.metric_unit(metric, catalogue), "ranking")
            if not metric_fit.fits(label, "ranking", with_help=help_text is not None):
                bad[metric] = label
        for key in ("rk.regions_given", "rk.bureaus"):
            if not metric_fit.fits(t(key), "ranking", with_help=False):
                bad[key] = t(key)
    assert not bad, bad


def _figures(block: Block, columns: int = 1) -> list[tuple[Metric, int]]:
    """Every metric under ``block`` with the number of columns of the row it sits in."""
    found: list[tuple[Metric, int]] = []
    children = list(block.children.values())
    row = sum(isinstance(c, Column) for c in children) or columns
    for child in children:
        if isinstance(child, Metric):
            found.append((child, columns))
        elif isinstance(child, Block):
            found.extend(_figures(child, row if isinstance(child, Column) else columns))
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page,query", [
    (None, {}),
    ("pages/inspections.py", {}),
    ("pages/penalties.py", {}),
    ("pages/outreach.py", {}),
    ("pages/rankings.py", {}),
    ("pages/rankings.py", {"metric": "ratio:" + metrics.value_ratios()[1].id}),
])
def test_drawn_figures_fit_their_row(open_page, lang: str, page: str | None, query: dict[str, str]) -> None:
    at = open_page(page, query={"lang": lang, **query})
    figures = _figures(at.main)
    assert figures, "the page shows headline figures"
    cut = [(m.label, n, round(metric_fit.width_px(m.label))) for m, n in figures
           if metric_fit.width_px(m.label) > metric_fit.room_px(n, with_help=bool(m.help))]
    assert not cut, cut
    assert all(metric_fit.value_fits(m.value, n) for m, n in figures), [m.value for m, _ in figures]
    assert any(h.value == metric_fit.css() for h in at.get("html")), "the value size CSS is on the page"
    assert all(n > 1 for _, n in figures), "figures stand in rows"
