"""Review queue: lowest-confidence values, flagged values and unplaced reports, oldest first.

Anyone can see the queue and follow an item to its sentence on the Sources
page; correcting needs a signed-in reviewer (checked again on the server by
``ui.review.save_corrections``). A correction is published at once
(``refresh_corrections``), so the item leaves the queue on the next run.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from etl.warehouse.corrections import QUALIFIERS
from ui import auth, bootstrap, editors, queries, review, tables
from ui.fmt import qualified
from ui.i18n import name_col, t

bootstrap.require_entry()
intents = editors.take_intents()

FLASH = "review__flash"
UNKNOWN = review.UNKNOWN

src = queries.source()
st.title(t("page.review"))
st.caption(t("intro.review"))
reviewer = auth.account_box("review", expanded=False)
for message in st.session_state.pop(FLASH, []):
    st.success(message, icon=":material/check_circle:")

threshold = review.confidence_threshold()
items = review.queue(src, threshold)
st.subheader(t("review.queue", n=len(items)), anchor=False)
st.caption(t("review.threshold", threshold=f"{threshold:g}"))
if items.empty:
    st.success(t("review.empty"))
    st.stop()

names = dict(zip(queries.indicators(src)["indicator"], queries.indicators(src)[name_col()], strict=True))
labelled = tables.with_region(items)
notes = [
    "; ".join(t(f"review.missing.{n}") for n in str(note).split(", ") if n) if kind == "unplaced" else note
    for kind, note in zip(items["item"], items["note"].fillna(""), strict=True)
]
shown = pd.DataFrame({
    "item": [t(f"review.item.{k}") for k in items["item"]],
    "report": [f"{label.replace(UNKNOWN, t('unknown'))} · {name}"
               for label, name in zip(labelled["label"], items["source_file"], strict=True)],
    "name": [names.get(i, i) if isinstance(i, str) else "" for i in items["indicator"]],
    "value": [qualified(v, q) if isinstance(i, str) else "" for v, q, i in
              zip(items["value"], items["qualifier"], items["indicator"], strict=True)],
    "confidence": items["confidence"],
    "note": notes,
    "quote": items["quote"].fillna(""),
    "ingested_at": items["ingested_at"],
    "link": ["sources?" + urlencode({"report": r, **({"value": v} if isinstance(v, str) else {})})
             for r, v in zip(items["report_id"], items["value_id"], strict=True)],
})
# A new key per warehouse version: after a correction the selection starts afresh.
table_key = "review__table_" + hashlib.sha1(src.version.encode()).hexdigest()[:10]
event = st.dataframe(
    shown, hide_index=True, on_select="rerun", selection_mode="single-row", key=table_key, placeholder="—",
    # what is to be checked first, where it is from after: at 1024 px the report's file name and a long
    # indicator name pushed the value out of view; the report column's end is the part that may be cut
    column_order=("item", "name", "value", "report", "confidence", "note", "quote", "ingested_at", "link"),
    column_config={
        "item": t("review.col.item"), "report": st.column_config.TextColumn(t("review.col.report"), width="medium"),
        "name": st.column_config.TextColumn(t("col.name"), width="medium"),
        "value": t("col.value"), "note": t("review.col.note"), "quote": t("col.quote"),
        "confidence": st.column_config.NumberColumn(t("review.col.confidence"), format="%.2f"),
        "ingested_at": st.column_config.DatetimeColumn(t("review.col.ingested_at"), format="YYYY-MM-DD HH:mm"),
        "link": st.column_config.LinkColumn(t("review.col.link"), display_text=t("review.open")),
    },
)
rows = event.get("selection", {}).get("rows", []) if event else []
if not rows:
    st.caption(t("review.pick"))
    st.stop()

item = items.iloc[rows[0]].to_dict()
report_id, value_id = str(item["report_id"]), item.get("value_id")
value_id = value_id if isinstance(value_id, str) else None
key = f"review__{hashlib.sha1(f'{report_id}|{value_id}'.encode()).hexdigest()[:12]}"
with st.container(border=True):
    st.markdown(f"**{editors.md_escape(shown.iloc[rows[0]]['item'])} · "
                f"{editors.md_escape(shown.iloc[rows[0]]['report'])}**")
    if value_id:
        st.text(f"{shown.iloc[rows[0]]['name']}: {shown.iloc[rows[0]]['value']} — {item.get('quote') or ''}")
    st.page_link("pages/sources.py", label=t("open_source"), icon=":material/description:",
                 query_params={"report": report_id, **({"value": value_id} if value_id else {})})
    if reviewer is None:
        st.info(t("review.sign_in_to_correct"), icon=":material/lock:")
        st.stop()

    if value_id:
        actions = ["confirm", "edit", "reject"]
        action_labels = editors.fixed({a: t(f"review.{a}") for a in actions})
        action = st.radio(t("review.action"), actions, format_func=action_labels, horizontal=True,
                          key=f"{key}__action")
        old = item.get("value")
        whole = old is not None and not pd.isna(old) and float(old) == math.floor(float(old))
        left, right = st.columns(2)
        new_value = left.number_input(
            t("review.new_value"), min_value=0 if whole else 0.0,
            value=(int(old) if whole else (None if old is None or pd.isna(old) else float(old))),
            step=1 if whole else 0.1, disabled=action != "edit", key=f"{key}__value",
        )
        qualifier_now = item.get("qualifier") if item.get("qualifier") in QUALIFIERS else "exact"
        qualifier = right.selectbox(t("col.qualifier"), list(QUALIFIERS), index=list(QUALIFIERS).index(qualifier_now),
                                    disabled=action != "edit", key=f"{key}__qualifier")
        reason = st.text_input(t("review.reason"), key=f"{key}__reason", max_chars=200)
        submitted = editors.action_button(t("review.submit"), f"{key}__submit", intents, type="primary")
        pending, missing = (review.value_item_corrections(item, action, new_value, qualifier, reason),
                            [] if reason.strip() else ["reason"])
    else:
        current = review.report_meta(src, report_id) or {}
        st.markdown(f"**{t('review.report_form')}**")
        chosen = editors.metadata_inputs(f"{key}__meta", current)
        reason = st.text_input(t("review.reason"), key=f"{key}__reason", max_chars=200)
        submitted = editors.action_button(t("review.submit"), f"{key}__submit", intents, type="primary")
        unresolved = [n for n in str(item.get("note") or "").split(", ") if n]
        pending, missing = review.report_item_corrections(current, chosen, reason, unresolved)

    if submitted:
        if missing:
            st.error(t("review.need_reason"))
        elif not pending:
            st.info(t("review.no_change"))
        else:
            try:
                ids = review.save_corrections(Path(src.db), report_id, item.get("source_file"), pending)
            except auth.NotSignedIn:
                st.error(t("auth.required"), icon=":material/lock:")
            except ValueError as exc:
                st.error(t("upload.invalid", error=exc))
            else:
                st.session_state[FLASH] = [t("review.saved", n=len(ids))]
                st.rerun()
