"""Save a screenshot of every dashboard page into ``docs/screenshots/``.

Usage: ``python docs/take_screenshots.py [--url http://host:port] [--only SET] [--page NAME]``, or
``--decade DB`` for the decade picture of ``docs/scale.md`` (``national_inspections.png``).

Eight sets, the full cross product, so every page is seen on a small and a
wide warehouse, in both languages and at both widths:

- ``docs/screenshots/NN_page.png``: the seed reports, Chinese, 1440 px (linked from the README);
- ``seeds_zh_1024/``, ``seeds_en_1024/``, ``seeds_en_1440/``: the seeds, the other three;
- ``national_{zh,en}_{1024,1440}/``: a synthetic national sample
  (``etl.synth``, 300 county-level divisions, two years) built into a temporary folder.

Without ``--url`` it starts ``streamlit run dashboard.py`` itself: against
``$STATS_DB`` (default ``data/warehouse.duckdb``, built from ``data/raw`` on
first start) for the seed sets. Needs ``/usr/bin/chromium`` and a CJK font
(``apt-get install fonts-noto-cjk``). PNGs are reduced to a 256-colour
palette: they are committed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from ui import config  # noqa: E402
from ui.nav import PAGES  # noqa: E402
from ui.server import CHROMIUM, CHROMIUM_ARGS, serve, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
#: (folder under OUT, language, width, warehouse): "" is OUT itself.
SETS = (
    ("", "zh", 1440, "seeds"),
    ("seeds_zh_1024", "zh", 1024, "seeds"),
    ("seeds_en_1024", "en", 1024, "seeds"),
    ("seeds_en_1440", "en", 1440, "seeds"),
    ("national_zh_1024", "zh", 1024, "national"),
    ("national_zh_1440", "zh", 1440, "national"),
    ("national_en_1024", "en", 1024, "national"),
    ("national_en_1440", "en", 1440, "national"),
)
MAX_HEIGHT = 6000


def _sources_query(db: Path) -> str:
    """``report=..&value=..`` for the report with the most values, so the shot shows highlights."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            'SELECT report_id, min(value_id) FROM "values" GROUP BY report_id ORDER BY count(*) DESC LIMIT 1'
        ).fetchone()
    finally:
        con.close()
    return "" if row is None else f"report={row[0]}&value={row[1]}"


def _compact(path: Path) -> None:
    """A 256-colour palette PNG: a third of the size, no visible loss on flat UI colours."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def _fit_height(page: Page, width: int) -> None:
    """Grow the window to the page's content: Streamlit scrolls inside its main container, so a
    full-page shot of a 1000 px window would stop at 1000 px.

    Only the page's own scrollers count (main column, sidebar): a table's scroller (500 rows of
    the review queue) or the report text's made pages 6,000 px tall, blank below the last
    section. The report text box is as tall as 75% of the window; it is pinned to the height a
    reader's 1000 px window gives it, or it would grow with the window it is measured for.
    """
    shown = 0
    for _ in range(3):  # charts further down draw once in view and may grow the page: measure again
        height = page.evaluate(
            """() => {
                document.querySelectorAll('.report-text').forEach(e => { e.style.maxHeight = e.clientHeight + 'px'; });
                const own = document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"]');
                return Math.max(...[...own].map(e => e.scrollHeight), 1000);
            }"""
        )
        wanted = min(int(height) + 40, MAX_HEIGHT)
        if wanted <= shown:
            break
        shown = wanted
        page.set_viewport_size({"width": width, "height": shown})
        page.wait_for_timeout(900)


def shoot(url: str, out: Path, lang: str, width: int, db: Path, only: list[str] | None = None) -> list[Path]:
    """Visit each page (or those named in ``only``) and save a full-page PNG; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000}, device_scale_factor=1)
        for i, (name, _, _) in enumerate(PAGES):
            if only and name not in only:
                continue
            params = [p for p in ("lang=en" if lang == "en" else "",
                                  _sources_query(db) if name == "sources" else "") if p]
            slug = "" if i == 0 else name
            page.goto(f"{url}/{slug}" + ("?" + "&".join(params) if params else ""))
            wait_idle(page)
            if page.locator(".js-plotly-plot").count():
                page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=30_000)
                page.wait_for_timeout(1200)
            _fit_height(page, width)
            path = out / f"{i + 1:02d}_{name}.png"
            page.screenshot(path=str(path), full_page=True)
            _compact(path)
            shots.append(path)
            print(path, flush=True)
            if name == "rankings":  # the map tab too: the same ranking as a choropleth
                page.set_viewport_size({"width": width, "height": 1000})
                page.get_by_role("tab").nth(2).click()
                # The map is built on the rerun this click starts: wait for that run, then for the drawn map.
                wait_idle(page)
                page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                                       ".some(g => g._fullLayout && g._fullLayout.map)", timeout=30_000)
                page.wait_for_timeout(2500)  # the map's tiles-free first render
                _fit_height(page, width)  # the whole map and its colour scale, not the first 1000 px
                path = out / f"{i + 1:02d}_{name}_map.png"
                page.screenshot(path=str(path))
                _compact(path)
                shots.append(path)
                print(path, flush=True)
            page.set_viewport_size({"width": width, "height": 1000})
        browser.close()
    return shots


