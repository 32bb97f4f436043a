"""Numbers of the year's work in a report, and the indicators each counts for.

A number becomes a mention when a unit word follows it (``61 家``, ``20余场``)
or a unit noun precedes it (``覆盖人次超1万``); it is read in its clause and
counts for the indicator whose keyword stands nearest (rules in
``rules/indicators.yaml`` and ``rules/mentions.yaml``). Numbers that are names,
dates, frequencies, intentions, next year's plans or other bodies' figures
are never mentions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import attrgetter
from re import _parser  # a pattern's longest match (private, stable since 3.11; regions uses it too)

from etl.extract import rules, starts
from etl.extract.normalize import Normalized
from etl.extract.numbers import ARABIC, CHINESE, parse_number
from etl.extract.sections import Span, inside
from etl.extract.shortfalls import problems_of
from etl.extract.tables import read_tables
from etl.extract.trie import longest_word

CLAUSE_END = ",;。!?:\n\t"
# The number cell after a label line, past separator lines (|, ||||).
_CELL_NUMBER = re.compile(r"[|\s]*?\n[|\t ]*(\d+)[|\t ]*(?:\n|$)")
# A keyword of plain characters with no numeral cannot stand around a number.
PLAIN_WORD = re.compile(r"[^\\.\[\]()*+?{}|^$\d零〇一二两三四五六七八九十百千万亿]+")
SENTENCE_END = ";。!?\n"
# Compiled once: _is_word_part asks them of every number.
_DIGIT_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十]")
_NUMERAL_CHAR = re.compile(r"[零〇一二两三四五六七八九十百千万亿]")
_NUMERAL_OR_XING = "零〇一二两三四五六七八九十百千万性"
_CHINESE_NUMERALS = frozenset(CHINESE.removeprefix("[").removesuffix("]+"))
_NUMERALS = frozenset("0123456789") | _CHINESE_NUMERALS  # where a number may start


@dataclass
class Mention:
    """One number with its unit, read in its clause."""

    start: int  # span of the number and unit, in normalised text
    end: int
    value: float
    qualifier: str
    unit: str
    clause: Span
    sentence: Span = (0, 0)
    indicators: list[str] = field(default_factory=list)
    distance: float = 0.0
    context: str = ""
    labels: list[Span] | None = None  # for a table cell: its header and row labels
    total: bool = False
    year_total: bool = False
    part: bool = False
    restated: bool = False
    barred: frozenset[str] = frozenset()  # indicators its own noun rules out (gifts are not materials)


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    units: frozenset[str]
    keywords: tuple[re.Pattern[str], ...]
    spanning: tuple[re.Pattern[str], ...]  # keywords that may hold a number inside (党组…3次…研究)
    words: tuple[str, ...]  # the keywords that are plain words, found by str.find
    patterns: tuple[re.Pattern[str], ...]  # the others, found by their regular expression
    parent: str | None
    also: dict[str, tuple[str, ...]]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    sentence_excludes: tuple[str, ...]
    zero: tuple[re.Pattern[str], ...]
    max: float | None
    max_reason: str
    venue_units: frozenset[str] = frozenset()
    venue_requires: tuple[str, ...] = ()
    venue_excludes: tuple[str, ...] = ()
    venue_verbs: tuple[str, ...] = ()
    not_nouns: tuple[str, ...] = ()
    keep_nouns: tuple[str, ...] = ()
    # The word lists above as one pattern each (rules.any_word): one C scan per test.
    any_exclude: re.Pattern[str] = rules.any_word(())
    any_sentence_exclude: re.Pattern[str] = rules.any_word(())
    any_require: re.Pattern[str] = rules.any_word(())
    # The plain keywords and the first characters of the keyword patterns: one of them stands
    # wherever a keyword can be found (None: some pattern may start anywhere). See ``_gate_scan``.
    gate_literals: tuple[str, ...] | None = ()
    # The plain keywords as one pattern whose match is the longest keyword at its place (the others
    # there are its prefixes: ``_word_places`` resumes one past each match's start and meets every
    # keyword), and for each keyword the lengths of this rule's keywords it begins with, the longest first.
    word_scan: re.Pattern[str] = rules.any_word(())
    word_prefixes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # not_nouns / keep_nouns as one pattern each, when no word holds a joiner's character: then a
    # search in the words before the number tells what ``_only_not_nouns`` does (``_barred``).
    any_not_noun: re.Pattern[str] | None = None
    any_keep_noun: re.Pattern[str] | None = None


@cache
def indicator_rules() -> dict[str, IndicatorRule]:
    """Rules keyed by indicator id, checked against the catalogue."""
    raw = rules.load("indicators")
    known = set(rules.indicator_ids())
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"rules/indicators.yaml names indicators not in the catalogue: {sorted(unknown)}")
    out = {}
    for ind, r in raw.items():
        venues = frozenset(r.get("venue_units", ()))
        out[ind] = IndicatorRule(
            id=ind,
            units=frozenset(r["units"]) | venues,
            keywords=tuple(re.compile(k) for k in r["keywords"]),
            spanning=tuple(re.compile(k) for k in r["keywords"] if not PLAIN_WORD.fullmatch(k)),
            words=tuple(k for k in r["keywords"] if re.escape(k) == k),
            patterns=tuple(re.compile(k) for k in r["keywords"] if re.escape(k) != k),
            parent=r.get("parent"),
            also={k: tuple(v) for k, v in (r.get("also") or {}).items()},
            requires=tuple(r.get("requires", ())),
            excludes=tuple(r.get("excludes", ())),
            sentence_excludes=tuple(r.get("sentence_excludes", ())),
            zero=tuple(re.compile(z) for z in r.get("zero", ())),
            max=r.get("max"),
            max_reason=r.get("max_reason", ""),
            venue_units=venues,
            venue_requires=tuple(r.get("venue_requires", ())),
            venue_excludes=tuple(r.get("venue_excludes", ())),
            venue_verbs=tuple(r.get("venue_verbs", ())),
            not_nouns=tuple(r.get("not_nouns", ())),
            keep_nouns=tuple(r.get("keep_nouns", ())),
            any_exclude=rules.any_word(r.get("excludes", ())),
            any_sentence_exclude=rules.any_word(r.get("sentence_excludes", ())),
            any_require=rules.any_word(r.get("requires", ())),
            gate_literals=_gate_literals(r["keywords"]),
            word_scan=longest_word(k for k in r["keywords"] if re.escape(k) == k),
            word_prefixes=_word_prefixes([k for k in r["keywords"] if re.escape(k) == k]),
            **_noun_patterns(r.get("not_nouns", ()), r.get("keep_nouns", ())),
        )
    return out


def _word_prefixes(words: list[str]) -> dict[str, tuple[int, ...]]:
    """For each word, the lengths of the words it begins with (itself included), the longest first."""
    return {w: _prefix_lengths(w, words) for w in words}


def _prefix_lengths(word: str, words: list[str] | tuple[str, ...]) -> tuple[int, ...]:
    """The lengths of those of ``words`` that ``word`` begins with, the longest first."""
    return tuple(sorted({len(p) for p in words if word.startswith(p)}, reverse=True))


def _noun_patterns(not_nouns: list[str], keep_nouns: list[str]) -> dict[str, re.Pattern[str] | None]:
    """``any_not_noun`` and ``any_keep_noun``, or None for both when a word is empty or holds a
    character of a joiner: only then can the split at joiners (``_own_nouns``) change what is found."""
    joined = "".join(rules.load("mentions")["joiners"])
    plain = all(w and not set(w) & set(joined) for w in (*not_nouns, *keep_nouns))
    if not plain:
        return {"any_not_noun": None, "any_keep_noun": None}
    return {"any_not_noun": rules.any_word(not_nouns), "any_keep_noun": rules.any_word(keep_nouns)}


def _gate_literals(keywords: list[str]) -> tuple[str, ...] | None:
    """The plain keywords, and the first characters a keyword pattern can start with.

    Why: a rule with a pattern (执法(?!人员…), 党组…研究) was tried at every number
    of its unit, two ``finditer`` and a ``search`` each, though in most clauses not
    even the pattern's first character stands; none of its matches can start elsewhere."""
    out = [k for k in keywords if re.escape(k) == k]
    for k in keywords:
        if re.escape(k) == k:
            continue
        chars = starts.first_chars(re.compile(k))
        if chars is None:
            return None
        out += sorted(chars)
    return tuple(dict.fromkeys(out))


