"""Rows into the new warehouse file: in bulk, as Arrow tables, never row by row.

Everything here writes into the connection's default catalog, the
``warehouse.duckdb.tmp`` being built; the previous warehouse, when there is
one, is attached READ_ONLY as ``prev`` and only read from. Column lists are
spelled out so that a copy from an older warehouse fails loudly instead of
shifting columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import catalogue, corrections, duck
from etl.pool import FileResult

SCHEMA_VERSION = 2
SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"

REPORT_COLUMNS = (
    "report_id",
    "source_file",
    "province",
    "city",
    "district",
    "adcode",
    "year",
    "doc_type",
    "size_bytes",
    "encoding",
    "format",
    "text",
)
REPORT_TYPES = (
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.int32(),
    pa.string(),
    pa.int64(),
    pa.string(),
    pa.string(),
    pa.large_string(),
)
VALUE_COLUMNS = (
    "value_id",
    "report_id",
    "indicator",
    "value",
    "qualifier",
    "basis",
    "quote",
    "start_pos",
    "end_pos",
    "confidence",
    "flags",
)
VALUE_TYPES = (
    pa.string(),
    pa.string(),
    pa.string(),
    pa.float64(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.int32(),
    pa.int32(),
    pa.float64(),
    pa.list_(pa.string()),
)
SHORTFALL_COLUMNS = ("report_id", "seq", "theme", "text", "start_pos", "end_pos")
SHORTFALL_TYPES = (pa.string(), pa.int32(), pa.string(), pa.string(), pa.int32(), pa.int32())
TARGET_COLUMNS = ("report_id", "indicator", "comparator", "value", "quote", "start_pos", "end_pos")
TARGET_TYPES = (pa.string(), pa.string(), pa.string(), pa.float64(), pa.string(), pa.int32(), pa.int32())
LOG_COLUMNS = ("source_file", "sha256", "status", "reason", "logged_at")
LOG_TYPES = (pa.string(), pa.string(), pa.string(), pa.string(), pa.timestamp("us"))


def arrow_table(columns: Sequence[str], types: Sequence[pa.DataType], rows: Sequence[tuple]) -> pa.Table:
    """Rows (tuples in column order) as an Arrow table with fixed types."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    arrays = [pa.array(list(col), type=t) for col, t in zip(cols, types, strict=True)]
    return pa.Table.from_arrays(arrays, names=list(columns))


def insert(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], data: pa.Table) -> None:
    """``INSERT INTO table (columns) SELECT * FROM data`` in one statement."""
    if data.num_rows == 0:
        return
    cols = ", ".join(duck.quote_ident(c) for c in columns)
    con.register("_batch", data)
    try:
        con.execute("INSERT INTO " + duck.quote_ident(table) + " (" + cols + ") SELECT * FROM _batch")
    finally:
        con.unregister("_batch")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of etl/schema.sql (views come last, see etl/views.py)."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def load_catalogue(con: duckdb.DuckDBPyConnection, spec_dir: Path = catalogue.SPEC_DIR) -> None:
    """indicators, shortfall_themes and target_indicators from the spec CSVs."""
    specs = (
        ("indicators", "indicators.csv", ("category", "unit", "name_zh", "name_en", "definition")),
        ("shortfall_themes", "shortfall_themes.csv", ("name_zh", "name_en", "definition")),
        ("target_indicators", "target_indicators.csv", ("unit", "name_zh", "name_en", "definition")),
    )
    for table, file_name, fields in specs:
        key = "theme" if table == "shortfall_themes" else "indicator"
        rows = [(r["id"], *(r.get(f) for f in fields)) for r in catalogue.read_spec(file_name, spec_dir)]
        columns = (key, *fields)
        insert(con, table, columns, arrow_table(columns, [pa.string()] * len(columns), rows))


