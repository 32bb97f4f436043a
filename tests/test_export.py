"""Export byte builders: the CSV and XLSX hold the warehouse's rows, sources and filters.

AppTest does not hand back a download button's bytes, so the builders are
tested directly here and the click is tested in ``test_browser.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import seed_frame
from openpyxl import load_workbook

from ui import export
from ui.db import file_version
from ui.fmt import qualified
from ui.model import Filters, Source


@pytest.fixture
def bundle(seed_db: Path) -> export.Bundle:
    found = export.bundle(Source(str(seed_db), file_version(seed_db)), Filters())
    assert found is not None
    return found


def test_csv_is_excel_friendly_and_matches_rows(bundle: export.Bundle, seed_db: Path) -> None:
    data = export.csv_bytes(bundle.table)
    assert data.startswith(b"\xef\xbb\xbf"), "utf-8-sig BOM so Excel reads Chinese"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    reports = seed_frame(seed_db, "SELECT * FROM v_reports WHERE doc_type = 'report' AND year IS NOT NULL")
    assert sorted(frame["来源文件"]) == sorted(reports["source_file"])

    values = seed_frame(seed_db, "SELECT * FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL")
    for row in values.to_dict("records"):
        line = frame[frame["来源文件"] == row["source_file"]].iloc[0]
        column = next(c for c in frame.columns if c.startswith(f"{row['name_zh']} ("))
        assert line[column] == qualified(row["value"], row["qualifier"], grouping=False), (row["indicator"],)
    # a value a report does not give is an empty cell, never 0
    given = set(zip(values["source_file"], values["name_zh"], strict=True))
    for column in [c for c in frame.columns if " (" in c]:
        name = column.split(" (")[0]
        for _, line in frame.iterrows():
            if (line["来源文件"], name) not in given:
                assert line[column] == ""


def test_xlsx_has_table_sources_and_notes(bundle: export.Bundle, seed_db: Path) -> None:
    book = load_workbook(io.BytesIO(export.xlsx_bytes(bundle.table, bundle.sources, bundle.notes)))
    assert book.sheetnames == ["对比表", "出处", "说明"]
    table = pd.read_excel(io.BytesIO(export.xlsx_bytes(bundle.table, bundle.sources, bundle.notes)),
                          sheet_name=None, dtype=object)
    assert len(table["对比表"]) == len(bundle.table)

    sources = table["出处"]
    values = seed_frame(seed_db, "SELECT * FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL")
    assert sorted(sources["数字编号"]) == sorted(values["value_id"])
    by_id = values.set_index("value_id")
    for row in sources.to_dict("records"):
        expected = by_id.loc[row["数字编号"]]
        assert row["原文"] == expected["quote"]
        assert int(row["起始位置"]) == int(expected["start_pos"]) and int(row["结束位置"]) == int(expected["end_pos"])
        assert float(row["数值"]) == float(expected["value"])
        text = seed_frame(seed_db, "SELECT text FROM reports WHERE report_id = ?", [expected["report_id"]]).iloc[0, 0]
        assert text[int(row["起始位置"]):int(row["结束位置"])] == row["原文"], "offsets point at the quote"

    notes = dict(zip(table["说明"]["项目"], table["说明"]["内容"], strict=True))
    assert notes["文件类型"] == "年度报告" and notes["省份"] == "全部"


def test_export_follows_filters(seed_db: Path) -> None:
    province = seed_frame(seed_db, "SELECT province FROM v_values WHERE doc_type = 'report' LIMIT 1").iloc[0, 0]
    found = export.bundle(Source(str(seed_db), file_version(seed_db)), Filters(province=province))
    assert found is not None
    assert set(found.table["省份"]) == {province}
    assert dict(zip(found.notes["项目"], found.notes["内容"], strict=True))["省份"] == province
    assert export.bundle(Source(str(seed_db), file_version(seed_db)), Filters(province="nowhere")) is None


def test_large_export_points_to_the_sources_csv(bundle: export.Bundle, seed_db: Path) -> None:
    """Beyond the cap the XLSX says where the quotes are; the sources CSV always holds every one."""
    data = export.xlsx_bytes(bundle.table, bundle.sources, bundle.notes, max_sources=len(bundle.sources) - 1)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object)
    assert len(sheets["对比表"]) == len(bundle.table)
    note = str(sheets["出处"].iloc[0, 0])
    assert str(len(bundle.sources)) in note and "出处 CSV" in note

    src = Source(str(seed_db), file_version(seed_db))
    sources = pd.read_csv(io.BytesIO(export.sources_csv_file(src, Filters(), True, "zh")), encoding="utf-8-sig",
                          dtype=str)
    values = seed_frame(seed_db, "SELECT value_id, quote FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL")
    assert sorted(sources["数字编号"]) == sorted(values["value_id"])
    assert set(sources["原文"]) == set(values["quote"])
    english = export.sources_csv_file(src, Filters(), True, "en").decode("utf-8-sig")
    assert english.startswith("Province,"), "the language chosen on the page, even off the page's thread"
