"""Rows into the new warehouse file: in bulk, as Arrow tables, never row by row.

Everything here writes into the connection's default catalog, the
``warehouse.duckdb.tmp`` being built; the previous warehouse, when there is
one, is attached READ_ONLY as ``prev`` and only read from. Column lists are
spelled out so that a copy from an older warehouse fails loudly instead of
shifting columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl import catalogue
from etl.warehouse import corrections, duck
from etl.warehouse.scan import Stamp

if TYPE_CHECKING:
    import pyarrow as pa

    from etl.warehouse.packed import Rows

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
    "string",
    "string",
    "string",
    "string",
    "string",
    "string",
    "int32",
    "string",
    "int64",
    "string",
    "string",
    "large_string",
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
    "string",
    "string",
    "string",
    "float64",
    "string",
    "string",
    "string",
    "int32",
    "int32",
    "float64",
    "list<string>",
)
SHORTFALL_COLUMNS = ("report_id", "seq", "theme", "text", "start_pos", "end_pos")
SHORTFALL_TYPES = ("string", "int32", "string", "string", "int32", "int32")
TARGET_COLUMNS = ("report_id", "indicator", "comparator", "value", "quote", "start_pos", "end_pos")
TARGET_TYPES = ("string", "string", "string", "float64", "string", "int32", "int32")
LOG_COLUMNS = ("source_file", "sha256", "status", "reason", "logged_at")
LOG_TYPES = ("string", "string", "string", "string", "timestamp[us]")
STAMP_COLUMNS = ("source_file", "sha256", "size_bytes", "mtime_ns", "ctime_ns", "inode", "device")
STAMP_TYPES = ("string", "string", "int64", "int64", "int64", "uint64", "uint64")
#: The tables of extracted rows: an unchanged file's rows are kept from one build to the next.
ROW_TABLES = ("reports", "values", "shortfalls", "targets")


@cache
def arrow_type(name: str) -> pa.DataType:
    """The Arrow type spelled ``name`` (Arrow's own aliases, and ``list<item type>``).

    Why names and not ``pa.string()`` in the column tables above: pyarrow (with
    numpy) costs ~0.1 CPU-s to import, a tenth of a build that finds nothing
    changed, which never builds an Arrow table; it is imported on first use.
    """
    import pyarrow as pa

    if name.startswith("list<") and name.endswith(">"):
        return pa.list_(arrow_type(name[5:-1]))
    return pa.type_for_alias(name)


def arrow_table(columns: Sequence[str], types: Sequence[str], rows: Sequence[tuple]) -> pa.Table:
    """Rows (tuples in column order) as an Arrow table with fixed types (:func:`arrow_type` names)."""
    import pyarrow as pa

    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    arrays = [pa.array(list(col), type=arrow_type(t)) for col, t in zip(cols, types, strict=True)]
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


#: (table, spec CSV, columns after the key) of the catalogue tables, loaded from etl/spec/.
CATALOGUE_SPECS = (
    ("indicators", "indicators.csv", ("category", "unit", "name_zh", "name_en", "definition")),
    ("shortfall_themes", "shortfall_themes.csv", ("name_zh", "name_en", "definition")),
    ("target_indicators", "target_indicators.csv", ("unit", "name_zh", "name_en", "definition")),
)
#: The catalogue tables. A build in place keeps them as the copy has them: it runs only under the
#: same extractor fingerprint (etl/warehouse/fingerprint.py), which covers the spec CSVs they come from.
CATALOGUE_TABLES = tuple(table for table, _, _ in CATALOGUE_SPECS)


def load_catalogue(con: duckdb.DuckDBPyConnection, spec_dir: Path = catalogue.SPEC_DIR) -> None:
    """indicators, shortfall_themes and target_indicators from the spec CSVs."""
    for table, file_name, fields in CATALOGUE_SPECS:
        key = "theme" if table == "shortfall_themes" else "indicator"
        rows = [(r["id"], *(r.get(f) for f in fields)) for r in catalogue.read_spec(file_name, spec_dir)]
        columns = (key, *fields)
        insert(con, table, columns, arrow_table(columns, ["string"] * len(columns), rows))


def insert_results(con: duckdb.DuckDBPyConnection, rows: Rows, ingested_at: dt.datetime) -> None:
    """A batch of extracted files' rows (etl/warehouse/packed.py) into reports, values, shortfalls, targets.

    ``ingested_at`` is one value for the whole build: bound once, not sent with every report.
    """
    reports = rows.tables["reports"]
    if reports.num_rows:
        cols = ", ".join(duck.quote_ident(c) for c in (*REPORT_COLUMNS, "ingested_at"))
        con.register("_batch", reports)
        try:
            con.execute("INSERT INTO reports (" + cols + ") SELECT *, CAST(? AS TIMESTAMP) FROM _batch", [ingested_at])
        finally:
            con.unregister("_batch")
    insert(con, "values", VALUE_COLUMNS, rows.tables["values"])
    insert(con, "shortfalls", SHORTFALL_COLUMNS, rows.tables["shortfalls"])
    insert(con, "targets", TARGET_COLUMNS, rows.tables["targets"])


def copy_unchanged(con: duckdb.DuckDBPyConnection, keep: Sequence[tuple[str, str]]) -> None:
    """Copy reports (report_id, current file name) and their rows from the attached ``prev``.

    The file name is taken from this build's scan: the same content may have
    been renamed since.
    """
    if not keep:
        return
    con.register("_keep", arrow_table(("report_id", "source_file"), ("string", "string"), keep))
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


def same_schema(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    """Whether the tables of etl/schema.sql exist in ``catalog`` exactly as that file defines them.

    Columns (names, order, types, nullability, defaults), constraints and
    indexes are compared with those of the schema created in a scratch
    in-memory database; tables that are not in the schema (the materialized
    views) are not looked at. Only then can a build start from a copy of
    that warehouse (:func:`clear_for_reuse`) and end with the same tables as
    a build from scratch.
    """
    expected, tables = _reference_schema()
    return _schema_signature(con, catalog, list(tables)) == list(expected)


@lru_cache(maxsize=1)
def _reference_schema() -> tuple[tuple[tuple, ...], tuple[str, ...]]:
    """The signature and table names of etl/schema.sql, created once in a scratch database."""
    scratch = duck.memory()
    try:
        create_schema(scratch)
        signature = _schema_signature(scratch, "memory", None)
    finally:
        scratch.close()
    return tuple(signature), tuple(sorted({row[1] for row in signature}))


def _schema_signature(con: duckdb.DuckDBPyConnection, catalog: str, tables: list[str] | None) -> list[tuple]:
    """Columns, constraints and indexes of the tables of ``catalog`` (all, or those of ``tables``), sorted."""
    where = "WHERE database_name = ? AND schema_name = 'main'"
    params: list = [catalog]
    if tables is not None:
        where += " AND list_contains(?, table_name)"
        params.append(tables)
    rows = con.execute(
        "SELECT 'column', table_name, CAST(column_index AS VARCHAR), column_name, data_type,"
        " CAST(is_nullable AS VARCHAR), column_default FROM duckdb_columns() " + where
        + " UNION ALL SELECT 'constraint', table_name, constraint_type,"
        " CAST(constraint_column_names AS VARCHAR), expression, NULL, NULL FROM duckdb_constraints() " + where
        + " UNION ALL SELECT 'index', table_name, index_name, sql, NULL, NULL, NULL FROM duckdb_indexes() " + where,
        params * 3,
    ).fetchall()
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def clear_for_reuse(con: duckdb.DuckDBPyConnection, keep: Iterable[str] = ()) -> None:
    """Make a byte copy of the previous warehouse (the default catalog) ready to be built on.

    Drops every view and every table that etl/schema.sql does not define
    (the materialized views, rebuilt at the end of the build) and empties
    the schema's tables that every build writes afresh (catalogue,
    ingest_log, build_info, corrections, raw_files), except the tables named
    in ``keep`` (which the build updates in place: materialized views,
    ``raw_files``; or keeps as they are: the catalogue). The extracted rows stay, for :func:`keep_only`. Call
    :func:`same_schema` first.
    """
    keep = set(keep)
    views = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
        " AND schema_name = 'main'"
    ).fetchall()
    for (name,) in views:
        con.execute("DROP VIEW " + duck.quote_ident(name))
    schema_tables = set(_reference_schema()[1])
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND database_name = current_database()"
        " AND schema_name = 'main'"
    ).fetchall()
    for (name,) in tables:
        if name not in schema_tables:
            if name not in keep:
                con.execute("DROP TABLE " + duck.quote_ident(name))
        elif name not in ROW_TABLES and name not in keep:
            con.execute("DELETE FROM " + duck.quote_ident(name))


def keep_only(con: duckdb.DuckDBPyConnection, keep: Sequence[tuple[str, str]]) -> None:
    """The in-place counterpart of :func:`copy_unchanged`, on a copy of the previous warehouse.

    Deletes the rows of every report not in ``keep`` (report_id, current
    file name), gives renamed files their new name and checkpoints, so that
    the blocks freed here and by :func:`clear_for_reuse` are reused by the
    rows and tables written next rather than appended to the file.
    """
    con.register("_keep", arrow_table(("report_id", "source_file"), ("string", "string"), keep))
    try:
        for table in ROW_TABLES:
            con.execute(
                "DELETE FROM " + duck.quote_ident(table) + " WHERE report_id NOT IN (SELECT report_id FROM _keep)"
            )
        con.execute(
            "UPDATE reports SET source_file = k.source_file FROM _keep k"
            " WHERE reports.report_id = k.report_id AND reports.source_file IS DISTINCT FROM k.source_file"
        )
    finally:
        con.unregister("_keep")
    con.execute("CHECKPOINT")


def deleted_share(con: duckdb.DuckDBPyConnection, catalog: str) -> float:
    """The largest share of deleted rows still stored in a table of ``ROW_TABLES`` of ``catalog``.

    A build in place (:func:`keep_only`) deletes the rows of changed files;
    DuckDB reclaims them only when a row group can be merged away, which a
    table of fewer rows than a row group never is. The build starts a new
    file instead when this share grows (etl/build.py).
    """
    worst = 0.0
    for table in ROW_TABLES:
        stored = duck.one(
            con,
            "SELECT sum(count) FROM pragma_storage_info(?) WHERE column_id = 0 AND column_path = '[0]'",
            [catalog + "." + table],
        )
        live = duck.one(con, "SELECT count(*) FROM " + duck.quote_ident(catalog) + "." + duck.quote_ident(table))
        if stored and stored[0] and live is not None:
            worst = max(worst, 1 - live[0] / stored[0])
    return worst


def read_stamps(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, Stamp]:
    """The ``raw_files`` rows of ``catalog`` by file name; none if it has no such table (older warehouse)."""
    found = duck.one(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'"
        " AND table_name = 'raw_files'",
        [catalog],
    )
    if not found or not found[0]:
        return {}
    cols = ", ".join(duck.quote_ident(c) for c in STAMP_COLUMNS)
    rows = con.execute("SELECT " + cols + " FROM " + duck.quote_ident(catalog) + ".raw_files").fetchall()
    return {row[0]: Stamp(*row) for row in rows if None not in row}


def insert_stamps(con: duckdb.DuckDBPyConnection, stamps: Iterable[Stamp]) -> None:
    """raw_files rows, one per file the scan could stamp."""
    insert(con, "raw_files", STAMP_COLUMNS, arrow_table(STAMP_COLUMNS, STAMP_TYPES, list(stamps)))  # column order


def update_stamps(con: duckdb.DuckDBPyConnection, old: Mapping[str, Stamp], new: Sequence[Stamp]) -> int:
    """Bring ``raw_files``, holding the stamps ``old``, to ``new``: only the rows that differ are written.

    Rewriting 28,500 rows to change a few hundred costs a tenth of a CPU-second
    of a build that should cost little more than the files it extracts.
    Returns the number of rows written.
    """
    names = {s.name for s in new}
    fresh = [s for s in new if old.get(s.name) != s]
    stale = [name for name in old if name not in names] + [s.name for s in fresh if s.name in old]
    if stale:
        con.execute("DELETE FROM raw_files WHERE list_contains(?, source_file)", [stale])
    insert_stamps(con, fresh)
    return len(fresh)


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


def same_corrections(con: duckdb.DuckDBPyConnection, path: Path, catalog: str) -> bool:
    """Whether the corrections file holds exactly the rows of ``catalog``'s ``corrections`` table.

    A build with no file changed and the same corrections changes nothing and
    leaves the warehouse file alone (etl/warehouse/build.py).
    """
    cols = ", ".join(duck.quote_ident(c) for c in corrections.COLUMNS)
    stored = "SELECT " + cols + " FROM " + duck.quote_ident(catalog) + ".corrections"
    if not Path(path).exists():
        found = duck.one(con, "SELECT count(*) FROM (" + stored + ")")
        return bool(found) and found[0] == 0
    duck.retry_locked(lambda: duck.attach(con, path, "corr", read_only=True))
    try:
        tables = duck.one(
            con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'corr' AND table_name = 'corrections'"
        )
        current = stored + " LIMIT 0"
        if tables and tables[0]:
            current = "SELECT " + cols + " FROM corr.corrections"
        found = duck.one(
            con,
            "SELECT (SELECT count(*) FROM (" + current + " EXCEPT ALL " + stored + "))"
            " + (SELECT count(*) FROM (" + stored + " EXCEPT ALL " + current + "))",
        )
    finally:
        con.execute("DETACH corr")
    return bool(found) and found[0] == 0


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
