"""The sidebar filters, shared by every page and kept in the URL.

Each widget is bound to a query parameter (``bind="query-params"``; the key is
the parameter name), so a copied link reproduces the view, and because the
widgets are drawn by ``dashboard.py`` on every page they survive page switches.
Region choices cascade: a province narrows the cities, a city the districts.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui import queries
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANG_NAMES, LANGS, set_lang, t
from ui.model import ALL_DOCS, Filters, Source

YEARS_KEY = "years"
PROVINCE_KEY = "province"
CITY_KEY = "city"
DISTRICT_KEY = "district"
DOC_KEY = "doc"
DOC_TYPES = ("report", "plan", ALL_DOCS)
#: Every URL parameter the sidebar owns (links to other pages carry them along).
KEYS = (LANG_KEY, YEARS_KEY, PROVINCE_KEY, CITY_KEY, DISTRICT_KEY, DOC_KEY)
BIND = "query-params"


def _place(name: Any) -> str:
    return t("unknown") if name == "unknown" else str(name)


def _fixed(labels: dict[Any, str]) -> Any:
    """A format_func bound to this run's labels: Streamlit may call it again later,
    after the language changed, and must get the labels the options were drawn with."""
    return lambda value: labels.get(value, str(value))


def _choices(options: pd.DataFrame, column: str, **narrow: str | None) -> list[str]:
    rows = options
    for col, value in narrow.items():
        if value is not None:
            rows = rows[rows[col] == value]
    return sorted({str(v) for v in rows[column].dropna()})


def language_switch() -> str:
    """Draw the 中文/English switch first, so every label after it uses the choice."""
    chosen = st.sidebar.segmented_control(
        "语言 / Language",
        [LANG_NAMES[code] for code in LANGS],
        default=LANG_NAMES[DEFAULT_LANG],
        required=True,
        key=LANG_KEY,
        bind=BIND,
    )
    return set_lang(chosen)


def years_available(options: pd.DataFrame) -> list[int]:
    """Known years, ascending (reports of unknown year are not filterable by year)."""
    return sorted({int(y) for y in options["year"].dropna()})


def reset() -> None:
    """Back to "everything": the empty state offers this."""
    for key in (YEARS_KEY, PROVINCE_KEY, CITY_KEY, DISTRICT_KEY, DOC_KEY):
        st.session_state.pop(key, None)


def sidebar(src: Source) -> Filters:
    """Draw the filters and return the choice. The language switch must already be drawn."""
    options = queries.places(src)  # distinct places only: the sidebar runs on every page view
    bar = st.sidebar
    bar.header(t("filters"))
    years = queries.years(src)
    year_min = year_max = None
    if len(years) > 1:
        chosen = bar.select_slider(
            t("year_range"), options=years, value=(years[0], years[-1]), key=YEARS_KEY, bind=BIND
        )
        year_min, year_max = int(chosen[0]), int(chosen[1])
    elif years:
        bar.caption(t("only_year", year=years[0]))

    place = _fixed({"unknown": t("unknown")})
    province = bar.selectbox(
        t("province"), _choices(options, "province"), index=None, placeholder=t("all"),
        format_func=place, key=PROVINCE_KEY, bind=BIND,
    )
    city = bar.selectbox(
        t("city"), _choices(options, "city", province=province), index=None, placeholder=t("all"),
        format_func=place, key=CITY_KEY, bind=BIND,
    )
    district = bar.selectbox(
        t("district"), _choices(options, "district", province=province, city=city), index=None,
        placeholder=t("all"), format_func=place, key=DISTRICT_KEY, bind=BIND,
    )
    doc_type = bar.selectbox(
        t("doc_type"), DOC_TYPES, index=0, format_func=_fixed({d: t(f"doc_{d}") for d in DOC_TYPES}),
        key=DOC_KEY, bind=BIND,
    )
    bar.button(t("reset_filters"), on_click=reset, key="reset_filters_sidebar")
    chosen_filters = Filters(year_min, year_max, province, city, district, doc_type or "report")
    st.session_state["_filters"] = chosen_filters
    return chosen_filters


def current() -> Filters:
    """The filters the sidebar drew on this run (defaults if it has not run)."""
    return st.session_state.get("_filters") or Filters()


def describe(f: Filters) -> list[tuple[str, str]]:
    """The filters in words, for captions and the export's notes sheet."""
    def _or_all(value: Any) -> str:
        return t("all") if value is None else _place(value)

    years = t("all") if f.year_min is None and f.year_max is None else f"{f.year_min or ''}–{f.year_max or ''}"
    return [
        (t("year_range"), years),
        (t("province"), _or_all(f.province)),
        (t("city"), _or_all(f.city)),
        (t("district"), _or_all(f.district)),
        (t("doc_type"), t(f"doc_{f.doc_type}")),
    ]


def url_params() -> dict[str, Any]:
    """The current filter parameters, to carry along in links to other pages."""
    params: dict[str, Any] = {}
    for key in KEYS:
        if key in st.query_params:
            values = st.query_params.get_all(key)
            params[key] = values if len(values) > 1 else values[0]
    return params