@cache
def _rules_for_unit(unit: str) -> tuple[IndicatorRule, ...]:
    """The rules a number with ``unit`` may count for, in catalogue order (once per unit, not per number)."""
    return tuple(r for r in indicator_rules().values() if unit in r.units)


@cache
def _all_units() -> frozenset[str]:
    """Every unit word of every indicator (built once, not per document)."""
    return frozenset(u for r in indicator_rules().values() for u in r.units)


@cache
def _mention_pattern() -> re.Pattern[str]:
    units = sorted({u for r in indicator_rules().values() for u in r.units}, key=len, reverse=True)
    suffixes = "|".join(rules.load("mentions")["approximate_suffixes"])
    # The look-ahead for a unit's first character changes no match: it fails a numeral with
    # no unit after it (2023年, 一是) in one class test, where the engine tried sixty units
    # one by one at every length the numeral can give back.
    heads = "".join(sorted({re.escape(u[0]) for u in units}))
    return re.compile(
        rf"(?P<num>{ARABIC}|{CHINESE})\s*(?P<mult>万|亿)?(?P<post>{suffixes})?(?=[{heads}])(?P<unit>{'|'.join(units)})"
    )


@cache
def _start_scan() -> re.Pattern[str]:
    """Where a reading of a number may start: the first character of an inverted unit noun
    (``_inverted_pattern``: 覆盖人次超1万), as group ``noun``; or a numeral character of
    ``_mention_pattern`` (an ASCII digit, full-width ones being folded before, or a Chinese
    numeral) that a unit's first character follows past more numeral characters, spaces,
    万/亿 and an approximate suffix.

    Why the look-ahead: it holds wherever a match starts (a numeral is made of digits,
    Chinese numerals, commas and points; then come the optional parts and the look-ahead
    for a unit's first character of ``_mention_pattern``), and it fails most numeral
    characters of a report (2023年, 统一, 进一步) inside the same C scan, where each used
    to cost a turn of the Python loop and a failed match.

    Why one pattern for both: the scan tests every character of the report against a class
    (some fifty instructions each); the inverted nouns' own ``finditer`` was a second such pass,
    2% of a report's instructions, for a reading that seldom matches. Each branch consumes one
    character, so every position where either holds is found (the noun branch first)."""
    lex = rules.load("mentions")
    units = _all_units()
    heads = "".join(sorted({re.escape(u[0]) for u in units}))
    chinese = CHINESE.removeprefix("[").removesuffix("]+")
    suffixes = "|".join(lex["approximate_suffixes"])
    nouns = longest_word(lex["inverted_units"]).pattern
    firsts = "".join(sorted({re.escape(w[0]) for w in lex["inverted_units"]}))
    scan = re.compile(
        rf"(?=(?:{nouns}))(?P<noun>[{firsts}])|[0-9{chinese}](?=[\d{chinese},.]*\s*(?:万|亿)?(?:{suffixes})?[{heads}])"
    )
    return starts.charset_led(scan)  # the class of both branches' first characters (the first opens with a look-ahead)


def _scan_numbers(text: str, stop: int | None = None) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """``_mention_pattern().finditer(text)`` and ``_inverted_pattern().finditer(text)``, each tried
    only where ``_start_scan`` finds that it may start; those that start before ``stop`` (a match
    may run past it), when given: a match never changes what is found before it.

    Why: the number pattern opens with two alternatives the regular-expression engine
    cannot skip ahead for, so finditer tried it at every character; a report
    has a hundred numeral characters in thousands, of which a few dozen have a
    unit's first character after them, found by one scan (with the inverted nouns) and
    tried in order, resuming where finditer would, so the matches are the same
    (digits of other scripts are not read as numbers)."""
    number, inverted = _mention_pattern(), _inverted_pattern()
    numbers: list[re.Match[str]] = []
    nouns: list[re.Match[str]] = []
    pos = noun_pos = 0
    for c in _start_scan().finditer(text):
        at = c.start()
        if stop is not None and at >= stop:
            break
        if c.lastindex is not None:  # the noun branch
            if at >= noun_pos and (m := inverted.match(text, at)) is not None:
                nouns.append(m)
                noun_pos = m.end()
            if c.group() not in _NUMERALS:
                continue  # else it may start a number too: tried as one (a failed match changes nothing)
        if at >= pos and (m := number.match(text, at)) is not None:
            numbers.append(m)
            pos = m.end()
    return numbers, nouns


@cache
def _inverted_pattern() -> re.Pattern[str]:
    """The unit noun before the number: 覆盖人次超1万, 培训人数达500余."""
    lex = rules.load("mentions")
    nouns = "|".join(sorted(lex["inverted_units"], key=len, reverse=True))
    quals = "|".join(sorted((w for ws in lex["qualifiers_before"].values() for w in ws), key=len, reverse=True))
    suffixes = "|".join(lex["approximate_suffixes"])
    return re.compile(
        rf"(?P<noun>{nouns})(?:[(（][^)）]{{0,4}}[)）])?[\t:]?(?:为|达到|达|共计|共|累计|合计|有)?(?P<pre>{quals})?(?:达到|达)?"
        rf"(?P<num>{ARABIC}|{CHINESE})(?P<mult>万|亿)?(?P<post>{suffixes})?(?![\d万亿余多人家户次场名个件份])"
    )


@cache
def _table_cell_pattern() -> re.Pattern[str]:
    """A table row whose label carries the unit: 其中：“双随机”抽查（家）<tab>41."""
    units = sorted({u for r in indicator_rules().values() for u in r.units}, key=len, reverse=True)
    return re.compile(rf"[(](?P<unit>{'|'.join(units)})[)]\t(?P<num>{ARABIC})(?=\t|\n|$)")


@cache
def _before_qualifiers() -> list[tuple[re.Pattern[str], str]]:
    lex = rules.load("mentions")
    words = [(w, q) for q, ws in lex["qualifiers_before"].items() for w in ws]
    return [(re.compile(rf"{re.escape(w)}(?:达到|达|有|计)?$"), q) for w, q in sorted(words, key=lambda x: -len(x[0]))]


@cache
def _any_before_qualifier() -> re.Pattern[str]:
    """Matches where at least one of ``_before_qualifiers`` does (one search instead of twenty).

    Why: most numbers have no qualifier before them; this tells so at once,
    and only a number with one walks the list for the first (longest) match."""
    lex = rules.load("mentions")
    words = sorted({w for ws in lex["qualifiers_before"].values() for w in ws}, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(map(re.escape, words))})(?:达到|达|有|计)?$")


