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
    listed = [d.value for d in at.dataframe if "原文表述" in d.value.columns]
    assert any(len(table) == len(statements) and set(statements["text"]) <= set(table["原文表述"])
               for table in listed), "every statement is listed"

    silent = seed_frame(
        seed_db,
        "SELECT source_file FROM v_reports r WHERE doc_type = 'report' AND year IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM v_shortfalls s WHERE s.report_id = r.report_id)",
    )
    links = " ".join(p.proto.label for p in at.get("page_link"))
    assert all(f in links for f in silent["source_file"]), "reports stating no shortfall are listed"
    assert any(t.get("orientation") == "h" for spec in plotly_specs(at) for t in spec["data"]), "capacity chart"


def test_shortfalls_table_tab_and_empty(open_page) -> None:
    at = open_page("pages/shortfalls.py")
    heat = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "heatmap"][0]
    # Only the tab on screen is built: the chart tab holds no table, the table tab (from a link) no heat map.
    assert not [d for d in at.dataframe if len(d.value) == len(heat["y"]) and list(d.value.iloc[:, 0]) == list(heat["y"])]
    tabbed = open_page("pages/shortfalls.py", query={"heatmap_tab": "table"})
    rows = [d.value for d in tabbed.dataframe if len(d.value) == len(heat["y"])
            and list(d.value.iloc[:, 0]) == list(heat["y"])]
    assert rows, "the heat map can be read as a table (its table tab)"
    assert not [t for spec in plotly_specs(tabbed) for t in spec["data"] if t.get("type") == "heatmap"]
    at = open_page("pages/shortfalls.py")
    assert "未知" not in heat["y"] and "unknown" not in heat["y"], "an unknown place is never a row"
    at.selectbox(key="doc").select("工作计划").run()
    at.selectbox(key="province").select("广东省").run()
    assert any("没有报告" in i.value for i in at.info)


def test_shortfalls_english(open_page, seed_db: Path) -> None:
    at = open_page("pages/shortfalls.py", query={"lang": "English"})
    assert at.title[0].value == "Shortfalls"
    theme_en = seed_frame(seed_db, "SELECT theme_en FROM v_shortfalls WHERE doc_type = 'report' LIMIT 1").iloc[0, 0]
    heat = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "heatmap"]
    assert theme_en in [x.replace("<br>", " ") for x in heat[0]["x"]], "theme names on the axis, wrapped"


def test_statements_filtered_by_theme(open_page, seed_db: Path) -> None:
    at = open_page("pages/shortfalls.py")
    theme, name = seed_frame(seed_db, "SELECT theme, theme_zh FROM v_shortfalls WHERE doc_type = 'report' "
                                      "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    at.selectbox(key="shortfalls__theme").select(theme).run()
    expected = seed_frame(seed_db, "SELECT text FROM v_shortfalls WHERE doc_type = 'report' AND year IS NOT NULL "
                                   "AND theme = ?", [theme])["text"]
    table = next(d.value for d in at.dataframe if "原文表述" in d.value.columns)
    assert sorted(table["原文表述"]) == sorted(expected)
    assert set(table["短板主题"]) == {name}
