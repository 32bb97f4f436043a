"""Analysts' corrections, kept in their own DuckDB file so that they survive rebuilds.

The warehouse is thrown away and rebuilt (``--full`` included), so a
correction cannot live in it. It lives in ``corrections.duckdb`` beside the
warehouse; each :func:`add_correction` is one short read-write transaction
(a crash loses nothing already committed, and the file is free again a moment
later). The build copies the rows into the warehouse's ``corrections`` table,
where the views apply them; readers (the dashboard) query that copy
(``v_corrections``, ``v_corrections_review``) and never open this file, since
a reader holding it would block the next write.

A correction names its report by sha256. If the file's content changes, the
new report has another sha256 and the correction is not applied but shown as
``needs_review`` (``v_corrections_review``), because the number it fixed may
no longer be there.

To make a correction visible: ``add_correction(...)`` then
``etl.warehouse.build.refresh_corrections(db)`` (fast, copies the warehouse and swaps
in the new corrections) or a normal incremental ``build``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl import catalogue
from etl.warehouse import duck

if TYPE_CHECKING:  # pandas costs a quarter CPU-second to import; a build that changes nothing must not pay it
    import pandas as pd

FILE_NAME = "corrections.duckdb"

KINDS = ("value", "reject_value", "region", "year", "doc_type", "shortfall", "reject_shortfall")
VALUE_KEYS = ("value", "qualifier", "basis", "quote", "start_pos", "end_pos")
QUALIFIERS = ("exact", "at_least", "approx", "at_most")
REGION_KEYS = ("province", "city", "district", "adcode")
DOC_TYPES = ("report", "plan")

# Same columns as the warehouse's ``corrections`` table (etl/schema.sql).
COLUMNS = (
    "correction_id",
    "report_id",
    "kind",
    "indicator",
    "seq",
    "old_value",
    "new_value",
    "reason",
    "who",
    "created_at",
    "report_sha256",
    "source_file",
)

DDL = """
CREATE SEQUENCE IF NOT EXISTS correction_seq START 1;
CREATE TABLE IF NOT EXISTS corrections (
    correction_id BIGINT PRIMARY KEY DEFAULT nextval('correction_seq'),
    report_id     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    indicator     VARCHAR,
    seq           INTEGER,
    old_value     VARCHAR,
    new_value     VARCHAR,
    reason        VARCHAR,
    who           VARCHAR,
    created_at    TIMESTAMP NOT NULL,
    report_sha256 VARCHAR NOT NULL,
    source_file   VARCHAR
);
ALTER TABLE corrections ADD COLUMN IF NOT EXISTS save_id VARCHAR;
"""
# ``save_id`` (not copied into the warehouse): the save a correction was written by, so that
# retrying a save whose answer was lost writes nothing twice (:func:`add_corrections`).


def corrections_path(db_path: Path) -> Path:
    """Where the corrections of the warehouse ``db_path`` live: beside it."""
    return Path(db_path).with_name(FILE_NAME)


@dataclass(frozen=True)
class NewCorrection:
    """One correction to write with :func:`add_corrections` (the arguments of :func:`add_correction`)."""

    report_id: str
    kind: str
    new_value: Any = None
    reason: str = ""
    who: str = ""
    indicator: str | None = None
    seq: int | None = None
    old_value: Any = None
    source_file: str | None = None
    report_sha256: str | None = None


def add_corrections(
    path: Path, items: Sequence[NewCorrection], save_id: str | None = None, when: dt.datetime | None = None
) -> list[int]:
    """Record several corrections in one transaction: all of them, or none; return their ids.

    Every item is checked before the file is opened. With ``save_id``, a
    save that already committed (its answer lost to a crash or a failed
    rebuild, then retried) is not written again: the ids it wrote are
    returned instead.
    """
    rows = [_row(item, when) for item in items]
    if not rows:
        return []

    def write() -> list[int]:
        con = duck.open_file(Path(path), "corr", read_only=False)
        try:
            con.execute(DDL)  # its own transaction: the table stays even if the corrections roll back
            con.execute("BEGIN TRANSACTION")
            if save_id is not None:
                done = _latest_save(con, rows[0][0], save_id, len(rows))
                if done:
                    con.execute("ROLLBACK")
                    return done
            ids = []
            for row in rows:
                found = duck.one(
                    con,
                    "INSERT INTO corrections (report_id, kind, indicator, seq, old_value, new_value, reason, "
                    "who, created_at, report_sha256, source_file, save_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING correction_id",
                    [*row, save_id],
                )
                assert found is not None
                ids.append(int(found[0]))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            return ids
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    return duck.retry_locked(write)


def _latest_save(con: Any, report_id: str, save_id: str, n: int) -> list[int]:
    """The ids of the report's last ``n`` corrections if they are all of the save ``save_id``, else none.

    Only the report's latest save counts as already done: the same decision
    made again after others (X, then Y, then X) is a new save.
    """
    rows = con.execute(
        "SELECT correction_id, save_id FROM corrections WHERE report_id = ? ORDER BY correction_id DESC LIMIT ?",
        [report_id, n],
    ).fetchall()
    if len(rows) == n and all(r[1] == save_id for r in rows):
        return sorted(int(r[0]) for r in rows)
    return []


def save_done(path: Path, report_id: str, save_id: str, n: int) -> list[int]:
    """The ids of the ``n`` corrections a save already wrote as the report's latest (see :func:`_latest_save`)."""
    path = Path(path)
    if not path.exists():
        return []

    def read() -> list[int]:
        con = duck.open_file(path, "corr", read_only=True)
        try:
            has = duck.one(
                con,
                "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'corr' AND table_name = 'corrections'"
                " AND column_name = 'save_id'",
            )
            if not has or not has[0]:
                return []
            return _latest_save(con, report_id, save_id, n)
        finally:
            con.close()

    return duck.retry_locked(read)