@cache
def _preposition() -> re.Pattern[str]:
    lex = rules.load("mentions")
    words = "|".join(map(re.escape, lex["prepositions"]))
    # Led by its first characters (``starts.charset_led``): searched in the words before every number.
    return starts.charset_led(
        re.compile(rf"(?:(?:{words})(?:该|其中|全区|全县|全市|共|了)?.{{0,3}}|{lex['preposition_relative']})$")
    )


@cache
def _compiled(key: str) -> re.Pattern[str]:
    """A regular expression of rules/mentions.yaml or rules/document.yaml by key."""
    lex = rules.load("mentions")
    return re.compile(lex[key] if key in lex else rules.load("document")[key])


@cache
def _compiled_list(key: str) -> tuple[re.Pattern[str], ...]:
    """The regular expressions of a list in rules/mentions.yaml, compiled once (not looked up per number)."""
    return tuple(re.compile(p) for p in rules.load("mentions")[key])


@cache
def _any_of(key: str) -> re.Pattern[str]:
    """The word list ``key`` of rules/mentions.yaml as one pattern (``rules.any_word``)."""
    return rules.any_word(rules.load("mentions")[key])


@cache
def _after_qualifier() -> re.Pattern[str]:
    """The words after a unit, one named group per qualifier in file order.

    Why one pattern: ``match`` tries the groups in order, so the group that
    matches (``lastgroup``) is the first qualifier with a word there, which is
    what a match per qualifier found with three calls for every number."""
    groups = (f"(?P<{q}>{rules.any_word(ws).pattern})" for q, ws in rules.load("mentions")["qualifiers_after"].items())
    return re.compile("|".join(groups))


@cache
def _ends_with_any(key: str) -> re.Pattern[str]:
    """Finds a match exactly where a string ends with one of the words ``key`` of rules/mentions.yaml."""
    return re.compile(f"(?:{rules.any_word(rules.load('mentions')[key]).pattern})\\Z")


@cache
def _units_not_before() -> dict[str, re.Pattern[str]]:
    """For each unit with some, the words that, right after it, make it the start of
    another word (``unit_not_before``); most units have none and are not looked up further."""
    lex = rules.load("mentions").get("unit_not_before") or {}
    return {unit: rules.any_word(words) for unit, words in lex.items() if words}


def _qualifier(text: str, start: int, end: int, post: str) -> str:
    """Qualifier from the words before the number and after its unit."""
    if _any_before_qualifier().search(text, max(0, start - 8), start):  # as on the slice: no look-behind, $ at endpos
        before = text[max(0, start - 8) : start]
        for pattern, qual in _before_qualifiers():
            if pattern.search(before):
                return qual
    after = _after_qualifier().match(text, end, end + 4)
    if after is not None:
        return after.lastgroup or ""
    return "at_least" if post else "exact"


@cache
def _stop_class(stops: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(stops)}]")


@lru_cache(maxsize=4)
def _reversed(text: str) -> str:
    """``text`` backwards, made once per document: the nearest stop before a
    position is the first one after it in the reversed text, one C search."""
    return text[::-1]


def _bounds(text: str, pos: int, stops: str) -> Span:
    """The stretch around ``pos`` with none of ``stops`` in it (``pos`` may be a stop itself).

    Why two searches: clause and sentence bounds are asked for every number;
    walking character by character in Python, or listing every stop of the
    document first, cost a tenth of extraction."""
    stop = _stop_class(stops)
    after = stop.search(text, pos)
    n = len(text)
    before = stop.search(_reversed(text), max(0, n - pos))
    start = n - before.start() if before is not None else 0
    end = after.start() if after is not None else max(pos, n)
    return start, end


@cache
def _reach() -> re.Pattern[str]:
    """From a position on, the characters before the first clause stop (group 1); then, when that
    stop does not end the sentence, it and the characters before the first sentence stop.

    Matched forwards in the text and backwards in it reversed (``_reversed``), it gives the
    clause's end and the sentence's (or start) in one call: every sentence stop is a clause stop."""
    clause, sentence = re.escape(CLAUSE_END), re.escape(SENTENCE_END)
    comma = re.escape("".join(c for c in CLAUSE_END if c not in SENTENCE_END))
    return re.compile(f"([^{clause}]*)(?:[{comma}][^{sentence}]*)?")


def _clause_and_sentence(text: str, pos: int) -> tuple[Span, Span]:
    """``_bounds(text, pos, CLAUSE_END)`` and ``_bounds(text, pos, SENTENCE_END)``, for ``pos`` in the text.

    Why: asked for every number; one match each way (``_reach``) where it took a search
    for each bound, and two more when the clause ends on a comma (or a colon, a tab), with
    a look at the stop between: a quarter of this function's instructions (3% of a report's) saved."""
    reach, n = _reach(), len(text)
    after = reach.match(text, pos)
    before = reach.match(_reversed(text), n - pos)
    return (n - before.end(1), after.end(1)), (n - before.end(), after.end())


@cache
def _name_opener() -> re.Pattern[str]:
    return rules.any_word(open_ for open_, _close in rules.load("mentions")["name_brackets"])


def _in_name(text: str, pos: int, sentence: Span) -> bool:
    """Inside “…”, 《…》, 〔…〕 and the like: a name or a document number."""
    if _name_opener().search(text, sentence[0], pos) is None:
        return False  # no bracket opens before the number in its sentence
    segment = text[sentence[0] : pos]
    for open_, close in rules.load("mentions")["name_brackets"]:
        if open_ == close:
            if segment.count(open_) % 2 == 1:
                return True
        elif segment.rfind(open_) > segment.rfind(close):
            return True
    return False


def _bare_magnitude_qualified(text: str, m: re.Match[str]) -> bool:
    """百/千/万 alone is a count only with a qualifier: 百余家, 超百家, 百人左右."""
    lex = rules.load("mentions")
    if m.group("post"):
        return True
    if any(text.endswith(w, 0, m.start()) for w in lex["bare_magnitude_after"]):
        return True  # 各百套: a hundred each
    if _any_before_qualifier().search(text, max(0, m.start() - 8), m.start()):
        return True
    after = text[m.end() : m.end() + 3]
    return any(after.startswith(w) for ws in lex["qualifiers_after"].values() for w in ws)


def _is_word_part(text: str, m: re.Match[str]) -> bool:
    """Numbers that are parts of words or not counts: 第五次, 每季度一次, 千家万户, 统一."""
    num = m.group("num")
    start = m.start()
    if _ends_with_any("not_after").search(text, max(0, start - 3), start):
        return True
    if num[0] in _CHINESE_NUMERALS:  # then all of it is (the other branch opens with \d): one look, not a fullmatch
        lex = rules.load("mentions")
        if not _DIGIT_NUMERAL.search(num) and not _bare_magnitude_qualified(text, m):
            return True  # 千家万户: a figure of speech; but 百余家, 超百家, 百人左右 are counts
        if num.startswith("一") and start > 0 and text[start - 1] in lex["word_before_yi"]:
            return True
        if num == "一" and _compiled("zero_before_one").search(text, max(0, start - 6), start):
            return True  # 未发生一起, 没有发生一起, 无一家: zero words, not one
        if start > 0 and _NUMERAL_CHAR.match(text[start - 1]):
            return True
    end = m.end()
    nxt = text[end : end + 1]
    if nxt and nxt in _NUMERAL_OR_XING:  # one character: the class as a string
        return True  # 一家一户, 一次性
    if num[-1:].isdigit() and nxt in {"年", "月", "日", "号"}:
        return True
    return False


