"""First start on a fresh clone: build the warehouse from the bundled reports.

A new user runs ``streamlit run dashboard.py`` and should see data, not an
error about a missing file. Only one session builds; others wait on the lock.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any

import streamlit as st

from ui import config, errors
from ui.i18n import t

_BUILD_LOCK = threading.Lock()
#: After a failed first-start build, visits show its error id for this long instead of building again.
RETRY_SECONDS = 60.0
_last_failure: dict[str, tuple[float, str]] = {}  # warehouse path -> (monotonic time, error id)
_checked: dict[str, object] = {}  # warehouse path -> file version found whole


def _run_build(status: Any) -> None:
    from etl.warehouse.build import build  # imported late: the ETL is only needed on a first start

    def log(*parts: Any, **_: Any) -> None:
        status.write(" ".join(str(p) for p in parts))

    db = config.db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    build(config.raw_path(), db, log=log)


def _recover_damaged() -> None:
    """Move a damaged warehouse aside (etl/warehouse/guard.py), once per file version, with a notice.

    A truncated file used to break every page with a traceback until someone
    ran ``--full``; the next lines then rebuild it like a first start.
    """
    from etl.warehouse import guard
    from etl.warehouse.reader import file_version

    db = config.db_path()
    version = file_version(db)
    if version is None or _checked.get(str(db)) == version:
        return
    with _BUILD_LOCK:
        if file_version(db) != version:
            return
        damage = guard.problem(db)
        if damage is None:
            _checked[str(db)] = version
            return
        moved = guard.quarantine(db, damage, lambda m: errors.LOG.warning("%s", m))
        st.warning(t("warehouse_recovered", moved=moved.name), icon=":material/build:")


def ensure_warehouse() -> bool:
    """Return True when the warehouse exists and is whole, building it first if it is missing or damaged."""
    _recover_damaged()
    if config.db_path().exists():
        return True
    failed = _last_failure.get(str(config.db_path()))
    if failed is not None and time.monotonic() - failed[0] < RETRY_SECONDS:
        # Do not rebuild on every visit: the failure is in the log under this id.
        st.error(t("build_failed_id", id=failed[1], seconds=int(RETRY_SECONDS - (time.monotonic() - failed[0]))))
        return False
    if not _BUILD_LOCK.acquire(blocking=False):
        with st.spinner(t("build_waiting")):
            _BUILD_LOCK.acquire()
    try:
        if config.db_path().exists():
            return True
        with st.status(t("building", raw=config.raw_path()), expanded=True) as status:
            try:
                _run_build(status)
            except Exception as exc:  # noqa: BLE001 - shown to the user as an id, the traceback is logged
                error_id = errors.log_error(exc, "first-start build")
                _last_failure[str(config.db_path())] = (time.monotonic(), error_id)
                status.update(label=t("build_failed"), state="error")
                st.error(t("build_failed_id", id=error_id, seconds=int(RETRY_SECONDS)))
                return False
            _last_failure.pop(str(config.db_path()), None)
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


_modules_settled = 0  # how many modules were loaded when settle() last froze the heap


def settle() -> None:
    """After a run that loaded modules: hand every object alive now to the collector's permanent
    generation (``gc.freeze``), once per growth of ``sys.modules``.

    Nearly all of the server's tracked objects are its modules' (Streamlit, pandas, Plotly,
    DuckDB) and live as long as it does, yet each full collection walked all of them: one landed
    on an arbitrary page view every so often and cost it ~0.13 CPU-s (a cold shortfalls view
    0.18 -> 0.31). Frozen, they are no longer walked; they are freed as before when no longer
    referenced, only reference cycles among them stay. Freezing after the runs that loaded new
    modules (the first view of each page) keeps a visitor's objects out of it after that.
    """
    global _modules_settled
    if len(sys.modules) > _modules_settled:
        gc.freeze()
        _modules_settled = len(sys.modules)
