"""Like with like (issue 11): flagged values, unknown places, ratios, year-over-year and the brief's
ranks, on a real build of the seed reports plus a generated national sample.

Expected numbers are computed here with pandas straight from the warehouse's
views, never hard-coded, and compared with what the pages' code computes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
from conftest import RAW, seed_frame

from etl.synth.corpus import generate
from etl.warehouse.build import build
from ui import brief_data, brief_pdf, metrics, queries, ranking
from ui.db import file_version
from ui.model import Filters, Source

FLAGGED_INDICATOR_SQL = "SELECT indicator, province, year FROM v_values WHERE len(flags) > 0 LIMIT 1"


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds (one flagged value, one report of unknown region) and 60 generated counties over two years."""
    folder = tmp_path_factory.mktemp("compare")
    generate(folder / "corpus", [2022, 2023], 60, seed="compare", jobs=1)
    raw = folder / "corpus" / "raw"
    for path in RAW.iterdir():
        shutil.copy(path, raw / f"seed_{path.name}")
    db = folder / "warehouse.duckdb"
    build(raw, db, jobs=1, log=lambda *a, **k: None)
    return db


@pytest.fixture(scope="module")
def src(mixed_db: Path) -> Source:
    return Source(str(mixed_db), file_version(mixed_db))


def _values(db: Path) -> pd.DataFrame:
    return seed_frame(db, "SELECT report_id, province, city, district, year, indicator, value, qualifier, "
                          "len(coalesce(flags, [])) > 0 AS flagged FROM v_values WHERE doc_type = 'report'")


def test_flagged_value_never_enters_sum_rank_or_headline(src: Source, mixed_db: Path) -> None:
    flagged = seed_frame(mixed_db, FLAGGED_INDICATOR_SQL)
    assert len(flagged) == 1, "the seeds carry one implausible value"
    indicator, province, year = flagged.iloc[0]
    rows = queries.metric_reports(src, Filters(), f"ind:{indicator}", (int(year),))
    regions = ranking.by_region(rows, "province", "ind", int(year))
    values = _values(mixed_db)
    mine = values[(values["indicator"] == indicator) & (values["year"] == year) & (values["province"] == province)]
    row = regions[regions["province"] == province].iloc[0]
    assert row["flagged"] == 1
    clean = mine.loc[~mine["flagged"], "value"]
    if clean.empty:
        assert pd.isna(row["value"]), "a region whose only value is flagged is 'not stated', not ranked"
        assert province not in set(ranking.ranked(regions)["province"])
    else:
        assert row["value"] == pytest.approx(clean.sum())
    assert row["value"] != pytest.approx(mine["value"].sum()) or mine["flagged"].sum() == 0
    # the headline over every region leaves it out too
    total = ranking.ranked(regions)["value"].sum()
    everything = values[(values["indicator"] == indicator) & (values["year"] == year) & (values["province"] != "unknown")]
    assert total == pytest.approx(everything.loc[~everything["flagged"], "value"].sum())


def test_flagged_value_never_moves_a_rank_or_ratio() -> None:
    """The same rows with and without a huge flagged value give the same regions, values and ranks."""
    base = pd.DataFrame({
        "report_id": list("abcd"), "province": ["甲省", "甲省", "乙省", "丙省"], "city": ["A市", "B市", "C市", "D市"],
        "district": ["a区", "b区", "c区", "d区"], "adcode": ["110101", "110102", "120101", "130101"],
        "year": [2023] * 4, "value": [10.0, 30.0, 25.0, 5.0], "qualifier": ["exact"] * 4,
        "value_id": list("abcd"), "quote": list("abcd"), "flagged": [False] * 4,
    })
    extra = base.iloc[[3]].assign(report_id="e", district="e区", value=1e9, flagged=True, value_id="e")
    for kind in ("ind", "ratio"):
        clean = ranking.ranked(ranking.by_region(base, "province", kind, 2023))
        dirty_regions = ranking.by_region(pd.concat([base, extra]), "province", kind, 2023)
        dirty = ranking.ranked(dirty_regions)
        pd.testing.assert_frame_equal(clean[["province", "value", "rank"]], dirty[["province", "value", "rank"]])
        assert dirty_regions.set_index("province").loc["丙省", "flagged"] == 1


