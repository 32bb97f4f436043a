"""Which level the pages sum by, how groups are named and what a click on a sum resolves to."""

import pandas as pd

from ui import levels
from ui.model import ALL_DOCS, Filters


def _options(n_provinces: int, cities: int, districts: int) -> pd.DataFrame:
    """region_options rows: every province has ``cities`` cities of ``districts`` districts, 2 years."""
    rows = [
        (f"省{p}", f"市{p}-{c}", f"区{p}-{c}-{d}", year, doc)
        for p in range(n_provinces) for c in range(cities) for d in range(districts)
        for year in (2022, 2023) for doc in ("report", "plan")
    ]
    return pd.DataFrame(rows, columns=["province", "city", "district", "year", "doc_type"])


def test_finest_level_that_fits() -> None:
    national = _options(31, 10, 9)
    assert levels.choices(national, Filters()) == ["province"]
    assert levels.default(national, Filters(province="省3")) == "city"
    assert levels.choices(national, Filters(province="省3")) == ["province", "city"]
    assert levels.default(national, Filters(province="省3", city="市3-1")) == "district"
    small = _options(2, 1, 3)
    assert levels.default(small, Filters()) == "district", "a small warehouse is shown by district"
    assert levels.group_counts(national, Filters(year_min=2023, doc_type=ALL_DOCS))["district"] == 31 * 90


def test_shared_names_get_their_parent() -> None:
    groups = pd.DataFrame({"province": ["北京市", "辽宁省", "辽宁省"], "city": ["北京市", "朝阳市", "沈阳市"],
                           "district": ["朝阳区", "朝阳区", "和平区"]})
    assert list(levels.labels(groups, "district")) == ["北京市·朝阳区", "朝阳市·朝阳区", "和平区"]
    assert list(levels.labels(groups, "province")) == ["北京市", "辽宁省", "辽宁省"]


def test_click_keys_round_trip() -> None:
    single = levels.click_key("district", {"value_id": "abc:inspected_units", "year": 2023}, ["inspected_units"])
    assert levels.scope_filters(single, Filters()) == "abc:inspected_units"
    row = {"province": "广东省", "city": "广州市", "district": None, "year": 2022, "doc_type": "report"}
    key = levels.click_key("city", row, ["a", "b"])
    sidebar = Filters(2015, 2024, None, None, None, ALL_DOCS)
    assert levels.scope_filters(key, sidebar) == (Filters(2022, 2022, "广东省", "广州市", None, "report"), ("a", "b"))
    total = levels.click_key("all", {"year": None, "doc_type": "plan"}, ["a"])
    assert levels.scope_filters(total, sidebar) == (Filters(2015, 2024, None, None, None, "plan"), ("a",))
