"""Page tables built from warehouse rows: labels that repeat must not break them."""

import pandas as pd

from ui.tables import shortfall_matrix


def test_shortfall_matrix_groups_reports_that_share_a_label() -> None:
    # A report and a plan of one district-year carry the same label.
    reports = pd.DataFrame(
        {
            "report_id": ["a", "b", "c"],
            "province": ["上海市"] * 3,
            "city": ["上海市"] * 3,
            "district": ["普陀区", "普陀区", "静安区"],
            "year": [2023, 2023, 2023],
        }
    )
    shortfalls = pd.DataFrame(
        {
            "report_id": ["a", "b", "b", "c"],
            "theme": ["outreach_innovation", "outreach_innovation", "enforcement_capacity", "other"],
            "text": ["宣传方式单一", "宣传手段不多", "持证人员少", "其他"],
        }
    )
    themes = pd.DataFrame(
        {"theme": ["enforcement_capacity", "outreach_innovation", "other"], "name_zh": ["执法力量不足", "普法宣传方式单一", "其他"]}
    )
    counts, texts = shortfall_matrix(reports, shortfalls, themes, "name_zh")
    assert counts.index.is_unique and len(counts) == 2
    putuo = counts.index[0]
    assert "普陀区" in putuo
    assert counts.loc[putuo, "普法宣传方式单一"] == 2
    assert counts.loc[putuo, "执法力量不足"] == 1
    assert texts.loc[putuo, "普法宣传方式单一"] == "宣传方式单一<br>宣传手段不多"
    assert counts.loc[counts.index[1], "执法力量不足"] == 0
