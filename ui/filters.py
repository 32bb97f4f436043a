"""The sidebar filters and every page's view state, kept in the URL exactly once.

Why not ``bind="query-params"``: a bound widget writes its *displayed* label
(``doc=工作计划``, ``lang=English``), so a link breaks when opened in the other
language; a range slider writes its key once per value, and links that carried
those keys along repeated them (``years=2023`` four times), which the next
browser then dropped as invalid, silently. Here the URL holds language-neutral
codes, one parameter per key (``?lang=en&years=2019-2023&doc=plan``), written
by one helper, :func:`url_state`, that every page uses for its own choices too.

How a value is chosen on each run (:func:`url_state`):

1. a URL value we did not write ourselves (a fresh browser, a pasted or
   followed link) wins, if it is valid; an invalid one is dropped with a
   visible notice saying what was dropped, never replaced silently;
2. else the widget's own state (the reader just changed it);
3. else the last value this session chose (Streamlit forgets a widget's state
   while its page is not shown; the URL loses page keys on a page switch);
4. else the default.

The chosen value is then written back to the URL (removed when it equals the
default, so links stay short) and seeded into the widget's key, which is why
widgets drawn after :func:`url_state` take neither ``index`` nor ``default``.

Page keys, for the chart pages (indicator, level, tab, selected region)::

    key = filters.url_state("ind", ids, ids[0], page="inspections",
                            what=t("choose_indicator"))
    chosen = st.selectbox(t("choose_indicator"), ids, key=key, format_func=...)

The URL parameter is the short name (``ind``); the widget key is page-scoped
(``inspections__ind``) so each page keeps its own choice.

A chart's tab (chart / table / map) goes through :func:`url_tabs`, which keeps
the code (``bars_tab=table``) in the URL and the shown label in the tabs' own
state, since ``st.tabs`` holds the label, which changes with the language.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ui import queries
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANG_NAMES, LANGS, set_lang, t, using
from ui.model import ALL_DOCS, Filters, Source

YEARS_KEY = "years"
PROVINCE_KEY = "province"
CITY_KEY = "city"
DISTRICT_KEY = "district"
DOC_KEY = "doc"
DOC_TYPES = ("report", "plan", ALL_DOCS)
#: Every URL parameter the sidebar owns (links to other pages carry them along).
KEYS = (LANG_KEY, YEARS_KEY, PROVINCE_KEY, CITY_KEY, DISTRICT_KEY, DOC_KEY)
FILTER_KEYS = KEYS[1:]

_WRITTEN = "_url_written"  # URL parameter -> the text this session last wrote for it
_LAST = "_url_last"  # widget key -> last chosen value (outlives the widget's own state)
_PAGE_PARAMS = "_url_page_params"  # URL parameters owned by pages (cleared on each run, re-added by the page)
_NOTICES = "_url_notices"  # what a link asked for that was dropped, shown until dismissed


def session_key(name: str, page: str = "") -> str:
    """The widget key for URL parameter ``name``: page-scoped so pages keep separate choices."""
    return f"{page}__{name}" if page else name


def _url_text(name: str) -> str | None:
    values = st.query_params.get_all(name)
    return str(values[0]) if values else None


def _notice(text: str) -> None:
    """Say what was dropped, now and on later runs until dismissed."""
    st.warning(text, icon="⚠️")
    notices: list[str] = st.session_state.setdefault(_NOTICES, [])
    if text not in notices:
        notices.append(text)


def drop_notice(name: str, text: str, what: str | None = None) -> None:
    """A link's ``name=text`` could not be used: tell the reader (pages call this for their own checks)."""
    _notice(t("url.dropped", what=what or name, value=text))


#: "No value yet" (``None`` is a value: "every region").
_MISSING: Any = object()


