"""What the Compare page (and every per-chart download) exports, built when a button is clicked.

An export is for analysis, so numbers stay numbers: each indicator is one
numeric column Excel can sum, and what qualifies a number (≈, ≥), how it was
found (stated, derived) and whether it was flagged each have a column of
their own in the long table (one row per report × indicator). The wide table
(one row per report) shows qualifiers through number formats and marks
flagged cells with a fill and a comment. Every code is in the chosen
language; every row links to its value on the Sources page and carries its
quote; the file name says the filters and the date, and the first sheet says
the filters, the warehouse's build time and how many reports the file holds.

Formats: CSV (wide), CSV (long), XLSX (notes, wide, long), Parquet (long).
The writing itself (formula safety, formats) is ``ui/sheets.py``.

For other pages' downloads, :func:`table_file` turns any table and the
filters into bytes and a file name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd

from ui import catalog, filters, links, queries, sheets, tables
from ui.fmt import MISSING, QUALIFIER_SYMBOLS, is_missing, qualified
from ui.i18n import doc_names, lang, name_col, t, using
from ui.model import ALL_DOCS, Filters, Source

REPORT_COLS = ("province", "city", "region", "year", "doc_type", "source_file")
#: Rows of the long table the XLSX holds; a larger export points to the long CSV (see :func:`xlsx_file`).
MAX_XLSX_SOURCES = 100_000
#: Where links in an export point when the page did not say (tests, scripts).
DEFAULT_BASE = "http://localhost:8501"
FORMATS = {"csv": "text/csv", "long_csv": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "parquet": "application/vnd.apache.parquet"}
SUFFIX = {"csv": ".csv", "long_csv": "_long.csv", "xlsx": ".xlsx", "parquet": ".parquet"}


@dataclass
class Bundle:
    """What the Compare page exports, each part built when first read (a national quotes table
    costs seconds the CSV need not pay)."""

    src: Source
    filters: Filters
    only_given: bool
    reports: pd.DataFrame
    values: pd.DataFrame
    ids: list[str]
    catalogue: pd.DataFrame
    base_url: str = DEFAULT_BASE

    @cached_property
    def long(self) -> pd.DataFrame:
        """One row per report × indicator: number, qualifier, basis, flag, quote, link."""
        return _long(self.values, self.catalogue, self.base_url)

    @cached_property
    def wide(self) -> _Wide:
        """One row per report, one numeric column per indicator."""
        return _wide(self.reports, self.values, self.ids, headers(self.catalogue), self.base_url)

    @cached_property
    def notes(self) -> pd.DataFrame:
        """Filters, build time, counts and legend (the XLSX's first sheet)."""
        return _notes(self.src, self.filters, self.only_given, len(self.reports), len(self.values),
                      self.base_url)


@dataclass
class _Wide:
    """The wide table and, per cell, what the XLSX marks on it."""

    table: pd.DataFrame  # numbers only in the indicator columns
    qualifiers: dict[tuple[int, str], str]
    flags: dict[tuple[int, str], str]
    numeric: list[str]
    remarks: pd.DataFrame  # the CSV's columns for qualified and flagged cells

    @property
    def csv(self) -> pd.DataFrame:
        return pd.concat([self.table, self.remarks], axis=1)


def headers(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator id → "name (unit)" in the current language."""
    col = name_col()
    return {r["indicator"]: f"{r[col] or r['indicator']} ({unit_name(r['unit'])})"
            for r in catalogue.to_dict("records")}


def unit_name(unit: Any) -> str:
    """A unit code (``units``) in the current language (``家``)."""
    if is_missing(unit) or not unit:
        return ""
    label = t(f"unit.{unit}")
    return str(unit) if label == f"unit.{unit}" else label


def indicator_ids(catalogue: pd.DataFrame) -> list[str]:
    """The Compare page's indicators: those ``pages.yaml`` declares, else the whole catalogue."""
    declared = catalog.indicator_ids("compare")
    return list(declared) if declared else list(catalogue["indicator"])


def bundle(src: Source, f: Filters, only_given: bool = True, base_url: str = DEFAULT_BASE) -> Bundle | None:
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
    return Bundle(src, f, only_given, reports, values, ids, catalogue, base_url)


# --------------------------------------------------------------------------- codes in words


def qualifier_name(code: Any) -> str:
    """``approx`` → 约 / about (``exact`` when not given)."""
    return t(f"qualifier.{code or 'exact'}")


def basis_name(code: Any) -> str:
    """``stated`` → 明示, ``derived`` → 推算."""
    return "" if is_missing(code) or not code else t(f"basis.{code}")


def yes_no(flag: Any) -> str:
    return t("yes") if (not is_missing(flag) and bool(flag)) else t("no")


def flag_text(flags: Any) -> str:
    """The flags in words: the kind (``implausible``) and its reason in the current language."""
    if flags is None or (not isinstance(flags, (list, tuple)) and is_missing(flags)) or not len(flags):
        return ""
    zh = lang() == "zh"
    out = []
    for flag in flags:
        kind, _, reason = str(flag).partition(": ")
        label = t(f"flag.{kind}")
        if reason and label != f"flag.{kind}":
            out.append(f"{label}{'：' if zh else ': '}{reason if zh else _reason_in_english(kind, reason)}")
        else:
            out.append(str(flag))
    return ("；" if zh else "; ").join(out)


@cache
def _plausible_limits() -> dict[str, float]:
    """Each indicator's Chinese reason for its plausibility limit, to the limit (``etl/rules/indicators.yaml``)."""
    from etl.extract import rules  # the catalogue's rules file: the reasons the build wrote into the flags

    return {r["max_reason"]: r["max"] for r in rules.load("indicators").values() if r.get("max_reason")}


def _reason_in_english(kind: str, reason: str) -> str:
    """``一个区县一年检查的单位数不可能超过10万家 (120000000)`` → ``above 100,000, not plausible … (120000000)``.

    The build stores the rule's Chinese reason; an English page says the limit in words of its own."""
    text, _, value = reason.rpartition(" (")
    limit = _plausible_limits().get(text) if kind == "implausible" else None
    if limit is None:
        return reason
    return t("flag.implausible_above", limit=f"{limit:,.0f}") + (f" ({value}" if value else "")


# --------------------------------------------------------------------------- tables


def words(codes: pd.Series, name: Callable[[Any], str]) -> pd.Series:
    """Codes in words, each distinct code named once (300,000 rows hold a handful of codes)."""
    filled = codes.astype(object).where(codes.notna(), _NONE)
    lookup = {code: name(None if code == _NONE else code) for code in pd.unique(filled)}
    return filled.map(lookup.__getitem__)


_NONE = "\x00none"


def shown_values(values: pd.Series, qualifiers: pd.Series) -> pd.Series:
    """``≥20``, ``≈12.5``, ``—``: the value as the page shows it (no thousands separator), vectorised."""
    value = pd.to_numeric(values, errors="coerce").astype("float64")
    whole = value.notna() & (value == value.round())
    text = value.round(2).astype(str).str.replace(r"\.0$", "", regex=True)
    text = text.where(~whole, value.fillna(0).round().astype("int64").astype(str))
    symbols = words(qualifiers, lambda q: QUALIFIER_SYMBOLS.get(q or "exact", ""))
    return (symbols.astype(str) + text.astype(str)).where(value.notna(), MISSING)


def _long(values: pd.DataFrame, catalogue: pd.DataFrame, base_url: str) -> pd.DataFrame:
    v = tables.with_region(values) if len(values) else values.assign(region=[])
    names = dict(zip(catalogue["indicator"], catalogue[name_col()], strict=True))
    flags = pd.Series("", index=v.index, dtype=object)
    has_flags = v["flags"].map(lambda x: x is not None and not isinstance(x, float) and len(x) > 0).astype(bool)
    flags[has_flags] = [flag_text(x) for x in v.loc[has_flags, "flags"]]
    yes, no = t("yes"), t("no")
    out = pd.DataFrame({
        "province": v["province"], "city": v["city"], "region": v["region"],
        "year": v["year"].astype("Int64"), "doc_type": v["doc_type"].pipe(doc_names),
        "name": words(v["indicator"], lambda i: names.get(i, i)), "unit": words(v["unit"], unit_name),
        "value": pd.to_numeric(v["value"], errors="coerce").astype("float64"),
        "qualifier": words(v["qualifier"], qualifier_name),
        "shown": shown_values(v["value"], v["qualifier"]),
        "basis": words(v["basis"], basis_name),
        "flagged": has_flags.map({True: yes, False: no}), "flags": flags,
        "quote": v["quote"],
        "link": links.source_urls(base_url, v["source_file"], v["indicator"]),
        "corrected": words(v["corrected"], yes_no), "correction_note": v["correction_note"],
        "source_file": v["source_file"], "start_pos": v["start_pos"], "end_pos": v["end_pos"],
        "indicator": v["indicator"], "value_id": v["value_id"],
    })
    return out.rename(columns={c: t(f"col.{c}") for c in out.columns}).reset_index(drop=True)


def _wide(reports: pd.DataFrame, values: pd.DataFrame, ids: list[str], names: dict[str, str],
          base_url: str) -> _Wide:
    base = tables.with_region(reports).sort_values(["province", "city", "region", "year"]).reset_index(drop=True)
    out = base[list(REPORT_COLS)].copy()
    out["year"] = out["year"].astype("Int64")
    out["doc_type"] = out["doc_type"].pipe(doc_names)
    out["link"] = links.source_urls(base_url, base["source_file"])
    position = {rid: i for i, rid in enumerate(base["report_id"])}
    columns = [names.get(i, i) for i in ids]
    # one vectorised scatter for the numbers (a national export has 300,000 values) ...
    v = values[values["report_id"].isin(position.keys()) & values["indicator"].isin(ids) & values["value"].notna()]
    rows = v["report_id"].map(position).to_numpy(dtype=np.int64)
    cols = v["indicator"].map({ind: k for k, ind in enumerate(ids)}).to_numpy(dtype=np.int64)
    grid = np.full((len(out), len(ids)), np.nan)
    grid[rows, cols] = v["value"].to_numpy(dtype="float64")
    numbers = pd.DataFrame(grid, index=out.index, columns=columns)
    # ... and a loop only over the few values that carry a qualifier or a flag
    qualifiers: dict[tuple[int, str], str] = {}
    flags: dict[tuple[int, str], str] = {}
    shown: dict[int, list[str]] = {}
    flagged: dict[int, list[str]] = {}
    has_flag = v["flags"].map(lambda x: x is not None and not isinstance(x, float) and len(x) > 0)
    marked = v.assign(row=rows, col=cols)[(v["qualifier"].fillna("exact") != "exact") | has_flag]
    for row, col, value, qualifier, flag in zip(marked["row"], marked["col"], marked["value"],
                                                marked["qualifier"], marked["flags"], strict=True):
        column = columns[col]
        if (qualifier or "exact") != "exact":
            qualifiers[(row, column)] = str(qualifier)
            shown.setdefault(row, []).append(f"{column.split(' (')[0]} {qualified(value, qualifier, False)}")
        reason = flag_text(flag)
        if reason:
            flags[(row, column)] = reason
            flagged.setdefault(row, []).append(f"{column.split(' (')[0]}：{reason}")
    table = pd.concat([out, numbers], axis=1).rename(columns={c: t(f"col.{c}") for c in (*REPORT_COLS, "link")})
    remarks = pd.DataFrame({
        t("col.qualified_values"): ["；".join(shown.get(i, [])) for i in out.index],
        t("col.flags"): ["；".join(flagged.get(i, [])) for i in out.index],
    })
    return _Wide(table, qualifiers, flags, list(numbers.columns), remarks)


def _notes(src: Source, f: Filters, only_given: bool, n_reports: int, n_values: int,
           base_url: str) -> pd.DataFrame:
    built = queries.overview(src)["built_at"]
    rows = [(t("notes.generated"), datetime.now().strftime("%Y-%m-%d %H:%M")),
            (t("notes.built"), "" if built is None else str(built)[:19]),
            (t("notes.sources"), str(n_reports)), (t("notes.values"), str(n_values)),
            (t("notes.language"), t(f"lang.{lang()}"))]
    rows += filters.describe(f)
    rows += [(t("notes.view"), view_url(base_url, f)),
             (t("notes.columns"), t("notes.only_given") if only_given else t("notes.all_columns")),
             (t("notes.legend"), t("notes.legend_text")), (t("notes.missing"), t("notes.missing_text"))]
    return pd.DataFrame(rows, columns=[t("notes.item"), t("notes.value")])


def base_url(page_url: str | None) -> str:
    """The dashboard's address from a page's URL (``st.context.url``), for links in a file."""
    if not page_url:
        return DEFAULT_BASE
    from urllib.parse import urlsplit

    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    root = path.rsplit("/", 1)[0] if path.count("/") >= 1 and path else ""
    return f"{parts.scheme}://{parts.netloc}{root}"


def view_url(base_url: str, f: Filters) -> str:
    """The Compare page with these filters, as the dashboard writes them in its URL."""
    from urllib.parse import urlencode

    params: dict[str, str] = {"lang": lang()}
    if f.year_min is not None and f.year_max is not None:
        params["years"] = filters.years_text((f.year_min, f.year_max))
    params |= {k: v for k, v in (("province", f.province), ("city", f.city), ("district", f.district)) if v}
    if f.doc_type != "report":
        params["doc"] = f.doc_type
    return f"{base_url.rstrip('/')}/compare?{urlencode(params)}"


# --------------------------------------------------------------------------- files


def file_name(f: Filters, kind: str = "csv", title: str | None = None, day: datetime | None = None) -> str:
    """``统计法治对比_湖南省_2023_20261201.xlsx``: what, which filters, which day."""
    parts = [title or t("export.file_title")]
    parts += [p for p in (f.province, f.city, f.district) if p]
    if f.year_min is not None and f.year_max is not None:
        parts.append(str(f.year_min) if f.year_min == f.year_max else f"{f.year_min}-{f.year_max}")
    if f.doc_type != "report":
        parts.append(t(f"doc_{f.doc_type}") if f.doc_type != ALL_DOCS else t("doc_all"))
    parts.append((day or datetime.now()).strftime("%Y%m%d"))
    safe = "_".join(re.sub(r'[\\/:*?"<>|\s]+', "-", p).strip("-") for p in parts)
    return safe + SUFFIX[kind]


def xlsx_sheets(b: Bundle, max_rows: int = MAX_XLSX_SOURCES) -> list[sheets.Sheet]:
    """Notes first (filters, build time, counts), then the wide table, then the long one."""
    wide = b.wide
    long = b.long
    if len(long) > max_rows:
        long = pd.DataFrame({t("sheet.long"): [t("notes.sources_too_many", n=len(long), cap=max_rows)]})
    return [
        sheets.Sheet(t("sheet.notes"), b.notes, filter_row=False),
        sheets.Sheet(t("sheet.table"), wide.table, numeric=wide.numeric, qualifiers=wide.qualifiers,
                     flags=wide.flags, links=[t("col.link")]),
        sheets.Sheet(t("sheet.long"), long, numeric=[t("col.value")], links=[t("col.link")],
                     qualifiers=_long_marks(b.long, "qualifier") if len(long) == len(b.long) else {},
                     flags=_long_marks(b.long, "flags") if len(long) == len(b.long) else {}),
    ]


def xlsx_bytes_of(b: Bundle) -> bytes:
    """The bundle's workbook."""
    return sheets.xlsx_bytes(xlsx_sheets(b))


def _long_marks(long: pd.DataFrame, kind: str) -> dict[tuple[int, str], str]:
    """Per row of the long table: the qualifier code behind its number, or its flag text."""
    value = t("col.value")
    if kind == "flags":
        return {(i, value): text for i, text in enumerate(long[t("col.flags")]) if text}
    codes = {qualifier_name(c): c for c in ("exact", "approx", "at_least", "at_most")}
    return {(i, value): codes[q] for i, q in enumerate(long[t("col.qualifier")])
            if codes.get(q, "exact") != "exact"}


def parquet_bytes(long: pd.DataFrame) -> bytes:
    """The long table as Parquet: typed columns (the value a float, the year an integer)."""
    buf = io.BytesIO()
    long.to_parquet(buf, index=False)
    return buf.getvalue()


RENDER: dict[str, Callable[[Bundle], bytes]] = {
    "csv": lambda b: sheets.csv_bytes(b.wide.csv),
    "long_csv": lambda b: sheets.csv_bytes(b.long),
    "xlsx": xlsx_bytes_of,
    "parquet": lambda b: parquet_bytes(b.long),
}


def download(src: Source, f: Filters, only_given: bool, language: str, kind: str,
             base_url: str = DEFAULT_BASE) -> bytes:
    """One download's bytes, built when clicked, in ``language`` (the click runs outside the page's run)."""
    with using(language):
        found = bundle(src, f, only_given, base_url)
        return b"" if found is None else RENDER[kind](found)


def csv_file(src: Source, f: Filters, only_given: bool, language: str, base_url: str = DEFAULT_BASE) -> bytes:
    """The wide table as CSV."""
    return download(src, f, only_given, language, "csv", base_url)


def xlsx_file(src: Source, f: Filters, only_given: bool, language: str, base_url: str = DEFAULT_BASE) -> bytes:
    """Notes, the wide table and the long table as XLSX."""
    return download(src, f, only_given, language, "xlsx", base_url)


def sources_csv_file(src: Source, f: Filters, only_given: bool, language: str,
                     base_url: str = DEFAULT_BASE) -> bytes:
    """The long table as CSV (every value with its quote), also for exports too large for a spreadsheet."""
    return download(src, f, only_given, language, "long_csv", base_url)


def parquet_file(src: Source, f: Filters, only_given: bool, language: str, base_url: str = DEFAULT_BASE) -> bytes:
    """The long table as Parquet."""
    return download(src, f, only_given, language, "parquet", base_url)


def table_file(table: pd.DataFrame, f: Filters, kind: str = "csv", *, title: str | None = None,
               numeric: list[str] | None = None, notes: pd.DataFrame | None = None) -> tuple[bytes, str]:
    """Any page table (e.g. a chart's data) as a download: ``(bytes, file name)``.

    ``kind`` is ``"csv"`` or ``"xlsx"``; ``title`` starts the file name (the
    chart's name), which then carries the filters and the date. Numeric
    columns (all numeric dtypes unless ``numeric`` says) get thousands
    separators in the XLSX; ``notes`` (item, value rows) become its first
    sheet, by default the filters. Both are formula-safe. Call it inside
    ``ui.i18n.using(language)`` when building on click.
    """
    name = file_name(f, kind, title)
    if kind == "csv":
        return sheets.csv_bytes(table), name
    if kind != "xlsx":
        raise ValueError(f"unknown kind {kind!r}")
    numbers = numeric if numeric is not None else [str(c) for c in table.columns
                                                   if pd.api.types.is_numeric_dtype(table[c])]
    first = notes if notes is not None else pd.DataFrame(filters.describe(f),
                                                         columns=[t("notes.item"), t("notes.value")])
    book = [sheets.Sheet(t("sheet.notes"), first, filter_row=False),
            sheets.Sheet(t("sheet.table"), table, numeric=numbers)]
    return sheets.xlsx_bytes(book), name


def localise_changes(change: pd.DataFrame, label: str) -> pd.DataFrame:
    """The change-over-previous-year table with headers and document types in the current language;
    ``label`` heads the region column (the level's name)."""
    out = change[["label", "doc_type", "name", "year", "previous_display", "display", "change_display"]]
    # A change from a bound is a bound too (20余 after 15 is ≥+5): the percentage carries the same sign.
    symbol = change["change_q"].map(lambda q: QUALIFIER_SYMBOLS.get(q or "exact", ""))
    pct = change["change_pct"].round(1)
    pct_display = [MISSING if is_missing(p) else f"{s}{'+' if p > 0 else ''}{p:g}%"
                   for s, p in zip(symbol, pct, strict=True)]
    out = out.assign(doc_type=out["doc_type"].pipe(doc_names), year=out["year"].astype("Int64"),
                     change_pct=pct_display)
    return out.rename(columns={
        "label": label, "doc_type": t("col.doc_type"), "name": t("col.name"), "year": t("col.year"),
        "previous_display": t("col.previous"), "display": t("col.value"), "change_display": t("col.change"),
        "change_pct": t("col.change_pct"),
    })
