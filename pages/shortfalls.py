"""Shortfalls: which weaknesses the reports admit, by region, enforcement capacity beside workload,
and which reports state no shortfall at all."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, charts, components, filters, levels, queries, tables
from ui.fmt import MISSING
from ui.i18n import name_col, t

#: Statements listed on screen; the rest are reached by narrowing the filters.
STATEMENTS_SHOWN = 1000
#: Reports stating no shortfall listed as links.
SILENT_SHOWN = 50

bootstrap.require_entry()

src = queries.source()
f = filters.current()
if not components.opened("shortfalls", src, f):
    st.stop()

level = components.level_picker("shortfalls", src, f)
place = levels.columns(level)
rows_by_year = levels.narrowed_options(queries.region_options(src), f)[[*place, "year"]].drop_duplicates()
by_year = len(rows_by_year) <= levels.MAX_GROUPS
group = (*place, "year") if by_year else tuple(place)
# one report per row (districts by year): every statement fits on hover
examples = 50 if level == "district" and by_year else 5
themes = queries.themes(src)
sums = queries.shortfall_rollup(src, f, group, examples)
share, text, hover = tables.shortfall_matrix(sums, level, themes, name_col(), by_year, t("shortfalls.stating"),
                                             examples)
share.index = [components.localise_text(str(i)) for i in share.index]
fig = charts.heatmap(share, text.set_axis(share.index), hover.set_axis(share.index),
                     t("shortfalls.heatmap", level=t(f"level.{level}")))
components.chart(fig, text.set_axis(share.index).rename_axis(t(f"col.{level}")).reset_index(), "shortfalls__heatmap")

st.subheader(t("shortfalls.statements"))
theme_names = dict(zip(themes["theme"], themes[name_col()], strict=True))
theme = st.selectbox(t("col.theme"), list(theme_names), index=None, placeholder=t("all"),
                     format_func=lambda k: theme_names.get(k, k), key="shortfalls__theme")
statements, n_statements = queries.shortfall_statements(src, f, STATEMENTS_SHOWN, theme)
if statements.empty:
    st.info(t("shortfalls.none_stated"))
else:
    listed = tables.with_region(statements)
    listed["theme_name"] = listed[f"theme_{name_col().removeprefix('name_')}"].fillna(listed["theme"])
    st.dataframe(components.localise(listed[["label", "theme_name", "text"]]).rename(columns={
        t("col.label"): t("col.region"), "theme_name": t("col.theme"), "text": t("col.statement")}),
        hide_index=True)
    if n_statements > len(statements):
        st.caption(t("shortfalls.more", total=n_statements, shown=len(statements)))

silent, n_silent = queries.silent_reports(src, f, SILENT_SHOWN)
st.subheader(t("shortfalls.silent"))
if silent.empty:
    st.caption(t("shortfalls.silent_none"))
else:
    st.caption(t("shortfalls.silent_note", n=n_silent))
    for row in tables.with_region(silent).to_dict("records"):
        components.source_link(row["report_id"], None,
                               f"{components.localise_text(row['label'])} · {row['source_file']}")
    if n_silent > len(silent):
        st.caption(t("shortfalls.more", total=n_silent, shown=len(silent)))

st.subheader(t("shortfalls.capacity"))
cap, work = catalog.indicator_ids("shortfalls", "capacity"), catalog.indicator_ids("shortfalls", "workload")
names = components.names(queries.indicators(src))
by_level = components.group_by(level)
frame = tables.shape(queries.rollup(src, f, by_level, cap + work), level, clickable=False)
years = tables.bar_years(frame, levels.MAX_GROUPS)
frame = frame[frame["year"].isin(years)] if years else frame
numbers, shown = tables.wide(frame, cap + work, names, by_level)
cap_cols, work_cols = [names.get(i, i) for i in cap], [names.get(i, i) for i in work]
title = t("shortfalls.capacity") + (f"（{years[-1]}）" if len(years) == 1 else "")
fig = charts.capacity(numbers.assign(label=numbers["label"].map(components.localise_text)), shown, cap_cols,
                      work_cols, title, t("not_stated"))
table = components.wide_view(shown, level, by_level)
if cap and work:
    ratio = queries.ratio_rollup(src, f, by_level, work[0], cap[0])
    ratios = numbers[list(by_level)].merge(ratio, on=list(by_level), how="left")["ratio"]
    table[t("shortfalls.ratio")] = [MISSING if r != r else f"{r:,.1f}" for r in ratios]
components.chart(fig, table, "shortfalls__capacity")
st.caption(t("shortfalls.capacity_note"))
