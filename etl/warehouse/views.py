"""Create the views the dashboard reads: etl/views.sql plus the generated ``v_compare``.

The ones the dashboard reads are then materialized as tables of the same
name (see ``MATERIALIZED``), so a page query does not re-apply corrections.

``v_compare`` has one column per indicator of the catalogue, so its SQL is
written from the ``indicators`` table (ids checked in etl/catalogue.py and
still quoted with :func:`etl.warehouse.duck.quote_ident` / :func:`etl.warehouse.duck.quote_literal`:
a view cannot take bound parameters).

Rows of ``v_compare``: one per region (adcode) x year x doc_type. When
several reports share that key (a revised version, say) the row shows the
report with the most values (then the latest ingested); ``n_reports`` says how
many there were and ``report_id`` which one is shown. A report whose adcode or
year is unknown gets a row of its own rather than being merged with
unrelated unknowns.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb

from etl.catalogue import RESERVED
from etl.warehouse.duck import quote_ident, quote_literal

VIEWS_FILE = Path(__file__).resolve().parent / "views.sql"

KEY_COLUMNS = ("province", "city", "district", "adcode", "year", "doc_type", "report_id", "source_file", "n_reports")
# An indicator id may not shadow a key column (etl/catalogue.py rejects those ids).
assert set(KEY_COLUMNS) <= RESERVED


# The relations the dashboard reads, materialized as tables of the same name
# and columns once the views are created, each sorted by the columns pages
# filter on so that DuckDB's zone maps (per-row-group min/max) skip row groups.
# Corrections only change at a build or refresh_corrections, both of which
# bring the tables up to date: in place, for the reports that changed
# (etl/warehouse/incremental.py), or materialized anew when the tables were
# made by other view definitions (``views_fingerprint``).
# The other views (v_values_base, v_shortfalls_base, v_report_meta) only
# serve these and are dropped once they are materialized.
MATERIALIZED: dict[str, tuple[str, ...]] = {
    "v_corrections": ("created_at", "correction_id"),
    "v_corrections_review": ("created_at", "correction_id"),
    "v_reports": ("province", "city", "district", "year", "doc_type", "report_id"),
    "v_values": ("province", "city", "district", "year", "indicator", "value_id"),
    "v_shortfalls": ("province", "city", "district", "year", "report_id", "seq"),
    "v_targets": ("province", "city", "district", "year", "indicator", "report_id"),
    "v_compare": ("province", "city", "district", "year", "doc_type", "report_id"),
}
#: ART indexes on materialized tables, for the point look-ups of the pages
#: (the values behind a clicked bar, by value_id: a scan of every value otherwise).
INDEXES: dict[str, tuple[str, ...]] = {"v_values": ("value_id",)}
#: Materialized in a thread of their own while the others are written (v_values takes about half the time).
OWN_LANE = ("v_values",)
#: Filter choices for the sidebar: distinct region x year x doc_type of v_reports.
REGION_OPTIONS = "region_options"
STAGING = "_new_"


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """All views, after the catalogue tables are loaded, then materialized (see ``MATERIALIZED``)."""
    define_views(con)
    materialize(con)
    stamp_views(con)


def define_views(con: duckdb.DuckDBPyConnection) -> None:
    """The views of etl/views.sql and ``v_compare``, unmaterialized, in the connection's current schema."""
    con.execute(VIEWS_FILE.read_text(encoding="utf-8"))
    con.execute(compare_sql(con))


def views_fingerprint(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str:
    """A hash of what the materialized tables are computed by: views.sql, v_compare, sort keys, indexes.

    Stored as the comment of each materialized table, so that a later build
    updates those tables in place (etl/warehouse/incremental.py) only while
    they were made by the same definitions, and materializes them anew
    otherwise.
    """
    h = hashlib.sha256(VIEWS_FILE.read_bytes())
    h.update(compare_sql(con, catalog).encode())
    h.update(repr((MATERIALIZED, INDEXES, REGION_OPTIONS)).encode())
    return h.hexdigest()[:16]


def stamp_views(con: duckdb.DuckDBPyConnection) -> None:
    """Write :func:`views_fingerprint` as the comment of every materialized table."""
    fingerprint = quote_literal(views_fingerprint(con))
    for name in [*MATERIALIZED, REGION_OPTIONS]:
        con.execute("COMMENT ON TABLE " + quote_ident(name) + " IS " + fingerprint)


def views_current(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    """Whether ``catalog`` (default: the current one) holds every materialized table, made by this code."""
    catalog = catalog or con.execute("SELECT current_database()").fetchall()[0][0]
    found = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
            [catalog],
        ).fetchall()
    )
    fingerprint = views_fingerprint(con, catalog)
    return all(found.get(name) == fingerprint for name in [*MATERIALIZED, REGION_OPTIONS])


