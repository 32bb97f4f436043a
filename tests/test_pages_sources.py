"""Sources page: full text with values marked at their offsets, reachable by URL."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

from conftest import plotly_specs, seed_frame

from ui import highlight


def _report_with_values(db: Path) -> tuple[str, str, str]:
    row = seed_frame(
        db,
        "SELECT report_id, value_id, quote FROM v_values ORDER BY report_id, start_pos LIMIT 1",
    ).iloc[0]
    return row["report_id"], row["value_id"], row["quote"]


def test_sources_by_url_marks_every_value(open_page, seed_db: Path) -> None:
    report_id, value_id, quote = _report_with_values(seed_db)
    at = open_page("pages/sources.py", query={"report": report_id, "value": value_id})
    assert at.selectbox(key="sources__report").value == report_id
    body = next(h.proto.body for h in at.get("html") if "report-text" in h.proto.body)
    values = seed_frame(seed_db, "SELECT name_zh, quote FROM v_values WHERE report_id = ?", [report_id])
    titles = " ".join(re.findall(r'<mark[^>]*title="([^"]*)"', body))
    assert all(name in titles for name in values["name_zh"]), "every value is marked"
    assert 'class="sel"' in body, "the linked value stands out"
    marked = re.sub(r"</?mark[^>]*>", "", body)
    assert all(html.escape(q) in marked for q in values["quote"]), "marks sit on the quoted text"
    assert len(at.dataframe[0].value) == len(values), "values listed beside the text"


def test_text_is_escaped_before_marking() -> None:
    text = "共<b>检查</b> 12 家 & <script>alert(1)</script>"
    start = text.index("12")
    out = highlight.render(text, [highlight.Span(start, start + 2, "v1", 'x" onmouseover="y')], selected="v1")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert '<mark class="sel" id="selected-value" title="x&quot; onmouseover=&quot;y">12</mark>' in out
    assert "&amp;" in out


def test_overlapping_and_bad_offsets() -> None:
    text = "对40家和15家企业检查"
    spans = [highlight.Span(1, 8, "a", "A"), highlight.Span(5, 8, "b", "B"), highlight.Span(50, 60, "c", "C")]
    out = highlight.render(text, spans)
    assert out.count("<mark") == 2 and 'title="A；B"' in out
    assert not highlight.valid(spans[2], text)


def test_click_on_bar_lists_quote_with_source_link(open_page, seed_db: Path) -> None:
    at = open_page("pages/inspections.py")
    spec = plotly_specs(at)[0]
    key = spec["data"][0]["customdata"][0][0]
    value_id = json.loads(key)["value_id"]  # at district level each bar is one report's value
    quote = seed_frame(seed_db, "SELECT quote FROM v_values WHERE value_id = ?", [value_id]).iloc[0, 0]
    at.session_state["inspections__bars"] = {"selection": {"points": [{"customdata": [key, ""]}]}}
    at.run()
    assert any(quote in m.value for m in at.markdown), "the quote behind the bar is listed"
    links = [p.proto for p in at.get("page_link")]
    source_file, indicator = seed_frame(
        seed_db, "SELECT source_file, indicator FROM v_values WHERE value_id = ?", [value_id]).iloc[0]
    wanted = {"report": [source_file], "value": [indicator]}  # stable across rebuilds, unlike the hash
    assert any(p.page == "sources" and parse_qs(p.query_string) == wanted for p in links)


def test_sources_english(open_page) -> None:
    at = open_page("pages/sources.py", query={"lang": "English"})
    assert at.title[0].value == "Sources"


def test_links_survive_a_rebuild(tmp_path: Path, monkeypatch) -> None:
    """A link names the report's file, so it still opens the value after the file changed and the
    warehouse was rebuilt; the old content hash is reported as gone, never replaced by another report."""
    from conftest import build_warehouse
    from streamlit.testing.v1 import AppTest

    from etl.warehouse.build import build
    from ui import links
    from ui.db import file_version
    from ui.model import Source

    db = build_warehouse(tmp_path)
    old = seed_frame(db, "SELECT report_id, source_file, indicator FROM v_values WHERE doc_type = 'report' "
                         "ORDER BY start_pos DESC LIMIT 1").iloc[0]
    raw = tmp_path / "raw" / old["source_file"]
    raw.write_bytes(raw.read_bytes() + b"\n")  # re-saved: same report, new bytes, new hash
    build(tmp_path / "raw", db, jobs=1, log=lambda *a, **k: None)
    new_id = seed_frame(db, "SELECT report_id FROM v_reports WHERE source_file = ?", [old["source_file"]]).iloc[0, 0]
    assert new_id != old["report_id"]
    src = Source(str(db), file_version(db))
    assert links.report_row(src, old["source_file"])["report_id"] == new_id
    assert links.report_row(src, old["report_id"]) is None

    monkeypatch.setenv("STATS_DB", str(db))
    monkeypatch.setenv("STATS_RAW", str(tmp_path / "raw"))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    at.query_params["report"] = old["source_file"]
    at.query_params["value"] = old["indicator"]
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="sources__report").value == new_id
    body = next(h.proto.body for h in at.get("html") if "report-text" in h.proto.body)
    assert 'class="sel"' in body, "the linked value is marked"

    stale = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60)
    stale.query_params["report"] = old["report_id"]
    stale.run()
    stale.switch_page("pages/sources.py")
    stale.run()
    assert any(old["report_id"] in w.value for w in stale.warning), "the stale link is named"
    assert stale.selectbox(key="sources__report").value is None, "and no other report shown"
    assert not [h for h in stale.get("html") if "report-text" in h.proto.body]

