"""Every SQL statement the dashboard runs, each cached per filter combination.

Rules kept here so pages cannot break them: parameters are always bound
(``?``), never formatted into SQL; the only strings spliced into SQL are the
constant fragments below. Each cached function takes a :class:`Source` whose
version changes when the warehouse file is replaced, so a rebuild is picked up
without clearing caches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from ui import config, levels
from ui.db import Reader, file_version
from ui.model import ALL_DOCS, Filters, Source

TTL_SECONDS = 600
MAX_ENTRIES = 256

cache = st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)

# The build's views (etl/views.sql) apply analysts' corrections and are
# materialized as tables of the same names, sorted by region and year
# (etl/views.py); the pages read only them, plus reports.text for the Sources page. Each constant below is a
# fixed relation with the columns the pages use.
VALUES = (
    "(SELECT value_id, report_id, indicator, province, city, district, adcode, year, doc_type, source_file, "
    "name_zh, name_en, unit, category, value, qualifier, basis, quote, start_pos, end_pos, flags, confidence, "
    "corrected, correction_note FROM v_values)"
)
REPORT_COLUMNS = "report_id, source_file, province, city, district, adcode, year, doc_type"
REPORTS = f"(SELECT {REPORT_COLUMNS} FROM v_reports)"
SHORTFALLS = (
    "(SELECT report_id, seq, theme, theme_zh, theme_en, text, start_pos, end_pos, province, city, district, "
    "year, doc_type, source_file, corrected, correction_note FROM v_shortfalls)"
)
TARGETS = (
    "(SELECT report_id, indicator, name_zh, name_en, unit, comparator, value, quote, start_pos, end_pos, "
    "province, city, district, year, doc_type, source_file FROM v_targets)"
)


@st.cache_resource(show_spinner=False)
def _reader(db: str) -> Reader:
    """One shared connection per warehouse path, across sessions."""
    return Reader(db)


def source() -> Source:
    """The warehouse the dashboard reads right now, with its version token."""
    path = config.db_path()
    return Source(str(path), file_version(path))


def frame(src: Source, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
    """Run one statement with bound parameters on the shared read-only connection."""
    return _reader(src.db).df(sql, list(params or []))


def _where(f: Filters, alias: str = "") -> tuple[str, list[Any]]:
    """A WHERE clause for the sidebar filters, with its bound parameters.

    Reports with an unknown year never match: they cannot be placed on a time
    axis, and the Data quality page lists them.
    """
    a = f"{alias}." if alias else ""
    clauses = [f"{a}year IS NOT NULL"]
    params: list[Any] = []
    for column, value in (("province", f.province), ("city", f.city), ("district", f.district)):
        if value is not None:
            clauses.append(f"{a}{column} = ?")
            params.append(value)
    if f.year_min is not None:
        clauses.append(f"{a}year >= ?")
        params.append(int(f.year_min))
    if f.year_max is not None:
        clauses.append(f"{a}year <= ?")
        params.append(int(f.year_max))
    if f.doc_type != ALL_DOCS:
        clauses.append(f"{a}doc_type = ?")
        params.append(f.doc_type)
    return " AND ".join(clauses), params


# --------------------------------------------------------------------------- catalogue


@cache
def indicators(src: Source) -> pd.DataFrame:
    """The indicator catalogue: names and units come from the warehouse, not the code."""
    return frame(src, "SELECT indicator, category, unit, name_zh, name_en, definition FROM indicators")


@cache
def themes(src: Source) -> pd.DataFrame:
    """Shortfall themes with their names."""
    return frame(src, "SELECT theme, name_zh, name_en, definition FROM shortfall_themes ORDER BY theme")


@cache
def region_options(src: Source) -> pd.DataFrame:
    """Distinct province/city/district/year/doc_type rows, to feed the cascading filters.

    The build keeps them in a table of their own (etl/views.py), so this is
    a plain read rather than a DISTINCT over the reports; a warehouse built
    before that table existed is read the old way until it is rebuilt.
    """
    try:
        return frame(
            src,
            "SELECT province, city, district, year, doc_type FROM region_options "
            "ORDER BY province, city, district, year, doc_type",
        )
    except duckdb.CatalogException:
        return frame(
            src,
            f"SELECT DISTINCT province, city, district, year, doc_type FROM {REPORTS} "
            "ORDER BY province, city, district, year, doc_type",
        )


# --------------------------------------------------------------------------- overview


@cache
def places(src: Source) -> pd.DataFrame:
    """Distinct province/city/district rows, for the sidebar's cascading choices.

    About 2,900 rows where ``region_options`` has one per place, year and
    document type (28,000): the sidebar runs on every page view.
    """
    try:
        return frame(src, "SELECT DISTINCT province, city, district FROM region_options ORDER BY ALL")
    except duckdb.CatalogException:  # a warehouse built before that table existed
        return frame(src, f"SELECT DISTINCT province, city, district FROM {REPORTS} ORDER BY ALL")


@cache
def years(src: Source) -> list[int]:
    """The known years, ascending (reports of unknown year are not filterable by year)."""
    try:
        rows = frame(src, "SELECT DISTINCT year FROM region_options WHERE year IS NOT NULL ORDER BY year")
    except duckdb.CatalogException:
        rows = frame(src, f"SELECT DISTINCT year FROM {REPORTS} WHERE year IS NOT NULL ORDER BY year")
    return [int(y) for y in rows["year"]]


@cache
def filtered_years(src: Source, f: Filters) -> list[int]:
    """The years the sidebar filters keep, ascending (``levels.narrowed_options``'s years, read in
    SQL rather than from every row of ``region_options``)."""
    where, params = _where(f)
    try:
        rows = frame(src, f"SELECT DISTINCT year FROM region_options WHERE {where} ORDER BY year", params)
    except duckdb.CatalogException:  # a warehouse built before that table existed
        rows = frame(src, f"SELECT DISTINCT year FROM {REPORTS} WHERE {where} ORDER BY year", params)
    return [int(y) for y in rows["year"]]


@cache
def level_counts(src: Source, f: Filters) -> dict[str, int]:
    """How many groups each region level would draw under the filters (see ``ui.levels``), counted
    in SQL rather than over every row of ``region_options`` in the page's Python."""
    where, params = _where(f)

    def counts(relation: str) -> pd.DataFrame:
        return frame(
            src,
            f"""
            WITH r AS (SELECT province, city, district FROM {relation} WHERE {where})
            SELECT (SELECT count(*) FROM (SELECT DISTINCT province FROM r)) AS province,
                   (SELECT count(*) FROM (SELECT DISTINCT province, city FROM r)) AS city,
                   (SELECT count(*) FROM (SELECT DISTINCT province, city, district FROM r)) AS district
            """,
            params,
        )

    try:
        row = counts("region_options")
    except duckdb.CatalogException:  # a warehouse built before that table existed
        row = counts(REPORTS)
    return {level: int(row.iloc[0][level]) for level in ("province", "city", "district")}


