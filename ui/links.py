"""Links to a value's source that survive a rebuild.

A report's id is the hash of its file's bytes, so a re-saved or re-encoded
file gets a new id and every link holding the old one would point nowhere.
Links therefore address a report by its file name relative to the raw folder
(``reports.source_file``, unique in a warehouse and unchanged by a rebuild)
and a value by its indicator id within that report. The Sources page still
accepts the content hash and ``report_id:indicator`` value ids older links
carry; what it cannot resolve it names in a notice instead of showing another
report.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from ui import filters, queries
from ui.model import Source

SOURCES_PAGE = "pages/sources.py"
REPORT_KEY = "report"
VALUE_KEY = "value"


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def report_row(src: Source, key: str) -> dict[str, str] | None:
    """The report a link names, by file name (stable) or content hash (older links); ``None`` if gone."""
    found = queries.frame(
        src,
        "SELECT report_id, source_file FROM v_reports WHERE source_file = ? OR report_id = ? "
        "ORDER BY source_file = ? DESC LIMIT 1",
        [key, key, key],
    )
    return None if found.empty else {k: str(v) for k, v in found.iloc[0].items()}


def indicator_of(value_id: str | None) -> str | None:
    """The indicator part of a value id (``report_id:indicator``), or the text itself."""
    if not value_id:
        return None
    return value_id.rsplit(":", 1)[-1]


def resolve_value(found: pd.DataFrame, wanted: str | None) -> str | None:
    """The value id in ``found`` (one report's values) that a link's ``value`` names, by indicator or id."""
    if not wanted or found.empty:
        return None
    hit = found[(found["value_id"] == wanted) | (found["indicator"] == indicator_of(wanted))]
    return None if hit.empty else str(hit.iloc[0]["value_id"])


def source_params(src: Source, report_id: str, value_id: str | None = None) -> dict[str, str]:
    """Query parameters of a Sources-page link: the view's filters, the report's file name and the indicator."""
    row = report_row(src, report_id)
    return file_params(filters.url_params(), row["source_file"] if row else report_id, value_id)


def file_params(base: dict[str, str], source_file: str, value_id: str | None = None) -> dict[str, str]:
    """:func:`source_params` for a caller that has the report's file name already (a row of
    ``v_values`` carries it) and the view's ``filters.url_params()``: no query per link."""
    params = {**base, REPORT_KEY: source_file}
    indicator = indicator_of(value_id)
    if indicator:
        params[VALUE_KEY] = indicator
    return params


def source_urls(base: str, source_files: pd.Series, indicators: pd.Series | None = None) -> pd.Series:
    """Absolute links to the Sources page at each row's value (exports carry one in every row), each
    distinct file name quoted once (a national export has 300,000 rows over 28,000 files)."""
    root = f"{base.rstrip('/')}/sources?"
    files = source_files.map({f: urlencode({REPORT_KEY: f}) for f in pd.unique(source_files)})
    if indicators is None:
        return root + files.astype(str)
    inds = indicators.map({i: urlencode({VALUE_KEY: i}) for i in pd.unique(indicators)})
    return root + files.astype(str) + "&" + inds.astype(str)
