"""Write tables as CSV and XLSX that an analyst can open, sum and trust.

Two dangers shape this module. A report's quote is text from outside: a cell
starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run
as a formula by Excel when the file is opened (CSV injection). XLSX cells are
written with XlsxWriter's ``strings_to_formulas``, ``strings_to_urls`` and
``strings_to_numbers`` off, so a string is always a string; CSV cells get the
single-quote prefix OWASP's CSV-injection guidance recommends. And a number
must stay a number: a qualified value (``≈70``) is written as the number 70
with a number format that *shows* ``≈70``, so Excel's SUM adds it; a flagged
value gets a fill and a comment saying why.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xlsxwriter

from ui.fmt import QUALIFIER_SYMBOLS, is_missing

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel stores at most 65,530 hyperlinks per sheet; beyond that links are written as text.
MAX_LINKS = 65_000
FLAG_FILL = "#FFD6D6"
HEADER_FILL = "#EEF2F7"


def neutralise(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``= + - @`` (or tab,
    CR) gets a leading ``'``; numbers and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(column: pd.Series) -> pd.Series:
    """A text column with :func:`neutralise` applied; the same object when no cell needs it
    (a national long table has 300,000 quotes: copy only what changes)."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return column
    risky = column.str.startswith(FORMULA_STARTS, na=False).astype(bool)
    if not risky.any():
        return column
    out = column.copy()
    out[risky] = "'" + column[risky].astype(str)
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV that Excel opens with Chinese intact (``utf-8-sig``) and runs no formula from.

    Written in chunks straight to bytes, not via one string of the whole file.
    """
    safe = pd.DataFrame({neutralise(str(c)): neutralised(table[c]) for c in table.columns}, index=table.index)
    buf = io.BytesIO()
    safe.to_csv(buf, index=False, encoding="utf-8-sig")
    return buf.getvalue()


def number_format(qualifier: str | None, decimals: bool = False) -> str:
    """An Excel number format with thousands separators that shows the qualifier (``"≈"#,##0``)
    while the cell stays a number."""
    symbol = QUALIFIER_SYMBOLS.get(qualifier or "exact", "")
    body = "#,##0.##" if decimals else "#,##0"
    return f'"{symbol}"{body}' if symbol else body


@dataclass
class Sheet:
    """One worksheet: a table plus, per cell, how to show it.

    ``qualifiers`` and ``flags`` are keyed by (row position, column name):
    a qualified number keeps its value and gets a format that shows the
    qualifier; a flagged one gets a fill and a comment with the reason.
    ``links`` names columns of URLs written as hyperlinks (our own URLs,
    never report text). ``numeric`` names columns formatted with thousands
    separators.
    """

    name: str
    table: pd.DataFrame
    numeric: Sequence[str] = ()
    links: Sequence[str] = ()
    qualifiers: Mapping[tuple[int, str], str] = field(default_factory=dict)
    flags: Mapping[tuple[int, str], str] = field(default_factory=dict)
    filter_row: bool = True


def _width(header: str, cells: list[Any]) -> float:
    sample = [header, *(str(v) for v in cells[:200] if v is not None)]
    return min(max(8.0, max(_display_len(v) for v in sample) * 1.1 + 2), 60.0)


def _display_len(text: str) -> int:
    """Characters as wide as they show: a Chinese character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one workbook: frozen header row, autofilter, column widths, number formats.

    Written row by row in constant-memory mode (a national table has
    hundreds of thousands of cells); every string is written as a string.
    """
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {
        "constant_memory": True, "in_memory": True, "nan_inf_to_errors": True,
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "top"})
    formats: dict[tuple[str, bool], Any] = {}

    def fmt(num_format: str, flagged: bool) -> Any:
        key = (num_format, flagged)
        if key not in formats:
            spec: dict[str, Any] = {"num_format": num_format}
            if flagged:
                spec["bg_color"] = FLAG_FILL
            formats[key] = book.add_format(spec)
        return formats[key]

    link_format = book.add_format({"font_color": "blue", "underline": 1})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name[:31])
        frame = sheet.table
        headers = [str(c) for c in frame.columns]
        columns = [[None if is_missing(v) else v for v in frame[c].tolist()] for c in frame.columns]
        numeric = set(sheet.numeric)
        links = set(sheet.links) if len(frame) <= MAX_LINKS else set()
        for i, name in enumerate(headers):
            plain = fmt(number_format(None, decimals=True), False) if name in numeric else None
            ws.set_column(i, i, _width(name, columns[i]), plain)
        ws.write_row(0, 0, headers, header)
        ws.freeze_panes(1, 0)
        if sheet.filter_row and headers:
            ws.autofilter(0, 0, max(len(frame), 1), len(headers) - 1)
        for r, row in enumerate(zip(*columns, strict=True)):
            for c, value in enumerate(row):
                name = headers[c]
                if value is None:
                    continue
                flag = sheet.flags.get((r, name))
                qualifier = sheet.qualifiers.get((r, name))
                if name in links and isinstance(value, str):
                    ws.write_url(r + 1, c, value, link_format, string=value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    decimals = float(value) != int(value) if pd.notna(value) and abs(value) < 1e15 else True
                    if flag or qualifier or name in numeric:
                        ws.write_number(r + 1, c, value, fmt(number_format(qualifier, decimals), bool(flag)))
                    else:
                        ws.write_number(r + 1, c, value)
                else:
                    ws.write_string(r + 1, c, str(value), fmt("@", True) if flag else None)
                if flag:
                    ws.write_comment(r + 1, c, flag)
    book.close()
    return buf.getvalue()
