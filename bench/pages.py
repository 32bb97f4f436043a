"""Render time of every dashboard page: ``python bench/pages.py``.

Runs ``dashboard.py`` in Streamlit's AppTest against the warehouse built by
``bench/build.py`` and times each page of ``ui/nav.py``: once with empty
caches (the first visitor after a rebuild) and again (the next click), under
three sidebar filters set in the URL: none (the pages sum by province), the
province with the most reports (by city) and the city with the most reports
(by district).
AppTest renders no browser and no Plotly drawing, so this is the server-side
part of a page view. Before the timed views, each page is shown once in this
process (its first view: imports, the page script compiled, Plotly's and
pandas' first figure or Styler of a kind), as a server has done before the
first visitor after a rebuild (a rebuild empties the data caches, not the
process); that view's CPU is printed on its own line, not hidden. Figures are CPU-seconds of this process (the script
thread, DuckDB's threads; ``time.process_time``) beside wall time: the machine
is shared, so the target is set on CPU. Target: <= 0.3 CPU-s per page view,
with empty caches (the first visitor after a rebuild) and warm.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from common import BENCH_DIR, CODE, filter_sets, load_average, machine, verdict

TARGET_CPU = 0.3
#: Views timed beside the three filters, each with its own target (issue 11): every district of the
#: country on the rankings map, the heaviest view a reader can choose there.
EXTRA_VIEWS = (("rankings", "districts", {"level": "district", "tab": "map"}, 1.0),)


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

    print(f"machine: {machine()}; code: {CODE}")
    print(f"warehouse: {a.db} ({a.db.stat().st_size / 2**20:.0f} MB)")
    print(f"{'page':14} {'filter':10} {'cold CPU':>8} {'warm CPU':>8} {'cold s':>7} {'warm s':>7} {'load':>5}  verdict",
          flush=True)
    worst = ("", 0.0)
    # A server imports its modules once at start, not per visitor: load them before timing anything.
    AppTest.from_file(str(CODE / "dashboard.py"), default_timeout=a.timeout).run()
    pages = [p for p in PAGES if not a.only or p[0] in a.only.split(",")]
    for key, path, _icon in pages:
        cpu, wall = _first_view(CODE / "dashboard.py", path, PAGES[0][1], a.timeout)
        print(f"{key:14} {'(process-first view, not a target)':30} {cpu:5.2f} CPU-s {wall:5.2f} s", flush=True)
    views = [(key, path, scope, query, TARGET_CPU)
             for (key, path, _icon), (scope, query) in itertools.product(pages, filter_sets(a.db))]
    views += [(key, path, scope, query, target) for key, path, _icon in pages
              for page, scope, query, target in EXTRA_VIEWS if page == key]
    for key, path, scope, query, target in views:
        at = AppTest.from_file(str(CODE / "dashboard.py"), default_timeout=a.timeout)
        for name, value in query.items():
            at.query_params[name] = value
        try:
            if path != PAGES[0][1]:  # land on the home page first, as a visitor does
                at.run()
                at.switch_page(path)
            st.cache_data.clear()
            cold_cpu, cold = _timed(at.run)
            warm_runs = [_timed(at.run) for _ in range(a.reps)]
        except RuntimeError as exc:  # AppTest's timeout
            print(f"{key:14} {scope:10} {'>' + str(a.timeout):>8}  MISSED ({str(exc)[:60]})", flush=True)
            worst = max(worst, (f"{key}/{scope}", a.timeout), key=lambda x: x[1])
            continue
        warm_cpu = statistics.median(c for c, _ in warm_runs)
        warm = statistics.median(w for _, w in warm_runs)
        errors = [str(e.value)[:80] for e in at.exception]
        if target == TARGET_CPU:
            worst = max(worst, (f"{key}/{scope}", cold_cpu), key=lambda x: x[1])
        note = f"errors: {errors}" if errors else ""
        print(f"{key:14} {scope:10} {cold_cpu:8.2f} {warm_cpu:8.2f} {cold:7.2f} {warm:7.2f} {load_average():5.1f}  "
              f"{verdict(max(cold_cpu, warm_cpu), target)} {note}", flush=True)
        if target != TARGET_CPU:
            print(f"{key}/{scope} (?{'&'.join(f'{k}={v}' for k, v in query.items())}): {cold_cpu:.2f} CPU-s, "
                  f"{cold:.2f} s with empty caches [target <= {target} CPU-s: {verdict(cold_cpu, target)}]")
    print(f"slowest page view: {worst[0]} {worst[1]:.2f} CPU-s with empty caches "
          f"[target <= {TARGET_CPU} CPU-s: {verdict(worst[1], TARGET_CPU)}]")


def _first_view(app: Path, path: str, home: str, timeout: float) -> tuple[float, float]:
    """Show a page once in this process, as a running server has; its CPU and wall time."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=timeout)
    at.run()
    cpu, wall = time.process_time(), time.perf_counter()
    if path != home:
        at.switch_page(path)
    at.run()
    return time.process_time() - cpu, time.perf_counter() - wall


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """CPU-seconds of this process and wall seconds that ``run`` took."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


if __name__ == "__main__":
    main()
