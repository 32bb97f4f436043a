"""Byte builders for the Compare page's downloads, testable without a browser.

The CSV is the table as shown (``utf-8-sig`` so Excel opens Chinese text
correctly). The XLSX adds a sheet with every value's source quote and offsets,
and a notes sheet with the filters used, so a number in a spreadsheet can be
traced back to the sentence it came from. Exact numbers stay numbers; qualified
ones are text (``≥20``); a value the report does not give is an empty cell.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ui import catalog, filters, queries, tables
from ui.fmt import export_cell, qualified
from ui.i18n import lang, name_col, t
from ui.model import Filters, Source

REPORT_COLS = ("province", "city", "region", "year", "doc_type", "source_file")


@dataclass
class Bundle:
    """Everything the Compare page shows and exports, computed once."""

    numbers: pd.DataFrame  # report × indicator, numeric (sorting)
    shown: pd.DataFrame  # same shape, display strings
    values: pd.DataFrame  # long values behind the table
    names: dict[str, str]  # indicator id → column header
    table: pd.DataFrame  # the export table (sheet 1 / the CSV)
    sources: pd.DataFrame  # one row per value with its quote (sheet 2)
    notes: pd.DataFrame  # filters and legend (sheet 3)


def _headers(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator id → "name (unit)" in the current language."""
    from ui.components import unit_of  # late: components imports streamlit widgets

    col = name_col()
    return {
        r["indicator"]: f"{r[col] or r['indicator']} ({unit_of(catalogue, r['indicator'])})"
        for r in catalogue.to_dict("records")
    }


def bundle(src: Source, f: Filters, only_given: bool = True) -> Bundle | None:
    """Query and shape the Compare page's data; ``None`` when the filters match nothing.

    ``only_given`` drops indicators that no filtered report gives, which keeps
    the table readable; the notes sheet says so.
    """
    reports = queries.reports(src, f)
    if reports.empty:
        return None
    catalogue = queries.indicators(src)
    declared = catalog.indicator_ids("compare")
    ids = list(declared) if declared else list(catalogue["indicator"])
    values = queries.values(src, f, tuple(ids))
    if only_given:
        given = set(values["indicator"])
        ids = [i for i in ids if i in given]
    names = _headers(catalogue)
    numbers, shown = tables.wide(reports, values, ids, names)
    table = _table(numbers, values, ids, names)
    return Bundle(numbers, shown, values, {i: names[i] for i in ids if i in names}, table,
                  _sources(values, catalogue), _notes(src, f, only_given))


def _doc(d: object) -> str:
    return t(f"doc_{d}")


def _table(numbers: pd.DataFrame, values: pd.DataFrame, ids: list[str], names: dict[str, str]) -> pd.DataFrame:
    out = numbers[list(REPORT_COLS)].copy()
    out["year"] = out["year"].astype("Int64")
    out["doc_type"] = out["doc_type"].map(_doc)
    for ind in ids:
        mine = values[values["indicator"] == ind].set_index("report_id")
        col = names.get(ind, ind)
        # object dtype: ints stay ints (no "61.0"), qualified cells stay text, missing stays empty
        out[col] = pd.Series([
            export_cell(mine.at[rid, "value"], mine.at[rid, "qualifier"]) if rid in mine.index else None
            for rid in numbers["report_id"]
        ], index=out.index, dtype=object)
    return out.rename(columns={c: t(f"col.{c}") for c in REPORT_COLS})


def _sources(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every value behind the table, with quote and offsets into the report text."""
    v = tables.with_region(values) if len(values) else values.assign(region=[])
    names = dict(zip(catalogue["indicator"], catalogue[name_col()], strict=True))
    out = pd.DataFrame({
        "province": v["province"], "city": v["city"], "region": v["region"],
        "year": v["year"].astype("Int64"), "doc_type": v["doc_type"].map(_doc),
        "indicator": v["indicator"], "name": v["indicator"].map(names), "unit": v["unit"],
        "value": v["value"], "qualifier": v["qualifier"],
        "shown": [qualified(a, b, grouping=False) for a, b in zip(v["value"], v["qualifier"], strict=True)],
        "basis": v["basis"], "quote": v["quote"], "start_pos": v["start_pos"], "end_pos": v["end_pos"],
        "flags": [", ".join(x) if x is not None and len(x) else "" for x in v["flags"]],
        "corrected": v["corrected"], "correction_note": v["correction_note"],
        "source_file": v["source_file"], "report_id": v["report_id"], "value_id": v["value_id"],
    })
    return out.rename(columns={c: t(f"col.{c}") for c in out.columns}).reset_index(drop=True)


def _notes(src: Source, f: Filters, only_given: bool) -> pd.DataFrame:
    built = queries.overview(src)["built_at"]
    rows = [(t("notes.generated"), datetime.now().strftime("%Y-%m-%d %H:%M")),
            (t("notes.built"), "" if built is None else str(built)[:19]),
            (t("notes.language"), lang())]
    rows += filters.describe(f)
    rows += [(t("notes.columns"), t("notes.only_given") if only_given else t("notes.all_columns")),
             (t("notes.legend"), t("legend_qualifiers")), (t("notes.missing"), t("notes.missing_text"))]
    return pd.DataFrame(rows, columns=[t("notes.item"), t("notes.value")])


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV that Excel opens with Chinese intact (BOM: ``utf-8-sig``)."""
    return table.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, sources: pd.DataFrame, notes: pd.DataFrame) -> bytes:
    """Three sheets: the table, every value's source quote, the filters and legend."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        table.to_excel(xl, sheet_name=t("sheet.table"), index=False)
        sources.to_excel(xl, sheet_name=t("sheet.sources"), index=False)
        notes.to_excel(xl, sheet_name=t("sheet.notes"), index=False)
        for sheet in xl.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width * 1.6), 60)
    return buf.getvalue()


def localise_changes(change: pd.DataFrame) -> pd.DataFrame:
    """The change-over-previous-year table with headers and document types in the current language."""
    out = change[["region", "doc_type", "name", "year", "previous_display", "display", "change", "change_pct"]]
    out = out.assign(doc_type=out["doc_type"].map(_doc), year=out["year"].astype("Int64"),
                     change_pct=out["change_pct"].round(1))
    return out.rename(columns={
        "region": t("col.region"), "doc_type": t("col.doc_type"), "name": t("col.name"), "year": t("col.year"),
        "previous_display": t("col.previous"), "display": t("col.value"), "change": t("col.change"),
        "change_pct": t("col.change_pct"),
    })
