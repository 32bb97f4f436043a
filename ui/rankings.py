"""The rankings page (排名与地图): one metric, one year, every region of a level, as a sorted bar
chart, a table and a map, plus the change between the first and last year over like regions.

Rules (flagged values, unknown places, ratios, like-with-like years) live in
:mod:`ui.ranking`; this module draws. Clicking a bar or a map region sets the
sidebar filters to that region: the page then shows its peers with it
highlighted, and the bureau brief is one link away.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from ui import charts, components, filters, geo, levels, metric_fit, metrics, queries, ranking, theme
from ui.fmt import combine_qualifiers, number, qualified
from ui.i18n import lang, name_col, t
from ui.model import Filters
from ui.page_keys import RANKINGS as KEYS

#: Bars shown at the top and at the bottom of a long ranking before "show all".
TOP_N = 15
PAGE = "rankings"
BRIEF_PAGE = "pages/brief.py"
#: Chart toolbar: the camera button saves a PNG named after the chart (drawn in the browser).
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def metric_name(metric: str, catalogue: pd.DataFrame, themes: pd.DataFrame) -> str:
    """The metric's name in the current language."""
    return metric_names([metric], catalogue, themes)[metric]


def metric_names(ids: list[str], catalogue: pd.DataFrame, themes: pd.DataFrame) -> dict[str, str]:
    """Each metric's name in the current language, the catalogue's and themes' names read once
    (a picker of 40 metrics asked :func:`metric_name` per option: 0.07 s)."""
    indicators = components.names(catalogue)
    theme_names = dict(zip(themes["theme"], themes[name_col()], strict=True))
    share = metrics.theme_share()
    prefix = (share.name_en if lang() == "en" else share.name_zh) if share else ""
    out = {}
    for metric in ids:
        kind, ident = metrics.parse(metric)
        if kind == "ind":
            out[metric] = indicators.get(ident, ident)
        elif kind == "ratio":
            r = metrics.ratio(ident)
            out[metric] = r.name_en if lang() == "en" else r.name_zh
        else:
            theme = theme_names.get(ident, ident)
            out[metric] = f"{prefix}：{theme}" if lang() == "zh" else f"{prefix}: {theme}"
    return out


def metric_unit(metric: str, catalogue: pd.DataFrame) -> str:
    """The unit shown on the value axis."""
    kind, ident = metrics.parse(metric)
    if kind == "ind":
        return components.unit_of(catalogue, ident)
    r = metrics.ratio(ident) if kind == "ratio" else metrics.theme_share()
    if r is None:
        return ""
    return r.unit_en if lang() == "en" else r.unit_zh


def is_count(metric: str) -> bool:
    """Counts tick at whole numbers; ratios and shares do not."""
    return metrics.parse(metric)[0] == "ind"


def peers(f: Filters, level: str) -> tuple[Filters, str | None]:
    """The filters whose regions at ``level`` are the peers, and the selected region's name.

    A region chosen in the sidebar at the drawn level is compared with its
    siblings (the filter on it is lifted, its parent's kept) and highlighted.
    """
    chosen = getattr(f, level)
    if chosen is None:
        return f, None
    finer = levels.LEVELS[levels.LEVELS.index(level):]
    return Filters(**{**f.as_dict(), **{c: None for c in finer}}), chosen


def _labelled(regions: pd.DataFrame, level: str, selected: str | None) -> pd.DataFrame:
    out = regions.copy()
    out["label"] = levels.labels(out, level) if len(out) else pd.Series(dtype=object)
    out["highlight"] = out[level] == selected if selected is not None else False
    out["coverage"] = [t("coverage", given=g, reports=r) for g, r in zip(out["given"], out["reports"], strict=True)]
    out["key"] = region_keys(out, level)
    return out


