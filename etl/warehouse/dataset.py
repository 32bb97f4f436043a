"""The extract step as a pure function of files, written as Parquet partitioned by year.

Why Parquet: when extraction runs on many machines (``etl/dask_engine.py``),
its output has to live somewhere every machine and the driver can reach,
in a form DuckDB loads in bulk and analysts can query without the
warehouse. One folder per table, hive-partitioned by the report's year::

    DIR/reports/year=2023/part-<token>.parquet
    DIR/values/year=2023/part-<token>.parquet
    DIR/shortfalls/...  DIR/targets/...
    DIR/failures/year=__HIVE_DEFAULT_PARTITION__/part-<token>.parquet

Every row is keyed by the file's sha256 (``report_id``; ``sha256`` in
``failures``). Rows of values, shortfalls and targets go to their report's
year so a year's partition is complete by itself; files without a year
(failures, reports whose year is unknown) go to the Hive null partition,
which DuckDB, Spark and pyarrow all read back as NULL.

A part holds one batch of files and is named by a hash of the batch's
sha256s, so a task that runs twice (Dask re-runs a task whose worker was
lost) overwrites its own part instead of adding rows twice. Each part is
written under a temporary name and renamed, so a reader never sees half a
file.

Tasks are small (a few dozen files), so a build writes thousands of parts,
one per task and year, and a query over thousands of small files spends its
time opening them. Once every task has finished, :func:`compact` merges each
table's parts of a year into one file (named by a hash of the parts it
replaces, so a re-run writes the same name), and the build loads that.

Rows are shaped by the same code as the local build (:func:`etl.warehouse.pool.extract_chunk`,
column orders and Arrow types of :mod:`etl.warehouse.load`), so both engines produce the
same warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from etl.warehouse import duck, load
from etl.warehouse.pool import FileResult, extract_chunk
from etl.warehouse.scan import RawFile

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # the Hive convention for a NULL partition value
FAILURE_COLUMNS = ("sha256", "source_file", "reason")
FAILURE_TYPES = ("string", "string", "string")

_REPORT_COLUMNS = tuple(c for c in load.REPORT_COLUMNS if c != "year")  # year lives in the path
_REPORT_TYPES = tuple(t for c, t in zip(load.REPORT_COLUMNS, load.REPORT_TYPES, strict=True) if c != "year")
_YEAR_AT = load.REPORT_COLUMNS.index("year")

# table -> (columns in the Parquet file, their Arrow type names (load.arrow_type)); the warehouse tables
# keep their names.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reports": (_REPORT_COLUMNS, _REPORT_TYPES),
    "values": (load.VALUE_COLUMNS, load.VALUE_TYPES),
    "shortfalls": (load.SHORTFALL_COLUMNS, load.SHORTFALL_TYPES),
    "targets": (load.TARGET_COLUMNS, load.TARGET_TYPES),
    "failures": (FAILURE_COLUMNS, FAILURE_TYPES),
}
WAREHOUSE_COLUMNS: dict[str, tuple[str, ...]] = {
    "reports": load.REPORT_COLUMNS,
    "values": load.VALUE_COLUMNS,
    "shortfalls": load.SHORTFALL_COLUMNS,
    "targets": load.TARGET_COLUMNS,
}
READ_OPTIONS = "hive_partitioning = true, hive_types = {'year': INTEGER}"


@dataclass
class Batch:
    """One batch's rows grouped by table and year, and each file's outcome."""

    rows: dict[str, dict[int | None, list[tuple]]]
    outcomes: list[FileResult]  # name, sha256, reason, notes; the rows stay in ``rows``


@dataclass
class BatchOutput:
    """What a task sends back to the driver: small, whatever the size of the texts."""

    token: str
    outcomes: list[FileResult]
    parts: dict[str, list[str]] = field(default_factory=dict)  # table -> part paths relative to the dataset
    seconds: float = 0.0
    worker: str = ""


def batch_token(files: Sequence[RawFile]) -> str:
    """Name of a batch's parts: the same files always give the same name (idempotent re-runs)."""
    digest = hashlib.sha256("\n".join(f.sha256 for f in files).encode())
    return digest.hexdigest()[:20]


def extract_batch(files: Sequence[RawFile]) -> Batch:
    """Extract ``files`` into rows by table and year; a pure function of the files' bytes.

    A file that cannot be read or extracted becomes a ``failures`` row with
    its reason, exactly like the local build's ingest_log row.
    """
    rows: dict[str, dict[int | None, list[tuple]]] = {t: defaultdict(list) for t in TABLES}
    outcomes: list[FileResult] = []
    for result in extract_chunk(list(files)):
        outcomes.append(FileResult(result.name, result.sha256, reason=result.reason, notes=list(result.notes)))
        if not result.ok or result.report is None:
            rows["failures"][None].append((result.sha256, result.name, result.reason))
            continue
        year = result.report[_YEAR_AT]
        rows["reports"][year].append(result.report[:_YEAR_AT] + result.report[_YEAR_AT + 1 :])
        rows["values"][year].extend(result.values)
        rows["shortfalls"][year].extend(result.shortfalls)
        rows["targets"][year].extend(result.targets)
    return Batch({t: dict(by_year) for t, by_year in rows.items()}, outcomes)


