"""Byte builders for the Compare page's downloads, testable without a browser.

The CSV is the table as shown (``utf-8-sig`` so Excel opens Chinese text
correctly). The XLSX adds a sheet with every value's source quote and offsets,
and a notes sheet with the filters used, so a number in a spreadsheet can be
traced back to the sentence it came from. Exact numbers stay numbers; qualified
ones are text (``≥20``); a value the report does not give is an empty cell.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import pandas as pd
import xlsxwriter

from ui import catalog, filters, queries, tables
from ui.fmt import export_cell, is_missing, qualified
from ui.i18n import doc_names, lang, name_col, t, using
from ui.model import Filters, Source

REPORT_COLS = ("province", "city", "region", "year", "doc_type", "source_file")
#: Quotes the XLSX holds; a larger export points to the sources CSV (see :func:`xlsx_bytes`).
MAX_XLSX_SOURCES = 100_000


@dataclass
class Bundle:
    """What the Compare page exports: one row per report, built only when a download is clicked.

    Each part is built when first read, so the CSV does not pay for the
    quotes sheet nor the sources CSV for the table (each a few seconds for
    the whole country).
    """

    src: Source
    filters: Filters
    only_given: bool
    reports: pd.DataFrame
    values: pd.DataFrame
    ids: list[str]
    catalogue: pd.DataFrame

    @cached_property
    def table(self) -> pd.DataFrame:
        """Report × indicator (sheet 1 / the CSV)."""
        return _table(self.reports, self.values, self.ids, headers(self.catalogue))

    @cached_property
    def sources(self) -> pd.DataFrame:
        """One row per value with its quote (sheet 2 / the sources CSV)."""
        return _sources(self.values, self.catalogue)

    @cached_property
    def notes(self) -> pd.DataFrame:
        """Filters and legend (sheet 3)."""
        return _notes(self.src, self.filters, self.only_given)


def headers(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator id → "name (unit)" in the current language."""
    from ui.components import unit_of  # late: components imports streamlit widgets

    col = name_col()
    return {
        r["indicator"]: f"{r[col] or r['indicator']} ({unit_of(catalogue, r['indicator'])})"
        for r in catalogue.to_dict("records")
    }


def indicator_ids(catalogue: pd.DataFrame) -> list[str]:
    """The Compare page's indicators: those ``pages.yaml`` declares, else the whole catalogue."""
    declared = catalog.indicator_ids("compare")
    return list(declared) if declared else list(catalogue["indicator"])


def bundle(src: Source, f: Filters, only_given: bool = True) -> Bundle | None:
    """The export of the filtered reports; ``None`` when the filters match nothing.

    ``only_given`` drops indicators that no filtered report gives, which keeps
    the table readable; the notes sheet says so.
    """
    reports = queries.reports(src, f)
    if reports.empty:
        return None
    catalogue = queries.indicators(src)
    ids = indicator_ids(catalogue)
    values = queries.values(src, f, tuple(ids))
    if only_given:
        given = set(values["indicator"])
        ids = [i for i in ids if i in given]
    return Bundle(src, f, only_given, reports, values, ids, catalogue)


def _download(src: Source, f: Filters, only_given: bool, language: str, render: Callable[[Bundle], bytes]) -> bytes:
    """A download's bytes, built when clicked, in ``language`` (the click runs outside the page's run)."""
    with using(language):
        found = bundle(src, f, only_given)
        return b"" if found is None else render(found)


def csv_file(src: Source, f: Filters, only_given: bool, language: str) -> bytes:
    """The table as CSV."""
    return _download(src, f, only_given, language, lambda b: csv_bytes(b.table))


def xlsx_file(src: Source, f: Filters, only_given: bool, language: str) -> bytes:
    """The table, the sources and the notes as XLSX."""
    return _download(src, f, only_given, language, lambda b: xlsx_bytes(b.table, b.sources, b.notes))


