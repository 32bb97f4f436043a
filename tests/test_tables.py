"""Shaping of the sums the queries return: labels that repeat, shares, coverage, funnels."""

import warnings

import pandas as pd
import pytest

from ui import levels, tables
from ui.model import Filters


def _shortfall_sums() -> pd.DataFrame:
    # One row per district (× theme), as queries.shortfall_rollup returns them; 普陀区's report
    # and plan share a district and year, so the district has 2 reports.
    return pd.DataFrame({
        "province": ["上海市"] * 4, "city": ["上海市"] * 4, "district": ["普陀区", "普陀区", "静安区", "静安区"],
        "year": [2023] * 4, "reports": [2, 2, 1, 1],
        "theme": ["outreach_innovation", "enforcement_capacity", "other", "enforcement_capacity"],
        "stating": [2, 1, 1, 0], "statements": [2, 1, 1, 0],
        "examples": [["宣传方式单一", "宣传手段不多"], ["持证人员少"], ["其他"], None],
    }).iloc[:3]


def test_shortfall_matrix_shares_and_hover() -> None:
    themes = pd.DataFrame(
        {"theme": ["enforcement_capacity", "outreach_innovation", "other"],
         "name_zh": ["执法力量不足", "普法宣传方式单一", "其他"]}
    )
    share, text, hover = tables.shortfall_matrix(_shortfall_sums(), "district", themes, "name_zh", by_year=True)
    assert list(share.index) == ["普陀区 2023", "静安区 2023"]
    assert share.loc["普陀区 2023", "普法宣传方式单一"] == 1.0
    assert share.loc["普陀区 2023", "执法力量不足"] == 0.5, "one of its two reports states it"
    assert text.loc["普陀区 2023", "执法力量不足"] == "50%", "a group's cell is a share"
    assert text.loc["静安区 2023", "其他"] == "1", "a single report's cell counts its statements"
    assert text.loc["静安区 2023", "执法力量不足"] == "" and share.loc["静安区 2023", "执法力量不足"] == 0
    assert "宣传方式单一<br>宣传手段不多" in hover.loc["普陀区 2023", "普法宣传方式单一"]
    assert hover.loc["普陀区 2023", "普法宣传方式单一"].startswith("2/2")


def _rollup() -> pd.DataFrame:
    """Two provinces × two years of one indicator, as queries.rollup returns them."""
    return pd.DataFrame({
        "province": ["广东省", "广东省", "江苏省", "江苏省"], "year": [2022, 2023, 2022, 2023],
        "doc_type": ["report"] * 4, "reports": [10, 12, 8, 8], "indicator": ["x"] * 4,
        "given": [10, 6, 0, 8], "total": [100.0, 70.0, None, 40.0],
        "qualifier": ["exact", "at_least", "exact", "approx"], "flagged": [0, 1, 0, 0],
        "value_id": [None] * 4, "quote": [None] * 4,
    })


def test_shape_keeps_missing_apart_from_zero() -> None:
    frame = tables.shape(_rollup(), "province")
    assert list(frame["display"]) == ["100", "≥70 ⚠", "—", "≈40"]
    assert list(frame["missing"]) == [False, False, True, False]
    scope = levels.scope_filters(frame["key"].iloc[1], Filters())
    assert scope == (Filters(2023, 2023, "广东省", None, None, "report"), ("x",))


def test_wide_marks_partial_sums() -> None:
    frame = tables.shape(_rollup(), "province")
    group = ["province", "year", "doc_type"]
    numbers, shown = tables.wide(frame, ["x"], {"x": "X"}, group)
    assert list(shown["X"]) == ["100", "≥70 ⚠ (6/12)", "—", "≈40"]
    assert numbers["X"].isna().tolist() == [False, False, True, False]
    marks = tables.marks(frame, ["x"], {"x": "X"}, group)
    assert list(marks["X"]) == [("", ""), ("≥", "* ⚠"), ("", ""), ("≈", "")]


