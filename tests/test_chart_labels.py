"""Column labels fit their column at 1024 px: wrapped, or slanted when an English word cannot wrap."""

from __future__ import annotations

import pandas as pd

from ui import charts

THEMES_EN = ["Enforcement capacity", "Institution building", "Awareness and integration", "Other",
             "Outreach methods", "Overall level", "Breadth of legal study"]
THEMES_ZH = ["执法力量不足", "制度建设不足", "法治意识与业务融合不足", "其他", "普法宣传方式单一",
             "法治建设水平有待提高", "学法不全面"]


def _line_px(line: str) -> float:
    return sum(charts.CJK_PX if "\u4e00" <= ch <= "\u9fff" else charts.LATIN_PX for ch in line)


def test_wrapped_lines_fit_a_column_or_the_labels_are_slanted() -> None:
    for labels in (THEMES_EN, THEMES_ZH, THEMES_EN[3:6]):
        ticks, angle = charts.column_labels(labels)
        assert [t.replace("<br>", "" if "\u4e00" <= t[0] <= "\u9fff" else " ") for t in ticks] == labels
        column = charts.NARROW_PLOT_PX / len(labels) - charts.TICK_GAP_PX  # neighbours keep a gap
        if angle == 0:
            assert all(_line_px(line) <= column for t in ticks for line in t.split("<br>")), ticks
        else:
            assert -90 < angle < 0, "slanted, never sideways"
    for tick in charts.column_labels(THEMES_ZH)[0]:
        lengths = [len(line) for line in tick.split("<br>")]
        assert max(lengths) - min(lengths) <= 1, f"even lines, no orphaned character: {tick}"
    assert charts.column_labels(THEMES_EN)[1] != 0, "'Enforcement' is wider than one of seven columns"
    assert charts.column_labels(THEMES_ZH)[1] == 0, "Chinese wraps anywhere"
    assert charts.column_labels(THEMES_EN[3:6])[1] == 0, "three columns are wide enough to wrap"


def test_heatmap_slants_english_themes_and_keeps_room_for_them() -> None:
    share = pd.DataFrame([[0.5] * 7, [0.0] * 7], index=["A 2023", "B 2023"], columns=THEMES_EN)
    fig = charts.heatmap(share, share.astype(str), share.astype(str), "t").to_dict()
    assert fig["data"][0]["x"] == THEMES_EN
    assert fig["layout"]["xaxis"]["tickangle"] == charts.SLANT
    zh = share.set_axis(THEMES_ZH, axis=1)
    fig_zh = charts.heatmap(zh, zh.astype(str), zh.astype(str), "t").to_dict()
    assert fig_zh["layout"]["xaxis"]["tickangle"] == 0
    assert fig["layout"]["height"] > fig_zh["layout"]["height"], "slanted labels get their own height"


def test_neighbouring_point_labels_alternate_above_and_below() -> None:
    assert charts.point_label_positions([16454, 17050]) == ["bottom center", "top center"]
    assert charts.point_label_positions([5, 6, 7]) == ["top center", "bottom center", "top center"]
    # a point near the zero line keeps its label above, clear of the year ticks
    assert charts.point_label_positions([1, 17050]) == ["top center", "top center"]


def test_single_trend_line_labels_its_points_alternately() -> None:
    frame = pd.DataFrame({"label": ["全部"] * 2, "year": [2023, 2024], "value": [16454.0, 17050.0],
                          "display": ["≈16,454", "≈17,050"], "missing": [False, False], "key": ["a", "b"],
                          "coverage": ["", ""]})
    trace = charts.trend(frame, "t", "家").to_dict()["data"][0]
    assert "text" in trace["mode"]
    assert list(trace["textposition"]) == ["bottom center", "top center"]


def test_each_bar_leaves_room_for_its_label_in_a_narrow_panel() -> None:
    values, labels, panel = [1872.0, 1596.0, 79.0], ["≥1,872", "≈1,596", "79"], 100.0
    reach = charts.label_room(values, labels, panel)
    for value, label in zip(values, labels, strict=True):
        assert value / reach * panel + (len(label) + 1) * charts.LATIN_PX <= panel + 1e-6
    assert reach > 1872 * 1.45, "the old fixed headroom cut this label off"
    assert charts.label_room([61.0, 4.0], ["61", "4"], 146.0) == 61 * 1.2, "short labels keep a plain margin"


def test_four_panel_titles_wrap_to_their_panel() -> None:
    ids = ["a", "b", "c", "d"]
    names = dict(zip(ids, ["源头数据核查单位数", "自查自纠单位数", "发现统计违法单位数", "数据失实单位数"], strict=True))
    frame = pd.DataFrame({"label": ["广东省"] * 4, "indicator": ids, "value": [1872.0, 45.0, 20.0, 4.0],
                          "display": ["≥1,872", "≥45", "20", "4"], "key": ids, "coverage": [""] * 4,
                          "missing": [False] * 4})
    fig = charts.small_multiples(frame, names, "t", "家", "空白 = 未提及", ids).to_dict()
    panel = charts.NARROW_PLOT_PX * (1 - 0.03 * 3) / 4
    titles = [a["text"] for a in fig["layout"]["annotations"] if a["text"].replace("<br>", "") in names.values()]
    assert len(titles) == 4
    assert all(len(line) * charts.CJK_PX <= panel for t in titles for line in t.split("<br>")), titles
    assert fig["layout"]["xaxis"]["range"][1] >= charts.label_room([1872.0], ["≥1,872"], panel)