def test_unknown_region_is_never_ranked_or_mapped(src: Source, mixed_db: Path) -> None:
    unknown = seed_frame(mixed_db, "SELECT count(*) FROM v_reports WHERE province = 'unknown' AND year IS NOT NULL")
    assert unknown.iloc[0, 0] > 0, "the corpus has a report of unknown region"
    years = tuple(int(y) for y in seed_frame(mixed_db, "SELECT DISTINCT year FROM v_reports WHERE year IS NOT NULL")
                  ["year"])
    for metric in ("ind:inspected_units", "ratio:violations_per_100_inspected", "theme:enforcement_capacity"):
        rows = queries.metric_reports(src, Filters(doc_type="all"), metric, years)
        assert (rows["province"] == "unknown").any()
        for level in ("province", "city", "district"):
            for year in years:
                regions = ranking.by_region(rows, level, metrics.parse(metric)[0], year)
                for column in ("province", "city", "district")[: ("province", "city", "district").index(level) + 1]:
                    assert not (regions[column] == "unknown").any()
                    assert regions[column].notna().all()
                assert regions["adcode"].dropna().str.fullmatch(r"\d{6}").all(), "map cells are real adcodes"


def test_ratio_is_per_report_from_reports_giving_both_parts(src: Source, mixed_db: Path) -> None:
    r = metrics.ratio("violations_per_100_inspected")
    values = _values(mixed_db)
    year = int(values["year"].max())
    wide = values[values["year"] == year].pivot_table(index=["report_id", "province"], columns="indicator",
                                                      values="value", aggfunc="first")
    flags = values[values["year"] == year].pivot_table(index=["report_id", "province"], columns="indicator",
                                                       values="flagged", aggfunc="first")
    both = wide[[r.numerator, r.denominator]].dropna()
    both = both[(both[r.denominator] > 0) & ~flags.loc[both.index, [r.numerator, r.denominator]].any(axis=1)]
    both = both[both.index.get_level_values("province") != "unknown"]
    per_report = both[r.numerator] / both[r.denominator] * r.per
    expected = per_report.groupby(level="province").median()
    assert len(expected) >= 3, "enough provinces with both parts to compare"
    rows = queries.metric_reports(src, Filters(), f"ratio:{r.id}", (year,))
    got = ranking.by_region(rows, "province", "ratio", year).dropna(subset=["value"]).set_index("province")["value"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    # a sum-over-sums would differ wherever reports give only one part
    sums = values[(values["year"] == year) & (values["province"] != "unknown") & ~values["flagged"]]
    ratio_of_sums = (sums[sums["indicator"] == r.numerator].groupby("province")["value"].sum()
                     / sums[sums["indicator"] == r.denominator].groupby("province")["value"].sum() * r.per)
    assert not ratio_of_sums.reindex(expected.index).round(6).equals(expected.round(6))


def test_year_over_year_uses_only_bureaus_in_both_years() -> None:
    rows = pd.DataFrame({
        "report_id": ["a1", "a2", "b1", "c2"],
        "province": ["甲省"] * 4, "city": ["A市"] * 4, "district": ["a区", "a区", "b区", "c区"],
        "adcode": ["110101", "110101", "110102", "110103"], "year": [2022, 2023, 2022, 2023],
        "value": [10.0, 14.0, 100.0, 200.0], "qualifier": ["exact", "at_least", "exact", "exact"],
        "value_id": ["a1", "a2", "b1", "c2"], "quote": [""] * 4, "flagged": [False] * 4,
    })
    change = ranking.year_over_year(rows, "province", "ind", 2022, 2023).iloc[0]
    assert (change["first"], change["last"], change["bureaus"]) == (10.0, 14.0, 1), "b区 and c区 report one year each"
    assert change["change"] == 4.0 and change["change_q"] == "at_least"
    assert change["display"] == "≥4"


def test_brief_ranks_equal_a_pandas_reference(src: Source, mixed_db: Path) -> None:
    values = _values(mixed_db)
    year = int(values["year"].max())
    known = values[(values["year"] == year) & ~values["flagged"] & values["value"].notna()]
    for column in ("province", "city", "district"):
        known = known[known[column] != "unknown"]
    per_bureau = known.groupby(["province", "city", "district", "indicator"], as_index=False)["value"].sum()
    per_bureau["rank_nation"] = per_bureau.groupby("indicator")["value"].rank(method="min", ascending=False)
    per_bureau["rank_province"] = per_bureau.groupby(["indicator", "province"])["value"].rank(method="min",
                                                                                              ascending=False)
    per_bureau["rank_city"] = per_bureau.groupby(["indicator", "province", "city"])["value"].rank(
        method="min", ascending=False)
    per_bureau["n_nation"] = per_bureau.groupby("indicator")["value"].transform("size")
    checked = 0
    for bureau in per_bureau[["province", "city", "district"]].drop_duplicates().head(8).itertuples(index=False):
        got = queries.bureau_ranks(src, year, tuple(bureau)).set_index("metric")
        want = per_bureau[(per_bureau["province"] == bureau[0]) & (per_bureau["city"] == bureau[1])
                          & (per_bureau["district"] == bureau[2])].set_index("indicator")
        for indicator, row in want.iterrows():
            mine = got.loc[f"ind:{indicator}"]
            assert mine["value"] == pytest.approx(row["value"])
            assert (mine["rank_nation"], mine["n_nation"]) == (row["rank_nation"], row["n_nation"])
            assert mine["rank_province"] == row["rank_province"] and mine["rank_city"] == row["rank_city"]
            checked += 1
        table = brief_data.ranks_table(got.reset_index(), {})
        assert table["quote"].notna().all()
    assert checked > 20


def test_brief_pdf_is_one_page() -> None:
    if not Path(brief_pdf.CHROMIUM).exists():
        pytest.skip("chromium not installed")
    ranks = pd.DataFrame({"name": ["执法检查单位数"], "value": ["≥20"], "city": ["1 / 3"], "province": ["2 / 9"],
                          "nation": ["5 / 40"], "quote": ["<b>共检查20余家</b>"]})
    fig = brief_pdf.figure("松江区", "2023", [("排名", ranks, list(ranks.columns), [2, 1, 1, 1, 1, 3])], "{n}")
    data = brief_pdf.render(fig, "pdf")
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 1


def test_change_table_keeps_bounds_and_skips_unknown_places() -> None:
    from ui import tables

    sums = pd.DataFrame({
        "province": ["天津市", "天津市", "unknown", "unknown"], "city": ["天津市", "天津市", "unknown", "unknown"],
        "district": ["静海区", "静海区", "unknown", "unknown"], "label": ["静海区", "静海区", "unknown", "unknown"],
        "doc_type": ["report"] * 4, "indicator": ["a"] * 4, "year": [2022, 2023, 2022, 2023],
        "value": [15.0, 20.0, 1.0, 2.0], "qualifier": ["exact", "at_least", "exact", "exact"],
        "given": [1, 1, 1, 1], "reports": [1, 1, 1, 1],
    })
    change = tables.changes(sums, {"a": "A"}, ["province", "city", "district"])
    assert list(change["label"]) == ["静海区"], "an unknown place has no change"
    assert change.iloc[0]["change_display"] == "≥+5"
    from ui import export

    shown = export.localise_changes(change, "区县").iloc[0]
    assert shown["变化"] == "≥+5" and shown.iloc[-1].startswith("≥+"), "the page shows a change from a bound as a bound"
    partial = sums.assign(reports=[2, 2, 1, 1])  # one of two bureaus gives it: not the same set
    assert "静海区" not in set(tables.changes(partial, {"a": "A"}, ["province", "city", "district"])["label"])


def test_top_bottom_keeps_the_selected_region() -> None:
    ordered = pd.DataFrame({"province": [f"p{i}" for i in range(50)], "value": range(50, 0, -1)})
    shown = ranking.top_bottom(ordered, 5, "p25", "province")
    assert list(shown["province"]) == [*(f"p{i}" for i in range(5)), "p25", *(f"p{i}" for i in range(45, 50))]


def test_region_adcodes_and_boundaries() -> None:
    from ui import geo

    assert ranking.region_adcode("441803", "province") == "440000"
    assert ranking.region_adcode("441803", "city") == "441800"
    assert ranking.region_adcode("unknown", "district") is None
    assert (geo.level_of("440000"), geo.level_of("441800"), geo.level_of("441803")) == ("province", "city", "district")
    provinces = geo.boundaries("province")["features"]
    assert len(provinces) >= 34, "every province-level division has a boundary"
    guangdong = geo.subset("city", "44")["features"]
    assert guangdong and all(f["id"].startswith("44") for f in guangdong)
    lon0, lat0, lon1, lat1 = geo.bounds(geo.subset("province", "44"))
    assert 109 < lon0 < lon1 < 118 and 20 < lat0 < lat1 < 26


def test_rankings_and_brief_pages_render(open_page, seed_db: Path) -> None:
    from conftest import plotly_specs

    at = open_page("pages/rankings.py")
    bars = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "bar"]
    assert bars and bars[0]["orientation"] == "h"
    assert not {"unknown", "未知"} & set(bars[0]["y"]), "an unknown place is never a bar"
    # only the tab on screen is built: the chart tab draws no map, the map tab (from a link) does
    assert not [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "choroplethmap"]
    at = open_page("pages/rankings.py", query={"tab": "map"})
    maps = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "choroplethmap"]
    assert maps, "the map tab draws a choropleth"
    assert all(not str(code).startswith("unk") for trace in maps for code in trace["locations"])
    assert not [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "bar"
                and t.get("orientation") == "h"], "the chart tab's bars are not built behind the map"
    at = open_page("pages/rankings.py", query={"tab": "table"})
    assert any(d.value.shape[0] for d in at.dataframe), "the table tab lists the ranking"

    bureau = seed_frame(seed_db, "SELECT province, city, district FROM v_values WHERE doc_type = 'report' "
                                 "AND district <> 'unknown' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    at = open_page("pages/brief.py", query={**dict(bureau), "ranks_tab": "table"})
    assert any(bureau["district"] in h.value for h in at.header)
    ranks = at.dataframe[0].value
    assert len(ranks) and "全国" in ranks.columns and ranks["原文"].str.len().gt(0).all(), "every rank has its quote"


def test_brief_quotes_are_built_when_opened_and_link_each_value(open_page, seed_db: Path) -> None:
    """The closed quotes expander builds nothing; opened, it lists every report value with a link to it
    by file name and indicator (the address that survives a rebuild), as ``links.source_params`` gives."""
    from ui import links

    bureau = seed_frame(seed_db, "SELECT province, city, district FROM v_values WHERE doc_type = 'report' "
                                 "AND district <> 'unknown' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    values = seed_frame(seed_db, "SELECT source_file, indicator FROM v_values WHERE doc_type = 'report' "
                                 "AND province = ? AND city = ? AND district = ? AND year IS NOT NULL",
                        list(bureau))
    at = open_page("pages/brief.py", query=dict(bureau))
    page_links = [e for e in at.get("page_link") if e.proto.page == "sources"]
    assert not page_links and not at.get("text"), "closed: no quote and no link built"
    at.session_state["brief_quotes"] = True  # what opening the expander stores
    at.run()
    page_links = [e for e in at.get("page_link") if e.proto.page == "sources"]
    assert len(page_links) == len(values) == len(at.get("text"))
    linked = set()
    for e in page_links:
        query = parse_qs(e.proto.query_string)
        linked.add((query[links.REPORT_KEY][0], query[links.VALUE_KEY][0]))
    assert linked == set(zip(values["source_file"], values["indicator"], strict=True))


def test_vectorised_qualifiers_match_the_rule() -> None:
    from itertools import product

    from ui.fmt import combine_qualifiers

    kinds = ["exact", "at_least", "at_most", "approx", None]
    rows = pd.DataFrame([{"province": f"{a}-{b}", "qualifier": q} for a, b in product(kinds, kinds) for q in (a, b)])
    got = ranking.sum_qualifiers(rows, ["province"])
    for province, part in rows.groupby("province"):
        assert got[province] == combine_qualifiers([None if pd.isna(q) else q for q in part["qualifier"]]), province