def test_wide_numbers_are_wide_s_numbers_and_marks_read_missing_qualifiers_as_exact() -> None:
    rollup = _rollup()
    rollup["qualifier"] = [None, "at_least", "", "approx"]  # a sum with no qualifier is exact, as in shape
    frame = tables.shape(rollup, "province")
    group = ["province", "year", "doc_type"]
    numbers, _ = tables.wide(frame, ["x"], {"x": "X"}, group)
    pd.testing.assert_frame_equal(tables.wide_numbers(frame, ["x"], {"x": "X"}, group), numbers)
    marks = tables.marks(frame, ["x"], {"x": "X"}, group)
    assert list(marks["X"]) == [("", ""), ("≥", "* ⚠"), ("", ""), ("≈", "")]


def test_wide_rows_in_first_appearance_with_a_cell_per_indicator() -> None:
    """Groups keep the order they come in; an indicator a group lacks is "—"; two rows for one cell raise."""
    rollup = pd.concat([_rollup(), _rollup().assign(indicator="y", total=[1.0, 2.0, 3.0, 4.0], given=[10, 12, 8, 8],
                                                    qualifier="exact", flagged=0)])
    rollup = rollup.iloc[[3, 0, 7, 1, 2, 4, 5]]  # 江苏省 2023 first; 江苏省 2022 has no "y"
    frame = tables.shape(rollup, "province", clickable=False).sort_values("province", ascending=False, kind="stable")
    group = ["province", "year", "doc_type"]
    numbers, shown = tables.wide(frame, ["y", "x"], {"x": "X", "y": "Y"}, group)
    assert list(zip(shown["province"], shown["year"], strict=True)) == [
        ("江苏省", 2023), ("江苏省", 2022), ("广东省", 2022), ("广东省", 2023)]
    assert list(shown["Y"]) == ["4", "—", "1", "2"] and list(shown["X"]) == ["≈40", "—", "100", "≥70 ⚠ (6/12)"]
    assert numbers["Y"].tolist()[0] == 4.0 and numbers["Y"].isna().tolist() == [False, True, False, False]
    with pytest.raises(ValueError):
        tables.wide(pd.concat([frame, frame.head(1)]), ["x", "y"], {}, group)


def test_bars_fall_back_to_the_latest_year_and_trend_to_a_total() -> None:
    frame = tables.shape(_rollup(), "province")
    assert tables.bar_years(frame) == [2022, 2023]
    assert tables.bar_years(frame, max_bars=3) == [2023], "4 bars do not fit in 3: the latest year only"
    assert tables.trend_frame(frame, "全部") is frame
    total = tables.trend_frame(frame, "全部", max_lines=1)
    assert list(total["year"]) == [2022, 2023]
    assert list(total["value"]) == [100.0, 110.0]
    assert list(total["given"]) == [10, 14] and list(total["reports"]) == [18, 20]
    assert list(total["display"]) == ["100", "≈110 ⚠"], "≥ and ≈ parts only allow ≈"


def test_funnel_series_level_of_detail() -> None:
    sums = pd.DataFrame({
        "province": ["广东省"] * 4 + ["江苏省"] * 4, "year": [2022, 2022, 2023, 2023] * 2,
        "doc_type": ["report"] * 8, "indicator": ["a", "b"] * 4, "reports": [3] * 8,
        "total": [30.0, 3.0, 40.0, 4.0, 20.0, 2.0, 10.0, 1.0], "qualifier": ["exact"] * 8, "value_id": [None] * 8,
    })
    per_year = tables.funnel_series(sums, "province", ["a", "b"], "全部")
    assert per_year["label"].nunique() == 4 and list(per_year["indicator"][:2]) == ["a", "b"]
    per_place = tables.funnel_series(sums, "province", ["a", "b"], "全部", max_series=2)
    assert sorted(per_place["label"].unique()) == ["广东省", "江苏省"]
    assert per_place.loc[per_place["label"].eq("广东省") & per_place["indicator"].eq("a"), "value"].item() == 70
    total = tables.funnel_series(sums, "province", ["a", "b"], "全部", max_series=1)
    assert list(total["label"]) == ["全部", "全部"] and list(total["value"]) == [100.0, 10.0]


def test_shape_displays_by_column_read_as_the_one_row_rule() -> None:
    rollup = pd.concat([_rollup()] * 2, ignore_index=True)
    rollup["total"] = [1234567.0, 2.5, None, 0.0, 1e-3, 12.0, 7.0, None]
    rollup["qualifier"] = ["exact", "at_most", None, "", "approx", "at_least", "exact", "at_least"]
    rollup["flagged"] = [0, 0, 1, 2, 0, 1, 0, 0]
    frame = tables.shape(rollup, "province")
    assert list(frame["display"]) == [tables._display(v, q, fl) for v, q, fl in
                                      zip(frame["value"], frame["qualifier"], frame["flagged"], strict=True)]
    assert list(frame["display"])[:4] == ["1,234,567", "≤2.5", "— ⚠", "0 ⚠"]