def test_brief_median_line_runs_under_the_rank_labels() -> None:
    from ui import brief

    table = pd.DataFrame({"name": ["执法检查单位数", "培训人数"], "pct_nation": [46.0, 30.0],
                          "nation": ["71 / 129", "94 / 132"]})
    fig = brief.percentile_chart(table, "t").to_dict()
    assert [s["layer"] for s in fig["layout"]["shapes"]] == ["below"]
    assert fig["data"][0]["textfont"]["shadow"], "a white halo keeps a label readable where the line crosses it"


def test_tall_heatmap_names_its_columns_on_top() -> None:
    rows = [f"省{i}" for i in range(31)]
    share = pd.DataFrame([[0.5] * 7] * 31, index=rows, columns=THEMES_EN)
    tall = charts.heatmap(share, share.astype(str), share.astype(str), "t").to_dict()["layout"]
    short = charts.heatmap(share.head(4), share.head(4).astype(str), share.head(4).astype(str), "t").to_dict()["layout"]
    assert (tall["xaxis"]["side"], short["xaxis"]["side"]) == ("top", "bottom")
    rise = max(len(t) for t in THEMES_EN) * charts.LATIN_PX * 0.57
    assert tall["margin"]["t"] >= 50 + rise, "room above the grid for the slanted names"
    assert tall["title"]["yanchor"] == "top"


def test_panels_lay_out_what_make_subplots_does() -> None:
    """The panels are laid out by hand (make_subplots cost a third of a chart): same axes, domains and titles."""
    from plotly.subplots import make_subplots

    for n in range(1, 7):
        for spacing in (0.03, 0.1):
            titles = [f"面板{i}" for i in range(n)]
            made = make_subplots(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=spacing,
                                 subplot_titles=titles).to_dict()["layout"]
            made.pop("template", None)
            assert charts._panels(n, spacing, titles, {"size": 16}) == made, (n, spacing)


def test_small_multiples_draw_each_indicator_on_its_own_panel() -> None:
    ids = ["a", "b", "c"]
    frame = pd.DataFrame({"label": ["甲", "乙"] * 3, "indicator": [i for i in ids for _ in range(2)],
                          "value": [5.0, 9.0, 1.0, 2.0, 30.0, 40.0], "display": ["5", "9", "1", "2", "30", "40"],
                          "key": ["k"] * 6, "coverage": [""] * 6, "missing": [False] * 6})
    fig = charts.small_multiples(frame, dict.fromkeys(ids, "名"), "t", "家", "空白", ids).to_dict()
    assert [(t.get("xaxis", "x"), t.get("yaxis", "y")) for t in fig["data"]] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    layout = fig["layout"]
    assert [layout[f"yaxis{s}"]["categoryarray"] for s in ("", "2", "3")] == [["甲", "乙"]] * 3, "regions by the first"
    assert layout["xaxis3"]["range"][1] >= 40, "each panel has its own scale"


def test_every_chart_kind_is_a_valid_plotly_figure() -> None:
    """The indicator pages' charts are made without Plotly's validation (charts._figure): validated
    here, each kind gives back exactly what it sent (a misspelt property would raise)."""
    import json

    import plotly.io as pio

    rows = pd.DataFrame({"label": ["甲", "乙", "甲", "乙"], "indicator": ["a", "a", "b", "b"],
                         "value": [5.0, 9.0, 2.0, 40.0], "display": ["5", "9", "≥2", "40"], "key": ["k"] * 4,
                         "coverage": ["1/1"] * 4, "missing": [False] * 4, "highlight": [True, False] * 2,
                         "year": [2023, 2023, 2024, 2024], "x": ["甲", "乙"] * 2})
    share = pd.DataFrame([[0.5, 0.0], [1.0, 0.25]], index=["甲", "乙"], columns=THEMES_ZH[:2])
    numbers = pd.DataFrame({"label": ["甲", "乙"], "人": [3.0, float("nan")], "户": [20.0, 5.0]})
    figures = [
        charts.ranking(rows[rows["indicator"] == "a"], "一个很长的标题（带有括号里的说明文字，要换行）", "家", True, ["丙"], "未提及"),
        charts.trend(rows, "t", "家"),
        charts.trend(rows[rows["label"] == "甲"], "t", "家"),
        charts.small_multiples(rows, {"a": "A", "b": "B"}, "t", "家", "空白", ["a", "b"]),
        charts.heatmap(share, share.astype(str), share.astype(str), "t"),
        charts.heatmap(pd.concat([share] * 6, ignore_index=True), pd.concat([share] * 6).astype(str),
                       pd.concat([share] * 6).astype(str), "t"),
        charts.capacity(numbers, numbers.fillna(0).astype(str), ["人"], ["户"], "t", "未提及"),
        charts.funnel(rows.assign(label="甲"), {"a": "A"}, "t"),
    ]
    for fig in figures:
        sent = pio.to_json(fig, validate=False)
        assert json.loads(pio.to_json(json.loads(sent), validate=True)) == json.loads(sent)
