"""The sidebar and the level picker read counts and distinct places from SQL, the same as from every row."""

from __future__ import annotations

import duckdb
import pytest

from ui import levels, queries
from ui.db import file_version
from ui.model import ALL_DOCS, Filters, Source


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """A warehouse holding only ``region_options``: 31 provinces x 10 cities x 9 districts, two years,
    both document types, some places unknown, a district that two cities share and reports of no year."""
    db = tmp_path_factory.mktemp("levels") / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE region_options (province VARCHAR, city VARCHAR, district VARCHAR, year INTEGER,"
                " doc_type VARCHAR)")
    con.execute(
        "INSERT INTO region_options SELECT '省' || p, '市' || p || '-' || c,"
        " CASE WHEN d = 0 THEN '城区' ELSE '区' || p || '-' || c || '-' || d END, y, doc"
        " FROM range(31) a(p), range(10) b(c), range(9) e(d), (VALUES (2022), (2023)) f(y),"
        " (VALUES ('report'), ('plan')) g(doc)"
    )
    con.execute("INSERT INTO region_options VALUES ('unknown', 'unknown', 'unknown', 2023, 'report'),"
                " ('省1', 'unknown', 'unknown', NULL, 'report'), ('省40', '市40', '区40', NULL, 'plan')")
    con.close()
    return Source(str(db), file_version(db))


FILTERS = [
    Filters(),
    Filters(doc_type=ALL_DOCS),
    Filters(doc_type="plan"),
    Filters(year_min=2023),
    Filters(year_min=2023, year_max=2023, doc_type=ALL_DOCS),
    Filters(province="省3"),
    Filters(province="省3", city="市3-1"),
    Filters(province="省3", city="市3-1", district="城区"),
    Filters(province="unknown"),
    Filters(province="省40"),
]


@pytest.mark.parametrize("f", FILTERS)
def test_level_counts_in_sql_equal_counting_every_row(national: Source, f: Filters) -> None:
    options = queries.region_options.__wrapped__(national)
    assert len(options) > 10_000
    counted = queries.level_counts.__wrapped__(national, f)
    assert counted == levels.group_counts(options, f)
    assert levels.fitting(counted) == levels.choices(options, f)


def test_sidebar_places_and_years_are_those_of_every_row(national: Source) -> None:
    options = queries.region_options.__wrapped__(national)
    places = queries.places.__wrapped__(national)
    assert len(places) * 3 < len(options)
    assert sorted(map(tuple, places.itertuples(index=False))) == sorted(
        set(map(tuple, options[["province", "city", "district"]].itertuples(index=False)))
    )
    assert queries.years.__wrapped__(national) == [2022, 2023]
    assert levels.fitting(queries.level_counts.__wrapped__(national, Filters())) == ["province"]
    assert levels.fitting(queries.level_counts.__wrapped__(national, Filters(province="省3"))) == ["province", "city"]


@pytest.mark.parametrize("f", FILTERS)
def test_filtered_years_in_sql_equal_narrowing_every_row(national: Source, f: Filters) -> None:
    """The rankings page's years (and so its year picker) as read from every row of ``region_options``."""
    options = queries.region_options.__wrapped__(national)
    expected = sorted({int(y) for y in levels.narrowed_options(options, f)["year"].dropna()})
    assert queries.filtered_years.__wrapped__(national, f) == expected


@pytest.mark.parametrize("f", FILTERS)
def test_group_count_in_sql_equals_counting_every_row(national: Source, f: Filters) -> None:
    """The shortfalls page asks SQL how many place × year rows its heat map would have."""
    options = queries.region_options.__wrapped__(national)
    for level in levels.LEVELS:
        group = (*levels.columns(level), "year")
        expected = len(levels.narrowed_options(options, f)[list(group)].drop_duplicates())
        assert queries.group_count.__wrapped__(national, f, group) == expected, level
    assert queries.group_count.__wrapped__(national, f, ()) == min(1, len(levels.narrowed_options(options, f)))