@cache
def _distance_terms() -> tuple[int, int, int, int, re.Pattern[str]]:
    """The penalties of rules/mentions.yaml that ``_keyword_hits`` adds, and the relative noun,
    looked up once rather than per rule and number."""
    lex = rules.load("mentions")
    return (
        lex["left_penalty_after_preposition"],
        lex["right_penalty"],
        lex["relative_clause_penalty"],
        lex["max_distance"],
        _compiled("relative_noun"),
    )


def _word_places(rule: IndicatorRule, text: str, lo: int, hi: int) -> list[tuple[int, tuple[int, ...]]]:
    """Where a plain keyword of ``rule`` starts in ``text[lo:hi]``, with the lengths of its keywords
    that start there (the longest first): one scan that resumes one past each match's start."""
    out = []
    scan, prefixes = rule.word_scan, rule.word_prefixes
    km = scan.search(text, lo, hi)
    while km is not None:
        pos = km.start()
        out.append((pos, prefixes[km.group()]))
        km = scan.search(text, pos + 1, hi)
    return out


def _keyword_hits(
    rule: IndicatorRule,
    text: str,
    left: Span,
    right: Span,
    prep: bool,
    places: list[tuple[int, tuple[int, ...]]] | None = None,
) -> float | None:
    """Distance to the nearest keyword of ``rule`` around a number, or None.

    ``places``: where the rule's plain keywords start between the two sides, with their lengths
    (``_word_places``; ``_classify`` has them from its gate scan). The longest keyword that fits a
    side at each place counts, and the least distance of all: this is what the last one on the
    left and the first on the right of each word give (a find and an rfind per word and number,
    as it was done before)."""
    if places is None:
        places = _word_places(rule, text, min(left[0], right[0]), max(left[1], right[1]))
    if not places and not rule.patterns and not rule.spanning:
        return None  # the usual case, told by one scan
    left_pen, right_pen, relative_pen, max_distance, relative_noun = _distance_terms()
    best: float | None = None
    # 对12家存在统计违法行为的企业下达责令改正通知书: after a preposition, what
    # stands before 的+noun describes the units; the action comes after it.
    action = right[0]
    if prep:
        rel = relative_noun.search(text, right[0], right[1])
        if rel:
            action = rel.end()
        right_pen = 0
    else:
        left_pen = 0
    l0, l1 = left
    r0, r1 = right
    for pos, lengths in places:
        if pos >= l0:
            for n in lengths:
                if pos + n <= l1:
                    d = l1 - pos - n + left_pen - n * 0.01
                    if best is None or d < best:
                        best = d
                    break
        if pos >= r0:
            for n in lengths:
                if pos + n <= r1:
                    d = pos - r0 + right_pen - n * 0.01
                    if prep and pos < action:
                        d += relative_pen  # before the describing clause ends
                    if best is None or d < best:
                        best = d
                    break
    for kw in rule.patterns:
        for km in kw.finditer(text, left[0], left[1]):
            d = left[1] - km.end() + left_pen
            d -= len(km.group()) * 0.01
            best = d if best is None else min(best, d)
        for km in kw.finditer(text, right[0], right[1]):
            d = km.start() - right[0] + right_pen
            if prep and km.start() < action:
                d += relative_pen
            d -= len(km.group()) * 0.01
            best = d if best is None else min(best, d)
    for kw in rule.spanning:
        # A phrase around the number (局党组先后3次召开会议专题研究…).
        km = kw.search(text, left[0], right[1])
        if km and km.start() < left[1] and km.end() > right[0]:
            best = 0.0 if best is None else min(best, 0.0)
    if best is not None and best > max_distance:
        return None
    return best


@dataclass(frozen=True)
class _GateIndex:
    """The gate literals of every rule of one unit, found in one scan (``_gate_scan``)."""

    pattern: re.Pattern[str]  # every literal, the longest first (``trie.longest_word``)
    rules_at: dict[str, frozenset[str]]  # a literal -> the rules one of whose literals begins it
    always: frozenset[str]  # rules with a pattern that may start anywhere: always tried
    # a literal -> for each rule with plain keywords that begin it, their lengths, the longest first
    words_at: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)


@cache
def _gate_index(unit: str) -> _GateIndex:
    """The gate of the rules a number with ``unit`` may count for (built once per unit)."""
    own: dict[str, set[str]] = {}
    always = set()
    for rule in _rules_for_unit(unit):
        if rule.gate_literals is None:
            always.add(rule.id)
        # A rule tried always still has its plain keywords scanned: ``_rule_places`` finds them here.
        for lit in rule.words if rule.gate_literals is None else rule.gate_literals:
            own.setdefault(lit, set()).add(rule.id)
    literals = sorted(own, key=lambda w: (-len(w), w))
    rules_at = {w: frozenset(r for p in literals if w.startswith(p) for r in own[p]) for w in literals}
    words_at: dict[str, dict[str, tuple[int, ...]]] = {}
    for w in literals:
        words_at[w] = {}
        for rule in _rules_for_unit(unit):
            lengths = _prefix_lengths(w, rule.words)
            if lengths:
                words_at[w][rule.id] = lengths
    return _GateIndex(longest_word(literals), rules_at, frozenset(always), words_at)


def _gate_scan(
    unit: str,
    text: str,
    lo: int,
    hi: int,
    known: tuple[int, frozenset[str], list[tuple[int, str]]] | None = None,
) -> tuple[frozenset[str], list[tuple[int, str]]]:
    """The rules of ``unit`` with a gate literal inside ``text[lo:hi]`` (the only ones
    ``_keyword_hits`` can find a keyword for when both sides of the number lie in there),
    and the places where a literal starts, with the longest one there.

    Why: one search per rule and number (a dozen rules share 家) was a tenth of
    extraction. One scan finds, at each position where any literal starts, the
    longest that fits before ``hi``; every literal that starts there is a prefix
    of it, so the rules it begins (``rules_at``) are exactly those with a literal
    at that position. The same places give each rule's plain keywords
    (``_rule_places``): every keyword of the rule that starts there and fits is a
    prefix of that longest literal.

    ``known``: the scan of ``text[known_lo:hi]`` (its lo, rules and places), with ``lo <= known_lo``:
    the places from there on are the same (the same longest literal fits before the same ``hi``),
    so this scan stops where that one starts (the clause before and the number's own words)."""
    index = _gate_index(unit)
    found = index.always
    places = []
    stop = hi if known is None else known[0]
    pattern, rules_at = index.pattern, index.rules_at
    m = pattern.search(text, lo, hi)
    while m is not None and m.start() < stop:
        pos, w = m.start(), m.group()
        places.append((pos, w))
        found = found | rules_at[w]
        m = pattern.search(text, pos + 1, hi)
    if known is not None:
        found, places = found | known[1], places + known[2]
    return found, places


def _rule_places(unit: str, rule_id: str, places: list[tuple[int, str]]) -> list[tuple[int, tuple[int, ...]]]:
    """The places of ``_gate_scan`` where a plain keyword of the rule starts, as ``_word_places`` gives them."""
    words_at = _gate_index(unit).words_at
    out = []
    for pos, w in places:
        lengths = words_at[w].get(rule_id)
        if lengths:
            out.append((pos, lengths))
    return out


