"""Compare & export: region × indicator for the chosen years, change over the previous year,
and downloads (CSV for Excel, XLSX with sources and the filters used)."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, components, export, filters, queries, tables
from ui.i18n import t

bootstrap.require_entry()

src = queries.source()
f = filters.current()
components.header("compare", f)
bundle = export.bundle(src, f, only_given=not st.toggle(t("compare.all_indicators"), key="compare__all"))
if bundle is None:
    components.empty_state(f)
    st.stop()

st.dataframe(components.styled(bundle.numbers, bundle.shown), hide_index=True, placeholder="—")
st.caption(t("compare.sort_hint") + " " + t("legend_qualifiers"))

st.subheader(t("compare.change"))
change = tables.changes(bundle.values, bundle.names)
if change.empty:
    st.info(t("compare.no_change"))
else:
    st.dataframe(export.localise_changes(change), hide_index=True)

st.subheader(t("compare.export"))
left, right = st.columns(2)
left.download_button(t("compare.csv"), export.csv_bytes(bundle.table), file_name="stats_compare.csv",
                     mime="text/csv", key="compare__csv", icon=":material/download:")
right.download_button(
    t("compare.xlsx"), export.xlsx_bytes(bundle.table, bundle.sources, bundle.notes),
    file_name="stats_compare.xlsx", key="compare__xlsx", icon=":material/download:",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
st.caption(t("compare.export_note"))
