"""Read the warehouse while builds replace it underneath.

The build never writes the live file: it writes ``<db>.tmp`` and
``os.replace``s it over the live one. A reader therefore must

- open the file READ_ONLY (a read-write handle locks out every other
  process, the build's own read of the previous warehouse included);
- notice when the file was replaced and open it again, because an open
  connection keeps reading the old, unlinked file and DuckDB hands a new
  ``duckdb.connect(path)`` in the same process the cached old instance.

:func:`open_reader` returns an in-memory connection with the file attached
READ_ONLY as ``wh`` (and made the default catalog, so ``SELECT * FROM
v_values`` works); :func:`file_version` is a token that changes when the file
is replaced; :class:`WarehouseReader` combines both and re-attaches on change.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from etl.warehouse import duck

ALIAS = "wh"


def file_version(db_path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of the file, or None if it does not exist.

    ``os.replace`` gives the path a new inode, so this changes on every build.
    Use it as a cache key (e.g. ``st.cache_resource``/``st.cache_data``
    argument) so a rebuild invalidates cached connections and query results.
    """
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def open_reader(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse as it is on disk now.

    Raises ``FileNotFoundError`` if there is no warehouse yet (build first).
    Close it when done; for a long-lived reader use :class:`WarehouseReader`.
    DuckDB connections are not for concurrent use from several threads: take
    ``con.cursor()`` per thread.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(db_path)
    return duck.open_file(db_path, ALIAS, read_only=True)


class WarehouseReader:
    """A long-lived reader that follows rebuilds.

    ``reader.connection()`` returns the shared connection, re-attached first if
    the file changed since it was last attached. ``reader.changed()`` says
    whether that would happen. The lock serialises re-attaching with handing
    out cursors; queries then run on their own cursor.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int, int] | None = None

    def changed(self) -> bool:
        """Whether the file on disk is not the one attached (or none is attached)."""
        return self._con is None or file_version(self.db_path) != self._version

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection, re-opened if the warehouse was rebuilt since."""
        with self._lock:
            if self.changed():
                version = file_version(self.db_path)
                # The old connection is dropped, not closed: a thread may still be
                # reading through a cursor of it; it goes when the last cursor does.
                self._con, self._version = open_reader(self.db_path), version
            assert self._con is not None
            return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current file for one thread's queries (its default catalog is the warehouse)."""
        cur = self.connection().cursor()
        cur.execute("USE " + duck.quote_ident(ALIAS))
        return cur

    def close(self) -> None:
        """Release the file."""
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = None
            self._version = None
