"""Compare & export: region × indicator for the chosen years, change over the previous year,
and downloads (CSV for Excel, XLSX with sources and the filters used), one row per report."""

from __future__ import annotations

from functools import partial

import streamlit as st

from ui import bootstrap, components, export, filters, levels, queries, tables
from ui.i18n import lang, t

bootstrap.require_entry()

src = queries.source()
f = filters.current()
if not components.opened("compare", src, f):
    st.stop()

show_all = filters.url_state("all", [False, True], False, page="compare", encode=lambda on: "1" if on else "0",
                             what=t("compare.all_indicators"))
only_given = not st.toggle(t("compare.all_indicators"), key=show_all)
level = components.level_picker("compare", src, f)
group = components.group_by(level)
catalogue = queries.indicators(src)
ids = export.indicator_ids(catalogue)
frame = tables.shape(queries.rollup(src, f, group, tuple(ids)), level, clickable=False)
if only_given:
    given = set(frame.loc[frame["given"] > 0, "indicator"])
    ids = [i for i in ids if i in given]
names = export.headers(catalogue)
numbers = tables.wide_numbers(frame, ids, names, group)
view = components.localise(numbers.drop(columns=[c for c in levels.LEVELS if c in group]))
view = view.rename(columns={t("col.label"): t(f"col.{level}"), "reports": t("col.reports")})
fixed = (t(f"col.{level}"), t("col.year"), t("col.doc_type"), t("col.reports"))
styled = components.styled(view, tables.marks(frame, ids, names, group).set_axis(view.index), fixed)
st.dataframe(styled, hide_index=True, placeholder="—")
st.caption(t("compare.sort_hint") + " " + t("legend_qualifiers") + " " + t("compare.partial"))

st.subheader(t("compare.change"))
change = tables.changes(frame, names, list(levels.columns(level)))
if change.empty:
    st.info(t("compare.no_change"))
else:
    st.dataframe(export.localise_changes(change, t(f"col.{level}")), hide_index=True)

st.subheader(t("compare.export"))
# Built on click, on a thread of its own: the arguments (and the language) are fixed now.
args = (src, f, only_given, lang(), export.base_url(st.context.url))
downloads = (("csv", export.csv_file), ("xlsx", export.xlsx_file), ("long_csv", export.sources_csv_file),
             ("parquet", export.parquet_file))
labels = {"csv": "compare.csv", "xlsx": "compare.xlsx", "long_csv": "compare.sources", "parquet": "compare.parquet"}
# One under another: side by side, each label was cut to "Download …" (1024 px) or halfway (1440 px).
for kind, build in downloads:
    st.download_button(t(labels[kind]), partial(build, *args), file_name=export.file_name(f, kind),
                       mime=export.FORMATS[kind], key=f"compare__{kind}", icon=":material/download:",
                       on_click="ignore")
st.caption(t("compare.export_note"))
