"""Penalties: penalties, corrections, exemptions, credit repair, reconsideration; and the funnel
inspected → violation → penalty for the reports that give all three steps."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, charts, components, queries, tables
from ui.i18n import t

bootstrap.require_entry()

shown = components.standard_page("penalties")
if shown is not None:
    src, f, level, frame = shown
    steps = catalog.indicator_ids("penalties", "funnel")
    names = components.names(queries.indicators(src))
    st.subheader(t("funnel.title"))
    st.caption(t("funnel.intro", steps=" → ".join(names.get(s, s) for s in steps)))
    sums = queries.complete_rollup(src, f, components.group_by(level), steps)
    rows = tables.funnel_series(sums, level, steps, t("all_regions"))
    if rows.empty:
        st.info(t("funnel.none"))
    else:
        table = rows[["label", "indicator", "display"]].assign(
            indicator=rows["indicator"].map(names), label=rows["label"].map(components.localise_text))
        components.chart(charts.funnel(rows, names, t("funnel.title")), table, "penalties__funnel",
                         src, f, queries.indicators(src))
        complete = int(sums.loc[sums["indicator"] == steps[0], "reports"].sum())
        in_filters = int(frame.drop_duplicates([*components.group_by(level)])["reports"].sum())
        if in_filters > complete:
            st.caption(t("funnel.left_out", n=in_filters - complete))