def insert_results(con: duckdb.DuckDBPyConnection, results: Sequence[FileResult], ingested_at: dt.datetime) -> None:
    """A batch of extracted files (the successful ones) into reports, values, shortfalls, targets."""
    ok = [r for r in results if r.ok and r.report is not None]
    reports = [(*r.report, ingested_at) for r in ok]
    insert(
        con,
        "reports",
        (*REPORT_COLUMNS, "ingested_at"),
        arrow_table((*REPORT_COLUMNS, "ingested_at"), (*REPORT_TYPES, pa.timestamp("us")), reports),
    )
    insert(con, "values", VALUE_COLUMNS, arrow_table(VALUE_COLUMNS, VALUE_TYPES, [v for r in ok for v in r.values]))
    shortfalls = [s for r in ok for s in r.shortfalls]
    insert(con, "shortfalls", SHORTFALL_COLUMNS, arrow_table(SHORTFALL_COLUMNS, SHORTFALL_TYPES, shortfalls))
    targets = [t for r in ok for t in r.targets]
    insert(con, "targets", TARGET_COLUMNS, arrow_table(TARGET_COLUMNS, TARGET_TYPES, targets))


def copy_unchanged(con: duckdb.DuckDBPyConnection, keep: Sequence[tuple[str, str]]) -> None:
    """Copy reports (report_id, current file name) and their rows from the attached ``prev``.

    The file name is taken from this build's scan: the same content may have
    been renamed since.
    """
    if not keep:
        return
    con.register("_keep", arrow_table(("report_id", "source_file"), (pa.string(), pa.string()), keep))
    try:
        rcols = [c for c in REPORT_COLUMNS if c != "source_file"]
        sel = ", ".join("p." + duck.quote_ident(c) for c in rcols)
        names = ", ".join(duck.quote_ident(c) for c in rcols)
        con.execute(
            "INSERT INTO reports (" + names + ", source_file, ingested_at) SELECT " + sel
            + ", k.source_file, p.ingested_at FROM prev.reports p JOIN _keep k USING (report_id)"
        )
        for table, columns in (
            ("values", VALUE_COLUMNS),
            ("shortfalls", SHORTFALL_COLUMNS),
            ("targets", TARGET_COLUMNS),
        ):
            names = ", ".join(duck.quote_ident(c) for c in columns)
            sel = ", ".join("p." + duck.quote_ident(c) for c in columns)
            con.execute(
                "INSERT INTO " + duck.quote_ident(table) + " (" + names + ") SELECT " + sel
                + " FROM prev." + duck.quote_ident(table) + " p SEMI JOIN _keep k USING (report_id)"
            )
    finally:
        con.unregister("_keep")


def insert_log(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple]) -> None:
    """ingest_log rows (source_file, sha256, status, reason, logged_at)."""
    insert(con, "ingest_log", LOG_COLUMNS, arrow_table(LOG_COLUMNS, LOG_TYPES, list(rows)))


def copy_corrections(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Copy the corrections file into the ``corrections`` table; returns the row count.

    The file is attached READ_ONLY only for this copy (waiting if a writer
    holds it for a moment) and detached straight after. No file, no rows.
    """
    if not Path(path).exists():
        return 0
    cols = ", ".join(duck.quote_ident(c) for c in corrections.COLUMNS)

    def attach() -> None:
        duck.attach(con, path, "corr", read_only=True)

    duck.retry_locked(attach)
    try:
        tables = duck.one(
            con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'corr' AND table_name = 'corrections'"
        )
        if tables and tables[0]:
            con.execute("INSERT INTO corrections (" + cols + ") SELECT " + cols + " FROM corr.corrections")
    finally:
        con.execute("DETACH corr")
    found = duck.one(con, "SELECT count(*) FROM corrections")
    return int(found[0]) if found else 0


def replace_corrections(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Swap in the current corrections (used when only corrections changed)."""
    con.execute("DELETE FROM corrections")
    return copy_corrections(con, path)


def insert_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, object]) -> None:
    """The single build_info row (column names are the dict's keys, our own constants)."""
    con.execute("DELETE FROM build_info")
    names = ", ".join(duck.quote_ident(k) for k in info)
    marks = ", ".join("?" for _ in info)
    con.execute("INSERT INTO build_info (" + names + ") VALUES (" + marks + ")", list(info.values()))
