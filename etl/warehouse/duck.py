"""DuckDB connections and SQL quoting shared by the build, the reader and corrections.

Why one place: every connection must switch extension auto-install/auto-load
off (auto-install reaches for the network, and only the built-in extensions
exist here), and every file is opened through ``ATTACH`` on an in-memory
connection rather than ``duckdb.connect(path)``. DuckDB caches one database
instance per path inside a process, so ``connect(path)`` after the build has
replaced the file can hand back the *old* file; an ``ATTACH`` in a fresh
in-memory instance always opens what is on disk now.

Values are always bound (``?``). Identifiers and literals that cannot be bound
(view column names from the indicator catalogue) go through
:func:`quote_ident` / :func:`quote_literal`, which the SQL-safety test knows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

T = TypeVar("T")

_LOCK_MESSAGES = ("Could not set lock", "Conflicting lock")


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory connection with extension downloads switched off."""
    return duckdb.connect(":memory:", config=CONFIG)


def attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str, read_only: bool) -> None:
    """Attach a database file under ``alias`` (a constant of ours, never user input)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", alias):
        raise ValueError(f"bad alias {alias!r}")
    if read_only:
        con.execute("ATTACH ? AS " + quote_ident(alias) + " (READ_ONLY)", [str(path)])
    else:
        con.execute("ATTACH ? AS " + quote_ident(alias), [str(path)])


def open_file(path: Path, alias: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """In-memory connection with ``path`` attached as ``alias`` and made the default catalog."""
    con = memory()
    try:
        attach(con, path, alias, read_only)
        con.execute("USE " + quote_ident(alias))
    except BaseException:
        con.close()
        raise
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, or None.

    Fetches everything: DuckDB 2 refuses further work on a connection whose
    last result was not read to the end (``fetchone`` leaves it open).
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def is_lock_error(exc: BaseException) -> bool:
    """Whether DuckDB refused a file because another process holds it."""
    return isinstance(exc, duckdb.Error) and any(m in str(exc) for m in _LOCK_MESSAGES)


def retry_locked(fn: Callable[[], T], timeout: float = 10.0) -> T:
    """Run ``fn``, retrying while another process holds the file it opens.

    The corrections file is opened read-write by a writer and read-only by the
    build, each for a moment; DuckDB refuses rather than waits, so we wait.
    """
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            return fn()
        except duckdb.Error as exc:
            if not is_lock_error(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (table, column, alias)."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote an SQL string literal, for DDL (views) where parameters cannot be bound."""
    return "'" + str(value).replace("'", "''") + "'"