def region_keys(frame: pd.DataFrame, level: str) -> list[str]:
    """Per row, what a click on its bar, dot or map region resolves to: its place as JSON.

    Read column by column: ``to_dict("records")`` walked every cell of the frame one by one
    (0.06 s for the 2,850 districts of the country).
    """
    cols = levels.columns(level)
    return [json.dumps(dict(zip(cols, place, strict=True)), ensure_ascii=False)
            for place in zip(*(frame[c].tolist() for c in cols), strict=True)]


def select_region(key: str) -> None:
    """Callback of a chart or map click: set the sidebar filters to the clicked region.

    Runs before the next script run, so the sidebar's URL-bound widgets can still be changed.
    """
    event = st.session_state.get(key)
    picked = components.selected_keys(event)
    if not picked:
        return
    try:
        scope = json.loads(picked[0])
    except (TypeError, ValueError):
        return
    if not isinstance(scope, dict):
        return
    for column, state in (("province", filters.PROVINCE_KEY), ("city", filters.CITY_KEY),
                          ("district", filters.DISTRICT_KEY)):
        st.session_state[state] = scope.get(column)


def table_view(ordered: pd.DataFrame, level: str) -> pd.DataFrame:
    """The ranking as a table: rank, region, value, coverage, per-bureau spread, flagged left out, quote."""
    spread = [
        "—" if pd.isna(m) else f"{number(round(m, 1))} ({number(round(a, 1))}–{number(round(b, 1))})"
        for m, a, b in zip(ordered["median"], ordered["q1"], ordered["q3"], strict=True)
    ]
    return pd.DataFrame({
        t("rk.col.rank"): ordered["rank"].astype("Int64") if "rank" in ordered else pd.NA,
        t(f"col.{level}"): ordered["label"],
        t("col.value"): ordered["display"],
        t("col.coverage"): ordered["coverage"],
        t("rk.col.bureaus"): ordered["bureaus"],
        t("rk.col.median"): spread,
        t("rk.col.flagged"): ordered["flagged"],
        t("col.quote"): ordered["quote"].fillna(""),
    })


def downloads(table: pd.DataFrame, f: Filters, stem: str, key: str) -> None:
    """The chart's own CSV (``components.csv_download``, no rerun on the click); the PNG is the
    chart toolbar's camera button."""
    components.csv_download(table, f, stem, key, on_click="ignore")
    st.caption(t("rk.png_hint"))


def _config(stem: str) -> dict[str, Any]:
    return {**PLOT_CONFIG, "toImageButtonOptions": {"format": "png", "filename": stem, "scale": 2}}


def map_figure(regions: pd.DataFrame, level: str, scope: Filters, title: str, unit: str) -> Any:
    """The choropleth of the scope: every region of ``level`` inside the filters' parent region."""
    prefix = ""
    parent = next((c for c in reversed(levels.LEVELS[:levels.LEVELS.index(level)]) if getattr(scope, c)), None)
    if parent is not None:
        codes = regions["adcode"].dropna()
        prefix = str(codes.iloc[0])[:ranking.ADCODE_DIGITS[parent]] if len(codes) else ""
    shapes = geo.subset(level, prefix)
    return charts.choropleth(shapes, regions, title, unit, t("not_stated"), geo.bounds(shapes))


def headline(regions: pd.DataFrame, metric: str, unit: str) -> None:
    """The scope's figure, its per-bureau spread, and the flagged values left out of it."""
    kind = metrics.parse(metric)[0]
    given = regions[regions["value"].notna()]
    theme.metric_css()
    cols = st.columns(metric_fit.per_row("ranking"))
    if kind == "ind":
        total = given["value"].sum() if len(given) else None
        qual = "exact" if given.empty else combine_qualifiers(list(given["qualifier"]))
        label, unit_help = metric_fit.unit_label(t("rk.total"), unit, "ranking")
        cols[0].metric(label, qualified(total, qual) if len(given) else "—", help=unit_help)
    else:
        label, unit_help = metric_fit.unit_label(t("rk.median_regions"), unit, "ranking")
        cols[0].metric(label, qualified(round(float(given["value"].median()), 1), "exact") if len(given) else "—",
                       help=unit_help)
    cols[0].caption(t("coverage", given=int(regions["given"].sum()), reports=int(regions["reports"].sum())))
    cols[1].metric(t("rk.regions_given"), f"{len(given)} / {len(regions)}")
    bureaus = int(regions["bureaus"].sum())
    cols[2].metric(t("rk.bureaus"), number(bureaus))
    flagged = int(regions["flagged"].sum())
    if flagged:
        st.caption(t("rk.flagged_left_out", n=flagged))


