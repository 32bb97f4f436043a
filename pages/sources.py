"""Sources: one report's full text with every extracted value marked, the values listed beside.

The report and the selected value are in the URL (``?report=<id>&value=<id>``)
so any number elsewhere can link straight to the sentence it came from.
"""

from __future__ import annotations

import streamlit as st

from ui import bootstrap, components, editors, filters, highlight, history, queries, tables
from ui.fmt import qualified
from ui.i18n import t

#: Reports offered in the picker; the sidebar filters narrow a national list down to them.
PICKER_SIZE = 2000

bootstrap.require_entry()

src = queries.source()
f = filters.current()
st.title(t("page.sources"))
st.caption(t("intro.sources"))

wanted = st.query_params.get("report")
listed, n_matching = queries.report_list(src, f, wanted, PICKER_SIZE)
reports = tables.with_region(listed)
if reports.empty:
    components.empty_state(f)
    st.stop()
labels = {r["report_id"]: f"{r['label']} · {t('doc_' + str(r['doc_type']))} · {r['source_file']}"
          for r in reports.to_dict("records")}
if wanted in labels and st.session_state.get("sources__seen") != wanted:
    st.session_state["sources__report"] = wanted  # a link (or pasted URL) chose the report
    st.session_state["sources__seen"] = wanted
report_id = st.selectbox(t("sources.choose"), list(labels), format_func=labels.get, key="sources__report")
if n_matching > PICKER_SIZE:
    st.caption(t("sources.narrow", total=n_matching, shown=PICKER_SIZE))
if st.query_params.get("report") != report_id:
    st.query_params["report"] = report_id
    st.session_state["sources__seen"] = report_id
    st.query_params.pop("value", None)

text = queries.report_text(src, report_id) or ""
found = queries.report_values(src, report_id)
names = components.names(queries.indicators(src))
selected = st.query_params.get("value")
spans = [highlight.Span(int(r["start_pos"]), int(r["end_pos"]), r["value_id"],
                        f"{names.get(r['indicator'], r['indicator'])}: {qualified(r['value'], r['qualifier'])}")
         for r in found.to_dict("records")]
bad = [s for s in spans if not highlight.valid(s, text)]

left, right = st.columns([3, 2])
with right:
    st.subheader(t("sources.values", n=len(found)))
    listing = found.assign(name=found["indicator"].map(names),
                           shown=[qualified(v, q) for v, q in zip(found["value"], found["qualifier"], strict=True)])
    event = st.dataframe(
        listing[["name", "shown", "quote"]].rename(columns={
            "name": t("col.name"), "shown": t("col.value"), "quote": t("col.quote")}),
        hide_index=True, on_select="rerun", selection_mode="single-row", key="sources__table",
    )
    rows = event.get("selection", {}).get("rows", []) if event else []
    if rows:
        selected = str(listing.iloc[rows[0]]["value_id"])
        st.query_params["value"] = selected
    if bad:
        st.warning(t("sources.bad_offsets", n=len(bad)))
with left:
    chosen = found[found["value_id"] == selected]
    if len(chosen):
        row = chosen.iloc[0]
        st.success(f"**{names.get(row['indicator'], row['indicator'])}: "  # the quote is report text: escaped
                   f"{qualified(row['value'], row['qualifier'])}** — “{editors.md_escape(row['quote'])}”")
        history.show(src, report_id, str(row["indicator"]))  # who changed this value, when and why
    st.html(highlight.page_html(text, spans, selected))
