"""Sources: one report's full text with every extracted value marked, the values listed beside.

The report and the selected value are in the URL (``?report=<file name>&value=<indicator>``,
see ``ui/links.py``) so any number elsewhere links straight to the sentence it
came from, and the link survives a rebuild. A link naming a report that is not
in the warehouse shows a notice and no report, never another one.
"""

from __future__ import annotations

import streamlit as st

from etl.extract.sections import headings
from ui import bootstrap, filters, highlight, history, links, queries, tables
from ui.components import empty_state
from ui.components import names as indicator_names
from ui.editors import md_escape
from ui.fmt import qualified
from ui.i18n import t

#: Reports offered in the picker; the sidebar filters narrow a national list down to them.
PICKER_SIZE = 2000
PAGE = "sources"

bootstrap.require_entry()

src = queries.source()
f = filters.current()
st.title(t("page.sources"))
st.caption(t("intro.sources"))

linked = filters.from_link(links.REPORT_KEY)
wanted = links.report_row(src, linked) if linked else None
if linked:
    filters.forget(links.VALUE_KEY)  # a new report from a link: its value comes from the link too
listed, n_matching = queries.report_list(src, f, wanted["report_id"] if wanted else None, PICKER_SIZE)
reports = tables.with_region(listed)
if reports.empty and not linked:
    empty_state(f)
    st.stop()
labels = {r["report_id"]: f"{r['label']} · {t('doc_' + str(r['doc_type']))} · {r['source_file']}"
          for r in reports.to_dict("records")}
files = dict(zip(reports["report_id"], reports["source_file"], strict=True))

def _file(rid: str) -> str:
    return files.get(rid, rid)


# The report is always written to the URL (no default left out): the first in the list depends on the data.
key = filters.url_state(links.REPORT_KEY, [None, *labels], None, page=PAGE, what=t("sources.report"),
                        encode=_file, decode=lambda text: (links.report_row(src, text) or {}).get("report_id"))
if st.session_state[key] is None and labels and not (linked and wanted is None):
    # nothing chosen yet: the first report; a stale link chooses none (the notice says why)
    filters.set_state(links.REPORT_KEY, next(iter(labels)), None, page=PAGE, encode=_file)
report_id = st.selectbox(t("sources.choose"), list(labels), format_func=labels.get, key=key,
                         index=None, placeholder=t("sources.pick"))
if n_matching > PICKER_SIZE:
    st.caption(t("sources.narrow", total=n_matching, shown=PICKER_SIZE))
if report_id is None:
    st.stop()

text = queries.report_text(src, report_id) or ""
found = queries.report_values(src, report_id)
names = indicator_names(queries.indicators(src))
value_key = filters.url_state(links.VALUE_KEY, [None, *found["value_id"]], None, page=PAGE,
                              what=t("sources.value"), encode=links.indicator_of,
                              decode=lambda text: links.resolve_value(found, text))
selected = st.session_state[value_key]
spans = [highlight.Span(int(r["start_pos"]), int(r["end_pos"]), r["value_id"],
                        f"{names.get(r['indicator'], r['indicator'])}: {qualified(r['value'], r['qualifier'])}")
         for r in found.to_dict("records")]
bad = [s for s in spans if not highlight.valid(s, text)]

left, right = st.columns([3, 2])
with right:
    st.subheader(t("sources.values", n=len(found)))
    listing = found.assign(name=found["indicator"].map(names),
                           shown=[qualified(v, q) for v, q in zip(found["value"], found["qualifier"], strict=True)])
    # the value first: in this narrow column at 1024 px a long indicator name pushed it out of view
    event = st.dataframe(
        listing[["shown", "name", "quote"]].rename(columns={
            "name": t("col.name"), "shown": t("col.value"), "quote": t("col.quote")}),
        hide_index=True, on_select="rerun", selection_mode="single-row", key="sources__table",
        column_config={t("col.value"): st.column_config.Column(width="small"),
                       t("col.name"): st.column_config.Column(width="medium")},
    )
    rows = event.get("selection", {}).get("rows", []) if event else []
    picked = str(listing.iloc[rows[0]]["value_id"]) if rows and rows[0] < len(listing) else None
    if picked is not None and picked != st.session_state.get("sources__picked"):
        selected = picked  # a row clicked now wins over the link's value
        filters.set_state(links.VALUE_KEY, picked, None, page=PAGE, encode=links.indicator_of)
    st.session_state["sources__picked"] = picked
    if bad:
        st.warning(t("sources.bad_offsets", n=len(bad)))
with left:
    chosen = found[found["value_id"] == selected]
    if len(chosen):
        row = chosen.iloc[0]
        st.success(f"**{md_escape(names.get(row['indicator'], row['indicator']))}: "
                   f"{qualified(row['value'], row['qualifier'])}** — “{md_escape(row['quote'])}”")
        path = highlight.section_path([(h.level, h.start, h.text) for h in headings(text)], int(row["start_pos"]))
        # headings are report text: escaped like the quote
        st.caption(t("sources.section", path=" › ".join(map(md_escape, path)) if path else t("sources.no_section")))
        history.show(src, report_id, str(row["indicator"]))  # who changed this value, when and why
    st.html(highlight.page_html(text, spans, selected), unsafe_allow_javascript=True)
