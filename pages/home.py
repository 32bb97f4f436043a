"""Home: what is loaded, headline figures for the current filters, where to go next."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, catalog, components, filters, metric_fit, queries, theme
from ui.fmt import number
from ui.i18n import t
from ui.nav import PAGES

bootstrap.require_entry()

src = queries.source()
f = filters.current()

st.title(t("app_title"))
st.caption(t("intro.home"))

loaded = queries.overview(src)
# three to a row (metric_fit.yaml): a year range does not fit a fifth of a 1024 px page
per_row = metric_fit.per_row("loaded")
theme.metric_css()
cols = [*st.columns(per_row), *st.columns(per_row)]
cols[0].metric(t("loaded.bureaus"), number(loaded["bureaus"]))
years = "—" if loaded["year_min"] is None or loaded["years"] == 0 else (
    f"{int(loaded['year_min'])}–{int(loaded['year_max'])}"
)
cols[1].metric(t("loaded.years"), years)
cols[2].metric(t("loaded.reports"), number(loaded["reports"] - loaded["plans"]))
cols[3].metric(t("loaded.plans"), number(loaded["plans"]))
cols[4].metric(t("loaded.values"), number(loaded["values"]))
built = loaded["built_at"]
st.caption(t("loaded.built", at="—" if built is None else str(built)[:19]))
if loaded["unplaced"]:
    st.warning(t("loaded.unplaced", n=loaded["unplaced"]), icon="⚠️")

st.subheader(t("home.headline"))
st.caption(" · ".join(f"{k}: {v}" for k, v in filters.describe(f)))
totals = queries.rollup(src, f, (), catalog.indicator_ids("home", "headline"))
if not components.has_reports(totals):
    components.empty_state(f)
else:
    components.headline(totals, queries.indicators(src))
    st.caption(t("legend_qualifiers"))

st.subheader(t("home.next"))
grid = st.columns(3)
for i, (name, path, icon) in enumerate(PAGES[1:]):
    with grid[i % 3].container(border=True):
        st.page_link(path, label=t(f"page.{name}"), icon=icon, query_params=filters.url_params())
        st.caption(t(f"intro.{name}"))
