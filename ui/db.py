"""A read-only view of the warehouse that follows rebuilds.

The build writes ``warehouse.duckdb.tmp`` and ``os.replace``s it over the live
file. DuckDB caches one database instance per path inside a process, so an old
connection (and even a fresh ``connect()``) would keep serving the replaced
file. We therefore hold an in-memory connection that ``ATTACH``es the file
READ_ONLY (a read-write handle would block the build's readers) and re-attaches
whenever the file's identity (inode, mtime, size) changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

ALIAS = "w"


def file_version(path: Path) -> str:
    """A token that changes whenever the file is replaced or rewritten.

    It is part of every cached query's key, so a rebuild invalidates the cache
    without anyone clearing it.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{path}|missing"
    return f"{path}|{st.st_ino}|{st.st_mtime_ns}|{st.st_size}"


class Reader:
    """One shared connection per warehouse path; a cursor per query.

    A lock serialises queries with re-attaching: a query must never run while
    the catalog it reads is being detached. The dashboard's queries are small
    and cached, so the lost parallelism does not matter.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con = duckdb.connect(
            ":memory:",
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        self._attached: str | None = None

    def _ensure_attached(self) -> None:
        version = file_version(self.path)
        if version == self._attached:
            return
        if self._attached is not None:
            self._con.execute(f"DETACH {ALIAS}")
            self._attached = None
        if not self.path.exists():
            raise FileNotFoundError(self.path)
        # The path is ours (config/env), never user input; ATTACH takes no parameters.
        escaped = str(self.path).replace("'", "''")
        self._con.execute(f"ATTACH '{escaped}' AS {ALIAS} (READ_ONLY)")
        self._attached = version

    def version(self) -> str:
        """The current file version (for cache keys)."""
        return file_version(self.path)

    def df(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run one query with bound parameters and return a DataFrame."""
        with self._lock:
            self._ensure_attached()
            cur = self._con.cursor()
            try:
                cur.execute(f"USE {ALIAS}")
                return cur.execute(sql, params or []).df()
            finally:
                cur.close()

    def close(self) -> None:
        """Release the file (tests delete their tmp folders)."""
        with self._lock:
            self._con.close()
