"""Lean queries of the shortfalls page give what the general ones gave it (on the seed warehouse)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import seed_frame

from ui import levels, metrics, queries, ranking
from ui.db import file_version
from ui.model import ALL_DOCS, Filters, Source


@pytest.fixture(scope="module")
def seed(seed_db: Path) -> Source:
    return Source(str(seed_db), file_version(seed_db))


@pytest.mark.parametrize("f", [Filters(), Filters(doc_type=ALL_DOCS), Filters(province="广东省")])
def test_ratio_medians_equal_the_rankings_value(seed: Source, f: Filters) -> None:
    """Each region's median ratio, as ``ranking.by_region`` makes it from every report's row."""
    compared = 0
    for ratio in metrics.value_ratios():
        for year in queries.years.__wrapped__(seed):
            for level in levels.LEVELS:
                rows = queries.metric_reports.__wrapped__(seed, f, f"ratio:{ratio.id}", (year,))
                full = ranking.by_region(rows, level, "ratio", year)
                lean = queries.ratio_medians.__wrapped__(seed, f, ratio.id, year, level)
                cols = levels.columns(level)
                assert lean[cols].values.tolist() == full[cols].values.tolist(), "every known region keeps its row"
                assert np.array_equal(lean["value"].to_numpy(float), full["value"].to_numpy(float), equal_nan=True)
                compared += int(full["value"].notna().sum())
    assert compared, "the seed reports give some ratio"


def test_silent_reports_count_all_and_list_the_first(seed: Source, seed_db: Path) -> None:
    expected = seed_frame(seed_db, "SELECT source_file FROM v_reports r WHERE doc_type = 'report' AND year IS NOT "
                                   "NULL AND NOT EXISTS (SELECT 1 FROM v_shortfalls s WHERE s.report_id = r.report_id)"
                                   " ORDER BY province, city, district, year, source_file")["source_file"].tolist()
    assert expected, "some seed report states no shortfall"
    rows, total = queries.silent_reports.__wrapped__(seed, Filters(), 1)
    assert total == len(expected) and rows["source_file"].tolist() == expected[:1]
    assert queries.TOTAL not in rows.columns
    rows, total = queries.silent_reports.__wrapped__(seed, Filters(province="nowhere"), 5)
    assert (len(rows), total) == (0, 0)
    province = seed_frame(seed_db, "SELECT province FROM v_reports WHERE province <> 'unknown' LIMIT 1").iloc[0, 0]
    mine = seed_frame(seed_db, "SELECT source_file FROM v_reports r WHERE doc_type = 'report' AND year IS NOT NULL "
                               "AND province = ? AND NOT EXISTS (SELECT 1 FROM v_shortfalls s WHERE s.report_id = "
                               "r.report_id) ORDER BY city, district, year, source_file", [province])["source_file"]
    rows, total = queries.silent_reports.__wrapped__(seed, Filters(province=province), 50)
    assert total == len(mine) and rows["source_file"].tolist() == mine.tolist()


@pytest.mark.parametrize("f", [Filters(), Filters(doc_type=ALL_DOCS), Filters(province="广东省")])
def test_headline_totals_from_the_sums_by_group_equal_the_rollup_over_no_group(seed: Source, f: Filters) -> None:
    """An indicator page adds its sums by group up for the headline (one rollup, not two)."""
    from ui import catalog, tables

    for page in ("inspections", "outreach", "penalties"):
        ids = tuple(catalog.indicator_ids(page))
        want = queries.rollup.__wrapped__(seed, f, (), ids)
        assert int(want["reports"].iloc[0]) > 0
        for level in levels.LEVELS:
            sums = queries.rollup.__wrapped__(seed, f, (*levels.columns(level), "year", "doc_type"), ids)
            got = tables.totals(sums, ids)
            assert list(got.columns) == list(want.columns)
            assert got.astype(object).where(got.notna(), None).values.tolist() == \
                want.astype(object).where(want.notna(), None).values.tolist(), (page, level)


@pytest.mark.parametrize("f", [Filters(), Filters(doc_type=ALL_DOCS), Filters(doc_type="plan"), Filters(year_max=2022)])
def test_latest_complete_is_the_last_year_of_every_year_s_sums(seed: Source, f: Filters) -> None:
    """The capacity chart's sums: those of the latest year with reports giving both numbers."""
    from ui import catalog, components

    steps = (catalog.indicator_ids("shortfalls", "capacity")[0], catalog.indicator_ids("shortfalls", "workload")[0])
    for level in levels.LEVELS:
        every = components.placed(queries.complete_rollup.__wrapped__(
            seed, f, components.group_by(level), steps), level)
        years = sorted({int(y) for y in every["year"].dropna()})
        want = every[every["year"] == years[-1]] if years else every
        got = components.latest_complete(seed, f, level, steps)
        assert got.reset_index(drop=True).equals(want.reset_index(drop=True)), (f, level)


