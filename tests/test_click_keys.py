"""The click keys of a whole chart, made at once, are the keys of its points made one by one."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui import levels
from ui.tables import shape


def points() -> pd.DataFrame:
    """Sums as ``queries.rollup`` returns them, with the awkward cases: a single value, an unknown
    year, no document type, names that JSON must escape."""
    return pd.DataFrame(
        {
            "province": ["天津市", "天津市", "上海市", 'A "quoted" \\ place', "unknown", "天津市"],
            "city": ["天津市", "天津市", "上海市", "市\n1", "unknown", "天津市"],
            "district": ["静海区", "静海区", "普陀区", "区", "unknown", "静海区"],
            "year": [2020, 2020, float("nan"), 2021, 2022, 2021],
            "doc_type": ["report", "report", "plan", None, "report", "report"],
            "indicator": ["inspected_units", "penalty_cases", "inspected_units", "penalty_cases",
                          "inspected_units", "inspected_units"],
            "value_id": [None, None, None, None, None, "abc:inspected_units"],
            "total": [3.0, math.nan, 1.0, 2.0, 5.0, 7.0],
            "given": [2, 0, 1, 1, 3, 1],
            "qualifier": ["exact"] * 6,
            "flagged": [0, 0, 1, 0, 0, 0],
        }
    )


@pytest.mark.parametrize("level", ["province", "city", "district", "all"])
def test_click_keys_equal_one_key_per_row(level: str) -> None:
    frame = points()
    one_by_one = [levels.click_key(level, row, [row["indicator"]]) for row in frame.to_dict("records")]
    assert levels.click_keys(frame, level) == one_by_one
    assert len(set(one_by_one)) == len(frame)  # every point its own key (the 2020 sums differ by indicator)


def test_shaped_chart_keys_resolve_to_their_scope() -> None:
    shaped = shape(points(), "city")
    row = shaped[(shaped["indicator"] == "penalty_cases") & (shaped["province"] == "天津市")].iloc[0]
    from ui.model import Filters

    narrowed, indicators = levels.scope_filters(row["key"], Filters())
    assert (narrowed.province, narrowed.city, narrowed.year_min, narrowed.doc_type) == ("天津市", "天津市", 2020, "report")
    assert indicators == ("penalty_cases",)
    single = shaped[shaped["value_id"].notna()].iloc[0]
    assert levels.scope_filters(single["key"], Filters()) == "abc:inspected_units"
