"""``python -m etl build``: raw folder -> DuckDB warehouse, atomically and incrementally.

The live warehouse is never opened read-write: the dashboard may hold it
read-only, and DuckDB would lock it (and every reader) out. The build writes
``<db>.tmp``, closes it and ``os.replace``s it over the live file, so a build
that crashes or is killed leaves the previous warehouse whole; the next build
removes the stale ``.tmp``. A lock file (``<db>.lock``, ``flock``) keeps two
builds from writing the same ``.tmp``.

Incremental: the previous warehouse is attached READ_ONLY and the rows of
every file whose sha256 it already holds are kept, not extracted again —
unless ``--full`` is given, or the warehouse schema or the extraction code
(etl/fingerprint.py) changed since it was built. Usually the ``.tmp`` starts
as a byte copy of the previous warehouse from which the rows of changed and
removed files are deleted; when that warehouse's tables differ from
etl/schema.sql, or most files changed, the ``.tmp`` is a new file into which
the kept rows are copied. Files whose size, times and inode are those the
previous build recorded (``raw_files``) keep their sha256 without being read
again (etl/scan.py).

In proportion to the change: a build that finds every file as its stamp
says, no correction changed and the views made by this code changes nothing
and leaves the warehouse file alone (not even rewritten). A build in place
updates the materialized views for the reports it changed only
(etl/warehouse/incremental.py). A file that failed at the previous build
with the same extractor fails again without being read: its sha256 (kept in
``ingest_log``) says its bytes did not change.

Engines (``--engine``): ``local`` extracts in this machine's process pool
(etl/pool.py) and inserts the rows as they come; ``dask`` runs the same
extraction as tasks on a Dask cluster that write Parquet partitioned by
year, which this process then loads in bulk (etl/dask_engine.py,
etl/dataset.py, docs/scale.md). Everything else — scan, reuse of unchanged
files, ingest_log, corrections, views, the atomic swap — is this module's,
shared by both.

Corrections (etl/corrections.py) are copied from their own file at every
build; :func:`refresh_corrections` swaps in new corrections without scanning
the raw folder (the dashboard's path after an analyst saves one).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.warehouse import corrections, duck, guard, load, pool, scan
from etl.warehouse.fingerprint import extractor_fingerprint
from etl.warehouse.incremental import update_views
from etl.warehouse.packed import RowBuffer
from etl.warehouse.pool import FileResult, default_jobs, hold_lock_fd, iter_extract
from etl.warehouse.views import MATERIALIZED, REGION_OPTIONS, create_views, replace_views, views_current

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_RAW = ROOT / "data" / "raw"
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
BATCH = 500  # files per bulk insert: bounds memory, keeps inserts large
COMMIT_FILES = 10_000  # files per transaction of inserts (see _local_engine)
MAX_DELETED = 0.1  # share of deleted rows in the previous file above which a build writes a new one

Log = Callable[[str], None]


@dataclass
class BuildSummary:
    """What a build did; ``ok`` is False when a file failed."""

    db: Path
    reports: int = 0
    loaded: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    removed: int = 0
    changed: int = 0  # of ``loaded``: files whose content changed since the last build
    corrections: int = 0
    corrections_review: int = 0
    seconds: float = 0.0
    full: bool = False
    full_reason: str | None = None  # why every file was extracted again
    nothing_changed: bool = False  # the warehouse was left as it was (not rewritten)
    cached_failures: int = 0  # of ``failed``: files that failed before and were not extracted again
    extraction_cpu: float = 0.0  # CPU-seconds of the extraction workers (0 when extraction ran in-process)
    failures: list[tuple[str, str]] = field(default_factory=list)
    recovered: str | None = None  # where a damaged previous warehouse was moved aside

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def line(self) -> str:
        """One-line summary for the terminal and the dashboard."""
        text = (
            f"{self.reports} reports: loaded {self.loaded}, unchanged {self.unchanged}, "
            f"duplicates {self.duplicates}, failed {self.failed}, removed {self.removed} "
            f"({self.seconds:.1f} s)"
        )
        if self.corrections_review:
            text += f"; {self.corrections_review} corrections need review"
        if self.nothing_changed:
            text += "; nothing changed, warehouse not rewritten"
        return text


def tmp_path(db: Path) -> Path:
    """The file a build writes before swapping it in."""
    return db.with_name(db.name + ".tmp")


def build(
    raw: Path = DEFAULT_RAW,
    db: Path = DEFAULT_DB,
    full: bool = False,
    jobs: int | None = None,
    log: Log = print,
    corrections_file: Path | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    parquet: Path | None = None,
    allow_shrink: bool = False,
    max_shrink: float | None = None,
) -> BuildSummary:
    """Build the warehouse ``db`` from the report files under ``raw``.

    A build that would remove more than ``max_shrink`` of the previous
    warehouse's reports (default ``$STATS_MAX_SHRINK`` or half), or any of
    them while the raw folder lists nothing or part of it cannot be listed,
    raises :class:`etl.warehouse.guard.ShrinkRefused` and keeps the previous
    warehouse, unless ``allow_shrink``. A previous warehouse that is damaged
    (etl/warehouse/guard.py) is moved aside and rebuilt from scratch.

    ``engine`` is ``local`` (process pool) or ``dask`` (``scheduler``: join
    that cluster, else a local one of ``jobs`` workers; ``parquet``: the
    folder the tasks write, default ``<db>.parquet`` beside the warehouse).

    Returns the summary; raises only when the build as a whole cannot be
    done (no raw folder, disk full, ...), in which case the previous
    warehouse is left as it was. Per-file problems are logged in
    ``ingest_log`` and counted in ``summary.failed``.
    """
    started, now = time.monotonic(), dt.datetime.now()
    raw, db = Path(raw), Path(db)
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw}")
    corrections_file = Path(corrections_file) if corrections_file else corrections.corrections_path(db)
    jobs = jobs or default_jobs()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "dask":
        from etl.warehouse.dask_engine import engine as dask_engine  # lazy: a local build must not need dask

        extract: Extract = dask_engine(scheduler, parquet or parquet_path(db))
    else:
        extract = _local_engine
    summary = BuildSummary(db=db, full=full)
    share = guard.max_shrink(max_shrink)
    db.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db, log), _cycle_collector_paused():
        tmp = tmp_path(db)
        remove_file(tmp, log)
        damage = guard.problem(db)
        if damage:
            summary.recovered = guard.quarantine(db, damage, log).name
        fingerprint = extractor_fingerprint()
        con = duck.memory()
        try:
            prev = attach_previous(con, db, fingerprint, log)
            if full:
                summary.full_reason = "--full"
            elif prev.stale_reason:
                summary.full_reason = prev.stale_reason
                log(f"re-extracting every file: {prev.stale_reason}")
            reuse = prev.usable and summary.full_reason is None
            stamps = _stamps(con, prev) if prev.attached and not full else {}
            found = scan.scan(raw, stamps)
            n_files = len(found.primary) + len(found.duplicates)
            if found.hashed < n_files:
                log(f"hashed {found.hashed} of {n_files} files (the others are unchanged since the last build)")
            if reuse and _nothing_changed(con, prev, found, stamps, corrections_file):
                con.close()
                _unchanged_summary(summary, prev, found)
                summary.seconds = time.monotonic() - started
                log("build: " + summary.line())
                for name, reason in summary.failures:
                    log(f"  failed: {name}: {reason}")
                return summary
            in_place = reuse and _reuse_in_place(con, db, prev, found, log)
            if in_place:
                # start from a byte copy of the live file (consistent: it is only ever replaced whole)
                con.execute("DETACH prev")
                prev.attached = False
                shutil.copyfile(db, tmp)
            duck.attach(con, tmp, "new", read_only=False)
            con.execute("USE new")
            incremental = in_place and views_current(con)
            if in_place:
                views = [*MATERIALIZED, REGION_OPTIONS] if incremental else []
                load.clear_for_reuse(con, keep=["raw_files", *load.CATALOGUE_TABLES, *views])
            else:
                load.create_schema(con)
                load.load_catalogue(con)
            log_rows, changed = _fill(con, found, prev, reuse, in_place, jobs, now, log, summary, extract)
            _check_shrink(prev, found, summary, share, allow_shrink, log)
            load.insert_log(con, sorted(log_rows, key=lambda r: (r[0], r[2])))
            if in_place:
                load.update_stamps(con, stamps, found.stamps)
            else:
                load.insert_stamps(con, found.stamps)
            if prev.attached:
                con.execute("DETACH prev")
            summary.corrections = load.copy_corrections(con, corrections_file)
            if incremental:
                n = update_views(con, changed)
                log(f"views: rows of {n} reports updated in place")
            else:
                create_views(con)
            summary.reports = _count(con, "SELECT count(*) FROM reports")
            summary.corrections_review = _count(con, "SELECT count(*) FROM v_corrections_review")
            summary.seconds = time.monotonic() - started
            load.insert_build_info(con, _build_info(summary, now, raw, jobs, fingerprint))
            _swap_in(con, tmp, db)
        except BaseException:
            _abandon(con, tmp)
            raise
    summary.seconds = time.monotonic() - started
    if summary.extraction_cpu:
        log(f"extraction CPU: {summary.extraction_cpu:.2f} s in the worker processes (and readying them)")
    log("build: " + summary.line())
    for name, reason in summary.failures:
        log(f"  failed: {name}: {reason}")
    return summary


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector off while this build runs; as it was, after.

    A build holds tens of thousands of small objects at once (the scan, the
    previous warehouse's ids and stamps, the log rows) beside the extractor's
    tables, and allocates far more than it keeps: every few thousand
    allocations the collector ran, and every tenth of a tenth run walked the
    whole heap. That was 0.35 of the 2.65 CPU-seconds a 1%-changed build of
    the decade spends outside the extraction. The build makes no reference
    cycles to speak of, and reference counting frees the rest as it goes.
    Forked extraction workers turn the collector back on (etl/warehouse/pool.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fill(
    con: duckdb.DuckDBPyConnection,
    found: scan.Scan,
    prev: Previous,
    reuse: bool,
    in_place: bool,
    jobs: int,
    now: dt.datetime,
    log: Log,
    summary: BuildSummary,
    extract: Extract,
) -> tuple[list[tuple], set[str]]:
    """Keep the rows of unchanged reports, extract the rest with ``extract``.

    Returns the ingest_log rows and the ids of the reports whose rows were
    added, deleted or renamed (what the materialized views must catch up
    with). ``in_place``: the connection's warehouse is a copy of the
    previous one (keep by deleting the others' rows), else a new file (keep
    by copying from the attached ``prev``). A file that failed at the
    previous build with the same extractor fails again without being
    extracted: its bytes, hence its sha256, are unchanged.
    """
    rows: list[tuple] = []
    keep = [f for f in found.primary if reuse and f.sha256 in prev.reports]
    failed_before = [f for f in found.primary if reuse and f.sha256 in prev.failed and f.sha256 not in prev.reports]
    skip = {f.sha256 for f in keep} | {f.sha256 for f in failed_before}
    todo = [f for f in found.primary if f.sha256 not in skip]
    kept_ids = {f.sha256 for f in keep}
    changed = {sha for sha in prev.reports if sha not in kept_ids}
    changed |= {f.sha256 for f in keep if prev.reports[f.sha256] != f.name}
    if in_place:
        load.keep_only(con, [(f.sha256, f.name) for f in keep])
    else:
        load.copy_unchanged(con, [(f.sha256, f.name) for f in keep])
    for f in keep:
        old_name = prev.reports[f.sha256]
        reason = None if old_name == f.name else f"renamed from {old_name}"
        rows.append((f.name, f.sha256, "unchanged", reason, now))
    summary.unchanged = len(keep)
    old_names = {name: sha for sha, name in prev.reports.items()}
    for f in failed_before:
        reason = prev.failed[f.sha256]
        rows.append((f.name, f.sha256, "failed", reason, now))
        summary.failed += 1
        summary.cached_failures += 1
        summary.failures.append((f.name, reason))
    cpu_before = _children_cpu() + pool.parent_extraction_cpu()
    for result in extract(con, todo, jobs, now, log):
        if result.ok:
            changed.add(result.sha256)
            summary.loaded += 1
            notes = list(result.notes)
            if old_names.get(result.name, result.sha256) != result.sha256:
                summary.changed += 1
                notes.insert(0, "content changed since the last build")
            rows.append((result.name, result.sha256, "loaded", "; ".join(notes) or None, now))
        else:
            summary.failed += 1
            summary.failures.append((result.name, result.reason or "failed"))
            rows.append((result.name, result.sha256, "failed", result.reason, now))
    for dup, first in found.duplicates:
        rows.append((dup.name, dup.sha256, "duplicate", f"same content as {first.name}", now))
    summary.extraction_cpu = _children_cpu() + pool.parent_extraction_cpu() - cpu_before
    summary.duplicates = len(found.duplicates)
    for bad in found.unreadable:
        rows.append((bad.name, None, "failed", bad.reason, now))
        summary.failures.append((bad.name, bad.reason))
    summary.failed += len(found.unreadable)
    present = {f.sha256 for f in found.primary}
    names_now = {f.name for f in found.primary} | {d.name for d, _ in found.duplicates}
    names_now |= {b.name for b in found.unreadable}
    for sha, name in sorted(prev.reports.items(), key=lambda kv: kv[1]):
        if sha not in present and name not in names_now:
            rows.append((name, sha, "removed", "no longer in the raw folder", now))
            summary.removed += 1
    return rows, changed


def _children_cpu() -> float:
    """CPU-seconds of this process's finished children (the extraction pool's workers), for the log."""
    try:
        import resource
    except ImportError:  # not POSIX
        return 0.0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _nothing_changed(
    con: duckdb.DuckDBPyConnection,
    prev: Previous,
    found: scan.Scan,
    stamps: dict[str, scan.Stamp],
    corrections_file: Path,
) -> bool:
    """Whether a build would write what the previous warehouse already holds.

    True when every file of the raw folder matched its stamp (so none was
    read, and the same names hold the same bytes as at the last build), no
    stamped file and no report left, every file is a report or a failure of the previous
    warehouse, the corrections are the same rows and the materialized
    views were made by this code. The build then leaves the warehouse file
    alone: not rewriting it is what makes a no-change build cost a scan.
    """
    if found.hashed or found.unreadable or len(found.primary) + len(found.duplicates) != len(stamps):
        return False
    if any(f.sha256 not in prev.reports and f.sha256 not in prev.failed for f in found.primary):
        return False
    if any(prev.reports.get(f.sha256, f.name) != f.name for f in found.primary):
        return False
    if not set(prev.reports) <= {f.sha256 for f in found.primary}:
        return False  # a report left the folder (an emptied or unmounted share must reach the shrink guard)
    return load.same_corrections(con, corrections_file, "prev") and views_current(con, "prev")


def _unchanged_summary(summary: BuildSummary, prev: Previous, found: scan.Scan) -> None:
    """The summary of a build that found nothing to do: what the previous warehouse holds."""
    summary.nothing_changed = True
    summary.reports = len(prev.reports)
    summary.unchanged = sum(1 for f in found.primary if f.sha256 in prev.reports)
    summary.duplicates = len(found.duplicates)
    for f in found.primary:
        if f.sha256 not in prev.reports:
            summary.failures.append((f.name, prev.failed[f.sha256]))
    summary.failed = summary.cached_failures = len(summary.failures)


def _check_shrink(
    prev: Previous, found: scan.Scan, summary: BuildSummary, share: float, allow: bool, log: Log
) -> None:
    """Refuse (:class:`guard.ShrinkRefused`) a warehouse that lost too many reports, naming what was not read."""
    listed = len(found.primary) + len(found.duplicates) + len(found.unreadable)
    folders = [u.name for u in found.unreadable if u.is_folder]
    reason = guard.shrink_problem(len(prev.reports), summary.removed, listed, folders, share)
    if reason is None:
        return
    if allow:
        log(f"accepted (--allow-shrink): {reason}")
        return
    for bad in found.unreadable:
        log(f"  not read: {bad.name}: {bad.reason}")
    raise guard.ShrinkRefused(f"{reason}; nothing changed (pass --allow-shrink if this is intended)")


ENGINES = ("local", "dask")
# (connection, files to extract, jobs, ingested_at, log) -> one outcome per file, rows inserted into the connection
Extract = Callable[[duckdb.DuckDBPyConnection, list[scan.RawFile], int, dt.datetime, Log], Iterable[FileResult]]


def _local_engine(
    con: duckdb.DuckDBPyConnection, todo: list[scan.RawFile], jobs: int, now: dt.datetime, log: Log
) -> Iterator[FileResult]:
    """This machine's process pool; rows are inserted every ``BATCH`` files as results arrive.

    The workers send their rows as Arrow tables (etl/warehouse/packed.py), gathered here until a batch.
    Batches are committed ``COMMIT_FILES`` files at a time: committed one by one, each batch went to
    the write-ahead log, and every 16 MB of log DuckDB checkpointed, compressing the whole (still
    open) row group of report texts again: quadratic, ~5 CPU-s of a full build of 25,000 reports
    against ~3, and a file of 100 MB instead of 67. One transaction for everything is cheaper still
    (~2 CPU-s) but holds every text uncommitted in memory (a build's peak went from 0.7 to 1.4 GB).
    While the workers keep the cores busy, DuckDB inserts on one thread: more would only contend
    with them. (A failed build closes the connection: what was committed is in the ``.tmp`` only.)
    """
    rows = RowBuffer()
    if jobs > 1:
        con.execute("SET threads = 1")
    con.execute("BEGIN TRANSACTION")
    uncommitted = 0
    for result in iter_extract(todo, jobs, log, on_rows=rows.add):
        if rows.files >= BATCH:
            uncommitted += rows.files
            load.insert_results(con, rows.take(), now)
            if uncommitted >= COMMIT_FILES:
                con.execute("COMMIT")
                con.execute("BEGIN TRANSACTION")
                uncommitted = 0
        yield result
    load.insert_results(con, rows.take(), now)
    con.execute("COMMIT")
    if jobs > 1:
        con.execute("RESET threads")


def parquet_path(db: Path) -> Path:
    """Where ``--engine dask`` writes its Parquet dataset by default: beside the warehouse."""
    return db.with_name(db.name + ".parquet")


@dataclass
class Previous:
    """What the build can use of the previous warehouse."""

    attached: bool = False
    usable: bool = False  # its rows can be copied
    stale_reason: str | None = None  # why its rows must not be copied
    reports: dict[str, str] = field(default_factory=dict)  # report_id -> source_file
    failed: dict[str, str] = field(default_factory=dict)  # sha256 -> why it failed (same extractor only)


def attach_previous(con: duckdb.DuckDBPyConnection, db: Path, fingerprint: str, log: Log) -> Previous:
    """Attach the live warehouse READ_ONLY as ``prev`` and decide whether its rows are reusable.

    A warehouse that is not readable (corrupt, not DuckDB) is ignored:
    everything is extracted again and it is replaced. One that another
    process holds read-write stops the build (replacing it would not help
    that process, and it is a bug there). One of another schema version or
    extractor only provides the list of reports (for ``removed``).
    """
    prev = Previous()
    if not db.exists():
        return prev
    try:
        duck.retry_locked(lambda: duck.attach(con, db, "prev", read_only=True), timeout=2.0)
        prev.attached = True
        prev.reports = dict(con.execute("SELECT report_id, source_file FROM prev.reports").fetchall())
    except duckdb.Error as exc:
        if duck.is_lock_error(exc):
            raise RuntimeError(
                f"{db} is open read-write in another process; readers must attach it READ_ONLY"
            ) from exc
        log(f"previous warehouse not readable, building from scratch: {exc}")
        prev.stale_reason = "previous warehouse not readable"
        return prev
    try:
        info = duck.one(con, "SELECT schema_version, extractor_version FROM prev.build_info LIMIT 1")
    except duckdb.Error:
        info = None
    if info is None or info[0] != load.SCHEMA_VERSION:
        prev.stale_reason = "warehouse schema changed"
    elif info[1] != fingerprint:
        prev.stale_reason = "extraction code or rules changed"
    prev.usable = prev.stale_reason is None
    if prev.usable:
        prev.failed = dict(
            con.execute(
                "SELECT sha256, coalesce(any_value(reason), 'failed') FROM prev.ingest_log"
                " WHERE status = 'failed' AND sha256 IS NOT NULL GROUP BY sha256"
            ).fetchall()
        )
    return prev


def _stamps(con: duckdb.DuckDBPyConnection, prev: Previous) -> dict[str, scan.Stamp]:
    """What the previous build found in the raw folder, so that unchanged files are not hashed again.

    Valid whatever extractor or schema version built that warehouse (a
    sha256 is a sha256); ``--full`` does not use it.
    """
    try:
        return load.read_stamps(con, "prev")
    except duckdb.Error:
        return {}


def _reuse_in_place(con: duckdb.DuckDBPyConnection, db: Path, prev: Previous, found: scan.Scan, log: Log) -> bool:
    """Whether to build on a byte copy of the previous warehouse instead of a new file.

    Copying the kept rows into a new file re-encodes every report's text
    (seconds); a byte copy costs a fraction of a second, then the rows of
    changed and removed files are deleted (``load.keep_only``). Only when
    the previous warehouse has exactly this build's tables, no write-ahead
    log beside it (its last writer did not finish cleanly), at least half
    of its reports are kept, and no more than ``MAX_DELETED`` of the rows it
    stores are deleted ones left by earlier builds in place (else a new file
    is smaller, and starting one reclaims their space).
    """
    kept = sum(1 for f in found.primary if f.sha256 in prev.reports)
    if kept * 2 < len(prev.reports) or db.with_name(db.name + ".wal").exists():
        return False
    if not load.same_schema(con, "prev"):
        return False
    deleted = load.deleted_share(con, "prev")
    if deleted > MAX_DELETED:
        log(f"writing a new warehouse file: {deleted:.0%} of the rows the last one stores are deleted ones")
        return False
    return True


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = duck.one(con, sql)
    return int(found[0]) if found else 0


def _build_info(summary: BuildSummary, now: dt.datetime, raw: Path, jobs: int, fingerprint: str) -> dict:
    return {
        "built_at": now,
        "n_reports": summary.reports,
        "n_failed": summary.failed,
        "n_loaded": summary.loaded,
        "n_unchanged": summary.unchanged,
        "n_duplicates": summary.duplicates,
        "n_removed": summary.removed,
        "full_rebuild": summary.full_reason is not None,
        "jobs": jobs,
        "seconds": summary.seconds,
        "raw_dir": str(raw),
        "schema_version": load.SCHEMA_VERSION,
        "extractor_version": fingerprint,
        "n_corrections": summary.corrections,
        "n_corrections_review": summary.corrections_review,
    }


def refresh_corrections(db: Path = DEFAULT_DB, corrections_file: Path | None = None, log: Log = print) -> int:
    """Swap in the current corrections without re-scanning the raw folder.

    Copies the live warehouse to ``.tmp`` (a byte copy is consistent: the
    live file is only ever replaced whole), replaces its ``corrections``
    table (and views) and swaps it in: a fraction of a second where a build
    takes seconds. Returns how many corrections need review. Raises
    ``FileNotFoundError`` without a warehouse and ``RuntimeError`` for one
    of another schema version (build instead).
    """
    db = Path(db)
    corrections_file = Path(corrections_file) if corrections_file else corrections.corrections_path(db)
    if not db.exists():
        raise FileNotFoundError(f"no warehouse at {db}: build first")
    with build_lock(db, log):
        tmp = tmp_path(db)
        remove_file(tmp, log)
        shutil.copyfile(db, tmp)
        con = duck.open_file(tmp, "new", read_only=False)
        try:
            version = duck.one(con, "SELECT max(schema_version) FROM build_info")
            if version is None or version[0] != load.SCHEMA_VERSION:
                raise RuntimeError(f"{db} was built by another version of the build: run a build first")
            n = load.replace_corrections(con, corrections_file)
            if views_current(con):  # only the reports the corrections name are recomputed
                update_views(con, ())
            else:
                replace_views(con)
            review = _count(con, "SELECT count(*) FROM v_corrections_review")
            con.execute("UPDATE build_info SET n_corrections = ?, n_corrections_review = ?", [n, review])
            _swap_in(con, tmp, db)
        except BaseException:
            _abandon(con, tmp)
            raise
    log(f"corrections: {n} ({review} need review)")
    return review


def _swap_in(con: duckdb.DuckDBPyConnection, tmp: Path, db: Path) -> None:
    """Finish the new file and make it the live warehouse in one rename."""
    con.execute("CHECKPOINT")
    con.close()
    swap(tmp, db)


def _abandon(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """A failed build or refresh leaves the live warehouse as it was."""
    con.close()
    remove_file(tmp, None)


def swap(tmp: Path, db: Path) -> None:
    """Make the finished ``tmp`` the live warehouse, durably."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, db)
    with contextlib.suppress(OSError):
        fd = os.open(db.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_file(tmp: Path, log: Log | None) -> None:
    """Delete a (stale) tmp file and its write-ahead log, if any."""
    for path in (tmp, tmp.with_name(tmp.name + ".wal")):
        if path.exists():
            if log:
                log(f"removing stale {path.name} left by an interrupted build")
            path.unlink()


@contextlib.contextmanager
def build_lock(db: Path, log: Log) -> Iterator[None]:
    """Hold ``<db>.lock`` exclusively; the OS releases it if the process dies."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process guard
        yield
        return
    with open(db.with_name(db.name + ".lock"), "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another build of {db.name} to finish")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            with hold_lock_fd(f.fileno()):  # forked workers close their copy (etl/warehouse/pool.py)
                yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _one_line(exc: BaseException) -> str:
    """An error as one line (the one-line-per-failure rule), names escaped."""
    from etl.extract.read import display_name

    return display_name(" ".join(str(exc).split()))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m etl build``."""
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of report files (default data/raw)")
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help="warehouse file to (re)place (default data/warehouse.duckdb)"
    )
    parser.add_argument("--full", action="store_true", help="extract every file again, even unchanged ones")
    parser.add_argument(
        "--jobs", type=int, default=None, help="extraction processes (default: all cores; 1 = in this process)"
    )
    parser.add_argument(
        "--corrections", type=Path, default=None, help="corrections file (default: corrections.duckdb beside --db)"
    )
    parser.add_argument(
        "--allow-shrink", action="store_true",
        help="swap in the new warehouse even if it lost many reports (or the raw folder could not be read in full)",
    )
    parser.add_argument(
        "--max-shrink", type=float, default=None, metavar="SHARE",
        help=f"share of reports a build may remove without --allow-shrink (default ${guard.ENV_MAX_SHRINK} or "
        f"{guard.DEFAULT_MAX_SHRINK})",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="where extraction runs: local process pool (default) or a Dask cluster (docs/scale.md)",
    )
    parser.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="with --engine dask: join this scheduler (tcp://host:8786); default: a local cluster of --jobs workers",
    )
    parser.add_argument(
        "--parquet", type=Path, default=None, metavar="DIR",
        help="with --engine dask: Parquet folder the workers write, shared by all (default: <db>.parquet)",
    )


def run(args: argparse.Namespace) -> int:
    """Build; exit status 1 if a file failed, 2 if the build itself could not be done."""
    if args.engine != "dask" and (args.scheduler or args.parquet):
        print("--scheduler and --parquet need --engine dask", file=sys.stderr)
        return 2
    try:
        summary = build(
            args.raw, args.db, full=args.full, jobs=args.jobs, corrections_file=args.corrections,
            engine=args.engine, scheduler=args.scheduler, parquet=args.parquet,
            allow_shrink=args.allow_shrink, max_shrink=args.max_shrink,
        )
    except guard.ShrinkRefused as exc:
        print(f"build refused, previous warehouse kept: {exc}", file=sys.stderr)
        return 2
    except (OSError, duckdb.Error, ValueError, RuntimeError) as exc:
        kept = "previous warehouse kept" if Path(args.db).exists() else "no warehouse written"
        print(f"build failed, {kept}: {_one_line(exc)}", file=sys.stderr)
        return 2
    return 0 if summary.ok else 1
