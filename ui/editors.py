"""Widgets a reviewer corrects with: region picker, metadata, values and shortfalls tables.

Shared by the upload page (a new file's whole extraction) and the review
queue (one item). The widgets only collect decisions; turning them into
corrections is :mod:`ui.review` (plain functions, tested without a browser)
and writing them is :mod:`ui.upload` / :mod:`ui.review`, which check the
sign-in themselves.

Report text and quotes are shown through :mod:`ui.highlight` (escaped) or in
dataframes (never HTML), so markup in a report stays text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from etl.warehouse.corrections import DOC_TYPES, QUALIFIERS
from ui import highlight, places, review
from ui.fmt import QUALIFIER_SYMBOLS, qualified
from ui.i18n import t
from ui.upload import Candidate, Rejection

UNKNOWN = places.UNKNOWN


def fixed(labels: Mapping[Any, str]) -> Any:
    """A format_func over this run's labels: Streamlit (and AppTest) may call it again outside
    the script run, where the language cannot be looked up."""
    frozen = dict(labels)
    return lambda value: frozen.get(value, str(value))


def _select(label: str, options: Mapping[str, str], default: str, key: str) -> str:
    """A selectbox over ``options`` (code → label) that survives its options changing.

    When a higher level of the cascade changes, the lower level's stored
    choice may no longer be offered; it is dropped so the widget falls back
    to ``default`` instead of raising.
    """
    codes = list(options)
    if key in st.session_state and st.session_state[key] not in codes:
        del st.session_state[key]
    index = codes.index(default) if default in codes else 0
    return str(st.selectbox(label, codes, index=index, format_func=fixed(options), key=key))


def region_picker(key: str, adcode: str | None) -> dict[str, str]:
    """Cascading province → city → district choice, starting from ``adcode``; returns the stored region."""
    p0, c0, d0 = places.selection_of(adcode)
    unknown = {UNKNOWN: t("unknown")}
    cols = st.columns(3)
    with cols[0]:
        province = _select(t("province"), {**unknown, **places.provinces()}, p0, f"{key}__province")
    city_options = dict(unknown)
    if province != UNKNOWN:
        for code, name in places.cities(province).items():
            city_options[code] = t("upload.orphans") if name == UNKNOWN else name
    with cols[1]:
        city = _select(t("city"), city_options, c0 if province == p0 else UNKNOWN, f"{key}__city")
    district_options = {**unknown, **(places.districts(city) if city != UNKNOWN else {})}
    with cols[2]:
        district = _select(t("district"), district_options, d0 if city == c0 else UNKNOWN, f"{key}__district")
    return places.region_of(province, city, district)


def metadata_inputs(key: str, current: Mapping[str, Any]) -> dict[str, Any]:
    """Region, year and document type, prefilled from ``current``; returns the choice."""
    chosen: dict[str, Any] = dict(region_picker(key, current.get("adcode")))
    left, right = st.columns(2)
    year = current.get("year")
    year = None if year is None or pd.isna(year) else int(year)
    chosen["year"] = left.number_input(
        t("upload.year"), min_value=1949, max_value=2100, value=year, step=1, placeholder=t("unknown"),
        key=f"{key}__year",
    )
    doc_type = current.get("doc_type")
    types = list(DOC_TYPES)
    chosen["doc_type"] = right.selectbox(
        t("doc_type"), types, index=types.index(doc_type) if doc_type in types else 0,
        format_func=fixed({d: t(f"doc_{d}") for d in types}), key=f"{key}__doc_type",
    )
    return chosen


def _qualifier_label(q: str) -> str:
    symbol = QUALIFIER_SYMBOLS.get(q, "")
    return f"{symbol} {q}".strip()


def values_table(values: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> pd.DataFrame:
    """The values as the editor shows them (one row per value, text order)."""
    rows = sorted(values, key=lambda v: (v.get("start_pos") or 0, v.get("indicator")))
    return pd.DataFrame(
        {
            "indicator": [v["indicator"] for v in rows],
            "name": [names.get(v["indicator"], v["indicator"]) for v in rows],
            "value": [v.get("value") for v in rows],
            "qualifier": [v.get("qualifier") or "exact" for v in rows],
            "reject": [False] * len(rows),
            "reason": [""] * len(rows),
            "quote": [v.get("quote") for v in rows],
            "confidence": [v.get("confidence") for v in rows],
            "flags": ["; ".join(v.get("flags") or []) for v in rows],
        },
        columns=["indicator", "name", "value", "qualifier", "reject", "reason", "quote", "confidence", "flags"],
    )


def values_editor(key: str, table: pd.DataFrame) -> pd.DataFrame:
    """Accept (leave), edit (change value or qualifier) or reject (tick) each value; returns the edited table."""
    return st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="fixed",
        column_order=["name", "value", "qualifier", "reject", "reason", "quote", "confidence", "flags"],
        disabled=["indicator", "name", "quote", "confidence", "flags"],
        column_config={
            "name": st.column_config.TextColumn(t("col.name")),
            "value": st.column_config.NumberColumn(t("col.value"), min_value=0, format="%g"),
            "qualifier": st.column_config.SelectboxColumn(
                t("col.qualifier"), options=list(QUALIFIERS), format_func=_qualifier_label, required=True
            ),
            "reject": st.column_config.CheckboxColumn(t("review.col.reject")),
            "reason": st.column_config.TextColumn(t("review.col.reason"), max_chars=200),
            "quote": st.column_config.TextColumn(t("col.quote"), width="large"),
            "confidence": st.column_config.NumberColumn(t("review.col.confidence"), format="%.2f"),
            "flags": st.column_config.TextColumn(t("col.flags")),
        },
    )


def shortfalls_table(shortfalls: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The shortfall statements as the editor shows them."""
    return pd.DataFrame(
        {
            "seq": [int(s["seq"]) for s in shortfalls],
            "theme": [s["theme"] for s in shortfalls],
            "reject": [False] * len(shortfalls),
            "reason": [""] * len(shortfalls),
            "text": [s["text"] for s in shortfalls],
        },
        columns=["seq", "theme", "reject", "reason", "text"],
    )


