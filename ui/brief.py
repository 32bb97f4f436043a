"""The bureau brief (区县画像): one statistics bureau on one page.

Its rank among peers for every indicator and ratio, its indicators over the
years, its stated shortfalls and its plan targets beside what its report
says, every number with its quote; and the same as a one-page PDF/PNG a
leader can hand on. The bureau is the one chosen in the sidebar (a click on
the rankings page or map sets it) or picked here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import brief_data, brief_pdf, charts, components, filters, links, metrics, queries, rankings
from ui.fmt import qualified
from ui.i18n import lang, name_col, t
from ui.model import Filters
from ui.page_keys import BRIEF as KEYS

Bureau = tuple[str, str, str]


def _key(b: Bureau) -> str:
    return " · ".join(b)


def pick(src: queries.Source, f: Filters) -> Bureau | None:
    """The sidebar's bureau if one is chosen there, else the picker's; choosing here sets the sidebar."""
    table = queries.bureaus(src)
    if table.empty:
        return None
    options = [tuple(r) for r in table[["province", "city", "district"]].itertuples(index=False, name=None)]
    chosen = (f.province, f.city, f.district)

    def _apply() -> None:
        picked = st.session_state.get(KEYS["bureau"])
        if picked in options:
            for state, value in zip((filters.PROVINCE_KEY, filters.CITY_KEY, filters.DISTRICT_KEY), picked,
                                    strict=True):
                st.session_state[state] = value

    if chosen in options:
        st.session_state[KEYS["bureau"]] = chosen
    elif st.session_state.get(KEYS["bureau"]) not in options:
        # nothing chosen yet: open on the bureau whose reports say the most, not an empty one
        st.session_state[KEYS["bureau"]] = options[int(table["n_values"].fillna(0).to_numpy().argmax())]
    picked = st.selectbox(t("brief.pick"), options, format_func=_key, key=KEYS["bureau"], on_change=_apply)
    return picked


def names(src: queries.Source) -> dict[str, str]:
    """Metric id → name for every indicator and value ratio, in catalogue order."""
    catalogue, themes = queries.indicators(src), queries.themes(src)
    ids = [f"ind:{i}" for i in catalogue["indicator"]] + [f"ratio:{r.id}" for r in metrics.value_ratios()]
    return rankings.metric_names(ids, catalogue, themes)


def percentile_chart(table: pd.DataFrame, title: str) -> go.Figure:
    """Where the bureau stands nationally per metric: 0 = lowest, 100 = highest among peers."""
    rows = table[table["pct_nation"].notna()].iloc[::-1]
    fig = go.Figure(go.Scatter(
        x=rows["pct_nation"], y=rows["name"], mode="markers+text", text=rows["nation"], textposition="middle right",
        cliponaxis=False, marker={"color": charts.BLUE, "size": 11}, textfont={"shadow": "0 0 3px #ffffff"},
        hovertemplate="%{y}: %{x:.0f}%<br>%{text}<extra></extra>",
    ))
    fig.add_vline(x=50, line_dash="dot", line_color="#9aa3ad", layer="below")  # under the labels it crosses
    fig.update_xaxes(range=[-3, 115], tickvals=[0, 25, 50, 75, 100], title={"text": t("brief.pct_axis")})
    fig.update_yaxes(type="category", automargin=True)
    fig = charts._style(fig, title, height=110 + charts.ROW_PX * max(len(rows), 1))
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 60, "b": 40})
    return fig


def render() -> None:
    """The whole page."""
    src, f = queries.source(), filters.current()
    st.title(t("page.brief"))  # no filter line: the brief compares with every peer, whatever the sidebar
    st.caption(t("intro.brief"))
    components.chart_placeholder_css()
    bureau = pick(src, f)
    if bureau is None:
        components.empty_state(f)
        return
    history = queries.bureau_history(src, bureau)
    report_years = sorted({int(y) for y in history.loc[history["doc_type"] == "report", "year"]}) or \
        sorted({int(y) for y in queries.bureaus(src).set_index(["province", "city", "district"])
                .loc[[bureau], "years"].iloc[0]})
    year = st.selectbox(t("brief.year"), report_years[::-1],
                        key=filters.url_state(KEYS["year"], report_years, report_years[-1], page="brief",
                                              decode=filters.parse_year,
                                              what=t("brief.year")))
    st.header(t("brief.title", district=bureau[2], city=bureau[1], province=bureau[0]))
    metric_names = names(src)
    ranks = brief_data.ranks_table(queries.bureau_ranks(src, int(year), bureau), metric_names)
    st.subheader(t("brief.ranks", year=year))
    st.caption(t("brief.ranks_note"))
    ranks_view = ranks.rename(columns={
        "name": t("rk.metric"), "value": t("col.value"), "city": t("brief.in_city"),
        "province": t("brief.in_province"), "nation": t("brief.in_nation"), "pct_nation": t("brief.pct"),
        "quote": t("col.quote")}).drop(columns=["metric", "value_id"])
    tab_chart, tab_table = filters.url_tabs(KEYS["ranks_tab"], filters.TAB_CODES[:2], page="brief")
    if components.is_open(tab_chart):  # only the tab on screen is built (a click reruns with the other)
        with tab_chart:
            if ranks.empty:
                st.info(t("brief.no_values"))
            else:
                st.plotly_chart(percentile_chart(ranks, t("brief.pct_title", year=year)), key="brief_pct",
                                config=rankings._config(f"brief_{bureau[2]}_{year}"))
    if components.is_open(tab_table):
        with tab_table:
            st.dataframe(ranks_view, hide_index=True)
    rankings.downloads(ranks_view, f, f"brief_{bureau[2]}_{year}", "brief_ranks")

    st.subheader(t("brief.history"))
    indicator_names = {m.split(":", 1)[1]: n for m, n in metric_names.items() if m.startswith("ind:")}
    wide = brief_data.history_table(history, indicator_names)
    if wide.empty:
        st.info(t("brief.no_values"))
    else:
        st.dataframe(wide.rename(columns={"name": t("rk.metric")}), hide_index=True)
        quotes(history, indicator_names)

    st.subheader(t("brief.shortfalls"))
    shortfalls = queries.bureau_shortfalls(src, bureau)
    short_view = pd.DataFrame({
        t("col.year"): shortfalls["year"].astype(int),
        t("brief.theme"): shortfalls["theme_" + lang()] if len(shortfalls) else [],
        t("brief.statement"): shortfalls["text"],
    }) if len(shortfalls) else pd.DataFrame()
    if short_view.empty:
        st.info(t("brief.no_shortfalls"))
    else:
        st.dataframe(short_view, hide_index=True)

    st.subheader(t("brief.targets"))
    targets = brief_data.targets_table(queries.bureau_targets(src, bureau))
    target_names = _target_names(src)
    targets_view = targets.assign(indicator=targets["indicator"].map(lambda i: target_names.get(i, i))).rename(
        columns={"year": t("col.year"), "indicator": t("rk.metric"), "target": t("brief.target"),
                 "target_quote": t("brief.target_quote"), "actual": t("brief.actual"),
                 "actual_quote": t("brief.actual_quote")})
    if targets.empty:
        st.info(t("brief.no_targets"))
    else:
        st.dataframe(targets_view, hide_index=True)

    st.divider()
    printable(bureau, int(year), ranks, short_view, targets_view)


def quotes(history: pd.DataFrame, indicator_names: dict[str, str]) -> None:
    """Every value of the bureau's reports with its quote and a link to it, in a closed expander.

    Its content is built only when the reader opens it (a rerun): a bureau has ~150 values, and
    150 quotes with links were half of the page's time though closed. Each row of ``v_values``
    carries its report's file name, so the links need no query each.
    """
    box = st.expander(t("brief.quotes"), key=KEYS["quotes"], on_change="rerun")
    if not components.is_open(box):
        return
    base = filters.url_params()
    with box:
        for row in history[history["doc_type"] == "report"].to_dict("records"):
            st.text(f"{int(row['year'])} · {indicator_names.get(row['indicator'], row['indicator'])}: "
                    f"{qualified(row['value'], row['qualifier'])} — {row['quote']}")
            named = row["source_file"] if isinstance(row["source_file"], str) and row["source_file"] else None
            st.page_link(links.SOURCES_PAGE, label=t("open_source"), icon=":material/description:",
                         query_params=links.file_params(base, named or row["report_id"], row["value_id"]))


def _target_names(src: queries.Source) -> dict[str, str]:
    try:
        table = queries.frame(src, "SELECT indicator, name_zh, name_en FROM target_indicators")
    except Exception:  # noqa: BLE001 - an older warehouse without the table: ids are shown
        return {}
    return dict(zip(table["indicator"], table[name_col()], strict=True))


def printable(bureau: Bureau, year: int, ranks: pd.DataFrame, shortfalls: pd.DataFrame,
              targets: pd.DataFrame) -> None:
    """Build the one-page PDF/PNG on request (kaleido takes seconds: not on every page view)."""
    stem = f"brief_{bureau[2]}_{year}"
    fmt = st.segmented_control(t("brief.format"), ["PDF", "PNG"], default="PDF", key=KEYS["pdf"] + "_fmt") or "PDF"
    if st.button(t("brief.make_file", fmt=fmt), key=KEYS["pdf"] + "_make", icon=":material/print:"):
        rank_cols = ["name", "value", "city", "province", "nation", "quote"]
        sections = [
            (t("brief.ranks", year=year), brief_pdf.cut_quotes(ranks[rank_cols], "quote"),
             [t("rk.metric"), t("col.value"), t("brief.in_city"), t("brief.in_province"), t("brief.in_nation"),
              t("col.quote")], [2.2, 0.9, 0.8, 0.8, 0.9, 3.0]),
        ]
        if len(shortfalls):
            sections.append((t("brief.shortfalls"), brief_pdf.cut_quotes(shortfalls, shortfalls.columns[-1], 70),
                             list(shortfalls.columns), [0.6, 1.6, 6.0]))
        if len(targets):
            cols = list(targets.columns[:5])
            sections.append((t("brief.targets"), brief_pdf.cut_quotes(targets[cols], cols[3]),
                             cols, [0.6, 2.0, 0.8, 3.0, 0.8]))
        title = t("brief.title", district=bureau[2], city=bureau[1], province=bureau[0])
        subtitle = t("brief.pdf_subtitle", year=year)
        with st.spinner(t("brief.making")):
            data = brief_pdf.render(brief_pdf.figure(title, subtitle, sections, t("brief.more_rows")),
                                    fmt.lower())
        st.session_state[KEYS["pdf"]] = (stem, fmt, data)
    made = st.session_state.get(KEYS["pdf"])
    if made and made[0] == stem:
        _, fmt_made, data = made
        st.download_button(t("brief.download", fmt=fmt_made), data, file_name=f"{stem}.{fmt_made.lower()}",
                           mime="application/pdf" if fmt_made == "PDF" else "image/png", key=KEYS["pdf"] + "_dl",
                           icon=":material/download:")
