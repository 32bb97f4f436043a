"""Reviewing extracted data: the review queue, corrections history, and writing corrections.

Reads go to the warehouse through a read-only :class:`ui.db.Reader` (bound
parameters only), cached per warehouse version like :mod:`ui.queries`.
Corrections are written to the corrections file beside the warehouse
(:mod:`etl.warehouse.corrections`), never into the warehouse, which only a build
replaces; :func:`save_corrections` then swaps in a warehouse carrying them
(:func:`etl.warehouse.build.refresh_corrections`). Every write first asks
:func:`ui.auth.require_reviewer` who is signed in, so a correction always
records a real reviewer and an anonymous session cannot write at all.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from etl.warehouse import corrections
from ui import auth
from ui.fmt import qualified
from ui.model import Source
from ui.queries import frame

#: Values below this confidence are queued for review (``$STATS_REVIEW_CONFIDENCE`` overrides).
ENV_CONFIDENCE = "STATS_REVIEW_CONFIDENCE"
DEFAULT_CONFIDENCE = 0.7
QUEUE_LIMIT = 500
UNKNOWN = "unknown"

cache = st.cache_data(ttl=600, max_entries=128, show_spinner=False)


def confidence_threshold() -> float:
    """The confidence below which a value needs a human look."""
    try:
        value = float(os.environ.get(ENV_CONFIDENCE) or DEFAULT_CONFIDENCE)
    except ValueError:
        return DEFAULT_CONFIDENCE
    return value if math.isfinite(value) else DEFAULT_CONFIDENCE


def clear_caches() -> None:
    """Drop cached query results after a write, so every page reads the new warehouse at once.

    The cache keys already carry the warehouse file's version; clearing as
    well frees the stale entries and covers a swap within the file system's
    timestamp resolution.
    """
    st.cache_data.clear()


# --------------------------------------------------------------------------- queue


QUEUE_SQL = """
WITH r AS (
    SELECT report_id, source_file, province, city, district, adcode, year, doc_type, ingested_at
    FROM v_reports
),
v AS (
    SELECT
        CASE WHEN len(coalesce(flags, [])) > 0 THEN 'flagged' ELSE 'low_confidence' END AS item,
        report_id, value_id, indicator, value, qualifier, confidence,
        array_to_string(coalesce(flags, []), '; ') AS note, quote, start_pos, end_pos
    FROM v_values
    WHERE correction_id IS NULL
      AND (len(coalesce(flags, [])) > 0 OR coalesce(confidence, 0) < ?)
),
fixed AS (
    SELECT report_id, list(DISTINCT kind) AS kinds
    FROM v_corrections
    WHERE status = 'applied' AND kind IN ('region', 'year')
    GROUP BY report_id
),
u AS (
    SELECT
        'unplaced' AS item, r.report_id, NULL AS value_id, NULL AS indicator, NULL AS value, NULL AS qualifier,
        NULL AS confidence,
        concat_ws(', ',
            CASE WHEN r.year IS NULL AND NOT list_contains(coalesce(f.kinds, []), 'year') THEN 'year' END,
            CASE WHEN (coalesce(r.province, 'unknown') = 'unknown' OR coalesce(r.district, 'unknown') = 'unknown')
                  AND NOT list_contains(coalesce(f.kinds, []), 'region') THEN 'region' END
        ) AS note,
        NULL AS quote, NULL AS start_pos, NULL AS end_pos
    FROM r LEFT JOIN fixed f USING (report_id)
    WHERE (r.year IS NULL AND NOT list_contains(coalesce(f.kinds, []), 'year'))
       OR ((coalesce(r.province, 'unknown') = 'unknown' OR coalesce(r.district, 'unknown') = 'unknown')
           AND NOT list_contains(coalesce(f.kinds, []), 'region'))
)
SELECT q.item, q.report_id, q.value_id, q.indicator, CAST(q.value AS DOUBLE) AS value,
       CAST(q.qualifier AS VARCHAR) AS qualifier, CAST(q.confidence AS DOUBLE) AS confidence,
       q.note, CAST(q.quote AS VARCHAR) AS quote,
       r.source_file, r.province, r.city, r.district, r.adcode, r.year, r.doc_type, r.ingested_at