def test_latest_complete_falls_back_to_an_earlier_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the filters' last year has no report giving every step, the latest year that has one is drawn."""
    import pandas as pd

    from ui import components

    rows = pd.DataFrame({"province": ["甲", "甲", "乙"], "year": [2021, 2022, 2022], "doc_type": ["report"] * 3,
                         "indicator": ["a"] * 3, "reports": [1, 2, 3], "total": [1.0, 2.0, 3.0]})
    asked: list[Filters] = []

    def complete_rollup(src: Source, f: Filters, group: tuple[str, ...], steps: tuple[str, ...]) -> pd.DataFrame:
        asked.append(f)
        return rows.iloc[:0] if f.year_min == 2024 else rows

    monkeypatch.setattr(queries, "years", lambda src: [2020, 2021, 2022, 2023, 2024, 2025])
    monkeypatch.setattr(queries, "complete_rollup", complete_rollup)
    got = components.latest_complete(Source("x", "v"), Filters(year_min=2021, year_max=2024), "province", ("a",))
    assert got["year"].tolist() == [2022, 2022] and got["reports"].tolist() == [2, 3]
    assert [(f.year_min, f.year_max) for f in asked] == [(2024, 2024), (2021, 2024)]


@pytest.mark.parametrize("f", [Filters(), Filters(doc_type=ALL_DOCS), Filters(province="广东省"), Filters(year_min=2023)])
@pytest.mark.parametrize("limit", [1, 3, 20, 10_000])
def test_scoped_values_are_the_first_of_the_whole_ranking(seed: Source, seed_db: Path, f: Filters, limit: int) -> None:
    """The values behind a clicked sum, ranked on the rows at or above the ``limit``-th largest value
    only: the same rows, in the same order, and the same count as ranking every filtered value
    (rows without a value come last, and are listed when fewer than ``limit`` have one)."""
    from ui import catalog

    for page in ("inspections", "outreach", "penalties", "shortfalls"):
        ids = tuple(catalog.indicator_ids(page))
        where, params = queries._where(f)
        every = seed_frame(seed_db, f"SELECT * FROM {queries.VALUES} WHERE {where} AND list_contains(?, indicator) "
                                    "ORDER BY value DESC NULLS LAST, province, city, district, year", [*params, list(ids)])
        rows, total = queries.scoped_values.__wrapped__(seed, f, ids, limit)
        assert total == len(every) and list(rows.columns) == list(every.columns)
        keys = ["value", "province", "city", "district", "year"]
        want = every.head(limit)
        # rows of equal keys may come in either order (the query does not order them further)
        assert rows[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist(), (page, f, limit)
        by_id = every.set_index("value_id")
        for row in rows.to_dict("records"):
            expected = by_id.loc[row["value_id"]].to_dict()
            assert {k: str(v) for k, v in row.items() if k != "value_id"} == {k: str(v) for k, v in expected.items()}
        if total > limit:
            assert len(rows) == limit
