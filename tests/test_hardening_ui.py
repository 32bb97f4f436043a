"""What visitors can do to the dashboard (issue 14): markup from report text, tracebacks, damaged warehouses."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from conftest import ROOT, build_warehouse, seed_frame
from streamlit.testing.v1 import AppTest

HOSTILE = (
    "天津市河西区统计局2024年法治政府建设情况报告\n一、主要工作\n"
    "全年共开展统计执法检查，检查企业120家[点此下载整改通知](//evil.example/phish)$\\color{red}{\\Huge 假}$。\n"
    "开展统计普法宣传活动12场，覆盖群众3000余人次。\n"
).encode()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("hostile"), {"hostile.txt": HOSTILE})


@pytest.fixture
def hostile_value(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("STATS_DB", str(hostile_db))
    monkeypatch.setenv("STATS_RAW", str(hostile_db.parent / "raw"))
    row = seed_frame(hostile_db, "SELECT report_id, value_id FROM \"values\" WHERE quote LIKE '%evil.example%'")
    assert len(row) == 1, "the extractor should quote the hostile sentence"
    return str(row["report_id"][0]), str(row["value_id"][0])


def _assert_inert(markdown: str) -> None:
    """The link and the KaTeX arrive escaped: shown as text, not rendered."""
    assert "点此下载整改通知" in markdown
    assert "](//evil" not in markdown and "\\]\\(//evil" in markdown
    assert "$\\color" not in markdown and "\\$\\\\color" in markdown


def test_the_sources_value_box_escapes_report_text(hostile_value: tuple[str, str]) -> None:
    report_id, value_id = hostile_value
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["report"] = report_id
    at.query_params["value"] = value_id
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [s.value for s in at.success if "点此下载" in s.value]
    assert boxes, [s.value for s in at.success]
    _assert_inert(boxes[0])


def _quotes_of(value_id: str) -> None:
    import json  # AppTest runs this function's source alone

    from ui import components, queries
    from ui.model import Filters

    src = queries.source()
    components.quotes(src, Filters(), [json.dumps({"value_id": value_id})], queries.indicators(src))


def test_the_quote_list_under_a_clicked_bar_escapes_report_text(
    hostile_value: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.components

    # a page link needs the app's navigation, which a lone function lacks; not under test here
    monkeypatch.setattr(ui.components, "source_link", lambda *_a: None)
    _, value_id = hostile_value
    at = AppTest.from_function(_quotes_of, args=(value_id,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    quoted = [m.value for m in at.markdown if "点此下载" in m.value]
    assert quoted, [m.value for m in at.markdown]
    _assert_inert(quoted[0])


# ---------------------------------------------------------------- 13. no tracebacks for visitors


def test_a_failing_page_shows_an_id_the_log_holds(
    dashboard_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/sources.py")
    import ui.queries

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"boom in {ROOT}/ui/queries.py")

    monkeypatch.setattr(ui.queries, "report_text", broken)
    with caplog.at_level(logging.ERROR, logger="stats.errors"):
        at.run()
    assert not at.exception, "the traceback reached the page"
    errors = [e.value for e in at.error]
    assert errors and "错误编号" in errors[0] and str(ROOT) not in errors[0]
    error_id = errors[0].split("错误编号 ")[1].split(" ")[0]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


# ---------------------------------------------------------------- 3. a damaged warehouse, seen by the dashboard


def test_the_dashboard_moves_a_damaged_warehouse_aside_and_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = build_warehouse(tmp_path)
    n = int(seed_frame(db, "SELECT count(*) AS n FROM reports")["n"][0])
    os.truncate(db, db.stat().st_size // 2)
    monkeypatch.setenv("STATS_DB", str(db))
    monkeypatch.setenv("STATS_RAW", str(tmp_path / "raw"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    moved = list(tmp_path.glob("warehouse.duckdb.corrupt-*"))
    assert len(moved) == 1
    assert any(moved[0].name in w.value for w in at.warning), [w.value for w in at.warning]
    assert int(seed_frame(db, "SELECT count(*) AS n FROM reports")["n"][0]) == n
