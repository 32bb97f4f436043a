"""End to end in Chromium: the rankings map filters by a click, and the bureau brief downloads as
one PDF page. (AppTest renders no Plotly map and returns no download bytes.)"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import seed_frame

from ui import geo
from ui.server import CHROMIUM, CHROMIUM_ARGS, serve, wait_idle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")

#: Pixel position of a longitude/latitude on the page's map (Plotly's MapLibre subplot).
PROJECT = """([lon, lat]) => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullLayout && g._fullLayout.map);
  const map = gd._fullLayout.map._subplot.map;
  const pt = map.project([lon, lat]);
  const rect = map.getContainer().getBoundingClientRect();
  return {x: rect.left + pt.x, y: rect.top + pt.y};
}"""


def _shape(adcode: str):  # noqa: ANN202 - a shapely geometry
    from shapely.geometry import shape

    return shape(next(f for f in geo.boundaries("province")["features"] if f["id"] == adcode)["geometry"])


def _inside(adcode: str) -> tuple[float, float]:
    """A point surely inside a province's drawn boundary."""
    shape = _shape(adcode)
    parts = getattr(shape, "geoms", [shape])
    point = max(parts, key=lambda part: part.area).representative_point()  # the mainland, not an island
    return point.x, point.y


def test_map_click_filters_and_brief_pdf(seed_db: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    indicator = seed_frame(seed_db, "SELECT indicator FROM indicators LIMIT 1").iloc[0, 0]
    year = seed_frame(seed_db, "SELECT max(year) FROM v_reports WHERE doc_type = 'report'").iloc[0, 0]
    given = seed_frame(
        seed_db,
        "SELECT province, any_value(adcode) AS adcode FROM v_values WHERE indicator = ? AND year = ? "
        "AND doc_type = 'report' AND province <> 'unknown' AND len(coalesce(flags, [])) = 0 "
        "GROUP BY province ORDER BY province", [indicator, int(year)])
    assert len(given), "a province gives the first indicator in the latest year"
    given["code"] = [str(a)[:2] + "0000" for a in given["adcode"]]
    given["area"] = [_shape(c).area for c in given["code"]]
    # the largest on the national map: a click at its inside point cannot miss
    province, adcode = given.sort_values("area").iloc[-1][["province", "code"]]
    bureau = seed_frame(seed_db, "SELECT province, city, district FROM v_values WHERE doc_type = 'report' "
                                 "AND district <> 'unknown' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]

    with serve(seed_db, seed_db.parent / "raw", timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(f"{url}/rankings")
            wait_idle(page, timeout_ms=180_000)
            expect(page.locator("h1").first).to_have_text("排名与地图")
            page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"]').get_by_text(
                "省份", exact=True).first.click()
            wait_idle(page)
            page.get_by_role("tab", name="地图").first.click()
            page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                                   ".some(g => g._fullLayout && g._fullLayout.map)", timeout=30_000)
            wait_idle(page)
            page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')]"
                          ".find(g => g._fullLayout && g._fullLayout.map).scrollIntoView({block: 'center'})")
            page.wait_for_timeout(1500)  # the map finishes its first render
            point = page.evaluate(PROJECT, list(_inside(adcode)))
            page.mouse.move(point["x"], point["y"])
            page.wait_for_timeout(300)
            page.mouse.click(point["x"], point["y"])
            wait_idle(page)
            expect(page).to_have_url(re.compile(r"[?&]province="), timeout=15_000)
            expect(page.locator(f'[data-testid="stSidebar"] input[value="{province}"]')).to_have_count(1)
            assert parse_qs(urlparse(page.url).query).get("province") == [province], "the click set the filter"

            page.goto(f"{url}/brief?province={bureau['province']}&city={bureau['city']}"
                      f"&district={bureau['district']}")
            wait_idle(page)
            expect(page.locator("h2").filter(has_text=bureau["district"]).first).to_be_visible()
            page.get_by_role("button", name=re.compile("生成一页 PDF")).click()
            download_button = page.get_by_role("button", name=re.compile("下载 PDF"))
            expect(download_button).to_be_visible(timeout=90_000)
            with page.expect_download() as info:
                download_button.click()
            data = Path(info.value.path()).read_bytes()
            assert data.startswith(b"%PDF") and len(data) > 1000
            pages = len(re.findall(rb"/Type\s*/Page\b", data))
            assert pages == 1, f"one page, not {pages}"
        finally:
            browser.close()
