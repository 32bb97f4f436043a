"""Save a screenshot of every dashboard page into ``docs/screenshots/``.

Usage: ``python docs/take_screenshots.py [--url http://host:port]``. Without
``--url`` it starts ``streamlit run dashboard.py`` itself against ``$STATS_DB``
(default ``data/warehouse.duckdb``, built from ``data/raw`` on first start).
Needs ``/usr/bin/chromium`` and, for legible Chinese, a CJK font
(``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from ui import config  # noqa: E402
from ui.nav import PAGES  # noqa: E402
from ui.server import CHROMIUM, CHROMIUM_ARGS, serve, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _sources_query() -> str:
    """``?report=..&value=..`` for the report with the most values, so the shot shows highlights."""
    import duckdb

    con = duckdb.connect(str(config.db_path()), read_only=True)
    try:
        row = con.execute(
            'SELECT report_id, min(value_id) FROM "values" GROUP BY report_id ORDER BY count(*) DESC LIMIT 1'
        ).fetchone()
    finally:
        con.close()
    return "" if row is None else f"?report={row[0]}&value={row[1]}"


def shoot(url: str, out: Path = OUT) -> list[Path]:
    """Visit each page (plus Home in English) and save a full-page PNG; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    targets = [(f"{i + 1:02d}_{name}", "" if i == 0 else name, "") for i, (name, _, _) in enumerate(PAGES)]
    targets.append((f"{len(PAGES) + 1:02d}_home_en", "", "?lang=en"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        for stem, slug, query in targets:
            if slug == "sources":
                query = _sources_query()
            page.goto(f"{url}/{slug}{query}")
            wait_idle(page)
            if page.locator(".js-plotly-plot").count():
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
                page.wait_for_timeout(1000)
            # Streamlit scrolls inside its main container, so grow the window to the content instead.
            height = page.evaluate(
                """() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], section, div')]
                    .filter(e => e.scrollHeight > e.clientHeight + 5).map(e => e.scrollHeight), 1000)"""
            )
            page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 6000)})
            page.wait_for_timeout(800)
            path = out / f"{stem}.png"
            page.screenshot(path=str(path), full_page=True)
            page.set_viewport_size({"width": 1440, "height": 1000})
            shots.append(path)
            print(path)
        browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running dashboard; default: start one")
    args = parser.parse_args()
    if args.url:
        shoot(args.url.rstrip("/"))
        return 0
    with serve(timeout=600) as url:
        shoot(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