def _row(item: NewCorrection, when: dt.datetime | None) -> list[Any]:
    """The checked row of one correction (raises ``ValueError`` before anything is written)."""
    if not item.report_id:
        raise ValueError("report_id is required")
    if not (item.reason or "").strip():
        raise ValueError("a correction needs a reason")
    if not (item.who or "").strip():
        raise ValueError("a correction needs to say who made it")
    kind = item.kind
    normalized = normalize_new_value(kind, item.new_value, item.indicator, item.seq)
    return [
        item.report_id,
        kind,
        item.indicator if kind in ("value", "reject_value") else None,
        item.seq if kind in ("shortfall", "reject_shortfall") else None,
        None if item.old_value is None else json.dumps(item.old_value, ensure_ascii=False),
        json.dumps(normalized, ensure_ascii=False),
        item.reason.strip(),
        item.who.strip(),
        when or dt.datetime.now(),
        item.report_sha256 or item.report_id,
        item.source_file,
    ]


def add_correction(
    path: Path,
    report_id: str,
    kind: str,
    new_value: Any = None,
    *,
    reason: str,
    who: str,
    indicator: str | None = None,
    seq: int | None = None,
    old_value: Any = None,
    source_file: str | None = None,
    report_sha256: str | None = None,
    when: dt.datetime | None = None,
) -> int:
    """Record one correction in its own transaction and return its id.

    ``path`` is the corrections file (see :func:`corrections_path`); it is
    created on first use. ``new_value`` depends on ``kind`` (see
    :func:`normalize_new_value`); ``old_value`` is what the analyst saw, kept
    for the audit trail. ``report_sha256`` defaults to ``report_id`` (a
    report's id is its sha256). Raises ``ValueError`` for a malformed
    correction, before anything is written.
    """
    item = NewCorrection(
        report_id, kind, new_value, reason, who, indicator, seq, old_value, source_file, report_sha256
    )
    return add_corrections(path, [item], when=when)[0]


