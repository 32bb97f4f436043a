"""First start on a fresh clone: build the warehouse from the bundled reports.

A new user runs ``streamlit run dashboard.py`` and should see data, not an
error about a missing file. Only one session builds; others wait on the lock.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from ui import config
from ui.i18n import t

_BUILD_LOCK = threading.Lock()


def _run_build(status: Any) -> None:
    from etl.warehouse.build import build  # imported late: the ETL is only needed on a first start

    def log(*parts: Any, **_: Any) -> None:
        status.write(" ".join(str(p) for p in parts))

    db = config.db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    build(config.raw_path(), db, log=log)


def ensure_warehouse() -> bool:
    """Return True when the warehouse exists, building it first if it is missing."""
    if config.db_path().exists():
        return True
    if not _BUILD_LOCK.acquire(blocking=False):
        with st.spinner(t("build_waiting")):
            _BUILD_LOCK.acquire()
    try:
        if config.db_path().exists():
            return True
        with st.status(t("building", raw=config.raw_path()), expanded=True) as status:
            try:
                _run_build(status)
            except Exception as exc:  # noqa: BLE001 - shown to the user, who can fix the raw folder
                status.update(label=t("build_failed"), state="error")
                st.exception(exc)
                return False
            status.update(label=t("build_done"), state="complete", expanded=False)
        return config.db_path().exists()
    finally:
        _BUILD_LOCK.release()


ENTRY_KEY = "_entry_ran"


def mark_entry() -> None:
    """Called by ``dashboard.py`` on every run, just before it runs the chosen page."""
    st.session_state[ENTRY_KEY] = True


def require_entry() -> None:
    """Make sure the page runs under ``dashboard.py`` (sidebar, filters, first-start build).

    Until some session has called ``st.navigation``, Streamlit treats a ``pages/``
    folder the old way and runs a deep-linked page file on its own. Calling
    ``st.navigation`` switches that off for the process; the rerun then goes
    through ``dashboard.py`` to the same page.
    """
    if not st.session_state.pop(ENTRY_KEY, False):
        from ui.nav import pages

        st.navigation(pages(), position="hidden")
        st.rerun()