def sources_csv_file(src: Source, f: Filters, only_given: bool, language: str) -> bytes:
    """Every value's source quote as CSV, the download for exports too large for one spreadsheet."""
    return _download(src, f, only_given, language, lambda b: csv_bytes(b.sources))


def _table(reports: pd.DataFrame, values: pd.DataFrame, ids: list[str], names: dict[str, str]) -> pd.DataFrame:
    base = tables.with_region(reports).sort_values(["province", "city", "region", "year"]).reset_index(drop=True)
    out = base[list(REPORT_COLS)].copy()
    out["year"] = out["year"].astype("Int64")
    out["doc_type"] = out["doc_type"].pipe(doc_names)
    # object dtype: ints stay ints (no "61.0"), qualified cells stay text, missing stays empty
    cells = values.assign(cell=[export_cell(v, q) for v, q in zip(values["value"], values["qualifier"], strict=True)])
    by_report = cells.pivot_table(index="report_id", columns="indicator", values="cell", aggfunc="first")
    aligned = by_report.reindex(index=base["report_id"], columns=ids)
    for ind in ids:
        column = aligned[ind].astype(object).to_numpy()
        out[names.get(ind, ind)] = pd.Series(column, index=out.index, dtype=object).where(pd.notna(column), None)
    return out.rename(columns={c: t(f"col.{c}") for c in REPORT_COLS})


def _sources(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every value behind the table, with quote and offsets into the report text."""
    v = tables.with_region(values) if len(values) else values.assign(region=[])
    names = dict(zip(catalogue["indicator"], catalogue[name_col()], strict=True))
    out = pd.DataFrame({
        "province": v["province"], "city": v["city"], "region": v["region"],
        "year": v["year"].astype("Int64"), "doc_type": v["doc_type"].pipe(doc_names),
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


def xlsx_bytes(table: pd.DataFrame, sources: pd.DataFrame, notes: pd.DataFrame,
               max_sources: int = MAX_XLSX_SOURCES) -> bytes:
    """Three sheets: the table, every value's source quote, the filters and legend.

    Written row by row with XlsxWriter in constant-memory mode (pandas'
    writer goes cell object by cell object, several times slower). Beyond
    ``max_sources`` quotes the sources sheet says to take the sources CSV
    instead: a spreadsheet of 300,000 quotes takes a minute to write and
    longer to open.
    """
    if len(sources) > max_sources:
        sources = pd.DataFrame({t("sheet.sources"): [t("notes.sources_too_many", n=len(sources), cap=max_sources)]})
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True, "nan_inf_to_errors": True})
    for frame, name in ((table, "sheet.table"), (sources, "sheet.sources"), (notes, "sheet.notes")):
        sheet = book.add_worksheet(t(name))
        headers = [str(c) for c in frame.columns]
        columns = [[None if is_missing(v) else v for v in frame[c].tolist()] for c in frame.columns]
        for i, header in enumerate(headers):
            sample = [header, *(str(v) for v in columns[i][:200] if v is not None)]
            sheet.set_column(i, i, min(max(10, max(len(v) for v in sample) * 1.6), 60))
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(zip(*columns, strict=True), start=1):
            sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


def localise_changes(change: pd.DataFrame, label: str) -> pd.DataFrame:
    """The change-over-previous-year table with headers and document types in the current language;
    ``label`` heads the region column (the level's name)."""
    out = change[["label", "doc_type", "name", "year", "previous_display", "display", "change", "change_pct"]]
    out = out.assign(doc_type=out["doc_type"].pipe(doc_names), year=out["year"].astype("Int64"),
                     change_pct=out["change_pct"].round(1))
    return out.rename(columns={
        "label": label, "doc_type": t("col.doc_type"), "name": t("col.name"), "year": t("col.year"),
        "previous_display": t("col.previous"), "display": t("col.value"), "change": t("col.change"),
        "change_pct": t("col.change_pct"),
    })