FROM (SELECT * FROM v UNION ALL SELECT * FROM u) q
JOIN r USING (report_id)
ORDER BY r.ingested_at, r.source_file,
         CASE q.item WHEN 'unplaced' THEN 0 WHEN 'flagged' THEN 1 ELSE 2 END,
         q.confidence NULLS FIRST, q.indicator
LIMIT ?
"""


@cache
def queue(src: Source, threshold: float, limit: int = QUEUE_LIMIT) -> pd.DataFrame:
    """What needs a reviewer, oldest report first.

    - ``low_confidence``: values below ``threshold``;
    - ``flagged``: values the build flagged (implausible, offsets wrong);
    - ``unplaced``: reports whose region or year is unknown (``note`` says which).

    An item leaves the queue once a correction for it is applied (a
    confirmation counts), so the queue shrinks as reviewers work through it.
    """
    return frame(src, QUEUE_SQL, [float(threshold), int(limit)])


@cache
def report_meta(src: Source, report_id: str) -> dict[str, Any] | None:
    """A report's (corrected) metadata and what the extractor had found, for a correction form."""
    found = frame(
        src,
        "SELECT report_id, source_file, province, city, district, adcode, year, doc_type, "
        "extracted_province, extracted_city, extracted_district, extracted_adcode, extracted_year, "
        "extracted_doc_type FROM v_reports WHERE report_id = ?",
        [report_id],
    )
    return None if found.empty else found.iloc[0].to_dict()


@cache
def report_by_sha(src: Source, sha256: str) -> dict[str, Any] | None:
    """The loaded report with this content (its id is the file's sha256), if any."""
    found = frame(
        src,
        "SELECT report_id, source_file, province, city, district, year, doc_type FROM v_reports "
        "WHERE report_id = ?",
        [sha256],
    )
    return None if found.empty else found.iloc[0].to_dict()


# --------------------------------------------------------------------------- history


HISTORY_COLUMNS = (
    "correction_id, report_id, kind, indicator, seq, old_value, new_value, reason, who, created_at, "
    "status, status_note, source_file"
)


@cache
def value_history(src: Source, report_id: str, indicator: str) -> pd.DataFrame:
    """Every correction of one value (its report's, or its file's previous version's), newest first."""
    return frame(
        src,
        f"SELECT {HISTORY_COLUMNS} FROM v_corrections "
        "WHERE (report_id = ? OR current_report_id = ?) AND indicator = ? "
        "AND kind IN ('value', 'reject_value') ORDER BY created_at DESC, correction_id DESC",
        [report_id, report_id, indicator],
    )


@cache
def report_history(src: Source, report_id: str) -> pd.DataFrame:
    """Every correction of one report's region, year and document type, newest first."""
    return frame(
        src,
        f"SELECT {HISTORY_COLUMNS} FROM v_corrections "
        "WHERE (report_id = ? OR current_report_id = ?) AND kind IN ('region', 'year', 'doc_type') "
        "ORDER BY created_at DESC, correction_id DESC",
        [report_id, report_id],
    )


def describe(kind: str, payload: str | None) -> str:
    """A correction's stored JSON (old or new value) as a reader would write it."""
    if payload is None or (isinstance(payload, float) and math.isnan(payload)):
        return "—"
    try:
        data = json.loads(payload)
    except (TypeError, ValueError):
        return str(payload)
    if data is None:
        return "—"
    if kind in ("value", "reject_value") and isinstance(data, dict):
        return qualified(data.get("value"), data.get("qualifier"))
    if kind == "region" and isinstance(data, dict):
        parts = [str(data.get(k)) for k in ("province", "city", "district") if data.get(k)]
        return " / ".join(parts) if parts else "—"
    if isinstance(data, dict):
        return ", ".join(f"{k}: {v}" for k, v in data.items())
    return str(data)


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class PendingCorrection:
    """One correction a reviewer decided on, not yet written (see :func:`etl.warehouse.corrections.add_correction`)."""

    kind: str
    new_value: Any
    reason: str
    old_value: Any = None
    indicator: str | None = None
    seq: int | None = None


def check(pending: Sequence[PendingCorrection]) -> None:
    """Raise ``ValueError`` if any correction is malformed, before any is written.

    Checking the whole batch first means a bad row cannot leave half of a
    reviewer's decisions saved.
    """
    for c in pending:
        if not (c.reason or "").strip():
            raise ValueError(f"a reason is required ({c.kind} {c.indicator or c.seq or ''})".strip())
        corrections.normalize_new_value(c.kind, c.new_value, c.indicator, c.seq)