def list_corrections(path: Path, report_id: str | None = None) -> pd.DataFrame:
    """All corrections in the file (optionally for one report), oldest first.

    For scripts and tests. The dashboard reads ``v_corrections`` in the
    warehouse instead, which also says whether each correction is applied.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))

    def read() -> pd.DataFrame:
        con = duck.open_file(path, "corr", read_only=True)
        try:
            cols = ", ".join(duck.quote_ident(c) for c in COLUMNS)
            sql = "SELECT " + cols + " FROM corrections WHERE report_id = coalesce(?, report_id)"
            return con.execute(sql + " ORDER BY correction_id", [report_id]).df()
        finally:
            con.close()

    return duck.retry_locked(read)


def normalize_new_value(kind: str, new_value: Any, indicator: str | None, seq: int | None) -> Any:
    """Check a correction's payload and return it in its stored JSON shape.

    - ``value``: a number, ``None`` or a dict with keys from ``VALUE_KEYS``;
      needs ``indicator`` from the catalogue. Adds a value if the extractor
      found none.
    - ``reject_value``: ``None``; needs ``indicator``. The value disappears.
    - ``region``: dict with all of ``province, city, district, adcode``.
    - ``year``: an int (or ``None`` for unknown).
    - ``doc_type``: ``"report"`` or ``"plan"``.
    - ``shortfall``: a theme id or ``{"theme": id}``; needs ``seq``.
    - ``reject_shortfall``: ``None``; needs ``seq``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown correction kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind in ("value", "reject_value"):
        if indicator not in catalogue.indicator_ids():
            raise ValueError(f"{kind} needs an indicator of the catalogue, got {indicator!r}")
    if kind in ("shortfall", "reject_shortfall") and (not isinstance(seq, int) or isinstance(seq, bool)):
        raise ValueError(f"{kind} needs the shortfall's seq")
    if kind in ("reject_value", "reject_shortfall"):
        if new_value is not None:
            raise ValueError(f"{kind} takes no new value")
        return None
    if kind == "value":
        return _normalize_value(new_value)
    if kind == "region":
        if not isinstance(new_value, dict) or set(new_value) != set(REGION_KEYS):
            raise ValueError(f"region needs exactly the keys {', '.join(REGION_KEYS)}")
        if not all(isinstance(new_value[k], str) and new_value[k].strip() for k in REGION_KEYS):
            raise ValueError("region fields must be non-empty text ('unknown' when unknown)")
        return {k: new_value[k].strip() for k in REGION_KEYS}
    if kind == "year":
        if new_value is None:
            return None
        if isinstance(new_value, bool) or not isinstance(new_value, int) or not 1949 <= new_value <= 2100:
            raise ValueError(f"year must be an integer year or None, got {new_value!r}")
        return new_value
    if kind == "doc_type":
        if new_value not in DOC_TYPES:
            raise ValueError(f"doc_type must be one of {DOC_TYPES}, got {new_value!r}")
        return new_value
    theme = new_value.get("theme") if isinstance(new_value, dict) else new_value
    if theme not in catalogue.theme_ids():
        raise ValueError(f"shortfall needs a theme id, got {theme!r}")
    return {"theme": theme}


def _normalize_value(new_value: Any) -> dict[str, Any]:
    """A value correction as a dict; a bare number means ``{"value": n}``."""
    payload = new_value if isinstance(new_value, dict) else {"value": new_value}
    unknown = set(payload) - set(VALUE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys in a value correction: {sorted(unknown)}")
    if "value" not in payload:
        raise ValueError("a value correction needs 'value' (None for 'no number')")
    number = payload["value"]
    if number is not None:
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise ValueError(f"value must be a finite number or None, got {number!r}")
    if payload.get("qualifier") is not None and payload["qualifier"] not in QUALIFIERS:
        raise ValueError(f"qualifier must be one of {QUALIFIERS}")
    for key in ("start_pos", "end_pos"):
        if payload.get(key) is not None and (isinstance(payload[key], bool) or not isinstance(payload[key], int)):
            raise ValueError(f"{key} must be an integer offset")
    return dict(payload)
