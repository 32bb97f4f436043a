"""The pages on a warehouse with many regions: they sum by province, never draw thousands of bars,
and every sum still leads to its source sentences.

The warehouse is a real build of a generated corpus (``etl.synth``) of 150
county-level divisions over two years, spread over the provinces as the
national decade is; the seed warehouse of the other page tests has too few
districts to make the pages sum at all.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import metric_value, plotly_specs, seed_frame
from streamlit.testing.v1 import AppTest

from etl.synth.corpus import generate
from etl.warehouse.build import build
from ui import catalog, levels
from ui.fmt import number

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wide_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national")
    generate(folder / "corpus", [2022, 2023], 150, seed="pages", jobs=1)
    db = folder / "warehouse.duckdb"
    build(folder / "corpus" / "raw", db, jobs=1, log=lambda *a, **k: None)
    return db


@pytest.fixture
def open_wide(wide_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], AppTest]]:
    monkeypatch.setenv("STATS_DB", str(wide_db))
    monkeypatch.setenv("STATS_RAW", str(wide_db.parent / "corpus" / "raw"))

    def _open(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield _open


def _array(data: object) -> list:
    """A trace's array: Plotly sends numbers as base64 typed arrays (``{"dtype", "bdata"}``)."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)  # type: ignore[call-overload]


def _bars(at: AppTest) -> list[dict]:
    """The bar traces of the page's first chart (the chosen indicator by region, latest year), as
    ``x`` = regions and ``y`` = values whichever way the bars lie."""
    traces = [t for t in plotly_specs(at)[0]["data"] if t.get("type") == "bar"]
    return [{**t, "x": list(t["y"]), "y": _array(t["x"])} if t.get("orientation") == "h"
            else {**t, "y": _array(t["y"])} for t in traces]


def test_inspections_sum_by_province(open_wide, wide_db: Path) -> None:
    n_districts = seed_frame(wide_db, "SELECT count(DISTINCT district) FROM v_reports").iloc[0, 0]
    assert n_districts > levels.MAX_GROUPS, "the corpus must be too wide for one bar per district"
    at = open_wide("pages/inspections.py")
    ind = catalog.indicator_ids("inspections")[0]
    expected = seed_frame(wide_db, "SELECT sum(value) FROM v_values WHERE indicator = ? AND doc_type = 'report' "
                                   "AND year IS NOT NULL AND len(coalesce(flags, [])) = 0", [ind]).iloc[0, 0]
    name = seed_frame(wide_db, "SELECT name_zh FROM indicators WHERE indicator = ?", [ind]).iloc[0, 0]
    assert metric_value(at, name).lstrip("≥≈≤") == number(expected)

    bars = _bars(at)
    categories = {x for trace in bars for x in trace["x"]}
    provinces = set(seed_frame(wide_db, "SELECT DISTINCT province AS p FROM v_reports WHERE doc_type = 'report' "
                                        "AND province <> 'unknown'")["p"])
    assert categories <= provinces, "one bar per known province, not per district, never 'unknown'"
    assert len(categories) <= levels.MAX_GROUPS

    # A bar is the sum of its province's reports for the latest year.
    trace = bars[0]
    at_bar = 0
    year = int(seed_frame(wide_db, "SELECT max(year) FROM v_values WHERE indicator = ? AND doc_type = 'report'",
                          [ind]).iloc[0, 0])
    province = trace["x"][at_bar]
    total = seed_frame(wide_db, "SELECT sum(value) FROM v_values WHERE indicator = ? AND province = ? AND year = ? "
                                "AND doc_type = 'report' AND len(coalesce(flags, [])) = 0",
                       [ind, province, year]).iloc[0, 0]
    assert trace["y"][at_bar] == pytest.approx(total)
    assert list(trace["y"]) == sorted(trace["y"], reverse=True)[::-1], "ranked: largest drawn on top"

    # Clicking it lists the sentences behind it, largest first, with links to the full text.
    key = trace["customdata"][at_bar][0]
    assert json.loads(key)["province"] == province
    at.session_state["inspections__bars"] = {"selection": {"points": [{"customdata": [key, ""]}]}}
    at.run()
    top = seed_frame(wide_db, "SELECT quote FROM v_values WHERE indicator = ? AND province = ? AND year = ? "
                              "AND doc_type = 'report' ORDER BY value DESC LIMIT 1", [ind, province, year]).iloc[0, 0]
    assert any(top in m.value for m in at.markdown), "the largest part's quote is listed"
    assert any(p.proto.page == "sources" for p in at.get("page_link"))


def test_province_filter_moves_to_cities(open_wide, wide_db: Path) -> None:
    at = open_wide("pages/inspections.py")
    province = seed_frame(wide_db, "SELECT province FROM v_reports WHERE province <> 'unknown' "
                                   "GROUP BY province ORDER BY count(DISTINCT city) DESC LIMIT 1").iloc[0, 0]
    at.selectbox(key="province").select(province).run()
    cities = set(seed_frame(wide_db, "SELECT DISTINCT city FROM v_reports WHERE province = ?", [province])["city"])
    districts = set(seed_frame(wide_db, "SELECT DISTINCT district FROM v_reports WHERE province = ?",
                               [province])["district"])
    categories = {x for trace in _bars(at) for x in trace["x"]}
    assert categories, "bars drawn"
    finest = "district" if len(districts) <= levels.MAX_GROUPS else "city"
    assert categories <= (districts if finest == "district" else cities)


def test_compare_and_shortfalls_stay_readable(open_wide, wide_db: Path) -> None:
    at = open_wide("pages/compare.py")
    table = at.dataframe[0].value
    rows = seed_frame(wide_db, "SELECT count(*) FROM (SELECT DISTINCT province, year FROM v_reports "
                               "WHERE doc_type = 'report' AND year IS NOT NULL)").iloc[0, 0]
    assert len(table) == rows, "one row per province and year"
    assert len(at.get("download_button")) == 4, "CSV, Excel, long CSV, Parquet"

    at = open_wide("pages/shortfalls.py")
    heat = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "heatmap"]
    assert heat and len(heat[0]["y"]) <= levels.MAX_GROUPS