def part_path(table: str, year: int | None, token: str) -> str:
    """A part's path relative to the dataset root ('/'-separated, as on object storage)."""
    return f"{table}/year={NULL_PARTITION if year is None else year}/part-{token}.parquet"


def write_batch(batch: Batch, dataset: Path, token: str) -> dict[str, list[str]]:
    """Write one Parquet part per (table, year) of ``batch``; return their relative paths by table."""
    written: dict[str, list[str]] = {t: [] for t in TABLES}
    for table, by_year in batch.rows.items():
        columns, types = TABLES[table]
        for year, rows in sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if not rows:
                continue
            rel = part_path(table, year, token)
            target = dataset / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                pq.write_table(load.arrow_table(columns, types, rows), tmp, compression="zstd")
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            written[table].append(rel)
    return written


def extract_to_parquet(files: Sequence[RawFile], dataset: str) -> BatchOutput:
    """Task body: extract a batch and write its parts under ``dataset`` (shared storage).

    Returns only the outcomes and the part names: the rows (report texts
    included) travel through storage, never through the scheduler.
    """
    started = time.monotonic()
    token = batch_token(files)
    batch = extract_batch(files)
    parts = write_batch(batch, Path(dataset), token)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    return BatchOutput(token, batch.outcomes, parts, time.monotonic() - started, worker)


def remove_parts(dataset: Path, token: str) -> None:
    """Delete whatever a failed task of ``token`` left (whole parts or temporary files)."""
    for table in TABLES:
        for path in (dataset / table).glob(f"year=*/part-{token}.parquet*"):
            path.unlink(missing_ok=True)


def clear(dataset: Path) -> None:
    """Empty the dataset of a previous build: only our table folders' parts, never other files."""
    for table in TABLES:
        folder = dataset / table
        if not folder.is_dir():
            continue
        for path in folder.glob("year=*/part-*.parquet*"):
            path.unlink()
        for sub in folder.glob("year=*"):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()


def compact(dataset: Path, parts: dict[str, list[str]]) -> dict[str, list[str]]:
    """Merge each table's parts of one year partition into one file; return the parts by table now.

    The merged file is written under a temporary name and renamed before the
    parts it replaces are deleted, so a reader sees every row at every
    moment (twice, at worst, if the process dies between the two steps: the
    next build clears the folder). Arrow types are kept as written.
    """
    merged: dict[str, list[str]] = {}
    for table, rels in parts.items():
        by_folder: dict[str, list[str]] = defaultdict(list)
        for rel in rels:
            by_folder[rel.rsplit("/", 1)[0]].append(rel)
        merged[table] = []
        for folder, group in sorted(by_folder.items()):
            if len(group) == 1:
                merged[table].extend(group)
                continue
            group = sorted(group)
            token = hashlib.sha256("\n".join(group).encode()).hexdigest()[:20]
            rel = f"{folder}/part-{token}.parquet"
            target = dataset / rel
            tmp = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                tables = [pq.read_table(dataset / p) for p in group]
                pq.write_table(pa.concat_tables(tables), tmp, compression="zstd")
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            for p in group:
                if p != rel:
                    (dataset / p).unlink(missing_ok=True)
            merged[table].append(rel)
    return merged


def scan_sql(dataset: Path | str, table: str) -> str:
    """A ``read_parquet`` of a whole table of the dataset, for direct queries."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    glob = Path(dataset, table).as_posix() + "/*/*.parquet"
    return "read_parquet(" + duck.quote_literal(glob) + ", " + READ_OPTIONS + ")"


def load_parts(
    con: duckdb.DuckDBPyConnection,
    dataset: Path,
    parts: dict[str, Iterable[str]],
    ingested_at: dt.datetime,
) -> None:
    """Insert the listed parts into the warehouse tables, one ``INSERT ... SELECT`` per table.

    Only parts of tasks that finished are listed, so a crashed task's
    leftovers are never loaded. ``failures`` is not loaded: the driver
    writes ingest_log itself from the task outcomes (with the same reasons).
    """
    for table, columns in WAREHOUSE_COLUMNS.items():
        files = sorted(str(dataset / p) for p in parts.get(table, ()))
        if not files:
            continue
        names = ", ".join(duck.quote_ident(c) for c in columns)
        source = " FROM read_parquet(?, " + READ_OPTIONS + ")"
        if table == "reports":
            sql = "INSERT INTO reports (" + names + ", ingested_at) SELECT " + names + ", ?::TIMESTAMP" + source
            params: list = [ingested_at, files]
        else:
            sql = "INSERT INTO " + duck.quote_ident(table) + " (" + names + ") SELECT " + names + source
            params = [files]
        con.execute(sql, params)
