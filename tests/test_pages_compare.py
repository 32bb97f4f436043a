"""Compare & export page: district × indicator table, change over the previous year, downloads."""

from __future__ import annotations

from pathlib import Path

from conftest import seed_frame


def test_compare_table_matches_warehouse(open_page, seed_db: Path) -> None:
    at = open_page("pages/compare.py")
    reports = seed_frame(seed_db, "SELECT * FROM v_reports WHERE doc_type = 'report' AND year IS NOT NULL")
    table = at.dataframe[0].value
    assert len(table) == len(reports)
    given = seed_frame(
        seed_db,
        "SELECT DISTINCT name_zh FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL",
    )["name_zh"]
    headers = " ".join(map(str, table.columns))
    assert all(name in headers for name in given), "every indicator a report gives has a column"
    buttons = at.get("download_button")
    assert [b.proto.id and b.key for b in buttons] == ["compare__csv", "compare__xlsx", "compare__long_csv",
                                                      "compare__parquet"]

    at.toggle(key="compare__all").set_value(True).run()
    n_all = seed_frame(seed_db, "SELECT count(*) FROM indicators").iloc[0, 0]
    assert len(at.dataframe[0].value.columns) >= n_all


def test_compare_filter_and_empty(open_page, seed_db: Path) -> None:
    at = open_page("pages/compare.py")
    district = seed_frame(
        seed_db, "SELECT district FROM v_reports WHERE doc_type = 'report' AND district <> 'unknown' LIMIT 1"
    ).iloc[0, 0]
    at.selectbox(key="district").select(district).run()
    assert len(at.dataframe[0].value) == 1
    at.select_slider(key="years").set_range(2020, 2020).run()
    at.selectbox(key="province").select("广东省").run()
    assert any("没有报告" in i.value for i in at.info)
    assert not at.get("download_button"), "nothing to export"


def test_compare_english(open_page) -> None:
    at = open_page("pages/compare.py", query={"lang": "English"})
    assert at.title[0].value == "Compare & export"
    assert "District" in at.dataframe[0].value.columns


def test_change_over_previous_year_needs_both_years() -> None:
    import pandas as pd

    from ui import tables

    sums = pd.DataFrame({
        "province": ["天津市"] * 5, "city": ["天津市"] * 5, "district": ["静海区"] * 5, "label": ["静海区"] * 5,
        "doc_type": ["report"] * 5, "indicator": ["a", "a", "a", "b", "a"], "year": [2021, 2022, 2024, 2022, 2025],
        "value": [10.0, 15.0, 30.0, 5.0, 40.0], "qualifier": ["exact", "at_least", "exact", "exact", "exact"],
        "given": [1, 1, 1, 1, 2],
    })
    change = tables.changes(sums, {"a": "A", "b": "B"}, ["province", "city", "district"])
    assert list(change["year"]) == [2022], "2024 has no 2023; b has no 2021; 2025 sums two reports, 2024 one"
    row = change.iloc[0]
    assert row["change"] == 5 and row["change_pct"] == 50 and row["display"] == "≥15"
