"""Shared fixtures: a seed warehouse in a tmp folder, and the dashboard pointed at it.

The warehouse is a real build (``etl.warehouse.build.build``) of a copy of the bundled
reports in ``data/raw``, so page tests exercise the views the build defines.
Expected numbers are read from that warehouse, never hard-coded, so the tests
follow improvements to extraction.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


def build_warehouse(folder: Path, extra_files: dict[str, bytes] | None = None) -> Path:
    """Copy the bundled reports (plus ``extra_files``) into ``folder/raw`` and build
    ``folder/warehouse.duckdb`` with the real ETL."""
    from etl.warehouse.build import build

    raw = folder / "raw"
    shutil.copytree(RAW, raw)
    for name, data in (extra_files or {}).items():
        (raw / name).write_bytes(data)
    db = folder / "warehouse.duckdb"
    build(raw, db, jobs=1, log=lambda *a, **k: None)
    return db


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the seed reports, built once per test session. Treat as read-only."""
    return build_warehouse(tmp_path_factory.mktemp("seed"), {"broken.docx": b"PK\x03\x04 truncated zip"})


@pytest.fixture
def dashboard_env(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the dashboard at the seed warehouse (``STATS_DB``/``STATS_RAW``)."""
    monkeypatch.setenv("STATS_DB", str(seed_db))
    monkeypatch.setenv("STATS_RAW", str(seed_db.parent / "raw"))
    yield seed_db


def seed_frame(db: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """Query the warehouse directly (read-only) to get the numbers a test expects."""
    con = duckdb.connect(":memory:")
    try:
        escaped = str(db).replace("'", "''")
        con.execute(f"ATTACH '{escaped}' AS seed (READ_ONLY)")
        con.execute("USE seed")
        return con.execute(sql, params or []).df()
    finally:
        con.close()


@pytest.fixture
def open_page(dashboard_env: Path) -> Callable[..., AppTest]:
    """Open the dashboard in AppTest, optionally with URL query params, on a page file."""

    def _open(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def plotly_specs(at: AppTest) -> list[dict]:
    """The Plotly figures a run drew (AppTest keeps them as JSON in unknown elements)."""
    specs = []
    for element in at.main:
        spec = getattr(getattr(element, "proto", None), "spec", None)
        if type(element).__name__ == "UnknownElement" and isinstance(spec, str) and spec:
            specs.append(json.loads(spec))
    return specs


def metric_value(at: AppTest, label_start: str) -> str:
    """The shown value of the first metric whose label starts with ``label_start``."""
    found = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert found, [m.label for m in at.metric]
    return found[0]


def expected_totals(db: Path, indicator: str, **where: str) -> tuple[float | None, str]:
    """Sum of an indicator's unflagged values over annual reports matching ``where``, and its Chinese name.

    ``None`` when no matching report gives the indicator (the page must show "—").
    """
    clauses = " AND ".join(f"{column} = ?" for column in where)
    sql = ("SELECT sum(value) AS total, count(*) AS n FROM v_values WHERE indicator = ? AND doc_type = 'report'"
           " AND len(coalesce(flags, [])) = 0")  # a flagged value never enters a headline
    frame = seed_frame(db, sql + (f" AND {clauses}" if clauses else ""), [indicator, *where.values()])
    name = seed_frame(db, "SELECT name_zh FROM indicators WHERE indicator = ?", [indicator]).iloc[0, 0]
    total = None if int(frame["n"].iloc[0]) == 0 else float(frame["total"].iloc[0])
    return total, str(name)


def assert_indicator_page(open_page: Callable[..., AppTest], db: Path, page: str, page_key: str) -> None:
    """The checks every indicator page must pass: totals match the warehouse, a filter
    changes them, a chart carries value ids, filters matching nothing show the empty state,
    and the English switch renames the indicators from the warehouse's name_en."""
    from ui import catalog
    from ui.fmt import MISSING, number

    ids = catalog.indicator_ids(page_key)
    at = open_page(page)
    for ind in ids:
        total, name = expected_totals(db, ind)
        shown = metric_value(at, name)
        assert shown == MISSING if total is None else shown.lstrip("≥≈≤") == number(total), (ind, shown)
    given = [i for i in ids if expected_totals(db, i)[0] is not None]
    assert given, "the seed reports give at least one indicator of this page"
    ind = given[0]
    # the ranking draws the latest year that gives the number; its silent districts are labelled
    silent = seed_frame(db, "SELECT district FROM v_reports r WHERE doc_type = 'report' AND district <> 'unknown' "
                            "AND year = (SELECT max(year) FROM v_values WHERE indicator = ? AND doc_type = 'report') "
                            "AND NOT EXISTS (SELECT 1 FROM v_values v WHERE v.report_id = r.report_id "
                            "AND v.indicator = ? AND len(coalesce(v.flags, [])) = 0)", [ind, ind])["district"]
    labelled = [y for trace in plotly_specs(at)[0]["data"] if trace.get("mode") == "text" for y in trace["y"]]
    assert set(silent) <= set(labelled), "a district that does not give the number is labelled, not dropped"
    provinces = seed_frame(db, "SELECT DISTINCT province FROM v_values WHERE indicator = ? AND doc_type = 'report' "
                               "AND province <> 'unknown' ORDER BY province", [ind])["province"]
    total_all, name = expected_totals(db, ind)
    province = provinces.iloc[0]
    total_one, _ = expected_totals(db, ind, province=province)
    at.selectbox(key="province").select(province).run()
    assert metric_value(at, name).lstrip("≥≈≤") == number(total_one)
    if len(provinces) > 1:
        assert total_one != total_all, "the filter changed the number shown"
    specs = plotly_specs(at)
    assert specs and any(trace.get("customdata") for trace in specs[0]["data"]), "bars carry value ids"

    at.select_slider(key="years").set_range(2020, 2020).run()
    at.selectbox(key="province").select("广东省").run()
    assert any("没有报告" in i.value for i in at.info), "empty state"

    english = open_page(page, query={"lang": "English"})
    name_en = seed_frame(db, "SELECT name_en FROM indicators WHERE indicator = ?", [ind]).iloc[0, 0]
    assert any(m.label.startswith(name_en) for m in english.metric)


@pytest.fixture
def pinned_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Others edit the extractor while tests run; a changed fingerprint would re-extract mid-test.
    Build tests use it (``pytestmark``) so that what they count is their own doing."""
    monkeypatch.setattr("etl.warehouse.build.extractor_fingerprint", lambda: "pinned-for-tests")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A copy of the bundled reports to build from and edit."""
    from build_helpers import copy_seeds

    return copy_seeds(tmp_path / "raw")