@cache
def _clause_excluded() -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
    """``clause_excludes`` and ``clause_patterns`` of rules/mentions.yaml as one pattern searched in
    the text between the clause's bounds, and the patterns that may anchor at the clause's start
    (or look before it), searched in the clause alone. A match of the alternation is a match of one of its parts, and
    the reverse. The anchored ones stay apart: joined to the others they made the engine try every
    alternative at every character (four times the instructions), where alone each is tried at the
    start only and the rest skip to the characters that may begin them."""
    lex = rules.load("mentions")
    # A pattern that looks at text it does not consume (^, \A, \b, a look-behind: the clause's
    # start or before it) sees the same only in the clause cut out: it is searched there.
    sliced = [p for p in lex["clause_patterns"] if not starts.consumes_only(p, 0)]
    free = [rules.any_word(lex["clause_excludes"]).pattern, *(p for p in lex["clause_patterns"] if p not in sliced)]
    anchored = tuple(re.compile(p) for p in sliced)
    # Joined bare: an alternation inside a group hides its first characters from the engine.
    return re.compile("|".join(free)), anchored


_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _UnitRules:
    """The rules of one unit as ``_classify`` walks them (built once per unit)."""

    rules: tuple[IndicatorRule, ...]  # catalogue order
    noun_rules: tuple[IndicatorRule, ...]  # those with not_nouns, asked of every number


@cache
def _unit_rules(unit: str) -> _UnitRules:
    """The unit's rules and those with not_nouns, split once per unit rather than per number."""
    rs = _rules_for_unit(unit)
    return _UnitRules(rs, tuple(r for r in rs if r.not_nouns))


def _barred(rule: IndicatorRule, text: str, left: Span, start: int) -> bool:
    """``_only_not_nouns`` of the nouns before the number (``_own_nouns``), by two searches when the
    rule's words hold no joiner's character: no word can then meet a joiner, so it stands in one of
    the nouns exactly when it stands in the words they are split from."""
    if rule.any_not_noun is None or rule.any_keep_noun is None:
        return _only_not_nouns(rule, _own_nouns(text, left, start))
    return (
        rule.any_not_noun.search(text, left[0], start) is not None
        and rule.any_keep_noun.search(text, left[0], start) is None
    )


def _admits(rule: IndicatorRule, text: str, m: Mention) -> bool:
    """The rule's tests of the number's clause and sentence: venues, excluded and required words."""
    if rule.venue_units and m.unit in rule.venue_units and not _venue_visited(rule, text, m):
        return False
    c0, c1 = m.clause
    if rule.excludes and rule.any_exclude.search(text, c0, c1):
        return False
    if rule.sentence_excludes and rule.any_sentence_exclude.search(text, m.sentence[0], m.sentence[1]):
        return False
    return not (rule.requires and not rule.any_require.search(text, c0, c1))


def _classify(
    text: str,
    m: Mention,
    left: Span,
    right: Span,
    prep: bool | None,
    prev_clause: Span | None,
    prev_claimed: set[str],
    part_clause: bool = False,
    parts_total: bool = False,
) -> None:
    """Decide which indicators a mention counts for (fills ``m.indicators``).

    ``parts_total``: the clause sums the clauses before it (两批共40家), so it may
    take an indicator they claimed. ``prep``: a preposition stands before the number
    (``_preposition`` of the left words); None: found here, only if a keyword is looked for.

    Why the order of the tests: a rule is first asked whether a keyword can stand in
    reach (the gates, one scan for all the unit's rules); only then are its clause
    tests run and its keywords looked for. The tests are pure, so the order changes
    no result; the not_nouns test is run for every rule that has one, as it bars the
    number from the rule (``m.barred``) whatever else holds.
    """
    free, anchored = _clause_excluded()
    if free.search(text, m.clause[0], m.clause[1]):
        return
    if anchored:
        clause_text = text[m.clause[0] : m.clause[1]]
        for p in anchored:
            if p.search(clause_text):
                return
    if _any_of("right_excludes").search(text, right[0], min(right[1], right[0] + 16)):
        return
    unit = _unit_rules(m.unit)
    barred = frozenset(r.id for r in unit.noun_rules if _barred(r, text, left, m.start)) if unit.noun_rules else _NONE
    lo, hi = min(left[0], right[0]), max(left[1], right[1])
    gated, places = _gate_scan(m.unit, text, lo, hi)
    hits: dict[str, float] = {}
    admitted: set[str] = set()
    for rule in [r for r in unit.rules if r.id in gated and r.id not in barred]:
        if not _admits(rule, text, m):
            continue
        admitted.add(rule.id)
        if prep is None:  # asked only where a keyword is looked for
            prep = bool(_preposition().search(text, left[0], left[1]))
        d = _keyword_hits(rule, text, left, right, prep, _rule_places(m.unit, rule.id, places))
        if d is not None:
            hits[rule.id] = d
    lent: dict[str, float] = {}  # hits found only in the clause before
    if prev_clause is not None:
        # The clause before may lend its keyword unless one of its own numbers claimed
        # it; a part (其中…) reads on from the whole's clause.
        window = (prev_clause[0], left[1]) if part_clause else prev_clause
        lent_lo, lent_hi = window[0], max(window[1], right[1])
        known = (lo, gated, places) if lent_hi == hi and lent_lo <= lo else None
        lent_gated, lent_places = _gate_scan(m.unit, text, lent_lo, lent_hi, known)
        unclaimed = part_clause or parts_total
        for rule in unit.rules:
            rid = rule.id
            if rid not in lent_gated or rid in hits or rid in barred or not (unclaimed or rid not in prev_claimed):
                continue
            if not (rid in admitted if rid in gated else _admits(rule, text, m)):
                continue  # a gated rule not admitted was not tried; another is asked now
            d = _keyword_hits(rule, text, window, (right[1], right[1]), False, _rule_places(m.unit, rid, lent_places))
            if d is None:
                continue
            if rule.excludes and rule.any_exclude.search(text, window[0], window[1]):
                continue  # a keyword the rule rules out where it stands is not lent (含投诉建议14条，…)
            lent[rid] = d + rules.load("mentions")["previous_clause_penalty"] + (left[1] - left[0])
    m.barred = barred
    if not hits and not lent:
        return
    all_rules = indicator_rules()
    # The clause before names the kind of units counted here: it refines a general
    # indicator (与市场监管局联合开展“双随机”抽查，共检查企业11家), or stands alone.
    for ind, d in lent.items():
        if not hits or all_rules[ind].parent in hits:
            hits[ind] = d
    if len(hits) == 1:  # the usual case: no parent to drop, no other to share with
        for best, d in hits.items():
            m.indicators, m.distance = [best], d
        return
    if not hits:
        return
    # A specific indicator wins over the general one it rolls up into.
    for ind in list(hits):
        parent = all_rules[ind].parent
        if parent in hits:
            del hits[parent]
    best = min(hits, key=hits.__getitem__)
    m.indicators = [best]
    m.distance = hits[best]
    # Overlapping indicators (a joint 双随机 check is also random) share the number.
    context = text[(prev_clause[0] if lent and prev_clause else left[0]) : right[1]]
    for other in hits:
        if other == best:
            continue
        pair = all_rules[best].also.get(other) or all_rules[other].also.get(best)
        if pair and any(w in context for w in pair):
            m.indicators.append(other)


@cache
def _joiner_split() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, rules.load("mentions")["joiners"])))


def _own_nouns(text: str, left: Span, start: int) -> list[str]:
    """The nouns a number counts: the list before it, from its clause or the
    previous number on (宣传资料500份、宣传品200份 → 宣传品 for 200; 小册子和环保袋等
    物资共500份 → 小册子, 环保袋等物资: a mixed total)."""
    words = text[left[0] : start]
    return [p for p in _joiner_split().split(words) if p] or [words]


