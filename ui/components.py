"""Page building blocks shared by the indicator pages.

The pages decide *what* to show (their ``pages.yaml`` entry); these helpers
decide *how*: headline figures with coverage, the level the charts sum by, a
chart with its table toggle and click-to-quote, the missing-value note and
the empty state. Everything drawn comes from sums DuckDB computes
(``queries.rollup``), so a national view costs what a district view does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from types import MethodType
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import catalog, charts, export, filters, levels, metric_fit, queries, ranking, sheets, tables, theme
from ui.editors import md_escape
from ui.fmt import number, qualified
from ui.i18n import doc_names, name_col, t
from ui.model import ALL_DOCS, Filters, Source

SOURCES_PAGE = "pages/sources.py"
#: Quotes listed under a clicked sum; the rest are reached by narrowing the filters.
QUOTES_SHOWN = 20


def names(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator id → name in the current language (from the warehouse)."""
    col = name_col()
    return {row["indicator"]: str(row[col] or row["indicator"]) for row in catalogue.to_dict("records")}


def unit_of(catalogue: pd.DataFrame, indicator: str) -> str:
    """The indicator's unit from the warehouse, in the current language when labels know it.

    Looked up in plain Python: a pandas mask over the catalogue cost ~1 ms a call, and a page asks
    once per headline tile (a dozen)."""
    found = next((u for i, u in zip(catalogue["indicator"], catalogue["unit"], strict=True) if i == indicator), None)
    unit = str(found) if found is not None and found else ""
    label = t(f"unit.{unit}")
    return unit if label == f"unit.{unit}" else label


def header(page: str, f: Filters) -> None:
    """Title, one-line purpose and the active filters in words."""
    st.title(t(f"page.{page}"))
    st.caption(t(f"intro.{page}"))
    st.caption(" · ".join(f"{k}: {v}" for k, v in filters.describe(f)))
    chart_placeholder_css()


def empty_state(f: Filters) -> None:
    """Say plainly that nothing matches and offer the way back."""
    st.info(t("empty_state"), icon="🔍")
    st.button(t("reset_filters"), on_click=filters.reset, key="reset_filters_empty")


def opened(page: str, src: Source, f: Filters) -> bool:
    """Title and filters; ``False`` (after the empty state) when no report matches."""
    header(page, f)
    if queries.report_count(src, f):
        return True
    empty_state(f)
    return False


def standard_page(page: str, sections: Sequence[str] = ()) -> tuple[Source, Filters, str, pd.DataFrame] | None:
    """An indicator page and, below it, each side-by-side section of ``pages.yaml`` named in ``sections``.

    Returns what a page needs to add a section of its own, or ``None`` on the empty state.
    """
    src, f = queries.source(), filters.current()
    extra = tuple(i for section in sections for i in catalog.indicator_ids(page, section))
    shown = indicator_page(page, src, f, extra)
    if shown is None:
        return None
    level, frame = shown
    for section in sections:
        group_section(page, section, src, f, level, frame)
    return src, f, level, frame


def has_reports(totals: pd.DataFrame) -> bool:
    """Whether any report matches: ``queries.rollup`` over no group gives the count on every row."""
    return not totals.empty and int(totals["reports"].iloc[0]) > 0


def headline(totals: pd.DataFrame, catalogue: pd.DataFrame, per_row: int | None = None) -> None:
    """Totals over the filtered reports (``queries.rollup`` with no group), each with its coverage.

    A total that no report gives shows "—": missing, never 0. Labels are the short
    names of ``ui/metric_fit.py`` (the full name is in the help), so none is cut at 1024 px.
    """
    label = names(catalogue)
    per_row = per_row or metric_fit.per_row("headline")
    theme.metric_css()
    rows = totals.to_dict("records")
    for start in range(0, len(rows), per_row):
        cols = st.columns(per_row)
        for col, row in zip(cols, rows[start:start + per_row], strict=False):
            shown = qualified(row["total"], row["qualifier"]) if row["given"] else qualified(None, None)
            ind = row["indicator"]
            name, unit = label.get(ind, ind), unit_of(catalogue, ind)
            col.metric(
                metric_fit.tile_label(ind, name, unit),
                shown,
                help=metric_fit.tile_help(ind, name, unit, t("coverage_help")),
            )
            col.caption(t("coverage", given=row["given"], reports=row["reports"]))
            if row["flagged"]:
                col.caption(t("rk.flagged_left_out", n=row["flagged"]))


