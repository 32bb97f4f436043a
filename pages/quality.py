"""Data quality: flagged values, reports with unknown region or year, ingest errors, plans vs reports."""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, components, export, filters, queries, tables
from ui.fmt import qualified
from ui.i18n import name_col, t
from ui.model import ALL_DOCS, Filters

bootstrap.require_entry()

src = queries.source()
f = filters.current()
components.header("quality", f)
names = components.names(queries.indicators(src))

st.subheader(t("quality.flagged"))
flagged = queries.flagged_values(src, f)
if flagged.empty:
    st.success(t("quality.flagged_none"))
else:
    shown = tables.with_region(flagged)
    shown = shown.assign(name=shown["indicator"].map(names), flags=shown["flags"].map(export.flag_text),
                         shown=[qualified(v, q) for v, q in zip(shown["value"], shown["qualifier"], strict=True)])
    st.dataframe(components.localise(shown[["label", "name", "shown", "flags", "quote"]]).rename(columns={
        "name": t("col.name"), "shown": t("col.value"), "flags": t("col.flags"), "quote": t("col.quote")}),
        hide_index=True)
    base = filters.url_params()  # the view's filters, read once for every link
    for row in shown.to_dict("records"):
        components.source_link(row["report_id"], row["value_id"], f"{row['label']} · {row['name']}",
                               row.get("source_file"), base)

st.subheader(t("quality.unplaced"))
st.caption(t("quality.whole_warehouse"))
unplaced = queries.unplaced_reports(src)
if unplaced.empty:
    st.success(t("quality.unplaced_none"))
else:
    st.dataframe(components.localise(unplaced.drop(columns=["report_id"])), hide_index=True)

st.subheader(t("quality.ingest"))
problems = queries.ingest_problems(src)
if problems.empty:
    st.success(t("quality.ingest_none"))
else:
    st.dataframe(problems.rename(columns=lambda c: t(f"col.{c}")), hide_index=True)

st.subheader(t("quality.plans"))
st.caption(t("quality.plans_note"))
plans = queries.plans_vs_reports(src)
plans = plans.assign(status=[t("quality.both") if p and r else t("quality.plan_only") if p else t("quality.report_only")
                             for p, r in zip(plans["plans"], plans["reports"], strict=True)])
st.dataframe(components.localise(plans.rename(columns={"district": "region"})).rename(columns={
    "plans": t("col.plans"), "reports": t("col.reports"), "status": t("col.status")}), hide_index=True)
targets = tables.with_region(queries.targets(src, Filters(doc_type=ALL_DOCS)))
# the signs a reader writes, as on the bureau brief: "≥ 95", not ">= 95"
targets = targets.assign(comparator=targets["comparator"].replace({">=": "≥", "<=": "≤"}))
if len(targets):
    st.markdown(f"**{t('quality.targets')}**")
    st.dataframe(components.localise(targets[["label", name_col(), "comparator", "value", "quote"]]).rename(
        columns={name_col(): t("col.name"), "comparator": t("col.comparator"), "value": t("col.value"),
                 "quote": t("col.quote")}), hide_index=True)

st.subheader(t("quality.corrections"))
review = queries.corrections_review(src)
if review.empty:
    st.success(t("quality.corrections_none"))
else:
    st.dataframe(review.rename(columns=lambda c: t(f"col.{c}")), hide_index=True)