def url_state(name: str, options: Sequence[Hashable], default: Any, *, page: str = "",
              encode: Callable[[Any], str] = str, decode: Callable[[str], Any] | None = None,
              what: str | None = None) -> str:
    """Pick the value of URL parameter ``name`` (see the module docstring) and return the widget key.

    ``options`` are the valid values; ``encode`` turns one into its URL text
    (a language-neutral code; ``None`` and the default are left out of the
    URL); ``decode`` parses URL text for values not listed by ``encode``
    (ranges, legacy links), returning ``None`` when invalid. ``what`` names
    the parameter in the notice when a link's value is dropped.
    """
    state = st.session_state
    key = session_key(name, page)
    written: dict[str, str | None] = state.setdefault(_WRITTEN, {})
    last: dict[str, Any] = state.setdefault(_LAST, {})
    if page:
        state.setdefault(_PAGE_PARAMS, set()).add(name)
    valid = list(options)
    codes = {encode(v): v for v in valid if v is not None}
    text = _url_text(name)
    value: Any = _MISSING
    if text is not None and text != written.get(name):
        value = codes.get(text, _MISSING)
        if value is _MISSING and decode is not None:
            parsed = decode(text)
            value = parsed if parsed is not None and parsed in valid else _MISSING
        if value is _MISSING:
            drop_notice(name, text, what)
    if value is _MISSING:
        for candidate in (state.get(key, _MISSING), last.get(key, _MISSING), default):
            if candidate is not _MISSING and candidate in valid:
                value = candidate
                break
        else:
            value = default
    # Always seeded: a widget may get a new id on a page switch and would start from its default.
    state[key] = value
    last[key] = value
    _write(name, None if value is None or value == default else encode(value))
    return key


#: The tabs a chart can have, by language-neutral code (the URL holds the code, the tab shows the label).
TAB_CODES = ("chart", "table", "map")


def tab_name(chart_key: str) -> tuple[str, str]:
    """``(page, URL parameter)`` for the tabs of the chart keyed ``page__name``: ``name_tab``, unique
    on a page with several charts because chart keys are."""
    page, _, name = chart_key.rpartition("__")
    return page, f"{name}_tab"


def _tab_code(label: str, codes: Sequence[str]) -> str | None:
    """The code of a tab label shown in either language (the state holds the label last drawn)."""
    for language in LANGS:
        with using(language):
            for code in codes:
                if label == t(f"rk.tab.{code}"):
                    return code
    return None


def url_tabs(name: str, codes: Sequence[str], *, page: str = "") -> Sequence[Any]:
    """``st.tabs`` for ``codes`` (of :data:`TAB_CODES`) whose active tab is URL parameter ``name``.

    The first tab is the default and is left out of the URL. The tabs rerun the
    script when switched, so the URL follows the click; every tab's content
    still runs (callers draw all of them), as before.
    """
    state = st.session_state
    key = session_key(name, page)
    shown = f"{key}__shown"
    clicked = state.get(shown)
    if isinstance(clicked, str) and (code := _tab_code(clicked, codes)) is not None:
        state[key] = code  # the reader's click (or the tab kept across a language switch)
    key = url_state(name, codes, codes[0], page=page, what=f"{t('url.tab')} ({name})")  # which chart's tab
    labels = {code: t(f"rk.tab.{code}") for code in codes}
    state[shown] = labels[state[key]]
    return st.tabs(list(labels.values()), key=shown, on_change="rerun")


def from_link(name: str) -> str | None:
    """The URL's ``name`` when it came from outside this session's own writes (a link), else ``None``."""
    text = _url_text(name)
    return text if text is not None and text != st.session_state.get(_WRITTEN, {}).get(name) else None


def forget(name: str) -> None:
    """Treat the URL's ``name`` as coming from a link on this run (a link that changed a page's main
    choice also chose what depends on it)."""
    st.session_state.setdefault(_WRITTEN, {}).pop(name, None)