def level_picker(page: str, src: Source, f: Filters) -> str:
    """The region level the page sums by: the finest that fits, or the reader's choice among those."""
    offered = levels.fitting(queries.level_counts(src, f))
    best = offered[-1]
    if len(offered) == 1:
        return best
    key = filters.url_state("level", offered, best, page=page, what=t("level"))
    chosen = st.segmented_control(t("level"), offered, format_func=lambda v: t(f"level.{v}"),
                                  key=key, help=t("level_help"))
    return chosen if chosen in offered else best


def group_by(level: str) -> tuple[str, ...]:
    """The columns a page's sums are grouped by at a level: the region, the year, the document type."""
    return (*levels.columns(level), "year", "doc_type")


def decorate(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Add what hover and legends say: coverage of each sum, the series (year, document type), and
    group names in the reader's language ("unknown" place)."""
    out = frame.copy()
    # each distinct label and coverage pair is worded once: a national rollup repeats them per
    # indicator and year, and a label lookup per row was a tenth of the page's own work
    out["label"] = out["label"].map({label: localise_text(label) for label in out["label"].unique()})
    worded: dict[tuple[Any, Any], str] = {}
    out["coverage"] = [worded.get((g, r)) or worded.setdefault((g, r), t("coverage", given=g, reports=r))
                       for g, r in zip(out["given"], out["reports"], strict=True)]
    years = out["year"].astype("Int64").astype(str)
    if f.doc_type == ALL_DOCS:
        years = years + " " + doc_names(out["doc_type"])
    out["series"] = years
    return out


def selected_keys(event: Any) -> list[str]:
    """What the clicked points stand for (``customdata[0]``), read dict-style from a selection event."""
    if not event:
        return []
    selection = event.get("selection") if hasattr(event, "get") else None
    points = (selection or {}).get("points") or []
    keys: list[str] = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data and str(data) not in keys:
            keys.append(str(data))
    return keys


def is_open(container: Any) -> bool:
    """Whether a tab or expander is on screen, so only its content is built.

    Tabs and expanders made with ``on_change="rerun"`` (``filters.url_tabs``) know which one is
    open; a click on another reruns the page with that one open. A container that tracks no
    state (``open`` is ``None``) counts as open: its content is built as before.
    """
    return getattr(container, "open", None) is not False


def source_link(report_id: str, value_id: str | None, label: str, source_file: Any = None,
                base: dict[str, str] | None = None) -> None:
    """A link to the Sources page with the report and value in the URL.

    ``source_file``: the report's file name when the caller's row carries it (``v_values``,
    ``v_reports`` rows do); else it is looked up, one query per link. ``base``: the view's
    ``filters.url_params()``, read once by a caller drawing many links (each reading of the URL
    goes through the session's query parameters, key by key)."""
    from ui import links  # the stable address survives a rebuild (ui/links.py)

    if isinstance(source_file, str) and source_file:
        params = links.file_params(filters.url_params() if base is None else base, source_file, value_id)
    else:
        params = links.source_params(queries.source(), report_id, value_id)
    st.page_link(SOURCES_PAGE, label=label, icon=":material/description:", query_params=params)


def _resolve(src: Source, f: Filters, key: str) -> tuple[pd.DataFrame, int]:
    """The values behind one clicked point: a single value by id, a sum by its narrowed filters."""
    scope = levels.scope_filters(key, f)
    if isinstance(scope, str):
        found = queries.value_by_id(src, (scope,))
        return found, len(found)
    narrowed, ids = scope
    return queries.scoped_values(src, narrowed, ids, QUOTES_SHOWN)


def quotes(src: Source, f: Filters, keys: Sequence[str], catalogue: pd.DataFrame) -> None:
    """List the source quotes behind clicked points, each linking to the full text.

    A sum over many reports lists its largest parts and says how many there are.
    """
    label, base = names(catalogue), filters.url_params()
    for key in keys:
        found, total = _resolve(src, f, key)
        if found.empty:
            continue
        with st.container(border=True):
            st.markdown(f"**{t('quotes_title')}**")
            if total > len(found):
                st.caption(t("quotes_more", total=total, shown=len(found)))
            for row in tables.with_region(found).to_dict("records"):
                shown = qualified(row["value"], row["qualifier"])
                # Region labels and quotes come from report text: data, never markup (links, KaTeX).
                st.markdown(
                    f"**{md_escape(row['label'])} · {label.get(row['indicator'], row['indicator'])}: {shown} "
                    f"{unit_of(catalogue, row['indicator'])}**  \n> {md_escape(' '.join(str(row['quote']).split()))}"
                )
                source_link(row["report_id"], row["value_id"], t("open_source"), row.get("source_file"), base)


def chart(fig: go.Figure, table: pd.DataFrame, key: str, src: Source | None = None, f: Filters | None = None,
          catalogue: pd.DataFrame | None = None, column_config: Mapping[str, Any] | None = None,
          map_fig: go.Figure | Callable[[], go.Figure] | None = None) -> None:
    """A chart with chart / table (/ map) tabs and its own CSV download; clicking a bar lists its quotes.

    Only the tab on screen is drawn (a click on another reruns the page with that one open), so
    ``map_fig`` may be a function that builds the map, called only when its tab is open; the CSV
    is written when its button is clicked. The PNG is the chart toolbar's camera button (drawn in
    the browser, named after ``key``).
    """
    page, tab_param = filters.tab_name(key)
    tabs = filters.url_tabs(tab_param, filters.TAB_CODES if map_fig is not None else filters.TAB_CODES[:2],
                            page=page)
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": key, "scale": 2}}
    if is_open(tabs[0]):
        with tabs[0]:
            event = st.plotly_chart(fig, on_select="rerun", key=key, selection_mode="points", config=config)
            keys = selected_keys(event)
            if keys and src is not None and catalogue is not None:
                quotes(src, f or Filters(), keys, catalogue)
            elif src is not None:
                st.caption(t("click_hint"))
    if is_open(tabs[1]):
        with tabs[1]:
            st.dataframe(table, hide_index=True, column_config=column_config)
    if map_fig is not None and is_open(tabs[2]):
        from ui import rankings  # imported late (it imports this module)

        with tabs[2]:
            # a click on a region filters to it, as on the rankings page
            st.plotly_chart(map_fig() if callable(map_fig) else map_fig, key=f"{key}__map",
                            on_select=partial(rankings.select_region, f"{key}__map"),
                            selection_mode="points", config={**config, "toImageButtonOptions": {
                                "format": "png", "filename": f"{key}_map", "scale": 2}})
            st.caption(t("rk.map_hint_static"))
    title = str(fig.layout.title.text if fig.layout.title and fig.layout.title.text else key)
    csv_download(table, f or Filters(), title, key)


def csv_download(table: pd.DataFrame, f: Filters, title: str, key: str, on_click: str = "rerun") -> None:
    """A chart's own CSV: its table as the exports write it (formula-safe), named for the chart, the
    filters and the day. The bytes are written when the button is clicked, not on every view (the
    table's headers are already in the page's language, so nothing of the session is needed then)."""
    st.download_button(t("rk.csv"), partial(sheets.csv_bytes, table), file_name=export.file_name(f, "csv", title),
                       mime="text/csv", key=f"{key}__csv", icon=":material/download:", on_click=on_click)


def placed(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Rows whose region is known at ``level``: an unknown place is never a bar, a line or a map cell
    (the Data quality page lists those reports)."""
    return ranking.known(frame, level)


def latest_complete(src: Source, f: Filters, level: str, steps: Sequence[str]) -> pd.DataFrame:
    """``queries.complete_rollup`` by the level's groups, for the latest year that has reports giving
    every step in a known place: that year's rows only, empty when no year has any.

    Asked of the last year the filters let through first (a tenth of the values to pair up; the
    warehouse's years are the sidebar's, already read), and of every year only when that one has none.
    """
    group = group_by(level)
    last = [y for y in queries.years(src) if (f.year_min is None or y >= f.year_min)
            and (f.year_max is None or y <= f.year_max)][-1:]
    if last:
        sums = placed(queries.complete_rollup(src, replace(f, year_min=last[0], year_max=last[0]), group,
                                              tuple(steps)), level)
        if not sums.empty:
            return sums
    sums = placed(queries.complete_rollup(src, f, group, tuple(steps)), level)
    years = sorted({int(y) for y in sums["year"].dropna()})
    return sums[sums["year"] == years[-1]] if years else sums


def missing_note(frame: pd.DataFrame) -> None:
    """Say how many reports do not give the number, so a gap is not read as zero."""
    silent = int((frame["reports"] - frame["given"]).sum())
    if not silent:
        return
    st.caption(t("missing_note", n=silent))
    empty = frame[frame["missing"]]
    if len(empty):
        which = (empty["label"] + " " + empty["year"].astype("Int64").astype(str)).tolist()
        shown = "、".join(which[:20]) + ("…" if len(which) > 20 else "")
        st.caption(t("missing_groups", which=localise_text(shown)))


def localise_text(text: str) -> str:
    """"unknown" place names in running text, in the current language."""
    return text.replace("unknown", t("unknown"))


def indicator_table(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows behind an indicator chart, as shown in its table view (a single value keeps its quote)."""
    out = frame[["label", "year", "doc_type", "display", "coverage", "quote"]].copy()
    out["quote"] = out["quote"].fillna("")
    out["doc_type"] = doc_names(out["doc_type"])
    out["label"] = out["label"].map(localise_text)
    out["year"] = out["year"].astype("Int64")
    return out.rename(columns={
        "label": t(f"col.{level}"), "year": t("col.year"), "doc_type": t("col.doc_type"),
        "display": t("col.value"), "coverage": t("col.coverage"), "quote": t("col.quote"),
    })


def wide_view(shown: pd.DataFrame, level: str, group: Sequence[str]) -> pd.DataFrame:
    """A ``tables.wide`` display frame ready for ``st.dataframe``: localised, keys dropped."""
    view = shown.drop(columns=[c for c in levels.LEVELS if c in group])
    view = localise(view).rename(columns={t("col.label"): t(f"col.{level}"), "reports": t("col.reports")})
    return view


def _map(src: Source, f: Filters, level: str, indicator: str, year: int, title: str, unit: str) -> go.Figure:
    """The chosen indicator of ``year`` as a choropleth of the page's regions (flagged values left out)."""
    from ui import rankings  # the rankings page's map helper; imported late (it imports this module)

    rows = queries.metric_reports(src, f, f"ind:{indicator}", (int(year),))
    regions = ranking.by_region(rows, level, "ind", int(year))
    regions = regions.assign(label=levels.labels(regions, level) if len(regions) else pd.Series(dtype=object),
                             highlight=False, key="",
                             coverage=[t("coverage", given=g, reports=r)
                                       for g, r in zip(regions["given"], regions["reports"], strict=True)])
    return rankings.map_figure(regions, level, f, title, unit)


def indicator_page(page: str, src: Source, f: Filters,
                   extra: Sequence[str] = ()) -> tuple[str, pd.DataFrame] | None:
    """The standard indicator page: headline, one indicator by region and over years, overview table.

    Returns the level and the shaped sums (of the page's indicators and
    ``extra``, fetched in the same query) so a page can add its own sections,
    or ``None`` when the filters match nothing (the empty state is shown).
    """
    header(page, f)
    ids = catalog.indicator_ids(page)
    catalogue = queries.indicators(src)
    if not queries.report_count(src, f):
        empty_state(f)
        return None
    # The headline's totals are the sums by group added up (tables.totals): one rollup, not two.
    # The group depends on the level picked below them, so they are drawn into their place after.
    heading = st.container()
    label = names(catalogue)
    st.divider()
    level = level_picker(page, src, f)
    group = group_by(level)
    fetched = tuple(dict.fromkeys([*ids, *extra]))
    sums = queries.rollup(src, f, group, fetched)
    with heading:
        headline(tables.totals(sums, ids), catalogue)
    frame = decorate(tables.shape(sums, level), f)
    key = filters.url_state("ind", ids, ids[0], page=page, what=t("choose_indicator"))
    chosen = st.selectbox(t("choose_indicator"), ids, format_func=lambda i: label.get(i, i), key=key)
    mine = placed(frame[frame["indicator"] == chosen], level)
    unit = unit_of(catalogue, chosen)
    name = label.get(chosen, chosen)
    all_years = sorted({int(y) for y in mine.loc[~mine["missing"], "year"]})
    table = indicator_table(mine, level)
    left, right = st.columns([3, 2])
    with left:
        if all_years:
            year = all_years[-1]
            latest = mine[mine["year"] == year]
            if f.doc_type == ALL_DOCS:
                latest = latest.assign(label=latest["label"] + " " + doc_names(latest["doc_type"]))
            drawn = latest[~latest["missing"]].sort_values("value", ascending=False).assign(highlight=False)
            silent = list(dict.fromkeys(latest.loc[latest["missing"], "label"]))
            title = t("by_region_year", name=name, level=t(f"level.{level}"), year=year)
            fig = charts.ranking(drawn, title, unit, True, silent, t("not_stated"))
            chart(fig, table, f"{page}__bars", src, f, catalogue,
                  map_fig=partial(_map, src, f, level, chosen, year, title, unit))
            if len(all_years) > 1:
                st.caption(t("rk.latest_year_note", year=year))
        else:
            st.info(t("rk.none"))
    with right:
        if len(all_years) > 1:
            lines = tables.trend_frame(mine, t("all_regions"))
            if lines is not mine:
                lines = decorate(lines, f)
            chart(charts.trend(lines, t("over_years"), unit), table, f"{page}__trend", src, f, catalogue)
            if lines is not mine:
                st.caption(t("trend_total_note"))
        else:
            st.markdown(f"**{t('over_years')}**")
            st.info(t("one_year_only"))
    missing_note(mine)
    st.subheader(t("all_indicators"))
    _, shown = tables.wide(frame, ids, label, group)
    st.dataframe(wide_view(shown, level, group), hide_index=True)
    st.caption(t("legend_qualifiers"))
    return level, frame


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
        out["doc_type"] = doc_names(out["doc_type"])
    if "year" in out.columns:
        out["year"] = out["year"].astype("Int64")
    return out.rename(columns=column_names())


def _marked(prefix: str, suffix: str) -> Callable[[Any], str]:
    """The formatter of cells that share one (prefix, suffix): ``≥1,234*``, or ``—`` when empty."""
    return lambda v: qualified(None, None) if pd.isna(v) else prefix + number(v) + suffix


def _lean_translate(styler: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``Styler._translate`` building only what ``st.dataframe`` reads of it.

    Streamlit sends a Styler's data and, beside it, each cell's display string, which it takes
    from ``_translate``: the ``id`` (``row3_col7``) and ``display_value`` of every body cell,
    and the CSS rules (none here: no cell is coloured). pandas' own ``_translate`` also builds
    the HTML classes, attributes and header cells of every cell, about half of marshalling a
    national compare table (10,000 cells). This calls the same per-cell formatters and fills
    the same keys; set on one Styler (its type stays ``Styler``, which Streamlit checks by
    name), for ``st.dataframe`` only (no ``to_html``).
    """
    funcs, row, col = styler._display_funcs, styler.css["row"], styler.css["col"]
    body = [[{"type": "td", "id": f"{row}{r}_{col}{c}", "value": v, "display_value": funcs[(r, c)](v)}
             for c, v in enumerate(values)]
            for r, values in enumerate(styler.data.itertuples(index=False, name=None))]
    return {"uuid": styler.uuid, "body": body, "cellstyle": [], "table_styles": [], "caption": styler.caption}


def styled(numbers: pd.DataFrame, marks: pd.DataFrame, fixed: Sequence[str]) -> Any:
    """A numeric table (so column sorting is numeric) whose cells read ``≥20``, ``—``, ``1,234*``.

    ``marks`` holds each cell's (prefix, suffix). Each column gets its most
    common marks in one ``format`` call for the whole table; the other cells get
    their formatter set by position in the Styler's per-cell table, which is
    what ``format(subset=...)`` fills after a ``.loc`` lookup per call (one
    call per column and kind of mark: 0.1 CPU-s of a national compare view).
    Where that table is not there (another pandas), the cells go through
    ``format(subset=...)`` as before: same strings either way.
    """
    from collections import Counter

    columns = [c for c in numbers.columns if c not in fixed]
    aligned = marks if marks.index.equals(numbers.index) else marks.reindex(numbers.index)
    cells = {col: aligned[col].tolist() for col in columns}
    common = {col: Counter(cells[col]).most_common(1)[0][0] for col in columns if cells[col]}
    styler = numbers.style.format({col: _marked(*common[col]) for col in common})
    per_cell = getattr(styler, "_display_funcs", None)
    if per_cell is not None:
        styler._translate = MethodType(_lean_translate, styler)
    for col in common:
        top, made = common[col], {}
        rows = [ri for ri, m in enumerate(cells[col]) if m != top]
        if not rows:
            continue
        if per_cell is None:
            for kind in dict.fromkeys(cells[col][ri] for ri in rows):
                picked = numbers.index[[m == kind for m in cells[col]]]  # not ``==``: a tuple compares element-wise
                styler = styler.format(_marked(*kind), subset=pd.IndexSlice[list(picked), [col]])
            continue
        ci = numbers.columns.get_loc(col)
        for ri in rows:
            kind = cells[col][ri]
            if kind not in made:
                made[kind] = _marked(*kind)
            per_cell[(ri, ci)] = made[kind]
    return styler


def group_section(page: str, group_name: str, src: Source, f: Filters, level: str,
                  sums: pd.DataFrame | None = None) -> None:
    """A page's extra chart: the indicators of one ``pages.yaml`` group side by side per region.

    The title and note come from ``labels.yaml`` (``<page>.<group>``); the
    unit is the first indicator's (a group shares one unit by design).
    ``sums`` are the page's shaped sums when they already hold the group's indicators.
    """
    ids = catalog.indicator_ids(page, group_name)
    if not ids:
        return
    catalogue = queries.indicators(src)
    label = names(catalogue)
    if sums is not None and set(ids) <= set(sums["indicator"]):
        frame = sums[sums["indicator"].isin(ids)]
    else:
        frame = decorate(tables.shape(queries.rollup(src, f, group_by(level), ids), level), f)
    st.subheader(t(f"{page}.{group_name}"))
    st.caption(t(f"{page}.{group_name}_note"))
    if frame["missing"].all():
        st.info(t("group_none"))
        return
    frame = placed(frame, level)
    years = sorted({int(y) for y in frame.loc[~frame["missing"], "year"]})
    drawn = frame[frame["year"] == years[-1]] if years else frame
    if f.doc_type == ALL_DOCS:
        drawn = drawn.assign(label=drawn["label"] + " " + doc_names(drawn["doc_type"]))
    table = drawn[~drawn["missing"]][["label", "indicator", "display", "coverage", "quote"]].assign(
        indicator=lambda d: d["indicator"].map(label), quote=lambda d: d["quote"].fillna(""))
    table = table.rename(columns={"label": t(f"col.{level}"), "indicator": t("col.name"),
                                  "display": t("col.value"), "coverage": t("col.coverage"), "quote": t("col.quote")})
    title = t(f"{page}.{group_name}") + (f"（{years[-1]}）" if years else "")
    fig = charts.small_multiples(drawn, label, title, unit_of(catalogue, ids[0]), t("rk.blank_not_stated"),
                                 list(ids))
    chart(fig, table, f"{page}__{group_name}", src, f, catalogue)


#: Shown in a chart's place until Plotly has drawn it, so no chart area is ever blank.
PLACEHOLDER_CSS = """
<style>
[data-testid="stPlotlyChart"]:not(:has(.main-svg)) { min-height: 320px; position: relative;
  background: repeating-linear-gradient(90deg, #f4f6f9 0 40%, #eceff3 50%, #f4f6f9 60% 100%);
  background-size: 200% 100%; animation: chart-wait 1.2s linear infinite; border-radius: 6px; }
[data-testid="stPlotlyChart"]:not(:has(.main-svg))::after { content: "⏳"; position: absolute;
  left: 50%; top: 45%; font-size: 28px; color: #9aa3ad; }
@keyframes chart-wait { from { background-position: 100% 0; } to { background-position: -100% 0; } }
</style>
"""


def chart_placeholder_css() -> None:
    """A shimmering placeholder where a chart will be, until its drawing exists (constant CSS, no data)."""
    st.html(PLACEHOLDER_CSS)
