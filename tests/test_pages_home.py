"""Home page: what is loaded, headline figures that follow the filters, empty state, English."""

from __future__ import annotations

from pathlib import Path

from conftest import seed_frame

from ui import catalog
from ui.fmt import number


def _metric(at, label_start: str) -> str:
    found = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_home_shows_what_is_loaded(open_page, seed_db: Path) -> None:
    at = open_page()
    expected = seed_frame(seed_db, "SELECT count(*) FILTER (WHERE doc_type = 'plan') AS plans FROM v_reports")
    assert at.title[0].value == "统计法治政府建设年报看板"
    assert _metric(at, "工作计划") == number(expected["plans"].iloc[0])
    assert any("数据质量" in w.value for w in at.warning), "unknown-region reports are pointed out"
    assert len(at.get("page_link")) >= 7, "where to go next"


def test_headline_follows_filters(open_page, seed_db: Path) -> None:
    first = catalog.indicator_ids("home", "headline")[0]
    name = seed_frame(seed_db, "SELECT name_zh FROM indicators WHERE indicator = ?", [first]).iloc[0, 0]
    totals = seed_frame(
        seed_db,
        "SELECT province, sum(value) AS total FROM v_values WHERE indicator = ? AND doc_type = 'report' "
        "GROUP BY province",
        [first],
    ).set_index("province")["total"]
    at = open_page()
    assert _metric(at, name).lstrip("≥≈≤") == number(totals.sum())
    province = totals.index[0]
    at.selectbox(key="province").select(province).run()
    assert _metric(at, name).lstrip("≥≈≤") == number(totals[province])
    linked = open_page(query={"province": province})
    assert _metric(linked, name).lstrip("≥≈≤") == number(totals[province]), "a copied link reproduces the view"


def test_empty_state_and_reset(open_page) -> None:
    at = open_page()
    at.select_slider(key="years").set_range(2020, 2020).run()
    at.selectbox(key="province").select("广东省").run()
    assert any("没有报告" in i.value for i in at.info)
    at.button(key="reset_filters_empty").click().run()
    assert not any("没有报告" in i.value for i in at.info)


def test_english_switch(open_page) -> None:
    at = open_page()
    # AppTest applies a URL-bound segmented control's new value one run late (a
    # browser does not; tests/test_browser.py clicks the switch), hence two runs.
    at.button_group(key="lang").set_value("English").run()
    at.run()
    assert at.title[0].value == "Statistics bureaus' rule-of-law reports"
    assert any(m.label.startswith("Plans") for m in at.metric)
    at2 = open_page(query={"lang": "English"})
    assert at2.title[0].value == "Statistics bureaus' rule-of-law reports", "a copied English link stays English"
