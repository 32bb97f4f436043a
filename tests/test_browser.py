"""End to end: ``streamlit run dashboard.py`` driven by headless Chromium.

Covers what AppTest cannot: the first-start build from the raw folder, Plotly
rendering and clicks, sidebar navigation with URL-kept filters, the language
switch and the CSV download.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import SIDEBAR, click_first_bar, needs_chromium
from browser_helpers import nav as _nav
from conftest import RAW, seed_frame

from ui.server import CHROMIUM, CHROMIUM_ARGS, serve, wait_idle

pytestmark = needs_chromium


def test_dashboard_in_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    db = tmp_path / "warehouse.duckdb"  # missing: the first start must build it
    with serve(db, raw, timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(url)
            wait_idle(page, timeout_ms=180_000)
            expect(page.locator("h1").first).to_have_text("统计法治政府建设年报看板")
            assert db.exists(), "built on first start"
            n_reports = seed_frame(db, "SELECT count(*) FROM v_reports WHERE doc_type = 'plan'").iloc[0, 0]
            expect(page.locator('[data-testid="stMetric"]').filter(has_text="工作计划")).to_contain_text(
                str(n_reports))

            _nav(page, "执法检查")
            expect(page.locator("h1").first).to_have_text("执法检查")
            click_first_bar(page)
            expect(page.get_by_text("原文出处", exact=True)).to_be_visible(timeout=15_000)
            wait_idle(page)
            link = page.locator('a[href*="sources"]').filter(has_text="在原文中查看").first
            expect(link).to_be_visible()
            assert "value=" in (link.get_attribute("href") or "")

            province = seed_frame(
                db, "SELECT province FROM v_values WHERE doc_type = 'report' AND province <> 'unknown' "
                    "GROUP BY province ORDER BY count(*) DESC LIMIT 1").iloc[0, 0]
            page.locator(f'{SIDEBAR} [data-testid="stSelectbox"]').filter(has_text="省份").click()
            page.get_by_role("option", name=province, exact=True).click()
            wait_idle(page)
            # the address bar follows the run's last message: wait for it rather than race it
            page.wait_for_url(lambda u: parse_qs(urlparse(u).query).get("province") == [province], timeout=15_000)

            _nav(page, "对比导出")
            expect(page.locator("h1").first).to_have_text("对比导出")
            page.wait_for_url(lambda u: parse_qs(urlparse(u).query).get("province") == [province],
                              timeout=15_000)  # the filter survives a page switch
            with page.expect_download() as info:
                page.get_by_role("button", name=re.compile("下载 CSV")).click()
            data = Path(info.value.path()).read_bytes()
            assert data.startswith(b"\xef\xbb\xbf")
            lines = data.decode("utf-8-sig").strip().splitlines()
            expected = seed_frame(db, "SELECT count(*) FROM v_reports WHERE doc_type = 'report' AND province = ? "
                                      "AND year IS NOT NULL", [province]).iloc[0, 0]
            assert len(lines) == 1 + expected
            assert all(line.startswith(province) for line in lines[1:])

            page.locator(SIDEBAR).get_by_text("English", exact=True).click()
            wait_idle(page)
            expect(page.locator("h1").first).to_have_text("Compare & export")
            page.wait_for_url(lambda u: parse_qs(urlparse(u).query).get("lang") == ["en"],
                              timeout=15_000)  # a language-neutral code
        finally:
            browser.close()


def test_upload_in_browser(tmp_path: Path, seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reviewer signs in, drops a report, sees it marked (markup as text) and saves it;
    the Compare page then lists it. The reviewer's hash is in a secrets file of this test only."""
    from playwright.sync_api import expect, sync_playwright
    from review_helpers import HEXI, PASSWORD, SECRETS, make_workspace

    ws = make_workspace(seed_db, tmp_path / "w", monkeypatch)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[reviewers]\nalice = "{SECRETS["reviewers"]["alice"]}"\n', encoding="utf-8")
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))  # `--secrets.files`, read by `streamlit run`
    dialogs: list[str] = []
    with serve(ws.db, ws.raw, timeout=180) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{url}/upload")
            wait_idle(page, timeout_ms=180_000)
            expect(page.locator("h1").first).to_have_text("上传与审核")
            page.get_by_label("用户名").fill("alice")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            wait_idle(page)
            expect(page.get_by_text("已登录审核员：alice")).to_be_visible()

            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                files=[{"name": "河西区 报告.txt", "mimeType": "text/plain", "buffer": HEXI}])
            wait_idle(page)
            text = page.locator(".report-text")
            expect(text).to_contain_text("<script>alert(1)</script>")
            expect(text.locator("mark").first).to_be_visible()
            page.get_by_role("button", name="保存并导入").click()
            wait_idle(page)
            expect(page.get_by_text("已保存").first).to_be_visible(timeout=60_000)
            assert [p.name for p in ws.raw.iterdir() if p.name.endswith("_河西区_报告.txt")]

            _nav(page, "对比导出")
            expect(page.locator("h1").first).to_have_text("对比导出")
            expect(page.locator('[data-testid="stDataFrame"]').first).to_contain_text("河西区", timeout=30_000)
            assert not dialogs, "no script from the report ran"
        finally:
            browser.close()