@cache
def group_count(src: Source, f: Filters, group: tuple[str, ...]) -> int:
    """How many distinct ``group`` rows (e.g. district and year) the filtered reports form.

    Counted in SQL: the shortfalls page asks whether one heat-map row per place and
    year fits, and reading all of ``region_options`` into pandas for that cost more
    than the rest of its queries.
    """
    where, params = _where(f)
    select, _ = _group_sql(group)
    columns = select.rstrip(", ") or "1"  # no group: one row when any report matches, as pandas counts it

    def count(relation: str) -> int:
        sql = f"SELECT count(*) AS n FROM (SELECT DISTINCT {columns} FROM {relation} WHERE {where})"
        return int(frame(src, sql, params).iloc[0]["n"])

    try:
        return count("region_options")
    except duckdb.CatalogException:  # a warehouse built before that table existed
        return count(REPORTS)


@cache
def overview(src: Source) -> dict[str, Any]:
    """What is loaded, for the Home page: counts and the last build."""
    counts = frame(
        src,
        f"""
        SELECT count(*) AS reports,
               count(*) FILTER (WHERE doc_type = 'plan') AS plans,
               count(DISTINCT CASE WHEN district IS NOT NULL AND district <> 'unknown'
                     THEN coalesce(province, '') || '/' || coalesce(city, '') || '/' || district END)
                   AS bureaus,
               count(DISTINCT year) AS years,
               min(year) AS year_min, max(year) AS year_max,
               count(*) FILTER (WHERE year IS NULL OR coalesce(district, 'unknown') = 'unknown'
                                OR coalesce(province, 'unknown') = 'unknown') AS unplaced
        FROM {REPORTS}
        """,
    ).iloc[0].to_dict()
    values = frame(src, f"SELECT count(*) AS n FROM {VALUES}").iloc[0]["n"]
    build = frame(src, "SELECT built_at, n_reports, n_failed FROM build_info ORDER BY built_at DESC LIMIT 1")
    counts["values"] = int(values)
    counts["built_at"] = None if build.empty else build.iloc[0]["built_at"]
    counts["n_failed"] = None if build.empty else build.iloc[0]["n_failed"]
    return counts


# --------------------------------------------------------------------------- filtered facts


def reports(src: Source, f: Filters) -> pd.DataFrame:
    """Reports matching the filters, one row each, for the downloads.

    Not cached: a download runs once per click, and keeping a national
    result in the cache would cost more (pickling) than reading it again.
    """
    where, params = _where(f)
    return frame(
        src,
        f"SELECT {REPORT_COLUMNS} FROM {REPORTS} WHERE {where} "
        "ORDER BY province, city, district, year, doc_type",
        params,
    )


@cache
def report_count(src: Source, f: Filters) -> int:
    """How many reports match the filters (zero means the page shows its empty state)."""
    where, params = _where(f)
    return int(frame(src, f"SELECT count(*) AS n FROM {REPORTS} WHERE {where}", params).iloc[0]["n"])