def render() -> None:
    """The whole page."""
    src, f = queries.source(), filters.current()
    components.header("rankings", f)
    catalogue, themes = queries.indicators(src), queries.themes(src)
    years = queries.filtered_years(src, f)
    if not years or not queries.report_count(src, f):
        components.empty_state(f)
        return
    ids = metrics.metric_ids(list(catalogue["indicator"]), list(themes["theme"]))
    # every option's name once (the picker asks per option, each time rebuilding the catalogue's names)
    shown = metric_names(ids, catalogue, themes)
    c1, c2 = st.columns([3, 1])
    # the metric, year and level are view state: in the URL once, as codes (see ui/filters.url_state)
    metric = c1.selectbox(t("rk.metric"), ids, format_func=shown.__getitem__,
                          key=filters.url_state(KEYS["metric"], ids, ids[0], page=PAGE, what=t("rk.metric")))
    year = c2.selectbox(t("col.year"), years[::-1],
                        key=filters.url_state(KEYS["year"], years, years[-1], page=PAGE, decode=filters.parse_year,
                                              what=t("col.year")))
    default = levels.fitting(queries.level_counts(src, f))[-1]  # the finest level that fits a chart
    level = st.segmented_control(t("level"), list(levels.LEVELS),
                                 key=filters.url_state(KEYS["level"], list(levels.LEVELS), default, page=PAGE,
                                                       what=t("level")),
                                 format_func=lambda v: t(f"level.{v}"), help=t("rk.level_help")) or default
    kind = metrics.parse(metric)[0]
    name, unit, integer = shown[metric], metric_unit(metric, catalogue), is_count(metric)
    scope, selected = peers(f, level)
    # only the years drawn: the ranked one, and the first and last the change compares
    rows = queries.metric_reports(src, scope, metric, tuple(sorted({year, years[0], years[-1]})))
    regions = _labelled(ranking.by_region(rows, level, kind, year), level, selected)
    headline(regions, metric, unit)
    if kind != "ind":
        st.caption(t(f"rk.{kind}_note"))
    ordered = ranking.ranked(regions)
    silent = regions[regions["value"].isna()]
    title = t("rk.title", name=name, level=t(f"level.{level}"), year=year)
    stem = f"{metrics.parse(metric)[1]}_{level}_{year}"
    table = table_view(ordered, level)
    tab_chart, tab_table, tab_map = filters.url_tabs(KEYS["tab"], filters.TAB_CODES, page=PAGE)
    # Only the tab on screen is built (a click on another reruns the page with that one open):
    # the map's boundaries and the table's rows cost as much as the rest of the page together.
    if components.is_open(tab_chart):
        chart_tab(tab_chart, ordered, silent, selected, level, title, unit, integer, stem, table, f)
    if components.is_open(tab_table):
        with tab_table:
            st.dataframe(table, hide_index=True)
            downloads(table, f, stem, KEYS["chart"] + "_t")
    if components.is_open(tab_map):
        with tab_map:
            fig = map_figure(regions, level, scope, title, unit)
            st.plotly_chart(fig, key=KEYS["map"], on_select=partial(select_region, KEYS["map"]),
                            selection_mode="points", config=_config(stem + "_map"))
            st.caption(t("rk.map_hint"))
    if selected is not None and level == "district":
        bureau = {"province": f.province, "city": f.city, "district": f.district}
        st.page_link(BRIEF_PAGE, label=t("rk.open_brief", name=selected), icon=":material/summarize:",
                     query_params={**filters.url_params(), **{k: v for k, v in bureau.items() if v}})
    change_section(rows, f, level, kind, years, selected, name, unit, integer)


