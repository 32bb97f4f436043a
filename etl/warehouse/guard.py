"""Checks a build makes before it swaps in a new warehouse, or before it trusts the old one.

Two ways a build used to destroy data while reporting success:

- the raw folder lists nothing, or part of it cannot be listed (an unmounted
  share, a permission change): every report under it was counted as
  "removed" and an empty or shrunken warehouse swapped in with exit 0.
  :func:`shrink_problem` refuses that unless the operator says so
  (``--allow-shrink``);
- a warehouse file damaged on disk (truncated by a full disk or a bad copy)
  broke every page and every build until someone ran ``--full``.
  :func:`problem` finds that when the file is opened (by the build and by the
  dashboard) and :func:`quarantine` moves it aside, so it is rebuilt from the
  raw folder, corrections re-applied, and kept for inspection.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from etl.warehouse import duck

#: Environment variable: the share of its reports a build may remove without ``--allow-shrink``.
ENV_MAX_SHRINK = "STATS_MAX_SHRINK"
DEFAULT_MAX_SHRINK = 0.5
#: DuckDB's file starts with three 4 KiB headers before its first block.
HEADER_BYTES = 3 * 4096


class ShrinkRefused(RuntimeError):
    """The new warehouse would lose more reports than allowed; the previous one is kept."""


def max_shrink(value: float | None = None) -> float:
    """The allowed share of removed reports: ``value``, else ``$STATS_MAX_SHRINK``, else 0.5."""
    if value is None:
        try:
            value = float(os.environ.get(ENV_MAX_SHRINK) or DEFAULT_MAX_SHRINK)
        except ValueError:
            value = DEFAULT_MAX_SHRINK
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"the allowed share of removed reports must be between 0 and 1, got {value}")
    return value


def shrink_problem(
    previous: int, removed: int, listed: int, unlisted_folders: Sequence[str], share: float
) -> str | None:
    """Why removing ``removed`` of the ``previous`` reports looks like an accident, or None.

    ``listed``: files the raw folder lists now (read or not); ``unlisted_folders``:
    folders that could not be listed. Any loss is refused when the raw folder
    lists nothing or a folder of it could not be listed (its reports are
    unknown, not gone); otherwise a loss of more than ``share`` is.
    """
    if previous == 0 or removed == 0:
        return None
    if unlisted_folders:
        return (
            f"{removed} of {previous} reports would be removed, but the raw folder could not be read in full "
            f"(cannot list: {', '.join(unlisted_folders)})"
        )
    if listed == 0:
        return f"the raw folder lists no files: all {previous} reports would be removed (an unmounted share?)"
    if removed / previous > share:
        return f"{removed} of {previous} reports ({removed / previous:.0%}) would be removed, more than {share:.0%}"
    return None


def problem(db: Path) -> str | None:
    """Why the warehouse file ``db`` cannot be used, or None when it opens and is whole (or does not exist).

    Cheap enough for every build and every dashboard start: it opens the
    file READ_ONLY, compares its size with the blocks it uses
    (a truncated file is shorter) and reads two small tables. A file another
    process holds is not judged.
    """
    db = Path(db)
    try:
        size = db.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return "empty file"
    con = duck.memory()
    try:
        duck.attach(con, db, "chk", read_only=True)
        # Blocks in use must all lie in the file; free ones at its end need not be written.
        blocks = duck.one(
            con, "SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = 'chk'"
        )
        if blocks is not None:
            needed = HEADER_BYTES + int(blocks[0]) * int(blocks[1])
            if size < needed:
                return f"truncated: {size:,} bytes where its header needs {needed:,}"
        duck.one(con, "SELECT count(*) FROM chk.build_info")
        duck.one(con, "SELECT count(*) FROM chk.reports")
    except duckdb.Error as exc:
        if duck.is_lock_error(exc):
            return None
        return "not readable: " + " ".join(str(exc).split())[:300]
    finally:
        con.close()
    return None


def quarantine(db: Path, reason: str, log: Callable[[str], None]) -> Path:
    """Move a damaged warehouse (and its write-ahead log) aside as ``<name>.corrupt-<time>``; return that path."""
    db = Path(db)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = db.with_name(f"{db.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db.with_name(f"{db.name}.corrupt-{stamp}-{n}")
    os.replace(db, target)
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    log(
        f"warehouse {db.name} is damaged ({reason}): moved aside as {target.name}; "
        "rebuilding it from the raw folder, corrections re-applied"
    )
    return target