def materialize(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the views of ``MATERIALIZED`` by sorted tables of the same name; drop the others.

    The tables of ``OWN_LANE`` are written in a thread, on a cursor of their
    own, while this one writes the others (DuckDB runs both side by side:
    each statement only reads the base tables and creates its own staging
    table); then all are renamed in place.
    """
    statements = {}
    for name, keys in MATERIALIZED.items():
        order = ", ".join(quote_ident(k) for k in keys)
        statements[name] = (
            "CREATE OR REPLACE TABLE " + quote_ident(STAGING + name) + " AS SELECT * FROM " + quote_ident(name)
            + " ORDER BY " + order
        )
    # v_compare from the v_reports just materialized (same rows), not from the view computed again:
    # ~0.12 CPU-s of a 28,500-report build. Its lane writes v_reports first (MATERIALIZED's order).
    assert "v_compare" not in OWN_LANE and "v_reports" not in OWN_LANE
    statements["v_compare"] = compare_select(con, reports=(STAGING + "v_reports",), create=STAGING + "v_compare")
    own = [statements.pop(n) for n in OWN_LANE]
    _in_parallel(con, [list(statements.values()), own])
    con.execute(
        "CREATE OR REPLACE TABLE " + quote_ident(STAGING + REGION_OPTIONS) + " AS "
        "SELECT DISTINCT province, city, district, year, doc_type FROM " + quote_ident(STAGING + "v_reports")
        + " ORDER BY province, city, district, year, doc_type"
    )
    _drop_views(con)
    for name in [*MATERIALIZED, REGION_OPTIONS]:
        con.execute("DROP TABLE IF EXISTS " + quote_ident(name))
        con.execute("ALTER TABLE " + quote_ident(STAGING + name) + " RENAME TO " + quote_ident(name))
    for name, columns in INDEXES.items():
        for column in columns:
            con.execute(
                "CREATE INDEX " + quote_ident(name + "_" + column) + " ON " + quote_ident(name)
                + " (" + quote_ident(column) + ")"
            )


def _in_parallel(con: duckdb.DuckDBPyConnection, lanes: list[list[str]]) -> None:
    """Each lane's statements in order, on a cursor of its own, the lanes side by side; the first error is raised."""
    catalog = con.execute("SELECT current_database()").fetchall()[0][0]
    errors: list[BaseException] = []

    def run(statements: list[str]) -> None:
        cur = con.cursor()
        try:
            cur.execute("USE " + quote_ident(catalog))
            for sql in statements:
                cur.execute(sql)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=run, args=(lane,), name="materialize") for lane in lanes[1:]]
    for thread in threads:
        thread.start()
    try:
        run(lanes[0])
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def _drop_views(con: duckdb.DuckDBPyConnection) -> None:
    names = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
    ).fetchall()
    for (name,) in names:
        con.execute("DROP VIEW IF EXISTS " + quote_ident(name))


