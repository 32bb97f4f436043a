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


def _fields(text: str) -> tuple[str, str, str, str]:
    r = resolve(text)
    return (r.province, r.city, r.district, r.adcode)


def test_gazetteer_is_the_current_table() -> None:
    places = gazetteer()
    assert places["450181"].name == "横州市" and "450127" not in places  # 横县 became 横州市 in 2021
    assert places["350604"].name == "龙海区"  # 龙海市 became a district of 漳州
    assert not [c for c in places if c[:2] in ("71", "81", "82") and not c.endswith("0000")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The bureau in the title wins over a district it visited.
        (
            "南平市统计局\n南平市统计局干部走进建阳区开展统计法宣传\n干部们在建阳区文化广场设点，建阳区群众踊跃咨询。",
            ("福建省", "南平市", UNKNOWN, "350700"),
        ),
        # A bureau listed as a partner after 与 is not the writer.
        (
            "9月10日，榆中县统计局与兰州市统计局、皋兰县统计局在广场共同开展宣传。",
            ("甘肃省", "兰州市", "榆中县", "620123"),
        ),
        # A bureau under whose guidance the writer works is not the writer.
        (
            "在嘉兴市统计局的指导下，海盐县统计局开展了执法检查。",
            ("浙江省", "嘉兴市", "海盐县", "330424"),
        ),
        # The byline at the end names the writer.
        ("统计开放日宣传活动走进步行街\n9月下旬，统计干部在街头解答咨询。\n来源：岳西县统计局", ("安徽省", "安庆市", "岳西县", "340828")),
    ],
)
def test_the_writer_bureau_beats_a_place_named_in_passing(text: str, expected: tuple) -> None:
    assert _fields(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A county named alone resolves to its city and province when the name is unique.
        ("岷县统计局在集市开展统计法宣传。", ("甘肃省", "定西市", "岷县", "621126")),
        ("榆中县统计局组织学法。", ("甘肃省", "兰州市", "榆中县", "620123")),
        # An autonomous county's short name.
        ("来源：长阳县统计局", ("湖北省", "宜昌市", "长阳土家族自治县", "420528")),
    ],
)
def test_a_county_alone_resolves_to_its_city_and_province(text: str, expected: tuple) -> None:
    assert _fields(text) == expected


def test_a_two_character_county_is_not_read_in_prose() -> None:
    # 礼县 is a county, but here the two characters only stand in a sentence.
    assert _fields("会议强调要讲礼县域经济发展。") == (UNKNOWN,) * 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("绍兴市统计局2022年法治政府建设年度报告", ("浙江省", "绍兴市", UNKNOWN, "330600")),
        ("湖北省统计局2021年度法治政府建设情况报告", ("湖北省", UNKNOWN, UNKNOWN, "420000")),
        # A province bureau that names itself only as 省统计局, in a text naming its province.
        ("2021年，省统计局认真落实《湖南省法治政府建设实施方案》。", ("湖南省", UNKNOWN, UNKNOWN, "430000")),
        # A municipality's bureau: the city is the municipality, the district unknown.
        ("重庆市统计局2021年度法治政府建设情况报告", ("重庆市", "重庆市", UNKNOWN, "500000")),
        ("天津市统计局关于2020年法治政府建设情况的报告", ("天津市", "天津市", UNKNOWN, "120000")),
    ],
)
def test_city_province_and_municipality_bureaus(text: str, expected: tuple) -> None:
    assert _fields(text) == expected


def test_a_city_bureau_that_names_itself_without_its_name_is_a_city_bureau() -> None:
    text = "12月4日是国家宪法日。市统计局组织干部到鼓山镇和晋安区街头开展统计法宣传，晋安区群众纷纷咨询。"
    assert _fields(text) == ("福建省", "福州市", UNKNOWN, "350100")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Not in the gazetteer: the name as written; province and city from the name's place.
        ("合肥高新区统计局关于2024年度法治政府建设情况的报告", ("安徽省", "合肥市", "合肥高新区", UNKNOWN)),
        ("长沙经开区统计局开展统计执法检查", ("湖南省", "长沙市", "长沙经开区", UNKNOWN)),
        # A new area the gazetteer does list keeps its code.
        ("两江新区统计局2023年法治政府建设情况报告", ("重庆市", "重庆市", "两江新区", "500157")),
    ],
)
def test_development_zones(text: str, expected: tuple) -> None:
    assert _fields(text) == expected


