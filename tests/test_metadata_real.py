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
    found = year_with_basis(text)
    assert (found.year, found.basis) == expected


def test_a_year_the_body_states_beats_the_publication_line() -> None:
    text = "区统计局2022年法治工作总结\n发布时间：2023-02-01\n2022年，我局持续推进依法统计。"
    assert year_with_basis(text)[:2] == (2022, "stated")


def test_a_year_named_once_in_passing_does_not_beat_the_publication_line() -> None:
    # Last year's figures quoted in a news item are not the year of the event.
    text = "市里举办统计开放日活动\n发布时间：2021-09-25\n9月24日，活动在广场举行。据介绍，2020年，全市生产总值稳步增长。"
    assert year_with_basis(text)[:2] == (2021, "publication")


def test_a_starting_point_or_a_coming_event_is_not_the_year_reported_on() -> None:
    assert year_with_basis("10月9日，区统计局开展宣传。国家统计局自2012年起每年举办这一活动。")[:2] == (None, "unknown")
    assert year_with_basis("9月22日，县统计局宣传了2028年即将开展的经济普查。")[:2] == (None, "unknown")


def test_the_first_event_date_decides_not_a_commemorative_day_named_later() -> None:
    text = "区统计局普法活动\n发布时间：2019-11-20\n11月19日，区统计局在广场宣传，并预告宪法日(12月4日)的活动。"
    assert year_with_basis(text)[:2] == (2019, "publication")


def test_a_dated_web_address_is_not_a_publication_line() -> None:
    text = "区统计局开展普法活动\nhttps://example.gov.cn/art/2021/6/3/art_1.html\n6月2日，干部进社区宣传。"
    assert year_with_basis(text)[:2] == (None, "unknown")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("县统计局参加第十四届“中国统计开放日”宣传，向群众发放资料。", 2023),
        ("今年是《统计法》颁布35周年，区统计局组织专题学习。", 2018),
        ("局里干部在第八个国家宪法日到社区讲解宪法。", 2021),
    ],
)
def test_recurring_events_give_a_flagged_year_hint_as_a_last_resort(text: str, year: int) -> None:
    # Inferred, not stated: a hint for the reviewer; the year itself stays unknown.
    assert tuple(year_with_basis(text)) == (None, "recurring_event", year)
    record = extract_text(text)
    assert (record["year"], record["year_basis"], record["year_hint"]) == (None, "recurring_event", year)


def test_no_year_at_all_stays_unknown() -> None:
    text = "9月18日，县统计局干部在集市上发放统计法宣传资料，解答群众提问。"
    assert tuple(year_with_basis(text)) == (None, "unknown", None)
    record = extract_text(text)
    assert record["year"] is None and record["year_basis"] == "unknown"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # News of a month's campaign is a report of work done, not a plan.
        ("您现在的位置：首页 > 工作动态\n某市统计局开展统计法治宣传月系列活动\n为宣传统计法，全市统计系统将普法送进社区，组建小组分赴各地。", "report"),
        ("区统计局组织干部参加统计执法培训\n8月3日，局里派员参加了全市执法培训。", "report"),
        # Opening with the day of the event: news of it, whatever it requires next.
        ("10月12日，省统计局党组开展集中学习。会议要求，要抓好落实，要强化责任，要确保实效，要力争突破。", "report"),
        # A notice launching a campaign is not news of one.
        ("关于开展统计普法宣传月活动的通知\n各科室：\n要求各科室要组织学习，确保全员参加，力争取得实效。", "plan"),
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


def test_the_title_is_found_after_a_web_page_frame() -> None:
    frame = "• 首页\n• 政务公开\n• 互动\n索引号：000/2022-01\n发布机构：某省统计局\n主题分类：政策文件\n"
    text = frame + "某省统计局关于印发统计执法双随机抽查办法的通知\n各市统计局：现将办法印发给你们，请遵照执行。\n发布日期：2022-03-02"
    assert doc_type(text) == "plan"
    text = frame + "某县统计局2021年度法治政府建设情况报告\n今年以来，我局依法统计。"
    assert doc_type(text) == "report" and year_with_basis(text)[:2] == (2021, "stated")


def test_an_opening_year_agrees_with_an_early_publication_of_the_year_after() -> None:
    text = "区统计局法治政府建设年度报告\n发布时间：2024-02-05\n2023年，我局坚持依法统计，检查企业20家。"
    assert year_with_basis(text)[:2] == (2023, "stated")
