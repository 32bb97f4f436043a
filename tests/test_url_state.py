"""URL state without a browser: codes in, codes out, one value per key, dropped parts named."""

from __future__ import annotations

from pathlib import Path

from conftest import seed_frame

from ui import filters


def test_years_text_round_trip() -> None:
    assert filters.years_text((2019, 2023)) == "2019-2023" and filters.years_text((2023, 2023)) == "2023"
    assert filters.parse_years("2019-2023") == (2019, 2023) and filters.parse_years("2023") == (2023, 2023)
    assert filters.parse_years("2023–2019") is None and filters.parse_years("abc") is None
    assert filters.parse_years("2019-2020-2021") is None


def test_codes_not_labels(open_page) -> None:
    at = open_page("pages/compare.py", query={"doc": "plan", "lang": "en"})
    assert at.selectbox(key="doc").value == "plan"
    assert at.query_params["doc"] == ["plan"] or at.query_params["doc"] == "plan"
    assert at.title[0].value == "Compare & export"


def test_old_label_links_still_open(open_page) -> None:
    """Links written before the codes carried the shown label (``doc=工作计划``, ``lang=English``)."""
    at = open_page("pages/compare.py", query={"doc": "工作计划", "lang": "English"})
    assert at.selectbox(key="doc").value == "plan"
    assert at.title[0].value == "Compare & export"
    assert not at.warning


def test_unknown_parts_are_named_and_dropped(open_page, seed_db: Path) -> None:
    at = open_page("pages/inspections.py", query={"province": "火星省", "doc": "memo", "years": "1990-1991"})
    shown = " ".join(w.value for w in at.warning)
    assert "火星省" in shown and "memo" in shown and "1990-1991" in shown
    assert at.selectbox(key="province").value is None and at.selectbox(key="doc").value == "report"
    years = seed_frame(seed_db, "SELECT min(year) AS a, max(year) AS b FROM v_reports")
    assert at.select_slider(key="years").value == (int(years["a"][0]), int(years["b"][0])), "the default, named"


def test_page_keys_from_a_link(open_page) -> None:
    from ui import catalog

    ids = catalog.indicator_ids("inspections")
    at = open_page("pages/inspections.py")
    assert at.selectbox(key="inspections__ind").value == ids[0], "the default"
    linked = open_page("pages/inspections.py", query={"ind": ids[1], "level": "province"})
    assert linked.selectbox(key="inspections__ind").value == ids[1]
    assert linked.button_group(key="inspections__level").value == "province"
    bad = open_page("pages/inspections.py", query={"ind": "no_such_indicator"})
    assert any("no_such_indicator" in w.value for w in bad.warning)
    assert bad.selectbox(key="inspections__ind").value == ids[0]


def test_rankings_and_brief_choices_from_a_link(open_page, seed_db: Path) -> None:
    years = seed_frame(seed_db, "SELECT DISTINCT year FROM v_reports WHERE year IS NOT NULL ORDER BY year")["year"]
    first = int(years.iloc[0])
    at = open_page("pages/rankings.py", query={"metric": "ind:outreach_events", "year": str(first), "level": "city"})
    assert at.selectbox(key="rankings__metric").value == "ind:outreach_events"
    assert at.selectbox(key="rankings__year").value == first
    assert at.button_group(key="rankings__level").value == "city"
    bad = open_page("pages/rankings.py", query={"metric": "ind:no_such", "year": "1901"})
    shown = " ".join(w.value for w in bad.warning)
    assert "ind:no_such" in shown and "1901" in shown, "what a link asked for and the data lack is named"
    assert bad.selectbox(key="rankings__year").value == int(years.iloc[-1]), "the default: the latest year"


def _active_tabs(at) -> list[str]:
    """The label of each tab set's active tab, in page order (AppTest keeps it as the container's index)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if getattr(getattr(proto, "DESCRIPTOR", None), "name", "") == "Block" and proto.HasField("tab_container"):
            labels = [tab.label for tab in node.children.values()]
            found.append(labels[proto.tab_container.default_tab_index])
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def test_chart_tab_from_a_link(open_page) -> None:
    """``bars_tab=map`` opens the indicator chart on its map; the other charts keep their first tab."""
    at = open_page("pages/inspections.py")
    assert _active_tabs(at)[0] == "图表" and "bars_tab" not in at.query_params, "the default, left out"
    linked = open_page("pages/inspections.py", query={"bars_tab": "map", "methods_tab": "table"})
    assert _active_tabs(linked)[:2] == ["地图", "表格"]
    assert linked.query_params["bars_tab"] in ("map", ["map"]) and linked.query_params["methods_tab"] in (
        "table", ["table"])
    english = open_page("pages/inspections.py", query={"bars_tab": "map", "lang": "en"})
    assert _active_tabs(english)[0] == "Map", "the code is language-neutral"
    bad = open_page("pages/inspections.py", query={"bars_tab": "pie"})
    assert any("pie" in w.value and "bars_tab" in w.value for w in bad.warning), "an unknown tab is named, and whose"
    assert _active_tabs(bad)[0] == "图表" and "bars_tab" not in bad.query_params


def test_chart_tab_click_goes_to_the_url_and_survives_a_language_switch(open_page) -> None:
    at = open_page("pages/inspections.py")
    at.session_state["inspections__bars_tab__shown"] = "表格"  # what a click on the tab stores
    at.run()
    assert at.query_params["bars_tab"] in ("table", ["table"]) and _active_tabs(at)[0] == "表格"
    at.button_group(key="lang").set_value("English").run()
    assert _active_tabs(at)[0] == "Table" and at.query_params["bars_tab"] in ("table", ["table"])


def test_rankings_and_brief_tabs_from_a_link(open_page) -> None:
    at = open_page("pages/rankings.py", query={"tab": "map"})
    assert _active_tabs(at)[0] == "地图" and at.session_state["rankings__tab"] == "map"
    brief = open_page("pages/brief.py", query={"ranks_tab": "table"})
    assert brief.session_state["brief__ranks_tab"] == "table" and _active_tabs(brief)[0] == "表格"


def test_one_year_from_a_link() -> None:
    assert filters.parse_year("2023") == 2023
    assert filters.parse_year("2023-2024") is None and filters.parse_year("x") is None and filters.parse_year("") is None