def write_corrections(
    path: Path,
    report_id: str,
    source_file: str | None,
    pending: Sequence[PendingCorrection],
    who: str,
    save_id: str | None = None,
) -> list[int]:
    """Append the corrections to the corrections file in one transaction (no sign-in check: callers do it).

    All or none are written; a retried save with the same ``save_id`` writes
    nothing again (:func:`etl.warehouse.corrections.add_corrections`).
    """
    items = [
        corrections.NewCorrection(
            report_id, c.kind, c.new_value, c.reason, who, c.indicator, c.seq, c.old_value, source_file, report_id
        )
        for c in pending
    ]
    return corrections.add_corrections(path, items, save_id)


def save_key(report_id: str, pending: Sequence[PendingCorrection], who: str) -> str:
    """The id of a save: these decisions, by this reviewer, on this report.

    A retry (the rebuild after the write failed, the reviewer clicks again)
    has the same id and, being still the report's latest save, is not
    written twice (:func:`etl.warehouse.corrections.add_corrections`).
    """
    decided = [(c.kind, c.indicator, c.seq, repr(c.new_value), c.reason) for c in pending]
    digest = hashlib.sha256(repr((report_id, who, decided)).encode("utf-8", "backslashreplace"))
    return "save-" + digest.hexdigest()[:32]


def save_corrections(
    db: Path,
    report_id: str,
    source_file: str | None,
    pending: Sequence[PendingCorrection],
    log: Callable[[str], None] = lambda _m: None,
) -> list[int]:
    """Record a signed-in reviewer's corrections of one loaded report and publish them.

    Refuses (:class:`ui.auth.NotSignedIn`) without a reviewer and
    (``ValueError``) for a malformed batch, in both cases before writing
    anything. Returns the new correction ids.
    """
    from etl.warehouse.build import refresh_corrections  # the ETL is only needed when someone writes

    who = auth.require_reviewer()
    if not pending:
        return []
    check(pending)
    path = corrections.corrections_path(db)
    ids = write_corrections(path, report_id, source_file, pending, who, save_key(report_id, pending, who))
    refresh_corrections(db, log=log)
    clear_caches()
    return ids


# --------------------------------------------------------------------------- decisions


def value_decisions(
    original: pd.DataFrame, edited: pd.DataFrame, default_reason: str = ""
) -> tuple[list[PendingCorrection], list[str]]:
    """Turn a reviewed values table into corrections.

    Both frames have one row per value, in the same order, with ``indicator``,
    ``value`` and ``qualifier``; ``edited`` adds ``reject`` and ``reason``. A
    ticked ``reject`` or an emptied value rejects the value; a changed value
    or qualifier edits it; anything else is accepted as extracted and writes
    nothing. Returns the corrections and the indicators that need a reason
    (a row's own, else ``default_reason``) but have none.
    """
    out: list[PendingCorrection] = []
    missing: list[str] = []
    for (_, before), (_, after) in zip(original.iterrows(), edited.iterrows(), strict=True):
        indicator = str(before["indicator"])
        old = {"value": _number(before["value"]), "qualifier": _text(before["qualifier"]) or "exact"}
        if before.get("quote") is not None:
            old["quote"] = str(before["quote"])
        new_value = _number(after.get("value"))
        new_qualifier = _text(after.get("qualifier")) or old["qualifier"]
        reason = _text(after.get("reason")) or default_reason.strip()
        if bool(after.get("reject")) or new_value is None:
            kind, payload = "reject_value", None
        elif new_value != old["value"] or new_qualifier != old["qualifier"]:
            kind, payload = "value", {"value": new_value, "qualifier": new_qualifier}
        else:
            continue
        if not reason:
            missing.append(indicator)
            continue
        out.append(PendingCorrection(kind, payload, reason, old, indicator=indicator))
    return out, missing