def test_shape_of_a_rollup_where_no_report_gives_a_number_warns_nothing() -> None:
    rollup = _rollup().assign(total=None, given=0, qualifier=None, flagged=0)
    rollup["total"] = rollup["total"].astype(float)
    rollup["qualifier"] = rollup["qualifier"].astype(float)  # all-NULL columns come back as float
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = tables.shape(rollup, "province")
        marks = tables.marks(frame, ["x"], {"x": "X"}, ["province", "year", "doc_type"])
    assert list(frame["display"]) == ["—"] * 4
    assert list(marks["X"]) == [("", "")] * 4


def test_pairs_put_a_group_s_two_numbers_on_one_row_in_group_order() -> None:
    """``tables.pairs`` gives what the pandas pivot it replaced gave (grouping sorted by the keys, the
    totals and qualifiers unstacked by indicator, the reports merged on), for rows in any order."""
    sums = pd.DataFrame({
        "province": ["江苏省", "广东省", "广东省", "江苏省", "广东省", "广东省"],
        "year": pd.Series([2023, 2023, 2022, 2023, 2023, 2022], dtype="int32"),
        "doc_type": ["report"] * 6, "indicator": ["b", "a", "b", "a", "b", "a"],
        "reports": [3, 2, 1, 3, 2, 1], "total": [30.0, 4.0, None, 7.0, 12.0, 2.0],
        "qualifier": ["exact", "at_least", "exact", "approx", "exact", "exact"],
    })
    keys = ["province", "year", "doc_type"]
    spread = sums.groupby([*keys, "indicator"], sort=True)[["total", "qualifier"]].first().unstack("indicator")
    wide, quals = spread["total"].reset_index(), spread["qualifier"].reset_index()
    wide = wide.merge(sums.groupby(keys, sort=True)["reports"].max().reset_index(), on=keys)
    got = tables.pairs(sums, "province", ("a", "b"))
    for c in [*keys, "a", "b", "reports"]:
        pd.testing.assert_series_equal(got[c], wide[c], check_names=False)
    for i in ("a", "b"):
        pd.testing.assert_series_equal(got[f"{i}__qualifier"], quals[i], check_names=False)
    assert got["label"].tolist() == ["广东省", "广东省", "江苏省"]
    assert got["year"].tolist() == [2022, 2023, 2023] and got["reports"].tolist() == [1, 2, 3]


def test_with_region_labels_alike_row_by_row_and_by_whole_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small frames are labelled in plain Python, large ones by column operations: the same frame."""
    import numpy as np

    frames = [
        pd.DataFrame({"province": ["广东省", None, "unknown", "江苏省", np.nan], "city": [None, "广州市", "深圳市", "unknown", "x"],
                      "district": ["unknown", "天河区", None, "y", "unknown"], "year": [2020, None, 2021.0, None, 1999]}),
        pd.DataFrame({"province": pd.Series(["a", None], dtype=object), "year": pd.Series([2020, None], dtype="Int64")}),
        pd.DataFrame({"district": pd.Series(["z"], dtype="str"), "year": pd.Series([2023], dtype="int32")}),
        pd.DataFrame({"year": [2020, 2021]}, index=[5, 3]),
    ]
    for frame in frames:
        monkeypatch.setattr(tables, "ROWS_IN_PYTHON", 10**9)
        by_rows = tables.with_region(frame)
        monkeypatch.setattr(tables, "ROWS_IN_PYTHON", -1)
        pd.testing.assert_frame_equal(by_rows, tables.with_region(frame), check_exact=True)
    assert by_rows["region"].tolist() == ["unknown", "unknown"]
    labelled = tables.with_region(frames[0])
    assert labelled["region"].tolist() == ["广东省", "天河区", "深圳市", "y", "x"]
    assert labelled["label"].tolist()[0] == "广东省 2020" and labelled["label"].isna().tolist() == [False, True, False,
                                                                                                 True, False]