def _only_not_nouns(rule: IndicatorRule, nouns: list[str]) -> bool:
    """The list counts things the indicator rules out (宣传品, 海报 …) and none of
    its own (资料, 手册): receivers and verbs in the list (向部门和企业发放) are neutral."""
    return any(w in n for n in nouns for w in rule.not_nouns) and not any(
        w in n for n in nouns for w in rule.keep_nouns
    )


def _venue_visited(rule: IndicatorRule, text: str, m: Mention) -> bool:
    """走进9个社区开展普法宣传: places gone to count as events only in an outreach
    sentence, never in a clause about inspections or surveys, nor as receivers
    (向30家企业发放宣传资料)."""
    sentence = text[m.sentence[0] : m.sentence[1]]
    clause = text[m.clause[0] : m.clause[1]]
    went = any(w in text[m.clause[0] : m.start] for w in rule.venue_verbs)
    outreach = any(w in sentence for w in rule.venue_requires)
    return went and outreach and not any(w in clause for w in rule.venue_excludes)


@cache
def _furniture() -> tuple[re.Pattern[str], int, int]:
    """The page furniture pattern, the longest widget line, and the reach before a number."""
    lex = rules.load("mentions")
    return _compiled("page_furniture"), lex["page_furniture_line"], lex["page_furniture_reach"]


def _page_furniture(text: str, start: int) -> bool:
    """Navigation, counters and widgets of a web page (浏览次数：356次, 下一篇：…2次).

    Looks only within a bounded window, so a page saved as one long line stays linear.
    Asked of every number without first scanning the whole report for a widget word:
    its windows (at most a line of ``page_furniture_line`` characters around the
    number) hold fewer characters than the report, and a report with no widget word
    anywhere has none in them either."""
    pattern, longest, reach = _furniture()
    line_start = text.rfind("\n", max(0, start - longest), start) + 1  # 0 also when the line is longer
    if pattern.search(text, max(line_start, start - reach), start):
        return True
    if line_start == 0 and start > longest:  # no line break in the ``longest`` characters before (the rfind)
        return False  # the line is longer than a widget line
    line_end = text.find("\n", start, line_start + longest + 1)
    if line_end < 0:
        if line_start + longest < len(text):
            return False
        line_end = len(text)
    return bool(pattern.search(text, line_start, line_end))


_Gated = tuple[re.Pattern[str] | None, re.Pattern[str]]


def _with_gate(pattern: re.Pattern[str]) -> _Gated:
    """``pattern`` and, when it is worth it, a class of characters one of which every match holds.

    Why: a pattern that may start anywhere (other_period opens with a look-behind)
    or at several characters is tried position by position; most clauses hold none
    of its required characters (``starts.required_chars``), which one class scan
    tells. A pattern with one literal first character is left alone: the engine
    already skips to it as fast."""
    first = starts.first_chars(pattern)
    chars = starts.required_chars(pattern)
    pattern = starts.charset_led(pattern)  # then tried only where a first character stands
    if chars is None or (first is not None and len(first) == 1):
        return None, pattern
    return re.compile(f"[{''.join(map(re.escape, sorted(chars)))}]"), pattern


@cache
def _sentence_excludes() -> _Gated:
    """The ``sentence_excludes`` patterns as one (a match where any of them matches), gated (``_with_gate``)."""
    joined = "|".join(f"(?:{p.pattern})" for p in _compiled_list("sentence_excludes")) or "(?!)"
    return _with_gate(re.compile(joined))


def _found(gated: _Gated, s: str) -> bool:
    """``pattern.search(s)`` found a match, asked only when the gate finds a required character."""
    gate, pattern = gated
    return (gate is None or gate.search(s) is not None) and pattern.search(s) is not None


@cache
def _alternation(*keys: str) -> re.Pattern[str]:
    """The patterns ``keys`` (``_compiled``) as one: it finds a match in a string exactly
    where one of them does, in one call instead of one each (a call costs more than
    the scan of the few characters before a number)."""
    return re.compile("|".join(f"(?:{_compiled(k).pattern})" for k in keys))


@cache
def _head_checks() -> tuple[_Gated, re.Pattern[str], re.Pattern[str]]:
    """What the head of a number's clause is searched with: intentions, other periods and
    differences as one gated pattern (``_with_gate``); and, for a sentence that starts
    before the clause, intentions with differences, and other periods alone.
    Built once, not looked up by name for every number."""
    return (
        _with_gate(_alternation("future_clause", "other_period", "difference")),
        starts.charset_led(_alternation("future_clause", "difference")),
        starts.charset_led(_compiled("other_period")),
    )


@cache
def _per_number() -> tuple[re.Pattern[str], int] | None:
    """``frequency`` (ten characters before the number) and ``per_item`` (sixteen) as one
    pattern searched over sixteen, and that reach; None when a frequency could be longer
    than ten characters, which the wider reach would then find where it was not looked for."""
    longest = _parser.parse(_compiled("frequency").pattern).getwidth()[1]
    return (_alternation("frequency", "per_item"), 16) if longest <= 10 else None


def _not_this_years_count(text: str, start: int, clause: Span, sentence: Span) -> bool:
    """Frequencies, intentions, next year's plans and other bodies' figures."""
    per_number = _per_number()
    if per_number is not None:
        if per_number[0].search(text, max(clause[0], start - per_number[1]), start):
            return True
    elif _compiled("frequency").search(text, max(clause[0], start - 10), start) or _compiled("per_item").search(
        text, max(clause[0], start - 16), start
    ):
        return True
    head = text[clause[0] : start]
    (gate, all_three), two, other = _head_checks()
    if sentence[0] == clause[0]:  # the sentence's head is the clause's: one search for the three
        if (gate is None or gate.search(head) is not None) and all_three.search(head) is not None:
            return True
    elif two.search(head) or other.search(text[sentence[0] : start]):
        return True
    return _sentence_not_counted(text[sentence[0] : sentence[1]])


@lru_cache(maxsize=64)
def _sentence_not_counted(sentence_text: str) -> bool:
    """A plan sentence or another body's figures: asked once per sentence, not once per number in it."""
    return bool(_compiled("plan_sentence").match(sentence_text) or _found(_sentence_excludes(), sentence_text))