def shortfalls_editor(key: str, table: pd.DataFrame, themes: Mapping[str, str]) -> pd.DataFrame:
    """Re-theme or reject each shortfall statement; returns the edited table."""
    return st.data_editor(
        table,
        key=key,
        hide_index=True,
        num_rows="fixed",
        column_order=["theme", "reject", "reason", "text"],
        disabled=["seq", "text"],
        column_config={
            "theme": st.column_config.SelectboxColumn(
                t("col.theme"), options=list(themes), format_func=lambda th: themes.get(th, th), required=True
            ),
            "reject": st.column_config.CheckboxColumn(t("review.col.reject")),
            "reason": st.column_config.TextColumn(t("review.col.reason"), max_chars=200),
            "text": st.column_config.TextColumn(t("col.statement"), width="large"),
        },
    )


def marked_text(text: str, values: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> None:
    """The report text with each value marked at its offsets (escaped by :mod:`ui.highlight`)."""
    spans = [
        highlight.Span(int(v["start_pos"]), int(v["end_pos"]), str(v["value_id"]),
                       f"{names.get(v['indicator'], v['indicator'])}: {qualified(v.get('value'), v.get('qualifier'))}")
        for v in values
        if v.get("start_pos") is not None and v.get("end_pos") is not None
    ]
    st.html(highlight.page_html(text, spans))


def rejection_message(rej: Rejection, limit_mb: float) -> str:
    """A rejected upload in words: what is wrong and what to do, plus the reader's own reason."""
    fmt: dict[str, Any] = {"limit": f"{limit_mb:g}"}
    if rej.duplicate_of is not None:
        d = rej.duplicate_of
        place = " ".join(str(d[k]) for k in ("province", "city", "district") if d.get(k) and d.get(k) != UNKNOWN)
        year = d.get("year")
        year_text = "" if year is None or pd.isna(year) else f" {int(year)}"
        fmt["report"] = f"{place}{year_text} · {d.get('source_file')}".strip(" ·")
    message = t(f"upload.err.{rej.code}", **fmt)
    if rej.detail and rej.code not in ("duplicate", "duplicate_batch"):
        message += t("upload.detail", detail=rej.detail)
    return message


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]()<>#+-.!|~$:"})