def test_a_bare_new_area_word_names_no_zone() -> None:
    assert _fields("在区委领导下，新区统计局组织学法。") == (UNKNOWN,) * 4


@pytest.mark.parametrize(
    "text",
    ["横县统计局2019年法治政府建设情况报告", "横州市统计局2023年法治政府建设情况报告"],
)
def test_a_renamed_county_resolves_old_and_new_names_to_the_current_code(text: str) -> None:
    assert _fields(text) == ("广西壮族自治区", "南宁市", "横州市", "450181")


def test_a_former_district_merged_into_a_new_one_resolves_to_its_successor() -> None:
    assert _fields("龙海市统计局2019年度法治政府建设工作报告") == ("福建省", "漳州市", "龙海区", "350604")


def test_a_former_name_without_a_successor_keeps_its_old_code() -> None:
    text = "江北区统计局2022年法治政府建设报告。在重庆市统计局的指导下，我局依法统计。"
    assert _fields(text) == ("重庆市", "重庆市", "江北区", "500105")


def test_a_league_bureau_gives_its_province_only() -> None:
    # 盟 exist only in one province; which 盟 the text does not say.
    text = "8月下旬，盟统计局会同盟市场监督管理局抽取企业开展联合检查。"
    assert _fields(text) == ("内蒙古自治区", UNKNOWN, UNKNOWN, "150000")


def test_a_shared_name_inside_the_one_named_province_keeps_what_is_known() -> None:
    text = "向阳区统计局开展统计法宣传，依据《黑龙江省统计条例》讲解企业义务。"
    assert _fields(text) == ("黑龙江省", UNKNOWN, "向阳区", "230000")


@pytest.mark.parametrize(
    "text",
    ["9月20日，区统计局在广场开展统计开放日活动，向过往群众发放资料。", "市统计局召开会议。", "县统计局随机抽查事项清单"],
)
def test_a_news_item_naming_no_place_stays_unknown(text: str) -> None:
    assert _fields(text) == (UNKNOWN,) * 4


def test_a_province_bureau_hosting_an_event_in_a_city_is_the_province() -> None:
    text = "陕西省第十三届统计开放日活动在汉中举行\n9月20日，由省统计局主办、市统计局承办的活动在汉中市举行，汉中市群众踊跃参加。"
    assert _fields(text) == ("陕西省", UNKNOWN, UNKNOWN, "610000")


def test_a_writer_naming_only_its_superior_city_gets_that_city() -> None:
    text = "今年以来，在株洲市委、市政府的领导下，我局扎实推进统计工作，排名居全市前列。"
    assert _fields(text) == ("湖南省", "株洲市", UNKNOWN, "430200")


def test_a_district_bureau_of_a_municipality_beats_the_municipal_bureau_it_quotes() -> None:
    text = "北京市顺义区统计局2020年度法治工作报告\n据北京市统计局通报，北京市统计局对各区开展了考核，我局名列前茅。"
    assert _fields(text) == ("北京市", "北京市", "顺义区", "110113")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黔东南州统计局开展统计法宣传", ("贵州省", "黔东南苗族侗族自治州", UNKNOWN, "522600")),
        ("来源：双江县统计局", ("云南省", "临沧市", "双江拉祜族佤族布朗族傣族自治县", "530925")),
    ],
)
def test_autonomous_divisions_by_their_short_names(text: str, expected: tuple) -> None:
    assert _fields(text) == expected


def test_the_signature_over_the_closing_date_names_the_writer() -> None:
    text = (
        "关于2022年度法治政府建设情况的报告\n\n2022年，在市统计局的指导下，我局与邻近的嘉定区统计局联组学习。"
        "全年检查企业30家。\n\n长宁区统计局\n2023年1月10日"
    )
    assert _fields(text) == ("上海市", "上海市", "长宁区", "310105")