def _read_numbers(text: str, excluded: list[Span]) -> list[Mention]:
    """Every number with a unit that may count this year's work, in text order."""
    lex = rules.load("mentions")
    found: list[Mention] = []
    not_before = _units_not_before()
    frequency_after = _compiled("frequency_after")
    numbers, inverted = _scan_numbers(text, _excluded_tail(text, excluded))
    for mt in numbers:
        start, end = mt.span()
        if inside(start, excluded):
            continue  # in a next-year plan: dropped below anyway, tested first as it is the cheapest test
        if _is_word_part(text, mt):
            continue
        num, mult, post, unit = mt.group("num", "mult", "post", "unit")
        if unit in not_before and not_before[unit].match(text, end):
            continue  # 八部委, 8个地区: the unit word starts another word
        if frequency_after.match(text, end):
            continue  # 1次/年: a frequency
        value = parse_number(num, mult or "")
        m = Mention(start, end, value or 0.0, _qualifier(text, start, end, post or ""), unit, (0, 0))
        m.distance = -1 if value is None else 0
        found.append(m)
    for mt in inverted:
        value = parse_number(mt.group("num"), mt.group("mult") or "")
        if value is None:
            continue
        qual = "exact"
        if mt.group("pre"):
            qual = next(q for q, ws in lex["qualifiers_before"].items() if mt.group("pre") in ws)
        elif mt.group("post"):
            qual = "at_least"
        unit = lex["inverted_units"][mt.group("noun")]
        found.append(Mention(mt.start("num"), mt.end(), value, qual, unit, (0, 0)))
    tabs = "\t" in text  # a table row's cells are split by tabs: most reports have none
    for mt in _table_cell_pattern().finditer(text) if tabs else ():
        value = parse_number(mt.group("num"))
        if value is not None:
            found.append(Mention(mt.start("num"), mt.end(), value, "exact", mt.group("unit"), (0, 0)))
    cells, table_spans = read_tables(text, _all_units()) if tabs else ([], [])
    for c in cells:
        m = Mention(c.start, c.end, c.value, "exact", c.unit, c.row, labels=c.labels, total=c.total, part=c.part)
        found.append(m)
    out = []
    population = _compiled("population_frame")
    for m in sorted(found, key=attrgetter("start")):
        start = m.start
        if m.distance < 0 or inside(start, excluded):
            continue
        if m.labels is not None:  # a table cell: its labels are its words
            m.sentence, m.context = m.clause, text[m.clause[0] : m.clause[1]]
            out.append(m)
            continue
        if table_spans and inside(start, table_spans):
            continue  # read by the table reader
        clause, sentence = m.clause, m.sentence = _clause_and_sentence(text, start)
        if _in_name(text, start, sentence) or _not_this_years_count(text, start, clause, sentence):
            continue
        if _page_furniture(text, start):  # its windows, not the whole report: fewer characters scanned
            continue
        if "中" in text[m.end : clause[1]] and population.search(text, clause[0], start):
            continue  # 从全区1480家联网直报单位中随机抽取60家: the pool, not a count
        out.append(m)
    return out


def _excluded_tail(text: str, excluded: list[Span]) -> int | None:
    """Where an excluded span that runs to the end of the text starts (a closing next-year plan),
    or None: a number or inverted noun from there on would start inside it and be dropped, so
    none is looked for there (the scan of a quarter of a report's characters, measured)."""
    tails = [s for s, e in excluded if e >= len(text)]
    return min(tails) if tails else None


def _covers_all(excluded: list[Span], length: int) -> bool:
    """One excluded span holds the whole text (a plan document): every mention, which
    starts inside the text, would be dropped, so none is looked for."""
    return any(s <= 0 and e >= length for s, e in excluded)


def find_mentions(norm: Normalized, excluded: list[Span]) -> list[Mention]:
    """Every counted number of the year's work, with the indicators it counts for."""
    text = norm.text
    if _covers_all(excluded, len(text)):
        return []  # a plan: every number, zero word and form row stands in the excluded span
    lex = rules.load("mentions")
    mentions = _read_numbers(text, excluded)
    starts = [m.start for m in mentions]  # sorted: mentions come in text order
    respective = _respectively(text, mentions)
    joiners = lex["joiners"]
    right_cuts = [*joiners, "("]
    parts_total, restate_frame = _compiled("parts_total"), _compiled("restate_frame")
    part_markers, markers = _any_of("part_markers"), _any_marker()
    total_markers, year_markers = _any_of("total_markers"), _any_of("year_markers")
    restate_marker, restate_reach = _restate_marker_pattern()
    left_starts: dict[int, int] = {}
    # The clause before a clause, and what its numbers claimed: the same for every number of the
    # clause (the numbers before it are classified by then), so found once per clause.
    prev_of: int | None = None
    prev_clause: Span | None = None
    prev_claimed: set[str] = set()
    for i, m in enumerate(mentions):
        if m.labels is not None:
            row_label = m.labels[1] if len(m.labels) > 1 else (m.end, m.end)
            corner = m.labels[2] if len(m.labels) > 2 else None
            _classify(text, m, m.labels[0], row_label, False, corner, set())
            continue
        c0, c1 = m.clause
        prev = mentions[i - 1] if i > 0 and mentions[i - 1].clause == m.clause else None
        nxt = mentions[i + 1] if i + 1 < len(mentions) and mentions[i + 1].clause == m.clause else None
        left_start = c0
        if prev is not None:
            between = text[prev.end : m.start]
            cut = max((between.rfind(j) + len(j) for j in joiners if j in between), default=-1)
            left_start = prev.end + cut if cut >= 0 else prev.end
            if not _without_joiners(between, joiners).strip():
                left_start = left_starts[i - 1]  # 培训共6期20人次: both numbers read the same words
        left_starts[i] = left_start
        left = (left_start, m.start)
        right_end = c1
        if nxt is not None:
            # 抽查二十七家、跨部门联合检查三家: the words after the joiner belong to the next number.
            between = text[m.end : nxt.start]
            cut = min((between.find(j) for j in right_cuts if j in between), default=-1)
            right_end = m.end + cut if cut >= 0 else nxt.start
        right = (m.end, right_end)
        if prev_of != c0:
            prev_of, prev_clause, prev_claimed = c0, None, set()
            if c0 > 0 and text[c0 - 1] not in SENTENCE_END:
                prev_clause = _bounds(text, c0 - 1, CLAUSE_END)
                prev_claimed = {ind for o in _between(mentions, starts, prev_clause) for ind in o.indicators}
        if i in respective:
            _classify(text, m, respective[i], (m.end, m.end), False, None, set())
        else:
            # Both flags only matter when the clause before may lend a keyword (``_classify``);
            # the sum only for a keyword one of its numbers claimed.
            # 党组会议21次，其中专题研究法治建设工作4次: a part is read with the whole's subject.
            part_clause = prev_clause is not None and prev is None and part_markers.match(text, c0) is not None
            sums_before = bool(prev_claimed) and bool(parts_total.match(text[c0 : m.start]))
            _classify(text, m, left, right, None, prev_clause, prev_claimed, part_clause, sums_before)
        clause_head = text[c0 : m.start]
        if prev_clause is not None and text[c0 - 1] in ":\t":  # 检查企业数：38家 / a table row's label
            clause_head = text[prev_clause[0] : m.start]
        if markers.search(clause_head):  # most heads hold none of the three lists' words: one search
            m.total = bool(total_markers.search(clause_head))
            m.year_total = bool(year_markers.search(clause_head))
            m.part = m.part or bool(part_markers.search(clause_head))
        else:
            m.total = m.year_total = False
        m.context = text[c0:c1]
        m.restated = bool(restate_frame.search(clause_head)) and "中" in text[m.end : c1]
        if m.restated:  # what follows in the sentence breaks the restated figure down
            for o in mentions[i + 1 :]:
                if o.sentence == m.sentence:
                    o.part = True
        m.restated |= restate_marker.search(text, max(c0, m.start - restate_reach - 1), m.start) is not None
    _share_predicates(text, mentions)
    _refer_back(text, mentions, starts)
    found = [m for m in mentions if m.indicators]
    rows = _label_rows(text, excluded)
    return sorted(found + rows, key=lambda m: m.start) if rows else found


@cache
def _any_marker() -> re.Pattern[str]:
    """total_markers, year_markers and part_markers as one pattern: where it finds none, none of
    the three lists has a word (``find_mentions`` then skips their own searches)."""
    lex = rules.load("mentions")
    return rules.any_word([*lex["total_markers"], *lex["year_markers"], *lex["part_markers"]])


