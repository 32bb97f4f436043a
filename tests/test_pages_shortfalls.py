"""Shortfalls page: themes heat map, statements, reports stating none, capacity beside workload."""

from __future__ import annotations

from pathlib import Path

from conftest import plotly_specs, seed_frame


def test_shortfalls_page(open_page, seed_db: Path) -> None:
    at = open_page("pages/shortfalls.py")
    statements = seed_frame(seed_db, "SELECT * FROM v_shortfalls WHERE doc_type = 'report' AND year IS NOT NULL")
    heat = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "heatmap"]
    assert heat, "heat map drawn"
    hover = " ".join(str(c) for row in heat[0]["customdata"] for c in row)
    assert all(text in hover for text in statements["text"]), "each statement is on hover"
    table = at.dataframe[0].value
    assert len(table) == len(statements)

    silent = seed_frame(
        seed_db,
        "SELECT source_file FROM v_reports r WHERE doc_type = 'report' AND year IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM v_shortfalls s WHERE s.report_id = r.report_id)",
    )
    links = " ".join(p.proto.label for p in at.get("page_link"))
    assert all(f in links for f in silent["source_file"]), "reports stating no shortfall are listed"
    assert any(t.get("orientation") == "h" for spec in plotly_specs(at) for t in spec["data"]), "capacity chart"


def test_shortfalls_table_toggle_and_empty(open_page) -> None:
    at = open_page("pages/shortfalls.py")
    n_tables = len(at.dataframe)
    at.toggle(key="shortfalls__heatmap__table").set_value(True).run()
    assert len(at.dataframe) == n_tables + 1, "the heat map can be read as a table"
    at.selectbox(key="doc").select("工作计划").run()
    at.selectbox(key="province").select("广东省").run()
    assert any("没有报告" in i.value for i in at.info)


def test_shortfalls_english(open_page, seed_db: Path) -> None:
    at = open_page("pages/shortfalls.py", query={"lang": "English"})
    assert at.title[0].value == "Shortfalls"
    theme_en = seed_frame(seed_db, "SELECT theme_en FROM v_shortfalls WHERE doc_type = 'report' LIMIT 1").iloc[0, 0]
    heat = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "heatmap"]
    assert theme_en in heat[0]["x"]


def test_statements_filtered_by_theme(open_page, seed_db: Path) -> None:
    at = open_page("pages/shortfalls.py")
    theme, name = seed_frame(seed_db, "SELECT theme, theme_zh FROM v_shortfalls WHERE doc_type = 'report' "
                                      "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    at.selectbox(key="shortfalls__theme").select(theme).run()
    expected = seed_frame(seed_db, "SELECT text FROM v_shortfalls WHERE doc_type = 'report' AND year IS NOT NULL "
                                   "AND theme = ?", [theme])["text"]
    table = at.dataframe[0].value
    assert sorted(table["原文表述"]) == sorted(expected)
    assert set(table["短板主题"]) == {name}
