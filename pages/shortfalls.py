"""Shortfalls: which weaknesses each report admits, enforcement capacity beside workload,
and which reports state no shortfall at all."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, charts, components, filters, queries, tables
from ui.i18n import name_col, t

bootstrap.require_entry()

src = queries.source()
f = filters.current()
components.header("shortfalls", f)
reports = queries.reports(src, f)
if reports.empty:
    components.empty_state(f)
    st.stop()

statements = queries.shortfalls(src, f)
counts, texts = tables.shortfall_matrix(reports, statements, queries.themes(src), name_col())
fig = charts.heatmap(counts, texts, t("shortfalls.heatmap"), t("shortfalls.count"))
components.chart(fig, counts.rename_axis(t("col.region")).reset_index(), "shortfalls__heatmap")

st.subheader(t("shortfalls.statements"))
if statements.empty:
    st.info(t("shortfalls.none_stated"))
else:
    listed = tables.with_region(statements)
    listed["theme_name"] = listed[f"theme_{name_col().removeprefix('name_')}"].fillna(listed["theme"])
    st.dataframe(listed[["label", "theme_name", "text"]].rename(columns={
        "label": t("col.region"), "theme_name": t("col.theme"), "text": t("col.statement")}), hide_index=True)

silent = tables.silent_reports(reports, statements)
st.subheader(t("shortfalls.silent"))
if silent.empty:
    st.caption(t("shortfalls.silent_none"))
else:
    st.caption(t("shortfalls.silent_note"))
    for row in silent.to_dict("records"):
        components.source_link(row["report_id"], None, f"{row['label']} · {row['source_file']}")

st.subheader(t("shortfalls.capacity"))
cap, work = catalog.indicator_ids("shortfalls", "capacity"), catalog.indicator_ids("shortfalls", "workload")
names = components.names(queries.indicators(src))
values = queries.values(src, f, cap + work)
numbers, shown = tables.wide(reports, values, cap + work, names)
cap_cols, work_cols = [names.get(i, i) for i in cap], [names.get(i, i) for i in work]
fig = charts.capacity(numbers, shown, cap_cols, work_cols, t("shortfalls.capacity"), t("not_stated"))
table = tables.capacity(reports, values, cap, work, names).rename(
    columns={"ratio": t("shortfalls.ratio"), **components.column_names()})
components.chart(fig, table, "shortfalls__capacity")
st.caption(t("shortfalls.capacity_note"))
