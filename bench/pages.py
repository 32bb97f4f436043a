"""Render time of every dashboard page: ``python bench/pages.py``.

Runs ``dashboard.py`` in Streamlit's AppTest against the warehouse built by
``bench/build.py`` and times each page of ``ui/nav.py``: once with empty
caches (the first visitor after a rebuild) and again (the next click), under
three sidebar filters set in the URL: none (the pages sum by province), the
province with the most reports (by city) and the city with the most reports
(by district).
AppTest renders no browser and no Plotly drawing, so this is the server-side
part of a page view. Target: <= 1.5 s per page.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import time
from pathlib import Path

from common import BENCH_DIR, ROOT, filter_sets, machine, verdict

TARGET_S = 1.5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=BENCH_DIR / "warehouse.duckdb")
    ap.add_argument("--raw", type=Path, default=BENCH_DIR / "corpus" / "raw")
    ap.add_argument("--reps", type=int, default=3, help="warm renders per page")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before a page run counts as hung")
    ap.add_argument("--only", default="", help="comma-separated page keys to time (default: every page)")
    a = ap.parse_args()
    if not a.db.exists():
        raise SystemExit(f"{a.db} not found: run bench/build.py first")
    os.environ["STATS_DB"] = str(a.db)
    os.environ["STATS_RAW"] = str(a.raw)
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.nav import PAGES

    print(f"machine: {machine()}")
    print(f"warehouse: {a.db} ({a.db.stat().st_size / 2**20:.0f} MB)")
    print(f"{'page':14} {'filter':10} {'cold s':>7} {'warm s':>7}  verdict", flush=True)
    worst = 0.0
    pages = [p for p in PAGES if not a.only or p[0] in a.only.split(",")]
    for (key, path, _icon), (scope, query) in itertools.product(pages, filter_sets(a.db)):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=a.timeout)
        for name, value in query.items():
            at.query_params[name] = value
        try:
            if path != PAGES[0][1]:  # land on the home page first, as a visitor does
                at.run()
                at.switch_page(path)
            st.cache_data.clear()
            t = time.perf_counter()
            at.run()
            cold = time.perf_counter() - t
            warm_runs = []
            for _ in range(a.reps):
                t = time.perf_counter()
                at.run()
                warm_runs.append(time.perf_counter() - t)
        except RuntimeError as exc:  # AppTest's timeout
            print(f"{key:14} {scope:10} {'>' + str(a.timeout):>7} {'':>7}  MISSED ({str(exc)[:60]})", flush=True)
            worst = max(worst, a.timeout)
            continue
        warm = statistics.median(warm_runs)
        errors = [str(e.value)[:80] for e in at.exception]
        worst = max(worst, cold)
        note = f"errors: {errors}" if errors else ""
        print(f"{key:14} {scope:10} {cold:7.2f} {warm:7.2f}  {verdict(cold, TARGET_S)} {note}", flush=True)
    print(f"slowest cold render {worst:.2f} s [target <= {TARGET_S} s: {verdict(worst, TARGET_S)}]")


if __name__ == "__main__":
    main()
