"""Shared pieces of the browser tests: one dashboard server on the seed warehouse and one Chromium.

The server is started once per test module (a Streamlit start costs seconds
on a shared machine); each test opens fresh browser contexts, which is what a
colleague opening a copied link in another browser amounts to.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ui.server import CHROMIUM, CHROMIUM_ARGS, serve, wait_idle

SIDEBAR = '[data-testid="stSidebar"]'
VIEWPORT = {"width": 1400, "height": 1000}
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"{CHROMIUM} not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def dashboard_url(seed_db: Path) -> Iterator[str]:
    """The dashboard served on the seed warehouse (read-only, as in production)."""
    with serve(seed_db, seed_db.parent / "raw", timeout=180) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (never ``playwright install``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_url(browser: Any, url: str, **context: Any) -> Any:
    """A page in a new context (no cookies, no session: a fresh browser), loaded and idle."""
    page = browser.new_context(viewport=VIEWPORT, **context).new_page()
    page.goto(url)
    wait_idle(page, timeout_ms=120_000)
    page.locator("h1").first.wait_for(timeout=60_000)
    wait_idle(page)
    return page


def nav(page: Any, label: str) -> None:
    """Click a page in the sidebar menu, as a reader would, and wait for that page.

    The switch starts after the click returns: on a loaded machine the old page
    can look idle for longer than ``wait_idle`` lets it settle, so the new
    page's address is waited for first (unless the page was already open).
    """
    before = page.evaluate("location.pathname")
    page.locator(f'{SIDEBAR} [data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("(p) => location.pathname !== p", arg=before, timeout=20_000, polling=100)
    wait_idle(page)


def click_first_bar(page: Any) -> None:
    """Click the first bar of the page's first bar chart, as a reader would."""
    bars = ".js-plotly-plot .barlayer .point path"
    page.wait_for_selector(bars, timeout=30_000)
    bar = page.locator(bars).first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    # Plotly's drag layer sits over the bars: point at the bar and click.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