@cache
def _restate_marker_pattern() -> tuple[re.Pattern[str], int]:
    """A restate marker (该, 上述 …) ending at the end or one character before it, and the longest marker:
    searched from that many characters (and one) before a number, inside its clause (对该6家企业)."""
    words = rules.load("mentions")["restate_markers"]
    return re.compile(f"(?:{rules.any_word(words).pattern})(?s:.)?\\Z"), max(map(len, words), default=0)


def _label_rows(text: str, excluded: list[Span]) -> list[Mention]:
    """Rows of a standard form flattened one cell per line (行政处罚 / | / 0 under
    本年处理决定数量): a label line, then its bare number line (``label_rows``).

    Why: such forms give a count with no unit word, which no other reading finds."""
    out: list[Mention] = []
    for spec in rules.load("mentions").get("label_rows") or []:
        if spec["header"] not in text:
            continue
        for lm in re.finditer(rf"(?m)^[|\t ]*({spec['label']})[|\t ]*$", text):
            if inside(lm.start(1), excluded):
                continue
            if text.rfind(spec["header"], max(0, lm.start() - spec["header_reach"]), lm.start()) < 0:
                continue
            nm = _CELL_NUMBER.match(text, lm.end())
            if nm is None:
                continue
            span = (lm.start(1), nm.end(1))
            m = Mention(*span, float(nm.group(1)), "exact", "", span, span, [spec["indicator"]])
            m.context = text[span[0] : span[1]]
            out.append(m)
    return out


def _without_joiners(words: str, joiners: list[str]) -> str:
    """``words`` with every joiner (和, 、, 以及 …) taken out."""
    for j in joiners:
        words = words.replace(j, "")
    return words


def _between(mentions: list[Mention], starts: list[int], span: Span) -> list[Mention]:
    """The mentions that start inside ``span``, by binary search on their sorted starts.

    Why: looking through every mention for every mention made extraction grow
    with the square of the figures in a document; this keeps it n log n."""
    return mentions[bisect_left(starts, span[0]) : bisect_left(starts, span[1])]


def _refer_back(text: str, mentions: list[Mention], starts: list[int]) -> None:
    """发现统计违法企业2家，均依法作出行政处罚: the clause after a count, with no
    number of its own, says what was also done to the same units."""
    refer_back = _compiled("refer_back")
    for m in mentions:
        c1 = m.clause[1]
        if c1 >= len(text) or text[c1] in SENTENCE_END:
            continue
        # The clause ends on a stop (a row's on its line end), so the next starts right after it:
        # its words are matched before its end is looked for, which most never need.
        if not refer_back.match(text, c1 + 1):
            continue
        nxt = _bounds(text, c1 + 1, CLAUSE_END)
        # The referring clauses run on while they carry no number of their own
        # (均为首次违法且情节轻微，依法免予处罚，责令限期改正).
        end = nxt[1]
        while end < len(text) and text[end] not in SENTENCE_END:
            after = _bounds(text, end + 1, CLAUSE_END)
            if _between(mentions, starts, after):
                break
            end = after[1]
        span = (nxt[0], end)
        if _between(mentions, starts, span) or re.search(r"未|没有|无", text[span[0] : span[1]]):
            continue  # 均未发现统计违法问题: a zero, read by the zero words
        for rule in indicator_rules().values():
            if m.unit not in rule.units or rule.id in m.indicators or rule.parent in m.indicators:
                continue
            if any(w in text[span[0] : span[1]] or w in m.context for w in rule.excludes):
                continue
            if _keyword_hits(rule, text, (span[0], span[0]), span, True) is not None:
                m.indicators.append(rule.id)


def _respectively(text: str, mentions: list[Mention]) -> dict[int, Span]:
    """A、B和C分别为20家、6家和8家: the k-th number is described by the k-th noun.

    Returns, for each mention so paired, the span of its noun."""
    pattern = _compiled("respectively")
    marker = rules.load("mentions")["respectively_marker"]
    out: dict[int, Span] = {}
    for i, m in enumerate(mentions):
        if i in out or (i > 0 and mentions[i - 1].clause == m.clause):
            continue
        if text.find(marker, m.clause[0], m.start) < 0:
            continue  # no 分别 before the number: the pattern cannot match
        head = pattern.search(text, m.clause[0], m.start)
        if head is None:
            continue
        run = [i]  # the mentions of this clause follow each other in text order
        while run[-1] + 1 < len(mentions) and mentions[run[-1] + 1].clause == m.clause:
            run.append(run[-1] + 1)
        nouns, pos = [], head.start("nouns")
        for part in re.split(r"(、|和|及|与|以及)", head.group("nouns")):
            if part and not re.fullmatch(r"、|和|及|与|以及", part):
                nouns.append((pos, pos + len(part)))
            pos += len(part)
        if len(nouns) == len(run) > 1:
            out.update(zip(run, nouns, strict=True))
    return out


def _share_predicates(text: str, mentions: list[Mention]) -> None:
    """An enumeration shares its predicate: 分别对1054名街镇统计人员、83名部门统计人员
    和1763名企业统计人员开展培训 — every number counts for what the last one does."""
    joiners = rules.load("mentions")["joiners"]

    def listed(a: Mention, b: Mention) -> bool:
        between = text[a.end : b.start]
        # 《统计检查查询书》12份、《责令改正通知书》7份: a number with a named noun of its own does not share.
        own_noun = "《" in text[a.clause[0] : a.start].split("、")[-1] if a.clause == b.clause else False
        listed_ = a.clause == b.clause and a.unit == b.unit and len(between) <= 15
        return listed_ and any(j in between for j in joiners) and not own_noun

    for i in range(len(mentions) - 2, -1, -1):  # the predicate after the list
        m, nxt = mentions[i], mentions[i + 1]
        if not m.indicators and nxt.indicators and listed(m, nxt):
            m.indicators, m.distance = [i for i in nxt.indicators if i not in m.barred], nxt.distance
    for i in range(1, len(mentions)):  # the noun before the list (检查企业数分别为8家、12家…)
        prev, m = mentions[i - 1], mentions[i]
        if not m.indicators and prev.indicators and listed(prev, m):
            m.indicators, m.distance = [i for i in prev.indicators if i not in m.barred], prev.distance


def find_zero_mentions(norm: Normalized, excluded: list[Span]) -> dict[str, list[Mention]]:
    """Zero words: 无行政复议和行政诉讼案件 → 0 cases; not in a problems section, nor
    in a clause about some units only, a wish or a checklist question
    (``zero_clause_excludes``)."""
    out: dict[str, list[Mention]] = {}
    if _covers_all(excluded, len(norm.text)):
        return out  # a plan: no zero word can stand outside the excluded span
    not_zero = _any_of("zero_clause_excludes")
    problems: tuple[Span, ...] | None = None  # looked up on the first zero word only
    for rule in indicator_rules().values():
        for pat in rule.zero:
            for zm in starts.finditer(pat, norm.text):
                if inside(zm.start(), excluded):
                    continue
                if problems is None:
                    problems = problems_of(norm.text)
                if inside(zm.start(), problems):
                    continue  # 乡镇未开展执法检查 under 存在问题 is a shortfall, not a zero
                clause = _bounds(norm.text, zm.start(), CLAUSE_END)
                if not_zero.search(norm.text, clause[0], clause[1]):
                    continue
                out.setdefault(rule.id, []).append(
                    Mention(zm.start(), zm.end(), 0.0, "exact", "", clause, [rule.id])
                )
    return out