def set_state(name: str, value: Any, default: Any, *, page: str = "",
              encode: Callable[[Any], str] = str) -> None:
    """Record a choice made by something other than the parameter's own widget (a clicked table row,
    a chart point) after :func:`url_state` ran: state, and URL."""
    key = session_key(name, page)
    st.session_state[key] = value
    st.session_state.setdefault(_LAST, {})[key] = value
    _write(name, None if value is None or value == default else encode(value))


def _write(name: str, text: str | None) -> None:
    """Put ``name=text`` in the URL (once), or take it out.

    Written on every run even when the server already holds it: a run cut short by the next
    click may have updated the server's copy without the browser's address bar seeing it.
    """
    if text is None:
        if name in st.query_params:
            del st.query_params[name]
    else:
        st.query_params[name] = text
    st.session_state.setdefault(_WRITTEN, {})[name] = text


def begin() -> None:
    """Start of a run: show notices not yet dismissed, and drop the previous page's parameters
    (the page being drawn writes its own again)."""
    written: dict[str, str | None] = st.session_state.setdefault(_WRITTEN, {})
    for name in st.session_state.get(_PAGE_PARAMS, set()):
        if name in st.query_params and _url_text(name) == written.get(name):
            del st.query_params[name]
    notices = st.session_state.get(_NOTICES) or []
    if notices:
        for text in notices:
            st.warning(text, icon="⚠️")
        st.button(t("url.dismiss"), key="url_notice_dismiss",
                  on_click=lambda: st.session_state.pop(_NOTICES, None))


def _place(name: Any) -> str:
    return t("unknown") if name == "unknown" else str(name)


def _fixed(labels: dict[Any, str]) -> Any:
    """A format_func bound to this run's labels: Streamlit may call it again later,
    after the language changed, and must get the labels the options were drawn with."""
    return lambda value: labels.get(value, str(value))


def _choices(options: pd.DataFrame, column: str, **narrow: str | None) -> list[str]:
    """The distinct names of ``column`` among the places left by ``narrow``, sorted.

    ``unique`` before ``str``: a set built from every row iterated the 2,900 places one
    Python string at a time on each page view (8 of the sidebar's ms; now 3)."""
    rows = options
    for col, value in narrow.items():
        if value is not None:
            rows = rows[rows[col] == value]
    return sorted(map(str, rows[column].dropna().unique()))


def _lang_code(name: str) -> str:
    return {n: code for code, n in LANG_NAMES.items()}[name]


def _lang_name(text: str) -> str | None:
    """The switch's name that older links carried (``lang=English``)."""
    return text if text in LANG_NAMES.values() else None


def language_switch() -> str:
    """Draw the 中文/English switch first, so every label after it uses the choice.

    The switch shows names, the URL holds the code (``?lang=en``).
    """
    begin()
    shown = [LANG_NAMES[code] for code in LANGS]
    key = url_state(LANG_KEY, shown, LANG_NAMES[DEFAULT_LANG], encode=_lang_code, decode=_lang_name,
                    what="语言 / Language")
    chosen = st.sidebar.segmented_control("语言 / Language", shown, required=True, key=key)
    return set_lang(chosen)


def years_available(options: pd.DataFrame) -> list[int]:
    """Known years, ascending (reports of unknown year are not filterable by year)."""
    return sorted({int(y) for y in options["year"].dropna()})


def years_text(span: tuple[int, int]) -> str:
    """``2019-2023``, or ``2023`` for one year: one URL parameter for the range."""
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def parse_years(text: str) -> tuple[int, int] | None:
    """``2019-2023`` or ``2023`` -> (first, last); ``None`` when not years."""
    parts = text.replace("–", "-").split("-")
    if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
        return None
    first, last = int(parts[0]), int(parts[-1])
    return (first, last) if first <= last else None


def parse_year(text: str) -> int | None:
    """``2023`` -> 2023; ``None`` when not one year (a page's single-year choice in a link)."""
    return int(text) if text.isdigit() else None


def reset() -> None:
    """Back to "everything": the empty state offers this."""
    last: dict[str, Any] = st.session_state.setdefault(_LAST, {})
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
        last.pop(key, None)