def values(src: Source, f: Filters, indicator_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Long table of values (report × indicator) for the filters, for the downloads (not cached, as
    :func:`reports`). ``indicator_ids=None`` means every indicator.
    """
    where, params = _where(f)
    sql = f"SELECT * FROM {VALUES} WHERE {where}"
    if indicator_ids is not None:
        if not indicator_ids:
            return frame(src, f"SELECT * FROM {VALUES} WHERE FALSE")
        sql += " AND list_contains(?, indicator)"
        params.append(list(indicator_ids))
    sql += " ORDER BY province, city, district, year, indicator"
    return frame(src, sql, params)


@cache
def value_by_id(src: Source, value_ids: tuple[str, ...]) -> pd.DataFrame:
    """The values behind a clicked bar, with their quotes."""
    if not value_ids:
        return frame(src, f"SELECT * FROM {VALUES} WHERE FALSE")
    return frame(
        src,
        f"SELECT * FROM {VALUES} WHERE list_contains(?, value_id) ORDER BY year, district",
        [list(value_ids)],
    )


@cache
def targets(src: Source, f: Filters) -> pd.DataFrame:
    """Quantified targets set by the filtered documents (plans)."""
    where, params = _where(f)
    return frame(
        src, f"SELECT * FROM {TARGETS} WHERE {where} ORDER BY year, district, indicator", params
    )


# --------------------------------------------------------------------------- sums by region level
# The indicator pages never pull every value into pandas: DuckDB sums them by
# the chosen level (ui/levels.py), so a national view moves a few hundred rows.

GROUPABLE = ("province", "city", "district", "year", "doc_type")

# The qualifier of a sum, as ui.fmt.combine_qualifiers decides it: "at least"
# parts give an "at least" total, mixed bounds or any approximation only "about".
QUALIFIER_OF_SUM = """
    CASE WHEN bool_and(coalesce(qualifier, 'exact') = 'exact') THEN 'exact'
         WHEN bool_and(coalesce(qualifier, 'exact') IN ('exact', 'at_least')) THEN 'at_least'
         WHEN bool_and(coalesce(qualifier, 'exact') IN ('exact', 'at_most')) THEN 'at_most'
         ELSE 'approx' END"""


def _group_sql(group: Sequence[str]) -> tuple[str, str]:
    """The SELECT list and join condition for grouping columns (constants, checked here)."""
    unknown = set(group) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    select = "".join(f"{c}, " for c in group)
    join = "".join(f" AND g.{c} IS NOT DISTINCT FROM v.{c}" for c in group)
    return select, join


@cache
def rollup(src: Source, f: Filters, group: tuple[str, ...], indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    """Per group × indicator: the sum over the filtered reports that give it, and coverage.

    Every group × indicator appears, so a group where no report gives the
    number is a row with ``given`` 0 and no ``total``: missing, not zero.
    ``reports`` counts the group's filtered reports; ``value_id`` and
    ``quote`` are set when the sum is a single value, so a click on it goes
    straight to its sentence. A flagged (implausible) value never enters
    ``total``, ``given`` or the qualifier: ``flagged`` counts those left out,
    so the page can say so beside the sum.
    """
    where, params = _where(f)
    select, join = _group_sql(group)
    order = ", ".join([*group, "indicator"])
    # Only a district's sum is usually one value; carrying quotes through a
    # national aggregation would double its cost for nothing.
    single = (
        "CASE WHEN count(*) FILTER (WHERE NOT bad) = 1 THEN any_value(value_id) END AS value_id, "
        "CASE WHEN count(*) FILTER (WHERE NOT bad) = 1 THEN any_value(quote) END AS quote"
        if "district" in group else "NULL::VARCHAR AS value_id, NULL::VARCHAR AS quote"
    )
    sql = f"""
        WITH g AS (
            SELECT {select}count(*) AS reports FROM {REPORTS} WHERE {where} GROUP BY ALL
        ), v AS (
            SELECT {select}indicator, count(*) FILTER (WHERE NOT bad) AS given, sum(value) AS total,
                   {QUALIFIER_OF_SUM} AS qualifier, count(*) FILTER (WHERE bad) AS flagged, {single}
            FROM (
                -- a flagged value is kept (counted) but adds nothing: no value, no qualifier, no quote
                SELECT {select}indicator, len(coalesce(flags, [])) > 0 AS bad,
                       CASE WHEN len(coalesce(flags, [])) > 0 THEN NULL ELSE value END AS value,
                       CASE WHEN len(coalesce(flags, [])) > 0 THEN 'exact' ELSE qualifier END AS qualifier,
                       CASE WHEN len(coalesce(flags, [])) > 0 THEN NULL ELSE value_id END AS value_id,
                       CASE WHEN len(coalesce(flags, [])) > 0 THEN NULL ELSE quote END AS quote
                FROM {VALUES} WHERE {where} AND list_contains(?, indicator)
            ) GROUP BY ALL
        ), i AS (
            SELECT unnest(?::VARCHAR[]) AS indicator
        )
        SELECT {''.join(f"g.{c}, " for c in group)}g.reports, i.indicator, coalesce(v.given, 0) AS given,
               v.total, coalesce(v.qualifier, 'exact') AS qualifier, coalesce(v.flagged, 0) AS flagged,
               v.value_id, v.quote
        FROM g CROSS JOIN i
        LEFT JOIN v ON v.indicator = i.indicator{join}
        ORDER BY {order}
    """
    ids = list(indicator_ids)
    return frame(src, sql, [*params, *params, ids, ids])


@cache
def complete_rollup(src: Source, f: Filters, group: tuple[str, ...], steps: tuple[str, ...]) -> pd.DataFrame:
    """Per group × step, sums over only the reports that give every step (the funnel).

    A funnel mixing reports that give the first step with others that give
    the last would show a drop that is only missing data. Flagged values do
    not count as given.
    """
    where, params = _where(f)
    select, _ = _group_sql(group)
    # A report has one row per indicator (value_id is report:indicator), so a window count per
    # report says whether it gives every step. DuckDB 2 plans that window as a self-join (two scans
    # of the filtered values); it is still the cheapest form measured: a MATERIALIZED CTE of the
    # filtered rows (p95 73-89 ms against 41-46 over bench/queries.py's calls) or an IN over them
    # grouped by report (52-59 ms) cost more.
    sql = f"""
        WITH v AS (
            SELECT {select}indicator, value, qualifier, value_id,
                   count(*) OVER (PARTITION BY report_id) AS n_steps
            FROM {VALUES} WHERE {where} AND list_contains(?, indicator) AND len(coalesce(flags, [])) = 0
        )
        SELECT {select}indicator, count(*) AS reports, sum(value) AS total, {QUALIFIER_OF_SUM} AS qualifier,
               CASE WHEN count(*) = 1 THEN any_value(value_id) END AS value_id
        FROM v WHERE n_steps = ?
        GROUP BY ALL
        ORDER BY {", ".join([*group, "indicator"])}
    """
    return frame(src, sql, [*params, list(steps), len(steps)])


@cache
def ratio_rollup(src: Source, f: Filters, group: tuple[str, ...], numerator: str, denominator: str) -> pd.DataFrame:
    """Per group: numerator / denominator over the reports that give both (denominator > 0).

    Summing each over different reports would divide one district's workload
    by another's staff.
    """
    where, params = _where(f, alias="n")
    _group_sql(group)
    sql = f"""
        SELECT {"".join(f"n.{c}, " for c in group)}sum(n.value) / sum(d.value) AS ratio, count(*) AS reports
        FROM {VALUES} AS n JOIN {VALUES} AS d USING (report_id)
        WHERE {where} AND n.indicator = ? AND d.indicator = ? AND d.value > 0
          AND len(coalesce(n.flags, [])) = 0 AND len(coalesce(d.flags, [])) = 0
        GROUP BY ALL
    """
    return frame(src, sql, [*params, numerator, denominator])


@cache
def scoped_values(src: Source, f: Filters, indicator_ids: tuple[str, ...], limit: int) -> tuple[pd.DataFrame, int]:
    """The values behind a clicked sum (its filters and indicators), largest first, and how many there are."""
    where, params = _where(f)
    ids = list(indicator_ids)
    limit = max(int(limit), 0)
    # The count and the ``limit`` largest values in one pass over the numbers alone. Every row that
    # can rank among the first ``limit`` has a value at least the smallest of those (there are
    # ``limit`` rows with such values ahead of any row below it, or with no value), so the ranking
    # below reads only those rows' place and id columns, not every filtered row's: sorting the
    # national list of a page's indicators by place names was most of this query (45 -> 25 ms).
    # With fewer than ``limit`` values, rows without one are listed too: no bound then.
    counted = frame(src, f"SELECT count(*) AS n, max(value, ?) AS top FROM {VALUES} "
                         f"WHERE {where} AND list_contains(?, indicator)", [max(limit, 1), *params, ids]).iloc[0]
    top = list(counted["top"]) if pd.api.types.is_list_like(counted["top"]) else []  # NULL when nothing matches
    bound, bound_params = ("AND value >= ?", [float(top[-1])]) if limit and len(top) == limit else ("", [])
    # Rank on the narrow columns first, then fetch the few winners whole (quotes are wide).
    rows = frame(
        src,
        f"""
        WITH top AS (
            SELECT value_id FROM {VALUES} WHERE {where} AND list_contains(?, indicator) {bound}
            ORDER BY value DESC NULLS LAST, province, city, district, year LIMIT ?
        )
        SELECT * FROM {VALUES} SEMI JOIN top USING (value_id)
        ORDER BY value DESC NULLS LAST, province, city, district, year
        """,
        [*params, ids, *bound_params, limit],
    )
    return rows, int(counted["n"])


@cache
def shortfall_rollup(src: Source, f: Filters, group: tuple[str, ...], examples: int) -> pd.DataFrame:
    """Per group × theme: reports stating it, statements, and a few of them for hover.

    Groups whose reports state nothing still appear (``theme`` NULL), so a
    heat map keeps its silent rows. Theme names come from ``themes`` (one row per theme), not
    from every group's row.
    """
    where, params = _where(f)
    select, join = _group_sql(group)
    sql = f"""
        WITH g AS (
            SELECT {select}count(*) AS reports FROM {REPORTS} WHERE {where} GROUP BY ALL
        ), v AS (
            SELECT {select}theme, count(DISTINCT report_id) AS stating, count(*) AS statements,
                   arg_max(text, year, ?) AS examples  -- the latest few; cheaper than sorting all
            FROM {SHORTFALLS} WHERE {where} GROUP BY ALL
        )
        SELECT {''.join(f"g.{c}, " for c in group)}g.reports, v.theme,
               coalesce(v.stating, 0) AS stating, coalesce(v.statements, 0) AS statements, v.examples
        FROM g LEFT JOIN v ON TRUE{join}
        ORDER BY {", ".join([*group, "theme"])}
    """
    return frame(src, sql, [*params, int(examples), *params])


#: The column a listing query counts all its rows in (a window over the whole result), read off
#: the first of the rows it returns: one anti-join where a count and the rows were two
#: (``silent_reports``: 42 -> 18 ms for the country).
TOTAL = "rows_in_all"


def _counted(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The listed rows without their ``TOTAL`` column, and that total (0 when nothing matches)."""
    total = int(rows[TOTAL].iloc[0]) if len(rows) else 0
    return rows.drop(columns=TOTAL), total


@cache
def shortfall_statements(src: Source, f: Filters, limit: int, theme: str | None = None) -> tuple[pd.DataFrame, int]:
    """Shortfall statements of the filtered reports (of one theme, if given), the first ``limit`` of
    them (their place, year, theme and text), and how many there are."""
    where, params = _where(f)
    if theme is not None:
        where += " AND theme = ?"
        params.append(theme)
    # a count and the rows, not one query with a window count (``TOTAL``): the window carries every
    # statement's text to the sort, 18 ms against 11 for the country
    count = frame(src, f"SELECT count(*) AS n FROM {SHORTFALLS} WHERE {where}", params).iloc[0]["n"]
    # only what the page lists (place, year, theme, statement): reading and caching each report's id,
    # offsets and file name too made the rows cost half as much again
    rows = frame(
        src,
        f"SELECT province, city, district, year, theme, theme_zh, theme_en, text FROM {SHORTFALLS} "
        f"WHERE {where} ORDER BY province, city, district, year, seq LIMIT ?",
        [*params, int(limit)],
    )
    return rows, int(count)


@cache
def silent_reports(src: Source, f: Filters, limit: int) -> tuple[pd.DataFrame, int]:
    """Filtered reports that state no shortfall at all, the first ``limit``, and how many there are."""
    where, params = _where(f, alias="r")
    # the statements side narrowed by the same filters: a report's statements carry its place, year
    # and type (both views take them from v_report_meta), and a province's anti-join is then half the work
    mine, mine_params = _where(f, alias="s")
    silent = f"FROM {REPORTS} AS r WHERE {where} AND NOT EXISTS " \
             f"(SELECT 1 FROM v_shortfalls AS s WHERE s.report_id = r.report_id AND {mine})"
    params = [*params, *mine_params]
    # the file name breaks ties (reports of an unknown place and the same year): the same list on every run
    rows = frame(src, f"SELECT r.*, count(*) OVER () AS {TOTAL} {silent} "
                      "ORDER BY province, city, district, year, source_file LIMIT ?", [*params, int(limit)])
    return _counted(rows)


# --------------------------------------------------------------------------- sources page


@cache
def report_list(src: Source, f: Filters, include: str | None, limit: int) -> tuple[pd.DataFrame, int]:
    """Reports for the Sources page's picker: those the filters match (the first ``limit``), and
    ``include`` whatever the filters say, so a link always resolves; with how many match."""
    where, params = _where(f)
    count = frame(src, f"SELECT count(*) AS n FROM {REPORTS} WHERE {where}", params).iloc[0]["n"]
    rows = frame(
        src,
        f"""
        (SELECT {REPORT_COLUMNS} FROM {REPORTS} WHERE {where}
         ORDER BY province, city, district, year, source_file LIMIT ?)
        UNION
        (SELECT {REPORT_COLUMNS} FROM {REPORTS} WHERE report_id = ?)
        ORDER BY province, city, district, year, source_file
        """,
        [*params, int(limit), include],
    )
    return rows, int(count)


@cache
def report_text(src: Source, report_id: str) -> str | None:
    """The text that a report's offsets refer to."""
    found = frame(src, "SELECT text FROM reports WHERE report_id = ?", [report_id])
    return None if found.empty else found.iloc[0]["text"]


@cache
def report_values(src: Source, report_id: str) -> pd.DataFrame:
    """All values of one report, in text order."""
    return frame(
        src,
        f"SELECT * FROM {VALUES} WHERE report_id = ? ORDER BY start_pos, indicator",
        [report_id],
    )


# --------------------------------------------------------------------------- data quality


@cache
def flagged_values(src: Source, f: Filters) -> pd.DataFrame:
    """Values the build flagged as implausible (kept, never dropped or fixed)."""
    where, params = _where(f)
    return frame(
        src,
        f"SELECT * FROM {VALUES} WHERE {where} AND len(coalesce(flags, [])) > 0 "
        "ORDER BY year, district, indicator",
        params,
    )


@cache
def unplaced_reports(src: Source) -> pd.DataFrame:
    """Reports whose region or year is unknown: they stay out of the charts."""
    return frame(
        src,
        f"""
        SELECT {REPORT_COLUMNS} FROM {REPORTS}
        WHERE year IS NULL OR coalesce(province, 'unknown') = 'unknown'
           OR coalesce(district, 'unknown') = 'unknown'
        ORDER BY source_file
        """,
    )


@cache
def ingest_problems(src: Source) -> pd.DataFrame:
    """Files the build could not load or skipped as duplicates."""
    return frame(
        src,
        "SELECT source_file, sha256, status, reason, logged_at FROM ingest_log "
        "WHERE status IN ('failed', 'duplicate') ORDER BY logged_at DESC, source_file",
    )


@cache
def plans_vs_reports(src: Source) -> pd.DataFrame:
    """Per region and year: is there a plan, a report, or both."""
    return frame(
        src,
        f"""
        SELECT province, city, district, year,
               count(*) FILTER (WHERE doc_type = 'plan') AS plans,
               count(*) FILTER (WHERE doc_type = 'report') AS reports
        FROM {REPORTS}
        GROUP BY ALL
        ORDER BY province, city, district, year
        """,
    )


@cache
def corrections_review(src: Source) -> pd.DataFrame:
    """Analysts' corrections that no longer fit the data (file changed, statement moved)."""
    return frame(
        src,
        "SELECT source_file, kind, indicator, reason, who, created_at, status_note "
        "FROM v_corrections_review ORDER BY created_at DESC",
    )


# --------------------------------------------------------------------------- like with like (issue 11)
# One row per report for one metric (ui/metrics.py), so rankings, maps, year-over-year and the bureau
# brief aggregate the same rows by one set of rules (ui/ranking.py). A flagged value, or a ratio with a
# flagged part, arrives with ``flagged`` true and is never summed, ranked or mapped there.

METRIC_REPORT_COLUMNS = "r.report_id, r.province, r.city, r.district, r.adcode, r.year"

#: The qualifier of numerator / denominator: a lower bound over an exact count is a lower bound.
RATIO_QUALIFIER = """
    CASE WHEN coalesce(n.qualifier, 'exact') = 'exact' AND coalesce(d.qualifier, 'exact') = 'exact' THEN 'exact'
         WHEN coalesce(n.qualifier, 'exact') = 'at_least' AND coalesce(d.qualifier, 'exact') = 'exact' THEN 'at_least'
         WHEN coalesce(n.qualifier, 'exact') = 'exact' AND coalesce(d.qualifier, 'exact') = 'at_least' THEN 'at_most'
         ELSE 'approx' END"""


def _years_where(f: Filters, years: Sequence[int]) -> tuple[str, list[Any]]:
    where, params = _where(f, alias="r")
    return f"{where} AND list_contains(?, r.year)", [*params, [int(y) for y in years]]


@cache
def metric_reports(src: Source, f: Filters, metric: str, years: tuple[int, ...]) -> pd.DataFrame:
    """Per filtered report of ``years``: the metric's value (NaN where the report does not give it),
    its qualifier, quote and whether it is flagged.

    Columns: report_id, province, city, district, adcode, year, value, qualifier, value_id, quote,
    flagged. Every report appears, so a region whose reports give nothing is "not stated", not 0.
    """
    from ui import metrics  # a data-file reader with no Streamlit: imported here to keep this module's head short

    kind, ident = metrics.parse(metric)
    where, params = _years_where(f, years)
    if kind == "ind":
        sql = f"""
            SELECT {METRIC_REPORT_COLUMNS}, v.value, v.qualifier, v.value_id, v.quote,
                   coalesce(len(v.flags) > 0, false) AS flagged
            FROM {REPORTS} AS r
            LEFT JOIN (SELECT report_id, value, qualifier, value_id, quote, flags FROM {VALUES}
                       WHERE indicator = ?) AS v USING (report_id)
            WHERE {where}
        """
        return frame(src, sql, [ident, *params])
    if kind == "ratio":
        r = metrics.ratio(ident)
        sql = f"""
            SELECT {METRIC_REPORT_COLUMNS},
                   CASE WHEN n.value IS NOT NULL AND d.value > 0 THEN n.value / d.value * ? END AS value,
                   {RATIO_QUALIFIER} AS qualifier, n.value_id,
                   CASE WHEN n.value IS NOT NULL AND d.value IS NOT NULL THEN n.quote || ' / ' || d.quote END
                       AS quote,
                   coalesce(len(n.flags) > 0, false) OR coalesce(len(d.flags) > 0, false) AS flagged
            FROM {REPORTS} AS r
            LEFT JOIN (SELECT report_id, value, qualifier, value_id, quote, flags FROM {VALUES}
                       WHERE indicator = ?) AS n USING (report_id)
            LEFT JOIN (SELECT report_id, value, qualifier, quote, flags FROM {VALUES}
                       WHERE indicator = ?) AS d USING (report_id)
            WHERE {where}
        """
        return frame(src, sql, [r.per, r.numerator, r.denominator, *params])
    share = metrics.theme_share()
    per = share.per if share is not None else 100.0
    sql = f"""
        SELECT {METRIC_REPORT_COLUMNS}, CASE WHEN s.report_id IS NULL THEN 0.0 ELSE ? END AS value,
               'exact' AS qualifier, NULL::VARCHAR AS value_id, s.quote, false AS flagged
        FROM {REPORTS} AS r
        LEFT JOIN (SELECT report_id, min_by(text, seq) AS quote FROM {SHORTFALLS}
                   WHERE theme = ? GROUP BY report_id) AS s USING (report_id)
        WHERE {where}
    """
    return frame(src, sql, [per, ident, *params])


@cache
def ratio_medians(src: Source, f: Filters, ratio_id: str, year: int, level: str) -> pd.DataFrame:
    """Per region of ``level`` whose place is known, among the filtered reports of ``year``: the median
    of its reports' values of the ratio (NaN where none gives both numbers, denominator > 0, unflagged).
    Columns: the level's region columns and ``value``, sorted by region.

    The value a ranking gives the region (``ranking.by_region``, ``n / d × per`` per report) without
    the quotes, qualifiers and ids of ``metric_reports``: the shortfalls page shows only the medians,
    and taking them here moves a row per region instead of one per report (2,600 for the country).
    The median is the one pandas takes: the middle value, or the mean of the two middle ones.
    """
    from ui import metrics  # a data-file reader with no Streamlit, as in metric_reports

    r = metrics.ratio(ratio_id)
    where, params = _where(f, alias="r")
    values_where, values_params = _where(f)  # a value carries its report's place, year and type
    select, _ = _group_sql(levels.columns(level))
    places = select.rstrip(", ")
    known = " AND ".join(f"{c} IS NOT NULL AND {c} <> 'unknown' AND {c} <> ''" for c in levels.columns(level))
    # both numbers of a report in one pass over the year's values (a report has one row per indicator)
    sql = f"""
        SELECT {select}CASE WHEN n > 0 THEN (s[(n + 1) // 2] + s[n // 2 + 1]) / 2 END AS value
        FROM (
            SELECT {select}count(value) AS n, list_sort(list(value) FILTER (WHERE value IS NOT NULL)) AS s
            FROM (
                SELECT r.province, r.city, r.district,
                       CASE WHEN p.n IS NOT NULL AND p.d > 0 AND NOT p.flagged THEN p.n / p.d * ? END AS value
                FROM {REPORTS} AS r
                LEFT JOIN (SELECT report_id, any_value(value) FILTER (WHERE indicator = ?) AS n,
                                  any_value(value) FILTER (WHERE indicator = ?) AS d,
                                  bool_or(len(coalesce(flags, [])) > 0) AS flagged
                           FROM {VALUES} WHERE {values_where} AND year = ? AND list_contains(?, indicator)
                           GROUP BY report_id
                          ) AS p USING (report_id)
                WHERE {where} AND r.year = ?
            ) WHERE {known}
            GROUP BY ALL
        )
        ORDER BY {places}
    """
    return frame(src, sql, [r.per, r.numerator, r.denominator, *values_params, int(year),
                            [r.numerator, r.denominator], *params, int(year)])


KNOWN_BUREAU = ("province IS NOT NULL AND province <> 'unknown' AND city IS NOT NULL AND city <> 'unknown' "
                "AND district IS NOT NULL AND district <> 'unknown'")


def _bureau_metrics(source: str, ratios: Sequence[Any], detail: bool) -> tuple[str, list[Any]]:
    """Per bureau and metric of ``source`` (a CTE of one year's usable report values): the value (an
    indicator summed over the bureau's reports, a ratio per report then the median), and with
    ``detail`` its qualifier, value id and quote. Returns the SQL and its ratio parameters."""
    extra = f""", {QUALIFIER_OF_SUM} AS qualifier,
                   CASE WHEN count(*) = 1 THEN any_value(value_id) END AS value_id,
                   CASE WHEN count(*) = 1 THEN any_value(quote) END AS quote""" if detail else ""
    ratio_extra = f""", {RATIO_QUALIFIER} AS qualifier, n.value_id,
               n.quote || ' / ' || d.quote AS quote""" if detail else ""
    ratio_rows = "UNION ALL".join(
        f"""
        SELECT 'ratio:' || ? AS metric, n.province, n.city, n.district, n.value / d.value * ? AS value{ratio_extra}
        FROM {source} AS n JOIN {source} AS d USING (report_id)
        WHERE n.indicator = ? AND d.indicator = ? AND d.value > 0
        """
        for _ in ratios
    )
    params: list[Any] = [p for r in ratios for p in (r.id, r.per, r.numerator, r.denominator)]
    by_bureau = """, any_value(qualifier) AS qualifier, any_value(value_id) AS value_id,
                   any_value(quote) AS quote""" if detail else ""
    # a bureau with two reports of one year: indicators are summed (one row per bureau already),
    # ratios are per report and take the median
    ratio_sql = f"""
        UNION ALL
        SELECT metric, province, city, district, median(value) AS value{by_bureau}
        FROM ({ratio_rows}) GROUP BY ALL""" if ratios else ""
    sql = f"""
        SELECT 'ind:' || indicator AS metric, province, city, district, sum(value) AS value{extra}
        FROM {source} GROUP BY ALL{ratio_sql}"""
    return sql, params


@cache
def bureau_ranks(src: Source, year: int, bureau: tuple[str, str, str]) -> pd.DataFrame:
    """One bureau's rank and percentile among its peers for every indicator and value ratio of ``year``.

    Peers are the bureaus (districts with a known province, city and
    district) whose annual reports of that year give the number, unflagged:
    nationally, in the same province and in the same city. Rank 1 is the
    largest; the percentile is the share of peers with a smaller value (0–100).
    Columns: metric, value, qualifier, value_id, quote, and rank_/n_/pct_ per scope.

    The peers' values are summarised without their quotes, qualifiers and ids (only the bureau's
    own rows carry those): grouping 33,000 peer rows with their strings was most of the query.
    """
    from ui import metrics

    ratios = metrics.value_ratios()
    scopes = (("nation", "TRUE"), ("province", "in_province"), ("city", "in_city"))
    # the bureau's values against every peer's: no window over all bureaus, one pass per metric
    counts = "".join(
        f""", 1 + count(*) FILTER (WHERE {cond} AND peer > mine) AS rank_{scope},
              count(*) FILTER (WHERE {cond}) AS n_{scope},
              CASE WHEN count(*) FILTER (WHERE {cond}) > 1 THEN
                  100.0 * count(*) FILTER (WHERE {cond} AND peer < mine)
                  / (count(*) FILTER (WHERE {cond}) - 1) END AS pct_{scope}"""
        for scope, cond in scopes
    )
    usable = (f"year = ? AND doc_type = 'report' AND {KNOWN_BUREAU} AND len(coalesce(flags, [])) = 0 "
              "AND value IS NOT NULL")
    peers_sql, peer_params = _bureau_metrics("v", ratios, detail=False)
    mine_sql, mine_params = _bureau_metrics("mv", ratios, detail=True)
    sql = f"""
        WITH v AS (
            SELECT report_id, province, city, district, indicator, value FROM {VALUES} WHERE {usable}
        ), mv AS (
            SELECT report_id, province, city, district, indicator, value, qualifier, value_id, quote
            FROM {VALUES} WHERE {usable} AND province = ? AND city = ? AND district = ?
        ), b AS ({peers_sql}
        ), me AS ({mine_sql}
        ), ranks AS (
            -- per metric only: grouping by the bureau's quote too hashed it once per peer
            SELECT metric {counts}
            FROM (SELECT me.metric, me.value AS mine, o.value AS peer, o.province = me.province AS in_province,
                         o.province = me.province AND o.city = me.city AS in_city
                  FROM me JOIN b AS o USING (metric))
            GROUP BY metric
        )
        SELECT me.metric, me.province, me.city, me.district, me.value, me.qualifier, me.value_id, me.quote,
               ranks.* EXCLUDE (metric)
        FROM me JOIN ranks USING (metric)
        ORDER BY me.metric
    """
    return frame(src, sql, [int(year), int(year), *bureau, *peer_params, *mine_params])


@cache
def bureau_history(src: Source, bureau: tuple[str, str, str]) -> pd.DataFrame:
    """Every value of one bureau's documents, every year, with its quote and flags (the brief's table)."""
    return frame(
        src,
        f"SELECT * FROM {VALUES} WHERE province = ? AND city = ? AND district = ? AND year IS NOT NULL "
        "ORDER BY year, doc_type, indicator",
        list(bureau),
    )


@cache
def bureau_shortfalls(src: Source, bureau: tuple[str, str, str]) -> pd.DataFrame:
    """One bureau's stated shortfalls, every year."""
    return frame(
        src,
        f"SELECT * FROM {SHORTFALLS} WHERE province = ? AND city = ? AND district = ? AND year IS NOT NULL "
        "ORDER BY year, seq",
        list(bureau),
    )


@cache
def bureau_targets(src: Source, bureau: tuple[str, str, str]) -> pd.DataFrame:
    """One bureau's plan targets, each beside the value its report of the plan's year gives.

    A plan for year Y is met by the annual report on year Y; the report's
    value comes with its quote so both numbers lead to their sentences.
    """
    return frame(
        src,
        f"""
        SELECT t.year, t.indicator, t.name_zh, t.name_en, t.unit, t.comparator, t.value AS target,
               t.quote AS target_quote, t.report_id AS plan_id, v.value AS actual, v.qualifier AS actual_qualifier,
               v.quote AS actual_quote, v.value_id, v.report_id AS report_id,
               coalesce(len(v.flags) > 0, false) AS flagged
        FROM {TARGETS} AS t
        LEFT JOIN (SELECT * FROM {VALUES} WHERE doc_type = 'report') AS v
          ON v.province = t.province AND v.city = t.city AND v.district = t.district
         AND v.year = t.year AND v.indicator = t.indicator
        WHERE t.province = ? AND t.city = ? AND t.district = ?
        ORDER BY t.year, t.indicator
        """,
        list(bureau),
    )


@cache
def bureaus(src: Source) -> pd.DataFrame:
    """Every bureau with a known province, city and district: adcode, years reported, values extracted."""
    return frame(
        src,
        f"SELECT province, city, district, any_value(adcode) AS adcode, max(year) AS latest, "
        f"list(DISTINCT year ORDER BY year) AS years, sum(n_values) AS n_values FROM v_reports "
        f"WHERE year IS NOT NULL AND {KNOWN_BUREAU} GROUP BY ALL ORDER BY province, city, district",
    )