def national_warehouse(folder: Path) -> tuple[Path, Path]:
    """Build the synthetic national sample (300 counties, two years) into ``folder``."""
    from etl.synth.corpus import generate
    from etl.warehouse.build import build

    generate(folder / "corpus", [2023, 2024], 300, seed="screenshots", jobs=1)
    raw, db = folder / "corpus" / "raw", folder / "warehouse.duckdb"
    build(raw, db, jobs=1, log=lambda *a, **k: None)
    return db, raw


def decade_shot(db: Path) -> Path:
    """Inspections, Chinese, 1440 px, on the decade warehouse ``db`` (read-only): ``national_inspections.png``."""
    with tempfile.TemporaryDirectory() as tmp, serve(db, Path(tmp), timeout=600) as url:
        shot = shoot(url, Path(tmp), "zh", 1440, db, ["inspections"])[0]
        target = OUT / "national_inspections.png"
        shutil.move(shot, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running dashboard (seed sets only); default: start one per warehouse")
    parser.add_argument("--only", action="append", choices=[s[0] or "default" for s in SETS],
                        help="a set (repeatable); default: all eight")
    parser.add_argument("--page", action="append", choices=[p[0] for p in PAGES],
                        help="a page (repeatable), to reshoot after a fix; default: every page")
    parser.add_argument("--decade", type=Path, metavar="DB",
                        help="a warehouse of the 28,500-document decade (not in the repo): reshoot "
                             "national_inspections.png, the picture in docs/scale.md, from it and nothing else")
    args = parser.parse_args()
    if args.decade:
        print(decade_shot(args.decade), flush=True)
        return 0
    sets = [s for s in SETS if args.only is None or (s[0] or "default") in args.only]
    seeds = [s for s in sets if s[3] == "seeds"]
    national = [s for s in sets if s[3] == "national"]
    if args.url:
        for folder, lang, width, _ in seeds:
            shoot(args.url.rstrip("/"), OUT / folder, lang, width, config.db_path(), args.page)
        return 0
    if seeds:
        with serve(timeout=600) as url:
            for folder, lang, width, _ in seeds:
                shoot(url, OUT / folder, lang, width, config.db_path(), args.page)
    if national:
        with tempfile.TemporaryDirectory() as tmp:
            db, raw = national_warehouse(Path(tmp))
            with serve(db, raw, timeout=600) as url:
                for folder, lang, width, _ in national:
                    shoot(url, OUT / folder, lang, width, db, args.page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
