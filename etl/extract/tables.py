"""Numbers in tables, as a docx or html reader flattens them (cells split by tabs).

A table's numbers carry no unit word and no keyword beside them: both stand in
the header row (``检查企业（家）``, ``场次``, ``覆盖人次（万人次）``) or in the row's
first cell (``检查企业（家）<tab>52<tab>47`` under ``指标<tab>2023年<tab>2022年``).
This module only reads the layout: which cell holds a number, which labels
describe it, its unit, and whether its row is a total (合计) or a part (一季度).
Which indicator a cell counts for is decided like any other number, in
``etl.extract.mentions``.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from etl.extract import rules
from etl.extract.numbers import ARABIC, parse_number

Span = tuple[int, int]
NUMBER = re.compile(rf"^(?:{ARABIC})$")
YEAR_COLUMN = re.compile(r"((?:19|20)\d{2})年")
UNIT_IN_LABEL = re.compile(r"[(](万)?([^()]{1,4})[)]$")
TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|共计|全年|总数)")


@dataclass
class Cell:
    start: int
    end: int
    value: float
    unit: str
    labels: list[Span]  # header cell, row label and corner cell that describe the number
    row: Span
    total: bool
    part: bool


def _cells(line: str, offset: int) -> list[tuple[str, Span]]:
    out, pos = [], offset
    for cell in line.split("\t"):
        out.append((cell.strip(), (pos, pos + len(cell))))
        pos += len(cell) + 1
    return out


def _unit(label: str, known: set[str]) -> tuple[str, float] | None:
    """Unit (and multiplier) a label gives its numbers: 检查企业（家）, 场次, 覆盖人次（万人次）."""
    m = UNIT_IN_LABEL.search(label)
    if m and m.group(2) in known:
        return m.group(2), 10_000.0 if m.group(1) else 1.0
    for noun, unit in sorted(rules.load("mentions")["inverted_units"].items(), key=lambda x: -len(x[0])):
        if label.endswith(noun):
            return unit, 1.0
    return None


def _blocks(text: str) -> list[list[tuple[str, int]]]:
    """Runs of consecutive lines that contain a tab, with each line's offset."""
    blocks: list[list[tuple[str, int]]] = []
    pos = 0
    current: list[tuple[str, int]] = []
    for line in text.split("\n"):
        if "\t" in line:
            current.append((line, pos))
        elif current:
            blocks.append(current)
            current = []
        pos += len(line) + 1
    if current:
        blocks.append(current)
    return [b for b in blocks if len(b) >= 2]


def read_tables(text: str, known_units: AbstractSet[str]) -> tuple[list[Cell], list[Span]]:
    """Number cells of every table with a header row, and the spans the tables cover."""
    cells: list[Cell] = []
    spans: list[Span] = []
    if "\t" not in text:
        return cells, spans  # no line with a tab, so no block: one C scan instead of a walk over the lines
    part_words = rules.load("mentions")["part_markers"]
    for block in _blocks(text):
        header = _cells(*block[0])
        if any(NUMBER.match(c) for c, _ in header):
            continue  # no header row: rows are label<tab>value pairs, read as text
        years = [int(m.group(1)) if (m := YEAR_COLUMN.search(c)) else None for c, _ in header]
        year_cols = [j for j, y in enumerate(years) if y is not None]
        # 指标 | 2023年 | 2022年: one column per year, the latest is the year reported on.
        keep = {max(year_cols, key=lambda j: years[j])} if year_cols else None
        for line, offset in block[1:]:
            row = _cells(line, offset)
            row_label, row_span = row[0]
            for j, (cell, span) in enumerate(row):
                if j >= len(header) or (keep is not None and j not in keep) or not NUMBER.match(cell):
                    continue
                unit = _unit(header[j][0], known_units) or _unit(row_label, known_units)
                value = parse_number(cell)
                if unit is None or value is None:
                    continue
                # Header cell, row label, and the corner cell that names what the rows are (培训对象).
                if j > 0 and not NUMBER.match(row_label):
                    labels = [header[j][1], row_span, header[0][1]]
                else:  # a row of numbers only: each column's header is all there is
                    labels = [header[j][1]]
                cells.append(
                    Cell(
                        span[0],
                        span[1],
                        value * unit[1],
                        unit[0],
                        labels,
                        (offset, offset + len(line)),
                        bool(TOTAL_ROW.match(row_label) or TOTAL_ROW.match(header[j][0])),
                        any(row_label.startswith(w) for w in part_words),
                    )
                )
        spans.append((block[0][1], block[-1][1] + len(block[-1][0])))
    return cells, spans
