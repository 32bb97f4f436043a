"""Uploads: check a file, extract it for review, then store it, record corrections and rebuild.

Nothing is written until a signed-in reviewer saves, and a file that fails any
check is never written at all: :func:`validate` works on the bytes in memory
(size, format, text layer, duplicate content) and returns a
:class:`Rejection` with a reason code the page turns into words.
:func:`save_upload` then

1. checks the reviewer (:func:`ui.auth.require_reviewer`) and the whole batch
   of corrections, before touching the disk;
2. writes the original bytes into the raw folder under a name of our own
   (:func:`safe_file_name`: never a path from the upload), atomically and
   without overwriting anything;
3. records the reviewer's corrections in the corrections file (by the
   report's sha256, so they survive every rebuild);
4. runs an incremental build, which swaps in a new warehouse that every page's
   reader re-attaches to.

The bytes stored are exactly the bytes uploaded, so the report's id (their
sha256) is the one the preview showed and the corrections name.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.extract.read import SUPPORTED_SUFFIXES, Document, ReadError, read_bytes
from etl.warehouse import corrections
from ui import auth, review
from ui.model import Source

#: Environment variable with the upload size limit in MB (decimals allowed).
ENV_MAX_UPLOAD_MB = "STATS_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 20.0

FORMAT_SUFFIX = {"txt": ".txt", "docx": ".docx", "pdf": ".pdf", "html": ".html"}
MAX_STEM_CHARS = 60
SHA_PREFIX = 12

# One writer at a time in this process: the duplicate check and the write of
# a raw file must not interleave between two reviewers saving the same file.
_SAVE_LOCK = threading.Lock()


def max_upload_mb() -> float:
    """The per-file limit in MB: ``$STATS_MAX_UPLOAD_MB`` or 20, never above the server's ``maxUploadSize``.

    Streamlit's upload endpoint enforces only ``server.maxUploadSize``
    (.streamlit/config.toml); a larger app limit would promise what the
    server refuses.
    """
    try:
        value = float(os.environ.get(ENV_MAX_UPLOAD_MB) or DEFAULT_MAX_UPLOAD_MB)
    except ValueError:
        value = DEFAULT_MAX_UPLOAD_MB
    if not (math.isfinite(value) and value > 0):
        value = DEFAULT_MAX_UPLOAD_MB
    return min(value, server_upload_mb())


def server_upload_mb() -> float:
    """Streamlit's ``server.maxUploadSize`` as this process runs it (.streamlit/config.toml)."""
    import streamlit as st

    try:
        return float(st.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - outside a configured Streamlit, no server limit applies
        return math.inf


def max_upload_bytes() -> int:
    """The per-file limit in bytes."""
    return int(max_upload_mb() * 1024 * 1024)


# --------------------------------------------------------------------------- names


_UNSAFE = re.compile(r"[^\w\-]+")


def safe_file_name(original: str, sha256: str, fmt: str) -> str:
    """``<first 12 hex of sha256>_<sanitised stem><suffix of the detected format>``.

    The uploaded name is only a hint for people: directories (``/`` or ``\\``,
    ``..``) are dropped, the stem keeps letters, digits (any script, so
    Chinese names stay readable), ``-`` and ``_``, and the suffix comes from
    the format the content was read as, never from the name. The sha prefix
    makes names unique per content and keeps the file traceable to its report.
    """
    base = re.split(r"[\\/]", str(original or ""))[-1]
    base = unicodedata.normalize("NFKC", base)
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = _UNSAFE.sub("_", stem).strip("._-")[:MAX_STEM_CHARS].strip("._-")
    if not stem:
        stem = "report"
    suffix = FORMAT_SUFFIX.get(fmt)
    if suffix is None:
        raise ValueError(f"unknown format {fmt!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValueError("sha256 must be 64 lowercase hex digits")
    return f"{sha256[:SHA_PREFIX]}_{stem}{suffix}"


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Rejection:
    """Why an upload cannot be stored.

    ``code`` selects the message (``upload.err.<code>`` in labels.yaml);
    ``detail`` is the reader's own reason; ``duplicate_of`` names the loaded
    report or stored file with the same content.
    """

    name: str
    code: str
    detail: str = ""
    duplicate_of: dict[str, Any] | None = None


@dataclass
class Candidate:
    """An upload that passed every check, with its extraction as the build will store it."""

    name: str  # as uploaded, for display only
    data: bytes = field(repr=False)
    doc: Document
    safe_name: str
    report: dict[str, Any] = field(repr=False)
    values: list[dict[str, Any]] = field(default_factory=list, repr=False)
    shortfalls: list[dict[str, Any]] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.doc.sha256

    @property
    def key(self) -> str:
        """A short id for widget keys."""
        return self.doc.sha256[:SHA_PREFIX]


def classify(reason: str) -> str:
    """The message code for a reader's reason (see ``etl/read.py`` for the wording)."""
    table = (
        ("empty file", "empty"),
        ("file too large", "too_large"),
        ("text too long", "too_long"),
        ("PDF has no text layer", "scan"),
        ("PDF text layer is unreadable", "pdf_fonts"),
        ("encrypted PDF", "encrypted"),
        ("corrupt docx", "corrupt_docx"),
        ("corrupt PDF", "corrupt_pdf"),
        ("unsupported format", "unsupported"),
        ("binary content", "binary"),
    )
    for prefix, code in table:
        if reason.startswith(prefix):
            return code
    return "unreadable"


def find_duplicate(sha256: str, src: Source | None, raw: Path) -> dict[str, Any] | None:
    """The loaded report, or the stored raw file, with this content.

    The warehouse answers for everything built; the raw folder for a file
    saved but not built yet (its name starts with the sha prefix we give).
    """
    if src is not None and Path(src.db).exists():
        found = review.report_by_sha(src, sha256)
        if found is not None:
            return found
    if raw.is_dir():
        for path in raw.glob(f"{sha256[:SHA_PREFIX]}_*"):
            with contextlib.suppress(OSError):
                if path.is_file() and _sha256_file(path) == sha256:
                    return {"source_file": path.name}
    return None


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def validate(
    data: bytes,
    name: str,
    *,
    src: Source | None,
    raw: Path,
    seen: Sequence[str] = (),
    max_bytes: int | None = None,
) -> Candidate | Rejection:
    """Check one upload in memory and extract it; nothing is written.

    ``seen`` holds the sha256s of the other files in this batch, so the same
    file dropped twice is reported rather than stored twice.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    display = re.split(r"[\\/]", str(name or ""))[-1] or "upload"
    if not data:
        return Rejection(display, "empty", "empty file")
    if len(data) > limit:
        return Rejection(display, "too_large", f"{len(data):,} bytes > {limit:,} bytes")
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        return Rejection(display, "duplicate_batch")
    duplicate = find_duplicate(sha, src, raw)
    if duplicate is not None:
        return Rejection(display, "duplicate", duplicate_of=duplicate)
    from etl.warehouse.pool import FileTimeout, WorkerDied, run_limited

    try:
        # In a forked process held to etl/rules/limits.yaml: a hostile file costs that process, for a bounded time.
        return run_limited(_inspect, bytes(data), display, sha, limit)
    except FileTimeout as exc:
        return Rejection(display, "too_slow", str(exc))
    except WorkerDied as exc:
        return Rejection(display, "extract_failed", str(exc))


def _inspect(data: bytes, display: str, sha: str, limit: int) -> Candidate | Rejection:
    """Read and extract an upload exactly as the build will (run by :func:`validate` under the limits)."""
    from etl.extract import extract_document
    from etl.warehouse.pool import shape
    from etl.warehouse.scan import RawFile

    suffix = Path(display).suffix.lower()
    try:
        doc = read_bytes(data, display, limit)
    except ReadError as exc:
        return Rejection(display, classify(exc.reason), exc.reason)
    if suffix not in (*SUPPORTED_SUFFIXES, "") and doc.format == "txt":
        # Text under another name (.csv, .md, .xml) is not a report format we take.
        return Rejection(display, "unsupported", f"unsupported format ({suffix})")
    safe = safe_file_name(display, sha, doc.format)
    if Path(safe).suffix != suffix:
        # Read again under the name it will be stored with, so the preview is
        # exactly what the build will read (the suffix can tip html vs txt).
        try:
            doc = read_bytes(data, safe, limit)
        except ReadError as exc:
            return Rejection(display, classify(exc.reason), exc.reason)
    try:
        report = extract_document(doc, safe)
    except Exception as exc:  # noqa: BLE001 - shown to the reviewer; the file is not stored
        return Rejection(display, "extract_failed", f"{type(exc).__name__}: {exc}")
    rows = shape(RawFile(Path(safe), safe, sha, len(data)), doc, report)
    values = [
        dict(zip(("value_id", "report_id", "indicator", "value", "qualifier", "basis", "quote", "start_pos",
                  "end_pos", "confidence", "flags"), row, strict=True))
        for row in rows.values
    ]
    shortfalls = [
        dict(zip(("report_id", "seq", "theme", "text", "start_pos", "end_pos"), row, strict=True))
        for row in rows.shortfalls
    ]
    notes = [*doc.notes, *rows.notes]  # a mixed encoding is worth the reviewer's look, as in the build's log
    return Candidate(display, bytes(data), doc, safe, report, values, shortfalls, notes)


# --------------------------------------------------------------------------- saving


class DuplicateUpload(ValueError):
    """The same content was stored since the upload was checked."""


@dataclass
class SaveResult:
    """What a save did: the stored file, the corrections recorded and the build's summary."""

    source_file: str
    correction_ids: list[int]
    build_line: str = ""
    build_ok: bool = True
    build_error: str | None = None


def write_raw(raw: Path, name: str, data: bytes) -> Path:
    """Store ``data`` as ``raw/name`` atomically, never replacing an existing file.

    The bytes go to a hidden ``.part`` file first (the build skips hidden
    files) and are linked into place only when complete, so a crash or a
    concurrent build never sees half a report. If the name is taken, ``-2``,
    ``-3``, ... is added before the suffix.
    """
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"not a plain file name: {name!r}")
    raw.mkdir(parents=True, exist_ok=True)
    part = raw / f".upload-{uuid.uuid4().hex}.part"
    try:
        with open(part, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        stem, suffix = os.path.splitext(name)
        for n in range(1, 1000):
            target = raw / (name if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(part, target)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(f"no free name for {name} in {raw}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def save_upload(
    candidate: Candidate,
    pending: Sequence[review.PendingCorrection],
    *,
    raw: Path,
    db: Path,
    src: Source | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> SaveResult:
    """Store a reviewed upload, record its corrections and rebuild (see the module docstring).

    Raises :class:`ui.auth.NotSignedIn` without a reviewer, ``ValueError``
    for a malformed correction and :class:`DuplicateUpload` when the content
    is already stored; in all three cases nothing is written. A failed build
    is reported in the result, not raised: the file and corrections are kept
    and the next build loads them.
    """
    from etl.warehouse.build import build

    who = auth.require_reviewer()
    review.check(pending)
    book = corrections.corrections_path(db)
    key = review.save_key(candidate.sha256, pending, who)
    with _SAVE_LOCK:
        duplicate = find_duplicate(candidate.sha256, src, raw)
        if duplicate is not None:
            done = corrections.save_done(book, candidate.sha256, key, len(pending)) if pending else []
            if not done:
                raise DuplicateUpload(f"already stored as {duplicate.get('source_file')}")
            # This very save was stored before its rebuild failed: nothing to write again.
            result = SaveResult(str(duplicate.get("source_file")), done)
        else:
            # One save = the file, then all its corrections in one transaction; the file goes if they fail.
            path = write_raw(raw, candidate.safe_name, candidate.data)
            try:
                ids = review.write_corrections(book, candidate.sha256, path.name, pending, who, key)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            result = SaveResult(path.name, ids)
    try:
        summary = build(raw, db, log=log)
    except Exception as exc:  # noqa: BLE001 - the file is stored; say why the warehouse is not updated
        result.build_ok, result.build_error = False, f"{type(exc).__name__}: {exc}"
    else:
        result.build_line = summary.line()
    review.clear_caches()
    return result
