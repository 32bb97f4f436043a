"""Latency of every dashboard query: ``python bench/queries.py [--reps 5]``.

Discovers every public query function of ``ui/queries.py`` (so a new query
is benchmarked without editing this file), calls its uncached body with
realistic arguments (whole country; one province; one city; one district; a
year range; plans; each page's indicator list) on the warehouse built by
``bench/build.py``, and prints p50/p95 per query and over all calls, in CPU
milliseconds of this process (DuckDB's threads included) beside wall time:
the machine is shared, so the target is set on CPU. Target: p95 <= 50 ms for
every query a page view runs, each on its own; the slowest is named. The queries behind the
downloads (one row per report and value, run only when a download button is
clicked) are timed and printed apart: a national export is meant to move
every row.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import yaml
from common import BENCH_DIR, CODE, DECADE, load_average, machine, percentile, verdict

TARGET_MS = 50
#: Queries run only to build a download (ui/export.py), not to draw a page.
DOWNLOADS = {"reports", "values"}


def warehouse_facts(db: Path) -> dict[str, Any]:
    """Real region names, value ids and report ids to query with."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
    con.execute("USE w")
    busiest = con.execute(
        "SELECT province, city, district, count(*) n FROM reports WHERE province <> 'unknown' "
        "GROUP BY ALL ORDER BY n DESC, district LIMIT 1"
    ).fetchone()
    plan_province = con.execute(
        "SELECT province FROM reports WHERE doc_type = 'plan' AND province <> 'unknown' "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    value_ids = [r[0] for r in con.execute("SELECT value_id FROM \"values\" USING SAMPLE 20 ROWS").fetchall()]
    report_ids = [r[0] for r in con.execute("SELECT report_id FROM reports USING SAMPLE 5 ROWS").fetchall()]
    con.close()
    return {
        "province": busiest[0], "city": busiest[1], "district": busiest[2],
        "plan_province": plan_province[0] if plan_province else busiest[0],
        "value_ids": value_ids, "report_ids": report_ids,
    }


def indicator_lists() -> list[tuple[str, ...] | None]:
    """Every indicator list of ui/pages.yaml, plus None (all indicators)."""
    pages = yaml.safe_load((CODE / "ui" / "pages.yaml").read_text(encoding="utf-8")) or {}
    lists: list[tuple[str, ...] | None] = [None]
    for page in pages.values():
        for v in (page or {}).values():
            if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                lists.append(tuple(v))
    return lists


def arguments(facts: dict[str, Any], src: Any) -> dict[str, list[Any]]:
    """Candidate values for each parameter name a query function may take."""
    from ui import catalog, components, levels, metrics, queries
    from ui.model import ALL_DOCS, Filters

    p, c, d = facts["province"], facts["city"], facts["district"]
    filters = [
        Filters(),
        Filters(province=p),
        Filters(province=p, city=c),
        Filters(province=p, city=c, district=d),
        Filters(year_min=2020, year_max=2022),
        Filters(doc_type=ALL_DOCS),
        Filters(doc_type="plan", province=facts["plan_province"]),
    ]
    ids = facts["value_ids"]
    options = queries.region_options.__wrapped__(src)
    work, staff = catalog.indicator_ids("shortfalls", "workload"), catalog.indicator_ids("shortfalls", "capacity")
    return {
        "src": [src],
        "f": filters,
        "indicator_ids": indicator_lists(),
        "value_ids": [tuple(ids[:1]), tuple(ids[:5]), tuple(ids)],
        "report_id": facts["report_ids"],
        # what the pages group by under each filter: the level they choose, and no group (headline totals)
        "group": [components.group_by(levels.default(options, f)) for f in filters] + [()],
        "steps": [catalog.indicator_ids("penalties", "funnel")],
        "numerator": [work[0]], "denominator": [staff[0]],
        "limit": [20, 1000], "examples": [5], "include": facts["report_ids"][:1],
        # the shortfalls page's capacity ratio, for the decade's last year
        "ratio_id": [r.id for r in metrics.value_ratios()][:1], "year": [max(DECADE)],
        # the finest level a page sums by: the most regions
        "level": [levels.LEVELS[-1]],
    }


def calls(fn: Callable[..., Any], args: dict[str, list[Any]]) -> list[tuple[Any, ...]] | None:
    """Argument tuples for ``fn``: every value of its first varying parameter, the first of the others;
    for (f, indicator_ids) every filter with every list. None when a parameter is unknown."""
    params = list(inspect.signature(fn).parameters.values())
    if any(p.name not in args and p.default is inspect.Parameter.empty for p in params):
        return None
    names = [p.name for p in params if p.name in args]
    if "f" in names and "group" in names:  # each filter with the grouping a page uses for it
        pairs = list(zip(args["f"], args["group"], strict=False)) + [(f, ()) for f in args["f"][:2]]
        lists = [i for i in args["indicator_ids"] if i is not None] if "indicator_ids" in names else [None]
        return [tuple({**{n: args[n][0] for n in names}, "f": f, "group": g, "indicator_ids": i}[n] for n in names)
                for f, g in pairs for i in lists if i is not None or "indicator_ids" not in names]
    if "f" in names and "indicator_ids" in names:
        if inspect.signature(fn).parameters["indicator_ids"].default is not None:  # None means "all" only there
            args = {**args, "indicator_ids": [i for i in args["indicator_ids"] if i is not None]}
        rest = [n for n in names if n not in ("f", "indicator_ids")]
        return [tuple({"f": f, "indicator_ids": i, **{n: args[n][0] for n in rest}}[n] for n in names)
                for f in args["f"] for i in args["indicator_ids"]]
    varying = next((n for n in names if len(args[n]) > 1), None)
    if varying is None:
        return [tuple(args[n][0] for n in names)]
    return [tuple(v if n == varying else args[n][0] for n in names) for v in args[varying]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=BENCH_DIR / "warehouse.duckdb")
    ap.add_argument("--reps", type=int, default=5, help="timed calls per argument set")
    a = ap.parse_args()
    if not a.db.exists():
        raise SystemExit(f"{a.db} not found: run bench/build.py first")
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from ui import queries
    from ui.db import file_version
    from ui.model import Source

    src = Source(str(a.db), file_version(a.db))
    args = arguments(warehouse_facts(a.db), src)
    print(f"machine: {machine()}; code: {CODE}")
    print(f"warehouse: {a.db} ({a.db.stat().st_size / 2**20:.0f} MB); uncached calls, {a.reps} per argument set")
    print(f"{'query':24} {'calls':>5} {'CPU p50':>8} {'CPU p95':>8} {'CPU max':>8} {'wall p95':>8}  rows(max)  verdict")
    everything: list[float] = []
    downloads: list[float] = []
    worst = ("", 0.0)
    missed = []
    for name, obj in vars(queries).items():
        fn = getattr(obj, "__wrapped__", obj)
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != queries.__name__:
            continue
        arg_sets = calls(fn, args)
        if arg_sets is None or "src" not in inspect.signature(fn).parameters:
            print(f"{name:24} skipped: parameters {list(inspect.signature(fn).parameters)}")
            continue
        times, walls, rows = [], [], 0
        for call in arg_sets:
            fn(*call)  # warm: the connection, DuckDB's caches
            for _ in range(a.reps):
                c, t = time.process_time(), time.perf_counter()
                out = fn(*call)
                times.append((time.process_time() - c) * 1000)
                walls.append((time.perf_counter() - t) * 1000)
            rows = max(rows, len(out) if hasattr(out, "__len__") else 1)
        p95 = percentile(times, 95)
        mark = ""
        if name in DOWNLOADS:
            downloads += times
            name = f"{name} (download)"
        else:
            everything += times
            worst = max(worst, (name, p95), key=lambda x: x[1])
            mark = verdict(p95, TARGET_MS)
            if mark != "ok":
                missed.append(name)
        print(f"{name:24} {len(times):5} {percentile(times, 50):8.1f} {p95:8.1f} {max(times):8.1f} "
              f"{percentile(walls, 95):8.1f}  {rows:9}  {mark}", flush=True)
    p95_all = percentile(everything, 95)
    if downloads:
        print(f"download queries: {len(downloads)} calls, p50 {percentile(downloads, 50):.1f} ms, "
              f"p95 {percentile(downloads, 95):.1f} ms (no target: run on a click, move every row)")
    print(f"page queries: {len(everything)} calls, CPU p50 {percentile(everything, 50):.1f} ms, "
          f"p95 {p95_all:.1f} ms; load {load_average():.1f}")
    print(f"slowest page query: {worst[0]}, CPU p95 {worst[1]:.1f} ms [every query's p95 <= {TARGET_MS} ms: "
          f"{verdict(worst[1], TARGET_MS)}]" + (f"; over the target: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