def md_escape(text: str) -> str:
    """Text from a file or its name, safe inside Streamlit Markdown (no links, emphasis or HTML)."""
    return str(text).translate(_MARKDOWN_SPECIAL)


INTENTS = "_editor_intents"


def _intend(key: str) -> None:
    st.session_state.setdefault(INTENTS, set()).add(key)


def take_intents() -> set[str]:
    """The buttons clicked for this run; call once at the top of a page, right after ``require_entry``.

    A button's own return value is lost when the page runs twice for one
    click (a deep-linked page re-enters through ``dashboard.py``), so each
    action button records its click in a callback, which runs before any
    script pass. Taking the set clears it, so a click acts once and a click
    on a button that is not drawn again is forgotten rather than fired later.
    """
    return st.session_state.pop(INTENTS, set())


def action_button(label: str, key: str, intents: set[str], **kwargs: Any) -> bool:
    """``st.button`` whose click is read from ``intents`` (see :func:`take_intents`)."""
    st.button(label, key=key, on_click=_intend, args=(key,), **kwargs)
    return key in intents


def edited_table(table: pd.DataFrame, state: Any) -> pd.DataFrame:
    """``table`` with a data editor's edit state (``edited_rows``: row position → column → value) applied.

    Lets a button callback, which runs before the page draws the editor, see
    the same edited table the editor would return.
    """
    out = table.copy()
    rows = state.get("edited_rows", {}) if isinstance(state, Mapping) else {}
    for row, changes in rows.items():
        i = int(row)
        if not 0 <= i < len(out) or not isinstance(changes, Mapping):
            continue
        for column, value in changes.items():
            if column in out.columns:
                out[column] = out[column].astype(object)
                out.at[out.index[i], column] = value
    return out


def chosen_metadata(key: str, current: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`metadata_inputs` under ``key`` holds now, read from session state.

    Falls back to ``current`` for widgets not drawn yet, and to ``unknown``
    for a lower region level that no longer fits the level above it.
    """
    state = st.session_state
    p0, c0, d0 = places.selection_of(current.get("adcode"))
    province = state.get(f"{key}__province", p0)
    city = state.get(f"{key}__city", c0 if province == p0 else UNKNOWN)
    if city not in places.cities(province):
        city = UNKNOWN
    district = state.get(f"{key}__district", d0 if city == c0 else UNKNOWN)
    if district not in places.districts(city):
        district = UNKNOWN
    chosen: dict[str, Any] = dict(places.region_of(province, city, district))
    chosen["year"] = state.get(f"{key}__year", current.get("year"))
    chosen["doc_type"] = state.get(f"{key}__doc_type", current.get("doc_type"))
    return chosen


class Decisions:
    """A reviewer's decisions on one report: the corrections and what still lacks a reason."""

    def __init__(self) -> None:
        self.pending: list[review.PendingCorrection] = []
        self.missing: list[str] = []

    def add(self, pending: list[review.PendingCorrection], missing: Sequence[Any]) -> None:
        self.pending.extend(pending)
        self.missing.extend(str(m) for m in missing)


def candidate_metadata(c: Candidate) -> dict[str, Any]:
    """The region, year and type the extractor found in an upload."""
    return {k: c.report.get(k) for k in ("province", "city", "district", "adcode", "year", "doc_type")}


def candidate_decisions(c: Candidate, key: str) -> Decisions:
    """The reviewer's decisions on an upload, read from the session state of its widgets under ``key``.

    Reading state (not widget return values) gives the page and the save
    button's callback the same answer.
    """
    state = st.session_state
    decisions = Decisions()
    extracted = candidate_metadata(c)
    decisions.add(*review.metadata_decisions(
        extracted, chosen_metadata(f"{key}__meta", extracted), str(state.get(f"{key}__meta_reason") or "")))
    default = str(state.get(f"{key}__reason") or "")
    if c.values:
        table = values_table(c.values, {})
        decisions.add(*review.value_decisions(table, edited_table(table, state.get(f"{key}__values")), default))
    if c.shortfalls:
        s_table = shortfalls_table(c.shortfalls)
        decisions.add(*review.shortfall_decisions(
            s_table, edited_table(s_table, state.get(f"{key}__shortfalls")), default))
    return decisions
