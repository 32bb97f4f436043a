"""Region from the text and the gazetteer: unique names, shared names, no names."""

import pytest

from etl.extract.regions import UNKNOWN, gazetteer, resolve


def test_gazetteer_comes_from_the_package_and_is_national() -> None:
    places = gazetteer()
    counties = [p for p in places.values() if p.level == "county"]
    assert len(counties) > 2800
    assert places["310107"].name == "普陀区" and places["330903"].name == "普陀区"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("天津市静海区统计局2020年法治政府建设情况报告", ("天津市", "天津市", "静海区", "120118")),
        ("*市清新区统计局领导干部学法用法制度", ("广东省", "清远市", "清新区", "441803")),
        ("上海市普陀区统计局文件\n普陀区统计局2023年度法治政府建设报告", ("上海市", "上海市", "普陀区", "310107")),
        ("舟山市普陀区统计局2021年法治政府建设工作报告，普陀区统计局坚持", ("浙江省", "舟山市", "普陀区", "330903")),
        ("浙江省普陀区统计局工作总结", ("浙江省", "舟山市", "普陀区", "330903")),
        ("昆山市统计局2022年法治政府建设情况报告", ("江苏省", "苏州市", "昆山市", "320583")),
        ("中牟县统计局关于2021年度法治政府建设情况的报告", ("河南省", "郑州市", "中牟县", "410122")),
    ],
)
def test_resolves_bureau_region(text: str, expected: tuple[str, str, str, str]) -> None:
    r = resolve(text)
    assert (r.province, r.city, r.district, r.adcode) == expected


def test_shared_name_without_context_stays_unknown() -> None:
    r = resolve("普陀区统计局2023年度法治政府建设报告")
    assert r.district == UNKNOWN and r.adcode == UNKNOWN


@pytest.mark.parametrize("text", ["xx省xx市统计局2022年工作要点", "*市统计局：认真贯彻党的二十大精神", "区统计局全年共计执法61家"])
def test_text_naming_no_place_stays_unknown(text: str) -> None:
    r = resolve(text)
    assert (r.province, r.city, r.district, r.adcode) == (UNKNOWN,) * 4


def test_the_bureau_beats_a_district_mentioned_in_passing() -> None:
    text = "上海市普陀区统计局2023年度报告。普陀区统计局与嘉定区统计局开展联组学习。普陀区统计局全年共计执法61家。"
    assert resolve(text).district == "普陀区"
