"""Year, year basis and document kind of real-world pages: news items, bylines, task lists.

Every text here is written for the test (no page's sentence is copied); each
one stands for a class of page seen in the real corpus.
"""

import pytest

from etl.extract import extract_text
from etl.extract.metadata import doc_type, year_with_basis


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A labelled publication line, and a body that names only a day.
        ("某区统计局开展统计法宣传\n发布时间：2023-05-06 10:12\n5月5日，局里干部在广场摆摊宣传统计法。", (2023, "publication")),
        # A byline holding only a date (and a time and a source).
        ("区统计局走进企业宣讲\n2020-11-03 09:30 来源：区统计局\n11月2日上午，宣讲组来到园区。", (2020, "publication")),
        # A signature date closing the text.
        ("县统计局组织干部学法。\n局长讲授了统计法修改要点，干部们交流了体会。\n\n县统计局\n2022年7月15日", (2022, "publication")),
        # Published in January about the whole year's work: the year before.
        ("区统计局法治工作回顾\n发布日期：2024年1月20日\n全年开展执法检查，查处违法企业，普法宣传形式多样。", (2023, "publication_previous_year")),
        # An event in December published in January: the year before.
        ("市统计局举办宪法宣传周活动\n发布时间:2025-01-06\n12月4日，市统计局在步行街开展宣传。", (2024, "publication_previous_year")),
    ],
)
def test_year_from_the_publication_line(text: str, expected: tuple[int, str]) -> None:
    assert tuple(year_with_basis(text)) == expected


def test_a_year_the_body_states_beats_the_publication_line() -> None:
    text = "区统计局2022年法治工作总结\n发布时间：2023-02-01\n2022年，我局持续推进依法统计。"
    assert tuple(year_with_basis(text)) == (2022, "stated")


def test_a_dated_web_address_is_not_a_publication_line() -> None:
    text = "区统计局开展普法活动\nhttps://example.gov.cn/art/2021/6/3/art_1.html\n6月2日，干部进社区宣传。"
    assert tuple(year_with_basis(text)) == (None, "unknown")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("县统计局参加第十四届中国统计开放日宣传，向群众发放资料。", 2023),
        ("今年是《统计法》颁布35周年，区统计局组织专题学习。", 2018),
        ("局里干部在第八个国家宪法日到社区讲解宪法。", 2021),
    ],
)
def test_recurring_events_give_the_year_as_a_flagged_last_resort(text: str, year: int) -> None:
    assert tuple(year_with_basis(text)) == (year, "recurring_event")


def test_no_year_at_all_stays_unknown() -> None:
    text = "9月18日，县统计局干部在集市上发放统计法宣传资料，解答群众提问。"
    assert tuple(year_with_basis(text)) == (None, "unknown")
    record = extract_text(text)
    assert record["year"] is None and record["year_basis"] == "unknown"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # News of a month's campaign is a report of work done, not a plan.
        ("您现在的位置：首页 > 工作动态\n某市统计局开展统计法治宣传月系列活动\n为宣传统计法，全市统计系统将普法送进社区，组建小组分赴各地。", "report"),
        ("区统计局组织干部参加统计执法培训\n8月3日，局里派员参加了全市执法培训。", "report"),
        # A standing task list with sampling ratios is a plan.
        ("区统计局随机抽查事项清单\n序号\n抽查事项\n抽查比例\n1\n统计数据质量检查\n不低于5%", "plan"),
        ("县统计局2025年度双随机抽查计划\n抽查对象：规上企业\n抽查比例：不低于3%", "plan"),
        # Key points and work plans are plans.
        ("区统计局2024年法治建设工作要点\n一、加强学法\n二、规范执法", "plan"),
        ("县统计局2023年统计普法工作计划\n一、目标任务\n力争全年开展宣传活动10场。", "plan"),
        # A title naming a report beats plan words in it.
        ("区统计局2022年工作总结和2023年工作计划\n一、2022年工作总结\n全年完成检查40家。", "report"),
    ],
)
def test_document_kind(text: str, kind: str) -> None:
    assert doc_type(text) == kind


def test_a_citation_of_a_plan_in_the_opening_does_not_make_a_plan() -> None:
    text = "按照年度执法检查计划，我局完成了对辖区企业的检查，发现问题及时整改。"
    assert doc_type(text) == "report"