def shortfall_decisions(
    original: pd.DataFrame, edited: pd.DataFrame, default_reason: str = ""
) -> tuple[list[PendingCorrection], list[int]]:
    """Turn a reviewed shortfalls table (``seq``, ``theme``, ``text``; edited adds ``reject``,
    ``reason``) into corrections; returns them and the seqs that lack a reason."""
    out: list[PendingCorrection] = []
    missing: list[int] = []
    for (_, before), (_, after) in zip(original.iterrows(), edited.iterrows(), strict=True):
        seq = int(before["seq"])
        old = {"theme": str(before["theme"]), "text": str(before["text"])}
        theme = _text(after.get("theme")) or old["theme"]
        reason = _text(after.get("reason")) or default_reason.strip()
        if bool(after.get("reject")):
            kind, payload = "reject_shortfall", None
        elif theme != old["theme"]:
            kind, payload = "shortfall", {"theme": theme}
        else:
            continue
        if not reason:
            missing.append(seq)
            continue
        out.append(PendingCorrection(kind, payload, reason, old, seq=seq))
    return out, missing


def metadata_decisions(
    extracted: dict[str, Any], chosen: dict[str, Any], reason: str
) -> tuple[list[PendingCorrection], list[str]]:
    """Region, year and document type corrections where ``chosen`` differs from ``extracted``.

    Both dicts hold ``province, city, district, adcode, year, doc_type``.
    Returns the corrections and the fields changed without a reason.
    """
    out: list[PendingCorrection] = []
    missing: list[str] = []
    reason = (reason or "").strip()
    keys = corrections.REGION_KEYS
    old_region = {k: _text(extracted.get(k)) or UNKNOWN for k in keys}
    new_region = {k: _text(chosen.get(k)) or UNKNOWN for k in keys}
    changes: list[tuple[str, Any, Any]] = []
    if new_region != old_region:
        changes.append(("region", new_region, old_region))
    old_year, new_year = _year(extracted.get("year")), _year(chosen.get("year"))
    if new_year != old_year:
        changes.append(("year", new_year, old_year))
    old_type, new_type = _text(extracted.get("doc_type")), _text(chosen.get("doc_type"))
    if new_type and new_type != old_type:
        changes.append(("doc_type", new_type, old_type))
    for kind, new, old in changes:
        if not reason:
            missing.append(kind)
        else:
            out.append(PendingCorrection(kind, new, reason, old))
    return out, missing


def _number(x: Any) -> float | int | None:
    """A cell as a finite number (ints stay ints), or None for empty/NaN."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    return int(v) if v == int(v) else v


def _text(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return ""
    return str(x).strip()


def _year(x: Any) -> int | None:
    v = _number(x)
    return int(v) if v is not None else None


def value_item_corrections(
    item: dict[str, Any], action: str, new_value: float | None, qualifier: str | None, reason: str
) -> list[PendingCorrection]:
    """The correction for one queued value: ``confirm`` (recorded with the same value, so it
    leaves the queue and the audit trail says who checked it), ``edit`` or ``reject``."""
    old = {"value": _number(item.get("value")), "qualifier": _text(item.get("qualifier")) or "exact",
           "quote": _text(item.get("quote"))}
    indicator = str(item["indicator"])
    if action == "reject":
        return [PendingCorrection("reject_value", None, reason, old, indicator=indicator)]
    if action == "edit":
        payload = {"value": _number(new_value), "qualifier": qualifier or old["qualifier"]}
    elif action == "confirm":
        payload = {"value": old["value"], "qualifier": old["qualifier"]}
    else:
        raise ValueError(f"unknown action {action!r}")
    return [PendingCorrection("value", payload, reason, old, indicator=indicator)]


def report_item_corrections(
    current: dict[str, Any], chosen: dict[str, Any], reason: str, unresolved: Sequence[str] = ()
) -> tuple[list[PendingCorrection], list[str]]:
    """Corrections for a queued report: what the reviewer changed, and for each unresolved
    field (``region``/``year``) left as it is, a confirmation that it is indeed unknown."""
    pending, missing = metadata_decisions(current, chosen, reason)
    changed = {c.kind for c in pending} | set(missing)
    reason = (reason or "").strip()
    for kind in unresolved:
        if kind in changed:
            continue
        if not reason:
            missing.append(kind)
            continue
        if kind == "region":
            region = {k: _text(current.get(k)) or UNKNOWN for k in corrections.REGION_KEYS}
            pending.append(PendingCorrection("region", region, reason, region))
        elif kind == "year":
            year = _year(current.get("year"))
            pending.append(PendingCorrection("year", year, reason, year))
    return pending, missing
