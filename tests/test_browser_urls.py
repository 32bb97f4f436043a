"""A copied link reproduces the view; a stale link says what it dropped; a followed value is in view.

Driven in headless Chromium against ``streamlit run`` (AppTest neither keeps
a browser URL nor scrolls). Each copied URL is opened in a new browser
context, which shares nothing with the first but the server.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import (  # noqa: F401
    SIDEBAR,
    browser,
    click_first_bar,
    dashboard_url,
    nav,
    needs_chromium,
    open_url,
)
from conftest import seed_frame

from ui.server import wait_idle

pytestmark = needs_chromium

CHART_PAGES = (("inspections", "执法检查"), ("penalties", "行政处罚"), ("outreach", "普法宣传"),
               ("shortfalls", "短板"))


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _view(page: Any) -> dict[str, Any]:
    """What a reader sees of the view: title, filters, chosen indicator and level, chart titles."""
    main = page.locator('[data-testid="stMain"]')
    values = "els => els.map(e => e.value)"
    return {
        "title": page.locator("h1").first.inner_text(),
        "filters": page.locator(f'{SIDEBAR} input[role="combobox"]').evaluate_all(values),
        "years": page.locator(f'{SIDEBAR} [data-testid="stSliderThumbValue"]').all_inner_texts(),
        "selects": main.locator('input[role="combobox"]').evaluate_all(values),
        "level": main.locator('[role="radio"][aria-checked="true"]').all_inner_texts(),
        "charts": page.locator(".js-plotly-plot .gtitle").evaluate_all("els => els.map(e => e.textContent)"),
    }


def _pick(page: Any, label: str, option: str, where: str = SIDEBAR) -> None:
    page.locator(f'{where} [data-testid="stSelectbox"]').filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


@pytest.mark.parametrize(("slug", "title"), CHART_PAGES)
def test_copied_url_reproduces_the_view(browser: Any, dashboard_url: str, seed_db, slug: str,  # noqa: F811
                                        title: str) -> None:
    page = open_url(browser, f"{dashboard_url}/{slug}")
    assert page.locator("h1").first.inner_text() == title
    # years: the lower handle one step up (2020 -> 2022), by keyboard as a reader can
    page.locator(f'{SIDEBAR} input[type="range"]').first.press("ArrowRight")
    wait_idle(page)
    province = seed_frame(seed_db, "SELECT province FROM v_reports WHERE doc_type = 'report' "
                                   "GROUP BY province ORDER BY count(*) DESC, province LIMIT 1").iloc[0, 0]
    _pick(page, "省份", province)
    page.wait_for_url(re.compile(r"[?&]province="), timeout=20_000)
    main = '[data-testid="stMain"]'
    if page.locator(main).locator('[data-testid="stSelectbox"]').filter(has_text="选择指标").count():
        page.locator(f'{main} [data-testid="stSelectbox"]').filter(has_text="选择指标").click()
        page.get_by_role("option").nth(1).click()
        page.wait_for_url(re.compile(r"[?&]ind="), timeout=20_000)
        wait_idle(page)
    levels = page.locator(f'{main} [role="radio"]')
    if levels.count() > 1:
        levels.first.click()  # the coarsest level, not the default finest
        page.wait_for_url(re.compile(r"[?&]level="), timeout=20_000)
        wait_idle(page)
    copied = page.url
    query = _query(page)
    assert all(len(v) == 1 for v in query.values()), f"every key once: {page.url}"
    assert query["province"] == [province] and query["years"] == ["2022-2023"]
    shown = _view(page)

    fresh = open_url(browser, copied)
    # on a loaded machine a fresh session's sidebar can draw a moment after the page went idle
    deadline = time.monotonic() + 30
    while (seen := _view(fresh)) != shown and time.monotonic() < deadline:
        fresh.wait_for_timeout(500)
    assert seen == shown, copied
    assert _query(fresh) == query, "the link is stable: opening it writes the same URL"
    fresh.context.close()

    # the same link in English: the codes in it are language-neutral
    english = open_url(browser, copied + "&lang=en")
    assert _query(english)["province"] == [province] and english.locator("h1").first.inner_text() != title
    english.context.close()
    page.context.close()


def test_links_between_pages_keep_each_key_once(browser: Any, dashboard_url: str) -> None:  # noqa: F811
    page = open_url(browser, f"{dashboard_url}/?years=2023&doc=report&lang=zh")
    page.locator('[data-testid="stPageLink"]').filter(has_text="执法检查").first.click()
    # the switch starts after the click returns: on a loaded machine the old page can still look idle
    page.locator("h1").filter(has_text="执法检查").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "执法检查"
    query = _query(page)
    assert query.get("years") == ["2023"] and all(len(v) == 1 for v in query.values()), page.url
    nav(page, "对比导出")
    page.wait_for_url(re.compile(r"[?&]years=2023(&|$)"), timeout=15_000)  # kept across a menu switch
    fresh = open_url(browser, page.url)
    assert fresh.locator(f'{SIDEBAR} [data-testid="stSliderThumbValue"]').all_inner_texts() == ["2023", "2023"]
    fresh.context.close()
    page.context.close()


def test_stale_or_unknown_parts_are_named(browser: Any, dashboard_url: str) -> None:  # noqa: F811
    page = open_url(browser, f"{dashboard_url}/sources?report=deadbeef")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="deadbeef")
    assert alert.count() >= 1, "the dropped report is named"
    assert page.locator(".report-text").count() == 0, "no other report is shown in its place"
    page.context.close()

    page = open_url(browser, f"{dashboard_url}/inspections?province=火星省&years=1999")
    notices = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert "火星省" in notices and "1999" in notices
    assert "province" not in _query(page) and "years" not in _query(page)
    page.context.close()


def test_followed_value_is_in_view(browser: Any, dashboard_url: str, seed_db) -> None:  # noqa: F811
    row = seed_frame(seed_db, "SELECT source_file, indicator, quote FROM v_values WHERE start_pos IS NOT NULL "
                              "ORDER BY start_pos DESC LIMIT 1").iloc[0]
    page = open_url(browser, f"{dashboard_url}/sources?report={row['source_file']}&value={row['indicator']}")
    mark = page.locator(".report-text mark.sel").first
    mark.wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    box = page.locator(".report-text").bounding_box()
    spot = mark.bounding_box()
    assert box and spot
    assert box["y"] <= spot["y"] and spot["y"] + spot["height"] <= box["y"] + box["height"], (box, spot)
    assert spot["y"] + spot["height"] <= 1000, "and the text box is on screen"
    assert page.get_by_text("位于：").count() >= 1, "the section the value stands in"
    page.context.close()


def test_excel_download_is_named_and_sums(browser: Any, dashboard_url: str, seed_db, tmp_path) -> None:  # noqa: F811
    """The Compare page's Excel download: named after the filters, numbers that add up to the page's."""
    from openpyxl import load_workbook

    province = seed_frame(seed_db, "SELECT province FROM v_reports WHERE doc_type = 'report' "
                                   "GROUP BY province ORDER BY count(*) DESC, province LIMIT 1").iloc[0, 0]
    page = open_url(browser, f"{dashboard_url}/compare?province={province}&years=2023", accept_downloads=True)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("下载 Excel")).click()
    name = info.value.suggested_filename
    assert re.fullmatch(rf"统计法治对比_{province}_2023_\d{{8}}\.xlsx", name), name
    path = tmp_path / name
    info.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明"
    ws = book["对比表"]
    header = [c.value for c in ws[1]]
    col = header.index("执法检查单位数 (家)") + 1
    got = sum(c.value for c in ws.iter_cols(min_col=col, max_col=col, min_row=2, values_only=False).__next__()
              if c.value is not None)
    expected = seed_frame(seed_db, "SELECT sum(value) FROM v_values WHERE indicator = 'inspected_units' "
                                   "AND province = ? AND year = 2023 AND doc_type = 'report'", [province]).iloc[0, 0]
    assert got == expected
    page.context.close()


def test_copy_link_button_copies_the_view(browser: Any, dashboard_url: str) -> None:  # noqa: F811
    page = open_url(browser, f"{dashboard_url}/inspections?years=2023&doc=all",
                    permissions=["clipboard-read", "clipboard-write"])
    page.locator(f"{SIDEBAR} button.copy-link").click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url and "doc=all" in copied
    page.context.close()


def test_quote_link_keeps_each_key_once(browser: Any, dashboard_url: str) -> None:  # noqa: F811
    """Click a bar, follow "在原文中查看": the Sources page opens at the value, the filters once each."""
    page = open_url(browser, f"{dashboard_url}/inspections?years=2023")
    click_first_bar(page)
    link = page.locator('a[href*="sources"]').filter(has_text="在原文中查看").first
    link.wait_for(timeout=15_000)
    href = parse_qs(urlparse(link.get_attribute("href") or "").query)
    assert all(len(v) == 1 for v in href.values()) and href["years"] == ["2023"], href
    link.click()
    wait_idle(page)
    page.locator(".report-text mark.sel").first.wait_for(timeout=15_000)
    query = _query(page)
    assert all(len(v) == 1 for v in query.values()), page.url
    assert query["years"] == ["2023"] and query["report"] == href["report"] and query["value"] == href["value"]
    page.context.close()


def _active_tabs(page: Any) -> list[str]:
    return page.locator('[data-testid="stMain"] [role="tab"][aria-selected="true"]').all_inner_texts()


@pytest.mark.parametrize(("slug", "param", "tab", "code"), [("inspections", "bars_tab", "地图", "map"),
                                                            ("rankings", "tab", "表格", "table")])
def test_copied_url_reproduces_the_chart_tab(browser: Any, dashboard_url: str, slug: str, param: str,  # noqa: F811
                                             tab: str, code: str) -> None:
    """Pick a chart's map or table tab, copy the URL: a fresh browser opens the same tab."""
    page = open_url(browser, f"{dashboard_url}/{slug}")
    assert _active_tabs(page)[0] == "图表", "the chart tab first"
    page.locator('[data-testid="stMain"] [role="tab"]').filter(has_text=tab).first.click()
    page.wait_for_url(re.compile(rf"[?&]{param}={code}(&|$)"), timeout=20_000)
    wait_idle(page)
    copied = page.url
    shown = _active_tabs(page)
    assert shown[0] == tab and all(len(v) == 1 for v in _query(page).values()), copied

    fresh = open_url(browser, copied)
    deadline = time.monotonic() + 30
    while (seen := _active_tabs(fresh)) != shown and time.monotonic() < deadline:
        fresh.wait_for_timeout(500)
    assert seen == shown, copied
    assert _query(fresh) == _query(page), "the link is stable: opening it writes the same URL"
    fresh.context.close()

    english = open_url(browser, copied + "&lang=en")
    assert _active_tabs(english)[0] == {"map": "Map", "table": "Table"}[code], "the code is language-neutral"
    english.context.close()

    page.locator('[data-testid="stMain"] [role="tab"]').filter(has_text="图表").first.click()
    wait_idle(page)
    page.wait_for_function(f"() => !new URLSearchParams(location.search).has('{param}')", timeout=20_000)
    page.context.close()
