"""Upload & review: drop report files, check each extraction beside its text, save.

Checking happens in memory and writes nothing; saving (ui/upload.py) needs a
signed-in reviewer and is refused on the server otherwise, whatever this page
shows. Files already checked are kept in session state by upload id, so
editing a table does not read and extract every file again.
"""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from ui import auth, bootstrap, config, editors, filters, queries, review, upload
from ui.i18n import name_col, t

bootstrap.require_entry()
intents = editors.take_intents()

CHECKED, DONE, DISCARDED, CURRENT = "upload__checked", "upload__done", "upload__discarded", "upload__current"

src = queries.source()
st.title(t("page.upload"))
st.caption(t("intro.upload"))
reviewer = auth.account_box("upload")
for message in st.session_state.pop(DONE, []):
    st.success(message, icon=":material/check_circle:")

limit_mb = upload.max_upload_mb()
raw = config.raw_path()
checked: dict[str, upload.Candidate | upload.Rejection] = st.session_state.setdefault(CHECKED, {})
discarded: set[str] = st.session_state.setdefault(DISCARDED, set())
if reviewer is not None:
    files = st.file_uploader(t("upload.files", mb=f"{limit_mb:g}"), accept_multiple_files=True,
                             max_upload_size=max(1, math.ceil(limit_mb)), key="upload__files")
    seen: list[str] = []
    current: list[tuple[str, upload.Candidate | upload.Rejection]] = []
    for f in files or []:
        if f.file_id not in checked:
            checked[f.file_id] = upload.validate(f.getvalue(), f.name, src=src, raw=raw, seen=tuple(seen))
        result = checked[f.file_id]
        if isinstance(result, upload.Candidate):
            seen.append(result.sha256)
        if f.file_id not in discarded:
            current.append((f.file_id, result))
    st.session_state[CURRENT] = current
    for stale in set(checked) - {f.file_id for f in files or []}:
        del checked[stale]  # removed from the uploader: free its bytes
else:
    st.info(t("upload.sign_in_first"), icon=":material/lock:")
    # Files checked before the session lost its sign-in stay on screen; saving them is refused.
    current = st.session_state.get(CURRENT, [])

names = dict(zip(queries.indicators(src)["indicator"], queries.indicators(src)[name_col()], strict=True))
themes = dict(zip(queries.themes(src)["theme"], queries.themes(src)[name_col()], strict=True))

for file_id, item in current:
    if isinstance(item, upload.Rejection):
        st.error(t("upload.rejected", name=editors.md_escape(item.name),
                   message=editors.md_escape(editors.rejection_message(item, limit_mb))),
                 icon=":material/block:")
        continue
    c, key = item, f"up_{item.key}"
    with st.container(border=True):
        st.subheader(editors.md_escape(c.name), anchor=False)
        st.caption(t("upload.facts", safe=c.safe_name, format=c.doc.format, size=f"{c.doc.size:,} B",
                     sha=c.sha256[:12]))
        if c.notes:
            st.caption(editors.md_escape(t("upload.notes", notes="; ".join(c.notes))))
        left, right = st.columns([1, 1])
        with left:
            st.markdown(f"**{t('upload.text')}**")
            editors.marked_text(c.doc.text, c.values, names)
        with right:
            decisions = editors.Decisions()
            st.markdown(f"**{t('upload.meta')}**")
            extracted = {k: c.report.get(k) for k in ("province", "city", "district", "adcode", "year", "doc_type")}
            chosen = editors.metadata_inputs(f"{key}__meta", extracted)
            meta_reason = st.text_input(t("upload.meta_reason"), key=f"{key}__meta_reason", max_chars=200)
            decisions.add(*review.metadata_decisions(extracted, chosen, meta_reason))

            st.markdown(f"**{t('upload.values', n=len(c.values))}**")
            st.caption(t("upload.values_help"))
            if c.values:
                table = editors.values_table(c.values, names)
                edited = editors.values_editor(f"{key}__values", table)
            else:
                st.caption(t("upload.no_values"))
            if c.shortfalls:
                st.markdown(f"**{t('upload.shortfalls', n=len(c.shortfalls))}**")
                s_table = editors.shortfalls_table(c.shortfalls)
                s_edited = editors.shortfalls_editor(f"{key}__shortfalls", s_table, themes)
            default_reason = st.text_input(t("upload.default_reason"), key=f"{key}__reason", max_chars=200)
            if c.values:
                decisions.add(*review.value_decisions(table, edited, default_reason))
            if c.shortfalls:
                decisions.add(*review.shortfall_decisions(s_table, s_edited, default_reason))
            if decisions.missing:
                st.warning(t("upload.missing_reason", which=", ".join(decisions.missing)))
            elif decisions.pending:
                st.caption(t("upload.pending", n=len(decisions.pending)))
            save_col, discard_col = st.columns(2)
            with save_col:
                save = editors.action_button(t("upload.save"), f"{key}__save", intents, type="primary",
                                             disabled=bool(decisions.missing), icon=":material/save:")
            with discard_col:
                discard = editors.action_button(t("upload.discard"), f"{key}__discard", intents)
            if discard:
                discarded.add(file_id)
                st.rerun()
        if save and decisions.missing:
            st.error(t("upload.missing_reason", which=", ".join(decisions.missing)))  # a forged click
        elif save:
            try:
                with st.spinner(t("upload.saving")):
                    result = upload.save_upload(c, decisions.pending, raw=raw, db=Path(src.db), src=src)
            except auth.NotSignedIn:
                st.error(t("auth.required"), icon=":material/lock:")
            except upload.DuplicateUpload as exc:
                st.error(t("upload.duplicate_now", error=exc))
            except ValueError as exc:
                st.error(t("upload.invalid", error=exc))
            else:
                discarded.add(file_id)
                if result.build_ok:
                    message = t("upload.saved", file=result.source_file, n=len(result.correction_ids),
                                build=result.build_line)
                else:
                    message = t("upload.build_failed", file=result.source_file, error=result.build_error)
                st.session_state[DONE] = [*st.session_state.get(DONE, []), message]
                st.session_state["upload__last_report"] = c.sha256
                if filters.YEARS_KEY not in st.query_params:
                    # The slider kept the old full range; let it span the new report's year too.
                    st.session_state.pop(filters.YEARS_KEY, None)
                st.rerun()

last = st.session_state.get("upload__last_report")
if last:
    st.page_link("pages/sources.py", label=t("upload.open_sources"), icon=":material/description:",
                 query_params={"report": last})