def chart_tab(tab: Any, ordered: pd.DataFrame, silent: pd.DataFrame, selected: str | None, level: str, title: str,
              unit: str, integer: bool, stem: str, table: pd.DataFrame, f: Filters) -> None:
    """The ranking's bar chart tab: top and bottom (or all), the silent regions named, the CSV."""
    with tab:
        if ordered.empty:
            st.info(t("rk.none"))
        else:
            show_all = len(ordered) <= levels.MAX_GROUPS or st.toggle(t("rk.show_all", n=len(ordered)),
                                                              key=KEYS["show_all"])
            drawn = ordered if show_all else ranking.top_bottom(ordered, TOP_N, selected, level)
            if len(drawn) < len(ordered):
                st.caption(t("rk.top_bottom", n=TOP_N, total=len(ordered)))
            named_silent = silent["label"].astype(str).tolist() if len(silent) <= TOP_N else []
            st.plotly_chart(charts.ranking(drawn, title, unit, integer, named_silent, t("not_stated")),
                            key=KEYS["chart"],
                            on_select=partial(select_region, KEYS["chart"]), selection_mode="points",
                            config=_config(stem))
            st.caption(t("rk.click_hint"))
        if len(silent):
            shown = "、".join(silent["label"].astype(str).tolist()[:30]) + ("…" if len(silent) > 30 else "")
            st.caption(t("rk.silent", n=len(silent), which=shown))
        downloads(table, f, stem, KEYS["chart"])


def change_section(rows: pd.DataFrame, f: Filters, level: str, kind: str, years: list[int], selected: str | None,
                   name: str, unit: str, integer: bool) -> None:
    """First year against last year, over only the bureaus that give the metric in both."""
    st.subheader(t("rk.change_title"))
    if len(years) < 2:
        st.info(t("one_year_only"))
        return
    first, last = years[0], years[-1]
    change = ranking.year_over_year(rows, level, kind, first, last)
    if change.empty:
        st.info(t("rk.change_none", first=first, last=last))
        return
    change = change.assign(label=levels.labels(change, level))
    change = change.sort_values("last", ascending=False).reset_index(drop=True)
    change["highlight"] = change[level] == selected if selected is not None else False
    change["first_display"] = [qualified(round(v, 1), q) for v, q in zip(change["first"], change["first_q"],
                                                                           strict=True)]
    change["last_display"] = [qualified(round(v, 1), q) for v, q in zip(change["last"], change["last_q"],
                                                                         strict=True)]
    change["key"] = region_keys(change, level)
    change["coverage"] = [t("rk.like_bureaus", n=n) for n in change["bureaus"]]
    st.caption(t("rk.change_note", first=first, last=last))
    table = pd.DataFrame({
        t(f"col.{level}"): change["label"], str(first): change["first_display"], str(last): change["last_display"],
        t("col.change"): change["display"], t("col.change_pct"): change["change_pct"].round(1),
        t("rk.col.bureaus"): change["bureaus"],
    })
    drawn = change if len(change) <= levels.MAX_GROUPS else ranking.top_bottom(change, TOP_N, selected, level)
    tab_chart, tab_table = filters.url_tabs(KEYS["slope_tab"], filters.TAB_CODES[:2], page=PAGE)
    stem = f"change_{level}_{first}_{last}"
    if components.is_open(tab_table):
        with tab_table:
            st.dataframe(table, hide_index=True)
    if not components.is_open(tab_chart):
        return
    with tab_chart:
        title = t("rk.change_chart", name=name, first=first, last=last)
        st.plotly_chart(charts.slope(drawn, first, last, title, unit, integer), key=KEYS["slope"],
                        on_select=partial(select_region, KEYS["slope"]), selection_mode="points",
                        config=_config(stem))
        if len(drawn) < len(change):
            st.caption(t("rk.top_bottom", n=TOP_N, total=len(change)))
        downloads(table, f, stem, KEYS["slope"])