def replace_views(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the views (and their materialized tables) of the default catalog and create the current ones.

    Used when a warehouse is copied rather than rebuilt, so that it still
    gets the view definitions of the code that copies it.
    """
    _drop_views(con)
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND database_name = current_database()"
        ).fetchall()
    }
    for name in [*MATERIALIZED, REGION_OPTIONS]:
        if name in tables:
            con.execute("DROP TABLE " + quote_ident(name))
    create_views(con)


def compare_sql(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str:
    """The ``CREATE VIEW v_compare`` statement for the catalogue of ``catalog`` (default: the current one)."""
    return compare_select(con, catalog, as_view=True)


#: ``v_compare``'s grouping key over a relation aliased ``g``: one row per region x year x doc_type;
#: a report whose region or year is unknown is a group of its own (its report_id).
GROUP_KEY = (
    "CASE WHEN g.adcode IS NULL OR g.adcode = 'unknown' OR g.year IS NULL THEN g.report_id"
    " ELSE g.adcode || '|' || CAST(g.year AS VARCHAR) || '|' || coalesce(g.doc_type, '') END"
)


def compare_groups_sql(catalog: str, schema: str, create: bool) -> str:
    """Statement collecting the ``v_compare`` groups of the reports listed in ``schema.affected_ids``.

    Into the table ``schema.groups`` (created when ``create``), from the
    ``v_reports`` table of ``catalog``: run before and after that table is
    updated, so the groups a report left and the ones it joined are both found.
    """
    groups = quote_ident(catalog) + "." + quote_ident(schema) + ".groups"
    query = (
        " SELECT DISTINCT " + GROUP_KEY + " AS group_key FROM " + quote_ident(catalog) + ".main.v_reports g"
        " WHERE g.report_id IN (SELECT report_id FROM " + quote_ident(catalog) + "." + quote_ident(schema)
        + ".affected_ids)"
    )
    if create:
        return "CREATE TABLE " + groups + " AS" + query
    return "INSERT INTO " + groups + query


def delete_compare_groups_sql(catalog: str, schema: str) -> str:
    """Statement deleting the rows of ``catalog``'s ``v_compare`` whose group is in ``schema.groups``."""
    return (
        "DELETE FROM " + quote_ident(catalog) + ".main.v_compare g WHERE " + GROUP_KEY
        + " IN (SELECT group_key FROM " + quote_ident(catalog) + "." + quote_ident(schema) + ".groups)"
    )


def compare_select(
    con: duckdb.DuckDBPyConnection,
    catalog: str | None = None,
    groups: tuple[str, ...] | None = None,
    into: str | None = None,
    as_view: bool = False,
    reports: tuple[str, ...] | None = None,
    create: str | None = None,
    values: tuple[str, ...] | None = None,
) -> str:
    """The query of ``v_compare`` for the indicator catalogue of ``catalog`` (default: the current one).

    ``reports``: a table of the rows of ``v_reports`` to read instead of the view.
    ``values``: a table of the rows of ``v_values`` (or ``v_values_base``) to read instead of
    ``v_values_base``: the pivot reads only report_id, indicator and value, the same in both for
    every report of ``v_reports``.
    ``create``: the statement creates (or replaces) this table of the rows.
    ``reports``, ``values`` and ``groups`` are the parts of a table's name (catalog, schema, table),
    quoted here.

    ``groups``: a table of ``group_key`` values: only those groups' rows.
    ``into``: a catalog: the statement inserts the rows into its ``v_compare``.
    ``as_view``: the statement creates the view.
    """
    if catalog is None:
        table = "indicators"
    else:
        table = quote_ident(catalog) + ".indicators"
    ids = [row[0] for row in con.execute("SELECT indicator FROM " + table + " ORDER BY rowid").fetchall()]
    pivots = [
        "max(v.value) FILTER (WHERE v.indicator = " + quote_literal(i) + ") AS " + quote_ident(i) for i in ids
    ]
    keys = ", ".join("c." + quote_ident(k) for k in KEY_COLUMNS)
    relation = "v_reports"
    if reports is not None:
        relation = ".".join(quote_ident(part) for part in reports)
    source = relation
    if groups is not None:
        source = (
            "(SELECT * FROM " + relation + " g WHERE " + GROUP_KEY + " IN (SELECT group_key FROM "
            + ".".join(quote_ident(part) for part in groups) + "))"
        )
    value_rows = "v_values_base"
    if values is not None:
        value_rows = ".".join(quote_ident(part) for part in values)
    keyed = "SELECT g.*, " + GROUP_KEY + " AS group_key FROM " + source + " g"
    head = ""
    if into is not None:
        head = "INSERT INTO " + quote_ident(into) + ".main.v_compare\n"
    elif as_view:
        head = "CREATE OR REPLACE VIEW v_compare AS\n"
    elif create is not None:
        head = "CREATE OR REPLACE TABLE " + quote_ident(create) + " AS\n"
    return "".join(
        [
            head,
            "WITH keyed AS (\n    ", keyed, "\n),\n"
            "chosen AS (\n"
            "    SELECT *, count(*) OVER (PARTITION BY group_key) AS n_reports,\n"
            "        row_number() OVER (PARTITION BY group_key\n"
            "            ORDER BY n_values DESC, ingested_at DESC, report_id) AS pick\n"
            "    FROM keyed\n"
            ")\n"
            "SELECT ", ", ".join([keys, *pivots]), "\n"
            "FROM chosen c LEFT JOIN ", value_rows, " v ON v.report_id = c.report_id\n"
            "WHERE c.pick = 1\n"
            "GROUP BY ", keys, "\n"
            "ORDER BY c.province, c.city, c.district, c.year, c.doc_type, c.report_id",
        ]
    )
