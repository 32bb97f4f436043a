"""At which level the pages add up: province, city or district.

A chart of 2,850 districts is neither readable nor fast, so the indicator
pages sum the filtered reports by the finest level that still fits at a
glance: the whole country by province, a province by city, a city by
district. The analyst can pick any level that fits; narrowing the sidebar
filters is how to reach finer ones. At district level one group is one
bureau, so the seed-sized warehouse reads exactly as one bar per report.

Kept free of Streamlit so the rules are unit-testable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ui.model import ALL_DOCS, Filters

LEVELS = ("province", "city", "district")
#: Most groups a chart draws side by side before a coarser level is chosen.
MAX_GROUPS = 40
#: Most lines a trend chart draws; with more groups it draws their total.
MAX_LINES = 8
#: Most bars (groups × years) a bar chart draws; with more it shows the latest year.
MAX_BARS = 60


def columns(level: str) -> list[str]:
    """The region columns that identify a group: a city is only unique within its province."""
    return list(LEVELS[: LEVELS.index(level) + 1])


def narrowed_options(options: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The rows of ``region_options`` that the sidebar filters keep."""
    rows = options[options["year"].notna()]
    for column in LEVELS:
        value = getattr(f, column)
        if value is not None:
            rows = rows[rows[column] == value]
    if f.year_min is not None:
        rows = rows[rows["year"] >= f.year_min]
    if f.year_max is not None:
        rows = rows[rows["year"] <= f.year_max]
    if f.doc_type != ALL_DOCS:
        rows = rows[rows["doc_type"] == f.doc_type]
    return rows


def group_counts(options: pd.DataFrame, f: Filters) -> dict[str, int]:
    """How many groups each level would draw under the filters."""
    rows = narrowed_options(options, f)
    return {level: int(len(rows[columns(level)].drop_duplicates())) for level in LEVELS}


def choices(options: pd.DataFrame, f: Filters, max_groups: int = MAX_GROUPS) -> list[str]:
    """Levels that fit on a chart, coarse to fine; the coarsest is always offered."""
    return fitting(group_counts(options, f), max_groups)


def fitting(counts: dict[str, int], max_groups: int = MAX_GROUPS) -> list[str]:
    """:func:`choices` from the group counts (``queries.level_counts`` counts them in SQL)."""
    fit = [level for level in LEVELS if counts[level] <= max_groups]
    return fit or [LEVELS[0]]


def default(options: pd.DataFrame, f: Filters, max_groups: int = MAX_GROUPS) -> str:
    """The finest level that fits: the most detail a reader can take in at once."""
    return choices(options, f, max_groups)[-1]


def labels(groups: pd.DataFrame, level: str) -> pd.Series:
    """A readable name per group: its own name, with the parent's where two groups share it."""
    cols = columns(level)
    own = groups[cols[-1]].astype(str)
    if len(cols) == 1:
        return own
    key = groups[cols[0]].astype(str)
    for column in cols[1:]:  # vectorised: a row-wise join costs a second on 6,000 rows
        key = key + "/" + groups[column].astype(str)
    clash = key.groupby(own).transform("nunique") > 1
    parent = groups[cols[-2]].astype(str)
    return own.where(~clash, parent + "·" + own)


def click_key(level: str, row: dict[str, Any], indicators: Sequence[str]) -> str:
    """What a clicked point stands for, carried in Plotly's ``customdata``.

    A single value is found by its id; a sum by the filters that select its
    reports (its region, year and document type) and its indicators.
    """
    if row.get("value_id") and isinstance(row["value_id"], str):
        return json.dumps({"value_id": row["value_id"]}, ensure_ascii=False)
    scope: dict[str, Any] = {c: row.get(c) for c in (columns(level) if level != "all" else [])}
    if row.get("year") is not None and not pd.isna(row.get("year")):
        scope["year"] = int(row["year"])
    if isinstance(row.get("doc_type"), str):
        scope["doc_type"] = row["doc_type"]
    scope["indicators"] = list(indicators)
    return json.dumps(scope, ensure_ascii=False)


#: ``json.dumps(..., ensure_ascii=False)`` without making an encoder per call (a district chart
#: has a value id per point: 1,800 keys, a third of shaping its sums).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def click_keys(frame: pd.DataFrame, level: str) -> list[str]:
    """:func:`click_key` for every row of ``frame`` (its own ``indicator`` each), the same strings.

    A national chart has thousands of points; a dict and a ``json.dumps`` per
    row was a sixth of a page's CPU. Rows share their scope (region, year,
    document type) across indicators, so each distinct scope and indicator is
    encoded once and the keys are joined from the pieces.
    """
    cols = columns(level) if level != "all" else []
    n = len(frame)

    def column(name: str) -> list[Any]:
        return frame[name].tolist() if name in frame.columns else [None] * n

    regions = list(zip(*(column(c) for c in cols), strict=True)) if cols else [()] * n
    scopes: dict[tuple, str] = {}
    tails: dict[Any, str] = {}
    keys = []
    for value_id, region, year, doc, indicator in zip(
        column("value_id"), regions, column("year"), column("doc_type"), column("indicator"), strict=True
    ):
        if value_id and isinstance(value_id, str):  # what json.dumps({"value_id": ...}) writes
            keys.append('{"value_id": ' + _ENCODE(value_id) + "}")
            continue
        year_key = int(year) if year is not None and not pd.isna(year) else None
        doc_key = doc if isinstance(doc, str) else None
        head = scopes.get((region, year_key, doc_key))
        if head is None:
            scope: dict[str, Any] = dict(zip(cols, region, strict=True))
            if year_key is not None:
                scope["year"] = year_key
            if doc_key is not None:
                scope["doc_type"] = doc_key
            head = json.dumps(scope, ensure_ascii=False)[:-1] + (", " if scope else "") + '"indicators": '
            scopes[(region, year_key, doc_key)] = head
        tail = tails.get(indicator)
        if tail is None:
            tail = tails[indicator] = json.dumps([indicator], ensure_ascii=False) + "}"
        keys.append(head + tail)
    return keys


def scope_filters(key: str, f: Filters) -> tuple[Filters, tuple[str, ...]] | str:
    """The filters and indicators a click key selects, or the value id of a single value.

    The sidebar filters stay in force: a clicked group only narrows them.
    """
    scope = json.loads(key)
    if "value_id" in scope:
        return str(scope["value_id"])
    year = scope.get("year")
    narrowed = Filters(
        year_min=year if year is not None else f.year_min,
        year_max=year if year is not None else f.year_max,
        province=scope.get("province", f.province),
        city=scope.get("city", f.city),
        district=scope.get("district", f.district),
        doc_type=scope.get("doc_type", f.doc_type),
    )
    return narrowed, tuple(scope.get("indicators") or ())
