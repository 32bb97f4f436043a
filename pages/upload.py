"""Upload & review: drop report files, check each extraction beside its text, save.

Checking happens in memory and writes nothing; saving (ui/upload.py) needs a
signed-in reviewer and is refused on the server otherwise, whatever this page
shows. Files already checked are kept in session state by upload id, so
editing a table does not read and extract every file again.

Saving runs in the save button's callback, before the script: the sidebar
is drawn before this page, and only a callback can still widen its year
range to take in the new report's year.
"""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from ui import auth, bootstrap, config, editors, filters, queries, upload
from ui.i18n import name_col, t

CHECKED, CURRENT = "upload__checked", "upload__current"
DONE, ERRORS, LAST = "upload__done", "upload__errors", "upload__last_report"


def _full_range() -> tuple[int, int] | None:
    years = filters.years_available(queries.region_options(queries.source()))
    return (years[0], years[-1]) if len(years) > 1 else None


def _save(file_id: str, key: str) -> None:
    """The save button's callback: store the upload with the reviewer's corrections and rebuild."""
    item = dict(st.session_state.get(CURRENT, [])).get(file_id)
    if not isinstance(item, upload.Candidate):
        return
    errors: dict[str, str] = st.session_state.setdefault(ERRORS, {})
    decisions = editors.candidate_decisions(item, key)
    if decisions.missing:  # the button is disabled then; a forged click lands here
        errors[key] = t("upload.missing_reason", which=", ".join(decisions.missing))
        return
    before = _full_range()
    src = queries.source()
    try:
        result = upload.save_upload(item, decisions.pending, raw=config.raw_path(), db=Path(src.db), src=src)
    except auth.NotSignedIn:
        errors[key] = t("auth.required")
        return
    except upload.DuplicateUpload as exc:
        errors[key] = t("upload.duplicate_now", error=exc)
        return
    except ValueError as exc:
        errors[key] = t("upload.invalid", error=exc)
        return
    st.session_state[CURRENT] = [(f, c) for f, c in st.session_state[CURRENT] if f != file_id]
    st.session_state.setdefault("upload__saved", set()).add(file_id)
    if result.build_ok:
        message = t("upload.saved", file=result.source_file, n=len(result.correction_ids), build=result.build_line)
    else:
        message = t("upload.build_failed", file=result.source_file, error=result.build_error)
    st.session_state[DONE] = [*st.session_state.get(DONE, []), message]
    st.session_state[LAST] = item.sha256
    after = _full_range()
    chosen = st.session_state.get(filters.YEARS_KEY)
    if after and (chosen is None or before is None or tuple(chosen) == before):
        st.session_state[filters.YEARS_KEY] = after  # the slider showed every year: keep showing every year


bootstrap.require_entry()
intents = editors.take_intents()

src = queries.source()
st.title(t("page.upload"))
st.caption(t("intro.upload"))
reviewer = auth.account_box("upload")
for message in st.session_state.pop(DONE, []):
    st.success(editors.md_escape(message), icon=":material/check_circle:")
errors: dict[str, str] = st.session_state.pop(ERRORS, {})

limit_mb = upload.max_upload_mb()
raw = config.raw_path()
checked: dict[str, upload.Candidate | upload.Rejection] = st.session_state.setdefault(CHECKED, {})
hidden: set[str] = st.session_state.setdefault("upload__saved", set())
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
        if f.file_id not in hidden:
            current.append((f.file_id, result))
    for stale in set(checked) - {f.file_id for f in files or []}:
        del checked[stale]  # removed from the uploader: free its bytes
    st.session_state[CURRENT] = current
else:
    st.info(t("upload.sign_in_first"), icon=":material/lock:")
    # Files checked before the session lost its sign-in stay on screen; saving them is refused.
    current = st.session_state.get(CURRENT, [])

catalogue, theme_rows = queries.indicators(src), queries.themes(src)
names = dict(zip(catalogue["indicator"], catalogue[name_col()], strict=True))
themes = dict(zip(theme_rows["theme"], theme_rows[name_col()], strict=True))

for file_id, item in current:
    if isinstance(item, upload.Rejection):
        st.error(t("upload.rejected", name=editors.md_escape(item.name),
                   message=editors.md_escape(editors.rejection_message(item, limit_mb))), icon=":material/block:")
        continue
    c, key = item, f"up_{item.key}"
    with st.container(border=True):
        st.subheader(editors.md_escape(c.name), anchor=False)
        st.caption(t("upload.facts", safe=editors.md_escape(c.safe_name), format=c.doc.format,
                     size=f"{c.doc.size:,} B", sha=c.sha256[:12]))
        if c.notes:
            st.caption(editors.md_escape(t("upload.notes", notes="; ".join(c.notes))))
        left, right = st.columns([1, 1])
        with left:
            st.markdown(f"**{t('upload.text')}**")
            editors.marked_text(c.doc.text, c.values, names)
        with right:
            st.markdown(f"**{t('upload.meta')}**")
            editors.metadata_inputs(f"{key}__meta", editors.candidate_metadata(c))
            st.text_input(t("upload.meta_reason"), key=f"{key}__meta_reason", max_chars=200)
            st.markdown(f"**{t('upload.values', n=len(c.values))}**")
            st.caption(t("upload.values_help"))
            if c.values:
                editors.values_editor(f"{key}__values", editors.values_table(c.values, names))
            else:
                st.caption(t("upload.no_values"))
            if c.shortfalls:
                st.markdown(f"**{t('upload.shortfalls', n=len(c.shortfalls))}**")
                editors.shortfalls_editor(f"{key}__shortfalls", editors.shortfalls_table(c.shortfalls), themes)
            st.text_input(t("upload.default_reason"), key=f"{key}__reason", max_chars=200)
            decisions = editors.candidate_decisions(c, key)
            if decisions.missing:
                st.warning(t("upload.missing_reason", which=", ".join(decisions.missing)))
            elif decisions.pending:
                st.caption(t("upload.pending", n=len(decisions.pending)))
            save_col, discard_col = st.columns(2)
            save_col.button(t("upload.save"), key=f"{key}__save", type="primary", disabled=bool(decisions.missing),
                            icon=":material/save:", on_click=_save, args=(file_id, key))
            with discard_col:
                if editors.action_button(t("upload.discard"), f"{key}__discard", intents):
                    hidden.add(file_id)
                    st.rerun()
        if key in errors:
            st.error(errors[key], icon=":material/error:")

last = st.session_state.get(LAST)
if last:
    st.page_link("pages/sources.py", label=t("upload.open_sources"), icon=":material/description:",
                 query_params={"report": last})
