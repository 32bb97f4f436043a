"""Which bureau wrote a report: province, city, district and six-digit adcode.

The gazetteer is the administrative-division table shipped with the ``cpca``
package (maintained, offline), never a hand-typed list. A district is chosen
by how often and how prominently the text names it (``XX区统计局`` counts
most); a name shared by several places (普陀区: 上海市 and 舟山市) is resolved
by the province or city the text also names, and stays unknown otherwise. A
text that names no real place (``xx省``, ``*市``) stays unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ahocorasick

UNKNOWN = "unknown"
MUNICIPALITIES = {"11", "12", "31", "50"}
SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
    "地区", "盟", "省", "市", "区", "县", "旗",
)
BUREAU = re.compile(r"(?:统计局|人民政府|政府|委|党委)")  # used with match(text, pos)
# A bureau named after these is another one the report deals with (与长宁区统计局联组学习).
OTHER = re.compile(r"(?:与|赴|到|和|同|向|联合|配合|协助|及)$")


@dataclass(frozen=True)
class Place:
    adcode: str
    name: str
    level: str  # province | city | county


@dataclass(frozen=True)
class Region:
    province: str = UNKNOWN
    city: str = UNKNOWN
    district: str = UNKNOWN
    adcode: str = UNKNOWN


def _short(name: str) -> str:
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


@cache
def gazetteer() -> dict[str, Place]:
    """adcode → place, from cpca's table."""
    data = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    places = {}
    for row in csv.DictReader(io.StringIO(data)):
        code = row["adcode"][:6]
        name = row["name"]
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
        places[code] = Place(code, name, level)
    return places


@cache
def _automaton() -> ahocorasick.Automaton:
    """Every full name, and short names of provinces and cities, to their places."""
    index: dict[str, list[tuple[str, bool]]] = {}
    places = gazetteer()
    for place in places.values():
        if place.level == "county" and len(place.name) < 3:
            # 城区, 郊区, 矿区 are ordinary words in prose: only with their city (汕尾市城区).
            city = places.get(_city_of(place.adcode))
            if city is not None:
                index.setdefault(city.name + place.name, []).append((place.adcode, True))
            continue
        index.setdefault(place.name, []).append((place.adcode, True))
        short = _short(place.name)
        if place.level != "county" and short != place.name:
            index.setdefault(short, []).append((place.adcode, False))
    auto = ahocorasick.Automaton()
    for key, entries in index.items():
        auto.add_word(key, (key, tuple(entries)))
    auto.make_automaton()
    return auto


def _province_of(code: str) -> str:
    return code[:2] + "0000"


def _city_of(code: str) -> str:
    return code[:4] + "00"


def _names(code: str) -> tuple[str, str]:
    places = gazetteer()
    prov = places.get(_province_of(code))
    province = prov.name if prov else UNKNOWN
    if code[:2] in MUNICIPALITIES:
        return province, province
    city = places.get(_city_of(code))
    return province, city.name if city else UNKNOWN


def resolve(text: str, title_chars: int = 200) -> Region:
    """The bureau's region, or unknown fields where the text does not say."""
    places = gazetteer()
    county_score: Counter[str] = Counter()
    context: Counter[str] = Counter()  # provinces and cities named, for ambiguity
    for end, (key, entries) in _automaton().iter_long(text):
        start = end - len(key) + 1
        weight = 1.0
        if BUREAU.match(text, end + 1):
            weight += 2
        if start < title_chars:
            weight += 2
        if OTHER.search(text, max(0, start - 2), start):
            weight = 0.5
        for code, full in entries:
            if places[code].level == "county":
                county_score[code] += weight
            else:
                context[code] += 1 if full else 0.5
    # Ambiguous names: the province or city named beside them decides.
    best_code, best = None, 0.0
    ranked: list[tuple[float, str]] = []
    for code, score in county_score.items():
        bonus = 2 * (context[_province_of(code)] > 0) + 2 * (context[_city_of(code)] > 0)
        ranked.append((score + bonus, code))
    ranked.sort(reverse=True)
    if ranked:
        best, best_code = ranked[0]
        tied = [c for s, c in ranked if s == best and c != best_code]
        if tied and places[tied[0]].name == places[best_code].name:
            best_code = None  # the same name twice and nothing to tell them apart
    # One passing mention in prose (老城区改造) does not make the author: the
    # name must stand in the title, before 统计局, or more than once.
    if best_code is not None and best >= 2:
        province, city = _names(best_code)
        return Region(province, city, places[best_code].name, best_code)
    # A city- or province-level bureau (XX市统计局) names no district.
    for code, _ in context.most_common():
        if places[code].level == "city" and re.search(re.escape(places[code].name) + "统计局", text):
            province, city = _names(code)
            return Region(province, city, UNKNOWN, code)
    return Region()
