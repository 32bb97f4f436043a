"""Update the materialized page views in place, for the reports a build changed, instead of rebuilding them.

A build that extracts 1% of the files used to materialize every view again
(5–10 s at 28,500 reports, most of a small build). The views of etl/views.sql
are all per report: a report's rows in ``v_reports``, ``v_values``,
``v_shortfalls`` and ``v_targets`` depend only on that report's own rows and on
the corrections that name it. So the rows of the reports that changed (new,
changed, removed, renamed, or named by a correction that was added, removed or
changed status) are deleted from those tables and computed again from the
views, created for the purpose in a scratch schema next to the tables they
replace. ``v_compare`` has one row per region x year x doc_type group: the
groups of the changed reports, before and after, are deleted and computed
again. The small tables (corrections, ``region_options``) are computed whole.

The result has the same rows as a full materialization (tests/test_build.py
compares them table by table); new rows come after the old ones instead of in
sort order, which only widens the zone maps of the last row groups.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from etl.warehouse.duck import quote_ident
from etl.warehouse.load import ROW_TABLES, arrow_table
from etl.warehouse.views import (
    MATERIALIZED,
    REGION_OPTIONS,
    compare_groups_sql,
    compare_select,
    define_views,
    delete_compare_groups_sql,
)

SCRATCH = "_views_scratch"
#: The schema of views scoped to the changed reports (:func:`_scoped_views`).
SCOPED = "_views_scoped"
#: Materialized tables with one row set per report: updated by report_id.
PER_REPORT = ("v_reports", "v_values", "v_shortfalls", "v_targets")
#: Small tables recomputed whole.
WHOLE = ("v_corrections", "v_corrections_review")


def update_views(con: duckdb.DuckDBPyConnection, changed: Iterable[str]) -> int:
    """Bring the materialized tables of the current catalog up to date after the reports ``changed``.

    ``changed``: the report ids whose rows were inserted, deleted or renamed
    since the tables were last computed. Reports whose corrections changed
    are found here. Call only when :func:`etl.warehouse.views.views_current`
    holds. Returns how many reports' rows were recomputed.
    """
    catalog = con.execute("SELECT current_database()").fetchall()[0][0]
    main = quote_ident(catalog) + ".main"
    scratch = quote_ident(catalog) + "." + quote_ident(SCRATCH)
    con.execute("DROP SCHEMA IF EXISTS " + scratch + " CASCADE")
    con.execute("CREATE SCHEMA " + scratch)
    try:
        con.execute("USE " + scratch)
        try:
            define_views(con)  # here, unqualified names find the scratch views first, then main's tables
        finally:
            con.execute("USE " + main)
        n = _update(con, catalog, sorted(set(changed)))
    finally:
        con.execute("DROP SCHEMA IF EXISTS " + scratch + " CASCADE")
    return n


def _update(con: duckdb.DuckDBPyConnection, catalog: str, changed: list[str]) -> int:
    main = quote_ident(catalog) + ".main"
    scratch = quote_ident(catalog) + "." + quote_ident(SCRATCH)
    affected = scratch + ".affected"
    con.execute("CREATE TABLE " + affected + " (report_id VARCHAR)")
    if changed:
        con.register("_changed", arrow_table(("report_id",), ("string",), [(r,) for r in changed]))
        try:
            con.execute("INSERT INTO " + affected + " SELECT report_id FROM _changed")
        finally:
            con.unregister("_changed")
    # corrections whose row (status, note, current report) differs: their reports, old and current
    diff = (
        "(SELECT * FROM " + main + ".v_corrections EXCEPT ALL SELECT * FROM " + scratch + ".v_corrections)"
        " UNION ALL (SELECT * FROM " + scratch + ".v_corrections EXCEPT ALL SELECT * FROM " + main
        + ".v_corrections)"
    )
    con.execute(
        "INSERT INTO " + affected + " SELECT report_id FROM (" + diff + ") UNION SELECT current_report_id FROM ("
        + diff + ")"
    )
    con.execute("CREATE TABLE " + affected + "_ids AS SELECT DISTINCT report_id FROM " + affected
                + " WHERE report_id IS NOT NULL")
    ids = "(SELECT report_id FROM " + affected + "_ids)"
    n = con.execute("SELECT count(*) FROM " + affected + "_ids").fetchall()[0][0]
    for name in WHOLE:
        table = main + "." + quote_ident(name)
        con.execute("DELETE FROM " + table)
        con.execute("INSERT INTO " + table + " SELECT * FROM " + scratch + "." + quote_ident(name)
                    + " ORDER BY " + ", ".join(quote_ident(k) for k in MATERIALIZED[name]))
    if not n:
        return 0
    # the v_compare groups of the changed reports as they were ...
    con.execute(compare_groups_sql(catalog, SCRATCH, create=True))
    scoped = quote_ident(catalog) + "." + quote_ident(SCOPED)
    try:
        _scoped_views(con, catalog)
        for name in PER_REPORT:
            table = main + "." + quote_ident(name)
            con.execute("DELETE FROM " + table + " WHERE report_id IN " + ids)
            con.execute(
                "INSERT INTO " + table + " SELECT * FROM " + scoped + "." + quote_ident(name)
                + " WHERE report_id IN " + ids + " ORDER BY " + ", ".join(quote_ident(k) for k in MATERIALIZED[name])
            )
    finally:
        con.execute("DROP SCHEMA IF EXISTS " + scoped + " CASCADE")
    # ... and as they are now; their rows from the tables just brought up to date
    con.execute(compare_groups_sql(catalog, SCRATCH, create=False))
    con.execute(delete_compare_groups_sql(catalog, SCRATCH))
    con.execute(
        compare_select(
            con,
            catalog,
            reports=(catalog, "main", "v_reports"),
            values=(catalog, "main", "v_values"),
            groups=(catalog, SCRATCH, "groups"),
            into=catalog,
        )
    )
    options = main + "." + quote_ident(REGION_OPTIONS)
    con.execute("DELETE FROM " + options)
    con.execute(
        "INSERT INTO " + options + " SELECT DISTINCT province, city, district, year, doc_type FROM "
        + main + ".v_reports ORDER BY province, city, district, year, doc_type"
    )
    return int(n)


def _scoped_views(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """The schema ``SCOPED``, whose views compute the rows of the reports in ``affected_ids`` only.

    Why: a filter on a view's result is not pushed through the views' joins
    and window functions, so ``SELECT ... FROM v_values WHERE report_id IN
    affected_ids`` computed every report's values (and corrections) to keep 1% of
    them. Here the extracted-row tables are views of those reports' rows
    alone, and ``v_corrections`` is the table just recomputed whole (a
    correction's status depends on every report, not only the changed ones);
    each per-report view then yields the same rows for those reports as the
    full view does.
    """
    scoped = quote_ident(catalog) + "." + quote_ident(SCOPED)
    main = quote_ident(catalog) + ".main"
    ids = "(SELECT report_id FROM " + quote_ident(catalog) + "." + quote_ident(SCRATCH) + ".affected_ids)"
    con.execute("DROP SCHEMA IF EXISTS " + scoped + " CASCADE")
    con.execute("CREATE SCHEMA " + scoped)
    for table in ROW_TABLES:
        con.execute(
            "CREATE VIEW " + scoped + "." + quote_ident(table) + " AS SELECT * FROM " + main + "."
            + quote_ident(table) + " WHERE report_id IN " + ids
        )
    con.execute("USE " + scoped)
    try:
        define_views(con)  # unqualified names find the scoped row views first, then main's tables
        con.execute("CREATE OR REPLACE VIEW v_corrections AS SELECT * FROM " + main + ".v_corrections")
    finally:
        con.execute("USE " + main)
