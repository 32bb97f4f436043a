"""Penalties: penalties, corrections, exemptions, credit repair, reconsideration; and the funnel
inspected → violation → penalty for the reports that give all three steps."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, charts, components, filters, queries, tables
from ui.i18n import t

bootstrap.require_entry()

src = queries.source()
f = filters.current()
shown = components.indicator_page("penalties", src, f)
if shown is not None:
    reports, _ = shown
    steps = catalog.indicator_ids("penalties", "funnel")
    names = components.names(queries.indicators(src))
    st.subheader(t("funnel.title"))
    st.caption(t("funnel.intro", steps=" → ".join(names.get(s, s) for s in steps)))
    rows = tables.funnel_reports(reports, queries.values(src, f, steps), steps)
    if rows.empty:
        st.info(t("funnel.none"))
    else:
        table = rows[["label", "indicator", "display"]].assign(indicator=rows["indicator"].map(names))
        components.chart(charts.funnel(rows, names, t("funnel.title")), table, "penalties__funnel",
                         src, queries.indicators(src))
        left_out = len(reports) - rows["report_id"].nunique()
        if left_out:
            st.caption(t("funnel.left_out", n=left_out))
