"""Page building blocks shared by the indicator pages.

The pages decide *what* to show (their ``pages.yaml`` entry); these helpers
decide *how*: headline figures with coverage, a chart with its table toggle
and click-to-quote, the missing-value note and the empty state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import catalog, charts, filters, queries, tables
from ui.fmt import qualified
from ui.i18n import name_col, t
from ui.model import Filters, Source

SOURCES_PAGE = "pages/sources.py"


def names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator id → name in the current language (from the warehouse)."""
    col = name_col()
    return {row["indicator"]: str(row[col] or row["indicator"]) for row in catalogue.to_dict("records")}


def unit_of(catalogue: pd.DataFrame, indicator: str) -> str:
    """The indicator's unit from the warehouse, in the current language when labels know it."""
    found = catalogue.loc[catalogue["indicator"] == indicator, "unit"]
    unit = str(found.iloc[0]) if len(found) and found.iloc[0] else ""
    label = t(f"unit.{unit}")
    return unit if label == f"unit.{unit}" else label


def header(page: str, f: Filters) -> None:
    """Title, one-line purpose and the active filters in words."""
    st.title(t(f"page.{page}"))
    st.caption(t(f"intro.{page}"))
    st.caption(" · ".join(f"{k}: {v}" for k, v in filters.describe(f)))


def empty_state(f: Filters) -> None:
    """Say plainly that nothing matches and offer the way back."""
    st.info(t("empty_state"), icon="🔍")
    st.button(t("reset_filters"), on_click=filters.reset, key="reset_filters_empty")


def headline(reports: pd.DataFrame, values: pd.DataFrame, ids: Sequence[str], catalogue: pd.DataFrame,
             per_row: int = 3) -> None:
    """Totals over the filtered reports, each with how many reports give it.

    A total that no report gives shows "—": missing, never 0.
    """
    sums = tables.totals(reports, values, ids)
    label = names(catalogue)
    for start in range(0, len(sums), per_row):
        cols = st.columns(per_row)
        for col, row in zip(cols, sums.iloc[start:start + per_row].to_dict("records"), strict=False):
            col.metric(
                f"{label.get(row['indicator'], row['indicator'])} ({unit_of(catalogue, row['indicator'])})",
                row["display"],
                help=t("coverage_help"),
            )
            col.caption(t("coverage", given=row["given"], reports=row["reports"]))
            if row["flagged"]:
                col.caption(t("flagged_in_total", n=row["flagged"]))


def selected_value_ids(event: Any) -> list[str]:
    """Value ids of the clicked points, read dict-style from a plotly selection event."""
    if not event:
        return []
    selection = event.get("selection") if hasattr(event, "get") else None
    points = (selection or {}).get("points") or []
    ids: list[str] = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data and str(data) not in ids:
            ids.append(str(data))
    return ids


def source_link(report_id: str, value_id: str | None, label: str, key_suffix: str = "") -> None:
    """A link to the Sources page with the report and value in the URL."""
    params: dict[str, Any] = {**filters.url_params(), "report": report_id}
    if value_id:
        params["value"] = value_id
    st.page_link(SOURCES_PAGE, label=label, icon=":material/description:", query_params=params)


def quotes(src: Source, value_ids: Sequence[str], catalogue: pd.DataFrame) -> None:
    """List the source quotes behind clicked values, each linking to the full text."""
    found = queries.value_by_id(src, tuple(value_ids))
    if found.empty:
        return
    label = names(catalogue)
    with st.container(border=True):
        st.markdown(f"**{t('quotes_title')}**")
        for row in tables.with_region(found).to_dict("records"):
            shown = qualified(row["value"], row["qualifier"])
            st.markdown(
                f"**{row['label']} · {label.get(row['indicator'], row['indicator'])}: {shown} "
                f"{unit_of(catalogue, row['indicator'])}**  \n> {row['quote']}"
            )
            source_link(row["report_id"], row["value_id"], t("open_source"))


def chart(fig: go.Figure, table: pd.DataFrame, key: str, src: Source | None = None,
          catalogue: pd.DataFrame | None = None, column_config: Mapping[str, Any] | None = None) -> None:
    """A chart with its "show data as table" toggle; clicking a bar lists its quotes."""
    as_table = st.toggle(t("show_table"), key=f"{key}__table")
    if as_table:
        st.dataframe(table, hide_index=True, column_config=column_config)
        return
    event = st.plotly_chart(fig, on_select="rerun", key=key, selection_mode="points",
                            config={"displaylogo": False})
    ids = selected_value_ids(event)
    if ids and src is not None and catalogue is not None:
        quotes(src, ids, catalogue)
    elif src is not None:
        st.caption(t("click_hint"))


def missing_note(frame: pd.DataFrame) -> None:
    """Name the reports that do not give the number, so a gap is not read as zero."""
    silent = frame[frame["missing"]]
    if len(silent):
        st.caption(t("missing_note", n=len(silent), which="、".join(silent["label"])))


