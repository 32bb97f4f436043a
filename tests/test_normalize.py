"""Normalisation keeps a map back to the original, so quotes stay verbatim."""

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract import extract_text
from etl.extract.normalize import normalize


def test_fullwidth_digits_and_spaces_fold_but_quote_is_original() -> None:
    text = "全年共计执法 ６１ 家，覆盖 2500 余人次。"
    norm = normalize(text)
    assert "执法61家" in norm.text
    start = norm.text.index("61家")
    quote, s, e = norm.quote(start, start + 3)
    assert quote == "６１ 家"
    assert text[s:e] == quote


def test_markdown_bold_is_dropped() -> None:
    norm = normalize("**二是**制度建设还需进一步加大力度。")
    assert norm.text.startswith("二是制度建设")


def test_wrapped_line_is_joined_but_headings_are_not() -> None:
    text = "探索建立统计监督与纪检、巡察、\n\n审计监督贯通协同工作机制。\n二、存在不足\n一是宣传方式单一。"
    norm = normalize(text)
    assert "巡察、审计监督" in norm.text
    assert "\n二、存在不足\n一是" in norm.text


def test_title_line_is_not_joined_to_body() -> None:
    norm = normalize("普陀区统计局 2023 年度法治政府建设报告\n\n2023 年，紧紧围绕区委、区政府工作。")
    assert "报告\n2023年" in norm.text


CJK = st.characters(codec="utf-8", categories=("Lo", "Nd", "Po", "Zs", "Cc", "Ps", "Pe", "Sm"))
REPORTISH = st.lists(
    st.one_of(
        st.text(CJK, max_size=12),
        st.sampled_from(
            ["全年共计执法", " 61 家", "１２家", "余", "人次", "，", "。", "\n", "**", "一是", "二、存在问题\n",
             "无行政复议和行政诉讼案件", "未收到举报", "“双随机”", "〔2023〕14号", "2024年工作计划\n", "约",
             "以上", "12000 万余户", "培训", "十二次", "两名", "掌上执法率达到95%以上"]
        ),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(REPORTISH)
def test_extraction_never_raises_and_every_quote_is_verbatim(text: str) -> None:
    report = extract_text(text, "x.txt")
    for item in report["values"] + report["targets"]:
        assert text[item["start"] : item["end"]] == item["quote"]
        assert item["quote"]
    for item in report["shortfalls"]:
        assert text[item["start"] : item["end"]] == item["text"]
    for v in report["values"]:
        for part in v["parts"]:
            assert text[part["start"] : part["end"]] == part["quote"]