def sidebar(src: Source) -> Filters:
    """Draw the filters and return the choice. The language switch must already be drawn."""
    options = queries.places(src)  # distinct places only: the sidebar runs on every page view
    bar = st.sidebar
    bar.header(t("filters"))
    years = queries.years(src)
    year_min = year_max = None
    if len(years) > 1:
        spans = [(a, b) for a in years for b in years if a <= b]
        key = url_state(YEARS_KEY, spans, (years[0], years[-1]), encode=years_text, decode=parse_years,
                        what=t("year_range"))
        # the range default makes it a two-handled slider; the seeded state is what it shows
        chosen = bar.select_slider(t("year_range"), options=years, value=(years[0], years[-1]), key=key)
        year_min, year_max = int(chosen[0]), int(chosen[1])
    elif years:
        # nothing to choose, but a link asking for another year still hears that it was dropped
        url_state(YEARS_KEY, [(years[0], years[0])], (years[0], years[0]), encode=years_text, decode=parse_years,
                  what=t("year_range"))
        bar.caption(t("only_year", year=years[0]))

    place = _fixed({"unknown": t("unknown")})
    province_key = url_state(PROVINCE_KEY, [None, *_choices(options, "province")], None, what=t("province"))
    province = bar.selectbox(t("province"), _choices(options, "province"), index=None, placeholder=t("all"),
                             format_func=place, key=province_key)
    cities = _choices(options, "city", province=province)
    city = bar.selectbox(t("city"), cities, index=None, placeholder=t("all"), format_func=place,
                         key=url_state(CITY_KEY, [None, *cities], None, what=t("city")))
    districts = _choices(options, "district", province=province, city=city)
    district = bar.selectbox(t("district"), districts, index=None, placeholder=t("all"), format_func=place,
                             key=url_state(DISTRICT_KEY, [None, *districts], None, what=t("district")))
    doc_type = bar.selectbox(
        t("doc_type"), DOC_TYPES, format_func=_fixed({d: t(f"doc_{d}") for d in DOC_TYPES}),
        key=url_state(DOC_KEY, DOC_TYPES, "report", decode=_doc_code, what=t("doc_type")),
    )
    bar.button(t("reset_filters"), on_click=reset, key="reset_filters_sidebar")
    copy_link_button(bar)
    chosen_filters = Filters(year_min, year_max, province, city, district, doc_type or "report")
    st.session_state["_filters"] = chosen_filters
    return chosen_filters


def _doc_code(text: str) -> str | None:
    """Document type from a link: the code, or a label in either language that older links carried."""
    for code in DOC_TYPES:
        for language in LANGS:
            with using(language):
                if text == t(f"doc_{code}"):
                    return code
    return None


def copy_link_button(where: Any) -> None:
    """A "复制链接" button: copies the page's URL (which holds the whole view) to the clipboard.

    The click runs in the browser (the page's own ``location``), where the
    server cannot see the address bar.
    """
    label = t("url.copy")
    done = t("url.copied")
    where.html(
        f"""<button class="copy-link" type="button" data-done="{html.escape(done, quote=True)}">
        {html.escape(label)}</button>
        <style>.copy-link {{ border: 1px solid #d0d5dd; border-radius: 8px; background: #fff;
        padding: .3rem .8rem; cursor: pointer; }}</style>
        <script>
        document.querySelectorAll("button.copy-link:not([data-bound])").forEach((b) => {{
          b.dataset.bound = "1";
          b.addEventListener("click", () => navigator.clipboard.writeText(window.location.href)
            .then(() => {{ b.textContent = b.dataset.done; }}));
        }});
        </script>""",
        unsafe_allow_javascript=True,
    )


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


def url_params() -> dict[str, str]:
    """The language and filters as written in the URL (one value per key), for links to other pages."""
    return {key: str(st.query_params[key]) for key in KEYS if key in st.query_params}