def indicator_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows behind an indicator chart, as shown in its table view."""
    out = frame[["region", "year", "doc_type", "display", "quote", "source_file"]].copy()
    out["quote"] = out["quote"].fillna("")
    out["doc_type"] = out["doc_type"].map(lambda d: t(f"doc_{d}"))
    return out.rename(columns={
        "region": t("col.region"), "year": t("col.year"), "doc_type": t("col.doc_type"),
        "display": t("col.value"), "quote": t("col.quote"), "source_file": t("col.source_file"),
    })


def indicator_page(page: str, src: Source, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The standard indicator page: headline, one indicator by region and over years, overview table.

    Returns the filtered reports and values so a page can add its own section,
    or ``None`` when the filters match nothing (the empty state is shown).
    """
    header(page, f)
    ids = catalog.indicator_ids(page)
    catalogue = queries.indicators(src)
    reports = queries.reports(src, f)
    if reports.empty:
        empty_state(f)
        return None
    values = queries.values(src, f, ids)
    headline(reports, values, ids, catalogue)
    label = names(catalogue)
    st.divider()
    chosen = st.selectbox(t("choose_indicator"), ids, format_func=lambda i: label.get(i, i), key=f"{page}__ind")
    frame = tables.indicator_frame(reports, values, chosen)
    unit = unit_of(catalogue, chosen)
    left, right = st.columns([3, 2])
    with left:
        chart(charts.bars(frame, t("by_region", name=label.get(chosen, chosen)), unit, t("not_stated")),
              indicator_table(frame), f"{page}__bars", src, catalogue)
    with right:
        if frame.loc[~frame["missing"], "year"].nunique() > 1:
            chart(charts.trend(frame, t("over_years"), unit), indicator_table(frame), f"{page}__trend", src,
                  catalogue)
        else:
            st.markdown(f"**{t('over_years')}**")
            st.info(t("one_year_only"))
    missing_note(frame)
    st.subheader(t("all_indicators"))
    _, shown = tables.wide(reports, values, ids, label)
    st.dataframe(localise(shown.drop(columns=["report_id", "source_file", "label"])), hide_index=True)
    st.caption(t("legend_qualifiers"))
    return reports, values


def column_names() -> dict[str, str]:
    """Localised headers for the report columns of wide tables."""
    cols = ("province", "city", "district", "adcode", "region", "label", "year", "doc_type", "source_file")
    return {c: t(f"col.{c}") for c in cols}


def localise(df: pd.DataFrame) -> pd.DataFrame:
    """Translate document types, "unknown" places and report-column headers for display."""
    out = df.copy()
    for col in ("province", "city", "district", "region", "adcode"):
        if col in out.columns:
            out[col] = out[col].replace("unknown", t("unknown"))
    if "label" in out.columns:
        out["label"] = out["label"].str.replace("unknown", t("unknown"), regex=False)
    if "doc_type" in out.columns:
        out["doc_type"] = out["doc_type"].map(lambda d: t(f"doc_{d}"))
    if "year" in out.columns:
        out["year"] = out["year"].astype("Int64")
    return out.rename(columns=column_names())


def styled(numbers: pd.DataFrame, shown: pd.DataFrame) -> Any:
    """A numeric table (so column sorting is numeric) that displays ``≥20``/``—`` per cell."""
    # Province, city and file are in the export; on screen the district and year suffice.
    view = localise(numbers.drop(columns=["report_id", "label", "province", "city", "source_file"]))
    fixed = set(column_names().values())
    styler = view.style
    for col in view.columns:
        if col in fixed:
            continue
        for i, text in enumerate(shown[col]):
            styler = styler.format(lambda _v, s=text: s, subset=pd.IndexSlice[[view.index[i]], [col]])
    return styler


def group_section(page: str, group: str, src: Source, f: Filters, reports: pd.DataFrame) -> None:
    """A page's extra chart: the indicators of one ``pages.yaml`` group side by side per report.

    The title and note come from ``labels.yaml`` (``<page>.<group>``); the
    unit is the first indicator's (a group shares one unit by design).
    """
    ids = catalog.indicator_ids(page, group)
    if not ids:
        return
    catalogue = queries.indicators(src)
    label = names(catalogue)
    values = queries.values(src, f, ids)
    frame = pd.concat([tables.indicator_frame(reports, values, i).assign(indicator=i) for i in ids],
                      ignore_index=True)
    st.subheader(t(f"{page}.{group}"))
    st.caption(t(f"{page}.{group}_note"))
    if frame["missing"].all():
        st.info(t("group_none"))
        return
    table = frame[~frame["missing"]][["label", "indicator", "display", "quote"]].assign(
        indicator=lambda d: d["indicator"].map(label))
    table = localise(table).rename(columns={"indicator": t("col.name"), "display": t("col.value"),
                                            "quote": t("col.quote")})
    fig = charts.grouped(frame, label, t(f"{page}.{group}"), unit_of(catalogue, ids[0]))
    chart(fig, table, f"{page}__{group}", src, catalogue)
