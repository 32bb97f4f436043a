"""The faster readings agree with the plain ones they replace, on real text and on odd text.

Why: each speed-up in extraction (the gazetteer automaton over UTF-8 bytes,
numbers tried only where a numeral starts, clause bounds by bisect, the
cached encoding weights) claims to give exactly what the slower code gave;
these tests hold each claim against a straightforward reimplementation.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import ahocorasick
import pytest

from etl.extract import mentions, read, regions
from etl.extract.automaton import Utf8Automaton
from etl.extract.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    normalize(p.read_text(encoding="utf-8")).text
    for folder in (ROOT / "data" / "raw", ROOT / "data" / "corpus" / "real")
    for p in sorted(folder.glob("*.txt"))
]


def _walk_bounds(text: str, pos: int, stops: str) -> tuple[int, int]:
    """The character walk ``mentions._bounds`` used to do."""
    start = pos
    while start > 0 and text[start - 1] not in stops:
        start -= 1
    end = pos
    while end < len(text) and text[end] not in stops:
        end += 1
    return start, end


def test_utf8_automaton_finds_what_a_character_automaton_finds() -> None:
    keys = ["上海市", "上海", "海市", "普陀区", "a", "ab", "abc", "𠀀区", "é", "统计局"]
    chars = ahocorasick.Automaton()
    for k in keys:
        chars.add_word(k, k)
    chars.make_automaton()
    fast = Utf8Automaton((k, k) for k in keys)
    rng = random.Random(7)
    alphabet = "上海市普陀区统计局abcé𠀀,。\n "
    samples = [*TEXTS, *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500))]
    for text in samples:
        want_long = [(e - len(k) + 1, e + 1, k) for e, k in chars.iter_long(text)]
        assert [(s, e, k) for s, e, k, _ in fast.iter_long(text)] == want_long
        want_all = [(e - len(k) + 1, e + 1, k) for e, k in chars.iter(text)]
        assert [(s, e, k) for s, e, k, _ in fast.iter(text)] == want_all
        for s, e, k, _ in fast.iter(text):
            assert text[s:e] == k


def test_gazetteer_automaton_matches_place_names_at_character_offsets() -> None:
    text = "关于上海市普陀区统计局2023年法治政府建设情况的报告"
    found = [(s, e) for s, e, _k, _v in regions._automaton().iter_long(text)]
    assert any(text[s:e] == "上海市" for s, e in found)
    assert regions.resolve(text).district == "普陀区"


@pytest.mark.parametrize("stops", [mentions.CLAUSE_END, mentions.SENTENCE_END])
def test_bounds_by_bisect_equal_the_character_walk(stops: str) -> None:
    rng = random.Random(3)
    odd = ["".join(rng.choice("ab,;。\n\t:!?") for _ in range(rng.randint(0, 25))) for _ in range(300)]
    for text in [*TEXTS, *odd, ""]:
        for pos in range(0, len(text) + 1, max(1, len(text) // 200)):
            assert mentions._bounds(text, pos, stops) == _walk_bounds(text, pos, stops)


def test_numbers_tried_at_numerals_equal_finditer() -> None:
    pattern = mentions._mention_pattern()
    extra = ["共检查企业61家、个体户二十七户,百余家", "１２家", "2,500人次", "十二万余人", "第五次", "", "家家户户",
             "1234,5678家", "12.5年3.5家", "2023年12月3家", "一十二万人次", "三二一家", "1,234,567家", "0.5万余人"]
    # Numbers are read in normalised text, where full-width digits are already ASCII.
    for text in [*TEXTS, *(normalize(t).text for t in extra)]:
        want = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in mentions._scan_numbers(text)[0]] == want
    assert len(list(mentions._scan_numbers(TEXTS[0])[0])) > 5  # the seeds hold counted numbers


def test_cached_character_weights_score_as_before() -> None:
    def plain(text: str) -> float:  # the per-character scoring the cache replaced
        text = text[: read._SAMPLE_CHARS]
        total, n, previous = 0.0, 0, False
        for i, ch in enumerate(text):
            if ch.isspace():
                previous = False
                continue
            n += 1
            if ch.isascii() and ch.isalpha():
                following = i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalpha()
                total += 1.0 if previous or following else 0.3
                previous = True
                continue
            previous = False
            total += read._char_weight(ch)
        return total / n if n else 1.0

    rng = random.Random(11)
    data = ROOT.joinpath("data", "raw").glob("*.txt")
    right = [p.read_bytes().decode("utf-8") for p in data]
    wrong = [t.encode("gb18030").decode("utf-16-le", "replace") for t in right]  # a wrong reading
    odd = [rng.randbytes(4000).decode("latin-1"), "GDP App a b 中文 x", "a", "", " x y"]
    for text in [*right, *wrong, *odd]:
        assert read._plausibility(text) == pytest.approx(plain(text), abs=1e-12)  # summed in another order
    assert min(map(read._plausibility, right)) > 0.9 > max(map(read._plausibility, wrong))


def test_plausibility_by_runs_is_the_per_character_sum_to_the_bit() -> None:
    """Cutting out the runs of weight 1 gives the very float the per-character sum gave."""
    rng = random.Random(12)
    right = [p.read_bytes().decode("utf-8") for p in ROOT.joinpath("data", "raw").glob("*.txt")]
    gbk = [t.encode("gb18030").decode("gb18030") for t in right]
    wrong = [t.encode("gb18030").decode(codec, "replace") for t in right for codec in ("utf-16-le", "latin-1", "big5")]
    odd = [rng.randbytes(4000).decode("latin-1"), "GDP App a b 中文 x", "a", "", " x y", "镕喆 é 一", "①Ⅱ≥■·×"]
    for text in [*right, *gbk, *wrong, *odd]:
        by_char = read._weighed(Counter(text[: read._SAMPLE_CHARS]), exact_only=False)  # every character, in order
        assert by_char is not None
        assert read._plausibility(text) == read._score(text[: read._SAMPLE_CHARS], *by_char)
    one = read._one()
    weight_one = [ch for ch in map(chr, range(0x20, 0x10000)) if one.fullmatch(ch)]
    assert len(weight_one) > 6763 and all(read._char_weight(ch) == 1.0 and not ch.isspace() for ch in weight_one)
    assert not one.search("aZ \n\u3000é\uac00")  # letters, spaces, 0.3 and 0 stay out


def _odd_texts() -> list[str]:
    rng = random.Random(7)
    alphabet = "未没有无零不发现违法行为举报投诉复议诉讼案件为0件起,。\n 涉及统计检查"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300))) for _ in range(200)]


def test_matches_from_first_characters_equal_finditer() -> None:
    from etl.extract import starts

    patterns = [z for r in mentions.indicator_rules().values() for z in r.zero]
    patterns += [mentions._inverted_pattern(), mentions._mention_pattern()]
    assert sum(starts.first_chars(p) is not None and len(starts.first_chars(p)) > 1 for p in patterns) >= 10
    for text in [*TEXTS, *_odd_texts(), ""]:
        for p in patterns:
            assert [m.span() for m in starts.finditer(p, text)] == [m.span() for m in p.finditer(text)], p.pattern


def test_first_characters_are_none_when_a_match_may_start_anywhere() -> None:
    import re

    from etl.extract import starts

    assert starts.first_chars(re.compile("(?:未|没有)发现")) == frozenset("未没")
    assert starts.first_chars(re.compile("[举投](?:报|诉)")) == frozenset("举投")
    for loose in ("(?:未)?发现", "(?:无|)举报", "[^。]举报", ".未", "(?i)ab", "a*b", r"\d件", "^未"):
        assert starts.first_chars(re.compile(loose)) is None, loose


def test_cleaned_text_maps_back_character_by_character() -> None:
    """Every cleaned character comes from the original character at its offset (folded to half width)."""
    originals = [
        p.read_text(encoding="utf-8")
        for folder in (ROOT / "data" / "raw", ROOT / "data" / "corpus" / "real")
        for p in sorted(folder.glob("*.txt"))
    ]
    originals += ["## 一、**共计**检查 61 家，\r\n覆盖2,500人次\n", "", "\n\n", "１２ 家\n（二）"]
    for original in originals:
        norm = normalize(original)
        for i, ch in enumerate(norm.text):
            src = original[norm.offset(i)]
            assert ch == (chr(ord(src) - 0xFEE0) if "\uff01" <= src <= "\uff5e" else src)
        offsets = [norm.offset(i) for i in range(len(norm.text))]
        assert offsets == sorted(set(offsets))  # one for one, in order


def test_zone_bureaus_equal_finditer() -> None:
    import re

    pattern = re.compile(regions._rules()["zone"].pattern + regions._rules()["bureau"])
    rng = random.Random(5)
    pieces = ["经济技术开发区", "经开区", "新区", "园区", "开发区", "统计局", "统计", "局", "武汉", "高新", "区", ",", "\n", "济"]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))) for _ in range(400)]
    for text in [*TEXTS, *odd, "", "统计局", "新区统计局统计局"]:
        assert [m.span() for m in regions._zone_bureaus(text)] == [m.span() for m in pattern.finditer(text)]


def test_gated_rules_are_those_with_a_gate_literal_in_reach() -> None:
    rng = random.Random(9)
    units = sorted({u for r in mentions.indicator_rules().values() for u in r.units})
    assert sum(bool(r.patterns) and r.gate_literals is not None for r in mentions.indicator_rules().values()) >= 3
    for text in [*TEXTS, *_odd_texts()]:
        for _ in range(40):
            a, b, c, d = sorted(rng.randrange(0, len(text) + 1) for _ in range(4))
            unit = rng.choice(units)
            gated = mentions._gate_scan(unit, text, a, d)[0]
            for rule in mentions._rules_for_unit(unit):
                lits = rule.gate_literals
                plain = lits is None or any(text.find(w, a, d) >= 0 and text.find(w, a, d) + len(w) <= d for w in lits)
                assert (rule.id in gated) == plain, (rule.id, text[a:d])
                if rule.id not in gated:
                    for prep in (False, True):
                        assert mentions._keyword_hits(rule, text, (a, b), (c, d), prep) is None, rule.id


def test_rules_read_by_libyaml_are_what_the_python_parser_reads() -> None:
    import yaml

    from etl.extract import rules

    for path in sorted(rules.RULES_DIR.glob("*.yaml")):
        assert rules.load(path.stem) == yaml.safe_load(path.read_text(encoding="utf-8")), path.name


def test_numbers_tried_where_a_unit_follows_equal_finditer_on_odd_text() -> None:
    """The numeral scan's look-ahead (a unit's first character after the numeral) drops no match."""
    pattern = mentions._mention_pattern()
    rng = random.Random(13)
    alphabet = "0123456789,. 一二十百千万亿两零余多家人次年个场名件第统进步\n,。"
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(3000)]
    for text in odd:
        want = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in mentions._scan_numbers(text)[0]] == want, text


def _rule_patterns() -> list:
    import re

    from etl.extract import rules

    lex = {**rules.load("document"), **rules.load("mentions")}
    found = [re.compile(v) for v in lex.values() if isinstance(v, str) and any(c in v for c in "(|[^$\\")]
    found += [re.compile(v) for v in lex.values() if isinstance(v, list) for v in v if isinstance(v, str) and "(" in v]
    found += [p for r in mentions.indicator_rules().values() for p in (*r.zero, *r.patterns)]
    return found


def test_required_characters_stand_in_every_match() -> None:
    import re

    from etl.extract import starts

    assert starts.required_chars(re.compile("(?:^|,)(?:根据|据)")) == frozenset("据")
    assert starts.required_chars(re.compile("(?<![一二])近五年来|历年|多年来")) == frozenset("年")
    assert starts.required_chars(re.compile("(?<![查划])计划|拟")) in (frozenset("计拟"), frozenset("划拟"))
    for loose in ("(?:a)?", "a*", "(?=a)", "(?i)a", r"\d", ".", "[^a]", "a|"):
        assert starts.required_chars(re.compile(loose)) is None, loose
    patterns = _rule_patterns()
    gated = [p for p in patterns if starts.required_chars(p) is not None]
    assert len(gated) >= 20
    rng = random.Random(17)
    alphabet = "".join(sorted({c for p in gated for c in starts.required_chars(p)})) + "近五年来过去2023十历多比同上的,。\n共检查"
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(1500)]
    for text in [*TEXTS, *odd]:
        for p in gated:
            chars = starts.required_chars(p)
            for m in p.finditer(text):
                assert any(c in m.group() for c in chars), (p.pattern, m.group())
            a, b = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
            if not any(c in text[a:b] for c in chars):
                assert p.search(text[a:b]) is None, (p.pattern, text[a:b])
                assert p.search(text, a, b) is None, (p.pattern, text[a:b])


def test_not_this_years_count_equals_one_search_per_pattern() -> None:
    """The joined and gated searches (``_alternation``, ``_per_number``, ``_with_gate``) say what
    one search per pattern over its own stretch said."""
    c = mentions._compiled

    def plain(text: str, start: int, clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
        head, sentence_text = text[clause[0] : start], text[sentence[0] : sentence[1]]
        return bool(
            c("frequency").search(text, max(clause[0], start - 10), start)
            or c("per_item").search(text, max(clause[0], start - 16), start)
            or c("future_clause").search(head)
            or c("other_period").search(text[sentence[0] : start])
            or c("difference").search(head)
            or c("plan_sentence").match(sentence_text)
            or any(p.search(sentence_text) for p in mentions._compiled_list("sentence_excludes"))
        )

    rng = random.Random(19)
    words = ["每年", "每个乡镇", "每季度", "计划", "拟", "近五年来", "历年", "比上年", "同比", "据市统计局通报", "国家统计局显示",
             "明年", "下一步", "检查", "企业", "共", "十三五期间", "3年来", "2023年", ",", "。", "\n", "达到", "确定"]
    odd = ["".join(rng.choice(words) for _ in range(rng.randrange(1, 14))) for _ in range(1500)]
    for text in [*TEXTS, *odd]:
        for _ in range(30):
            start = rng.randrange(0, len(text) + 1)
            clause = mentions._bounds(text, start, mentions.CLAUSE_END)
            sentence = mentions._bounds(text, start, mentions.SENTENCE_END)
            assert mentions._not_this_years_count(text, start, clause, sentence) == plain(text, start, clause, sentence)


def test_clause_and_sentence_equal_their_own_bounds() -> None:
    rng = random.Random(23)
    odd = ["".join(rng.choice("ab,;。\n\t:!?") for _ in range(rng.randint(0, 25))) for _ in range(600)]
    for text in [*TEXTS, *odd, ""]:
        for pos in range(0, len(text) + 1, max(1, len(text) // 300)):
            want = (mentions._bounds(text, pos, mentions.CLAUSE_END), mentions._bounds(text, pos, mentions.SENTENCE_END))
            assert mentions._clause_and_sentence(text, pos) == want, (text, pos)


def _keyword_hits_by_word(rule, text: str, left, right, prep: bool) -> float | None:  # noqa: ANN001
    """The find/rfind per word ``mentions._keyword_hits`` did before its one scan (patterns and spans as there)."""
    from etl.extract import rules

    lex = rules.load("mentions")
    best = None
    rel = mentions._compiled("relative_noun").search(text, right[0], right[1]) if prep else None
    action = rel.end() if rel else right[0]
    left_pen = lex["left_penalty_after_preposition"] if prep else 0
    right_pen = 0 if prep else lex["right_penalty"]
    for w in rule.words:
        pos = text.rfind(w, left[0], left[1])
        if pos >= 0:
            d = left[1] - pos - len(w) + left_pen - len(w) * 0.01
            best = d if best is None else min(best, d)
        pos = text.find(w, right[0], right[1])
        if pos >= 0:
            d = pos - right[0] + right_pen - len(w) * 0.01
            if prep and pos < action:
                d += lex["relative_clause_penalty"]
                after = text.find(w, action, right[1])
                if after >= 0:
                    d = min(d, after - right[0] - len(w) * 0.01)
            best = d if best is None else min(best, d)
    for kw in rule.patterns:
        for km in kw.finditer(text, left[0], left[1]):
            d = left[1] - km.end() + left_pen - len(km.group()) * 0.01
            best = d if best is None else min(best, d)
        for km in kw.finditer(text, right[0], right[1]):
            d = km.start() - right[0] + right_pen
            if prep and km.start() < action:
                d += lex["relative_clause_penalty"]
            d -= len(km.group()) * 0.01
            best = d if best is None else min(best, d)
    for kw in rule.spanning:
        km = kw.search(text, left[0], right[1])
        if km and km.start() < left[1] and km.end() > right[0]:
            best = 0.0 if best is None else min(best, 0.0)
    return None if best is not None and best > lex["max_distance"] else best


def _keyword_texts() -> list[str]:
    """Real texts, and odd ones made of the rules' own keywords (overlapping, nested, repeated)."""
    words = sorted({w for r in mentions.indicator_rules().values() for w in r.words})
    rng = random.Random(11)
    pieces = [*words, *words, "的企业", "对", "检查", "企业", "12家", ",", "。", "和", "、"]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))) for _ in range(300)]
    return [*TEXTS, *odd]


def test_keyword_scan_equals_a_find_per_word() -> None:
    """One scan for the places of all plain keywords gives the distance a find and rfind per word gave,
    whether the places come from the rule's own scan or from the unit's gate scan."""
    rng = random.Random(13)
    units = sorted({u for r in mentions.indicator_rules().values() for u in r.units})
    checked = 0
    for text in _keyword_texts():
        for _ in range(30):
            a, b, c, d = sorted(rng.randrange(0, len(text) + 1) for _ in range(4))
            unit = rng.choice(units)
            gated, places = mentions._gate_scan(unit, text, a, d)
            assert gated == mentions._gate_scan(unit, text, a, d)[0]
            for start in (a, b, c):  # the scan of a stretch before a scan already made, and that one
                assert mentions._gate_scan(unit, text, 0, d, (start, *mentions._gate_scan(unit, text, start, d))) == (
                    mentions._gate_scan(unit, text, 0, d)
                )
            for rule in mentions._rules_for_unit(unit):
                own = mentions._word_places(rule, text, a, d)
                assert mentions._rule_places(unit, rule.id, places) == own, rule.id
                for prep in (False, True):
                    want = _keyword_hits_by_word(rule, text, (a, b), (c, d), prep)
                    assert mentions._keyword_hits(rule, text, (a, b), (c, d), prep) == want, rule.id
                    assert mentions._keyword_hits(rule, text, (a, b), (c, d), prep, own) == want, rule.id
                    checked += want is not None
    assert checked > 1000


def test_longest_word_trie_equals_the_longest_first_alternation() -> None:
    import re

    from etl.extract.trie import longest_word

    rng = random.Random(17)
    alphabet = "检查企业统计执法双随机抽查,。"
    lists = [
        sorted({w for r in mentions.indicator_rules().values() for w in r.words}),
        ["检查", "检查企业", "检", "查企", "企业", "随机", "双随机抽查", "抽查"],
        [],
        ["a", "ab", "abc", "b", "bc", "(", ".", "|"],
    ]
    for words in lists:
        trie = longest_word(words)
        plain = re.compile("|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))) or "(?!)")
        texts = [*TEXTS[:20], *("".join(rng.choice(alphabet + "abc(.|") for _ in range(40)) for _ in range(300))]
        for text in texts:
            for _ in range(5):
                lo, hi = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
                for pos in range(lo, hi + 1):
                    got, want = trie.search(text, pos, hi), plain.search(text, pos, hi)
                    assert (got and got.span()) == (want and want.span()), (words[:5], text[pos:hi])


def test_barred_by_searches_equals_the_split_nouns() -> None:
    rng = random.Random(19)
    noun_rules = [r for r in mentions.indicator_rules().values() if r.not_nouns]
    assert noun_rules and all(r.any_not_noun is not None for r in noun_rules)
    words = sorted({w for r in noun_rules for w in (*r.not_nouns, *r.keep_nouns)})
    pieces = [*words, "和", "及", "与", "、", "以及", "发放", "份", "物资"]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))) for _ in range(500)]
    for text in [*TEXTS[:20], *odd]:
        for _ in range(10):
            a, b = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
            for rule in noun_rules:
                want = mentions._only_not_nouns(rule, mentions._own_nouns(text, (a, b), b))
                assert mentions._barred(rule, text, (a, b), b) == want, (rule.id, text[a:b])


def test_clause_excluded_is_any_of_its_parts() -> None:
    from etl.extract import rules

    lex = rules.load("mentions")
    words = mentions._any_of("clause_excludes")
    patterns = mentions._compiled_list("clause_patterns")
    rng = random.Random(23)
    pieces = [*lex["clause_excludes"], "区", "市", "市场监管局", "全市", "统计系统", "检查", "共"]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 8))) for _ in range(500)]
    hits = 0
    for clause in [*(c for t in TEXTS for c in t.split(",")), *odd]:
        want = bool(words.search(clause)) or any(p.search(clause) for p in patterns)
        free, anchored = mentions._clause_excluded()
        assert (bool(free.search(clause)) or any(p.search(clause) for p in anchored)) == want, clause
        hits += want
    assert hits > 50


def test_a_rule_tried_always_still_finds_its_words_in_the_gate_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule whose pattern may start anywhere (gate literals None) is gated always; its plain
    keywords must still be among the scan's places, or ``_classify`` would miss them."""
    import dataclasses

    unit = "家"
    rules_ = mentions._rules_for_unit(unit)
    changed = tuple(dataclasses.replace(r, gate_literals=None) if i % 2 == 0 else r for i, r in enumerate(rules_))
    monkeypatch.setattr(mentions, "_rules_for_unit", lambda u: changed if u == unit else rules_)
    mentions._gate_index.cache_clear()
    try:
        rng = random.Random(29)
        for text in _keyword_texts()[:200]:
            for _ in range(10):
                a, d = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
                gated, places = mentions._gate_scan(unit, text, a, d)
                for rule in changed:
                    if rule.gate_literals is None:
                        assert rule.id in gated
                    assert mentions._rule_places(unit, rule.id, places) == mentions._word_places(rule, text, a, d)
    finally:
        mentions._gate_index.cache_clear()


def test_lines_with_finds_every_line_a_pattern_matches_on() -> None:
    """Searching the whole text skips only lines on which the pattern finds nothing."""
    from etl.extract import metadata, starts

    dates = metadata._doc()["full_date"]
    rng = random.Random(13)
    odd = ["2023\n年5月1日\n2024年\n1月2日", "".join(rng.choice("20219年月日-/. \n\t") for _ in range(3000))]
    patterns = [dates, re.compile(r"\d+\s*家"), re.compile(r"(?<!\d)20\d{2}"), re.compile(r"^\s*来源")]
    for text in [*TEXTS, *odd]:
        lines = text.split("\n")
        for pattern in patterns:
            want = [(i, [m.span() for m in pattern.finditer(line)]) for i, line in enumerate(lines)]
            got = {i: (pos, line) for i, pos, line in starts.lines_with(pattern, text, lines)}
            assert all(got[i] == (sum(len(ln) + 1 for ln in lines[:i]), lines[i]) for i in got)
            assert [w for w in want if w[1]] == [(i, [m.span() for m in pattern.finditer(lines[i])]) for i in got
                                                 if pattern.search(lines[i])]
    assert starts.consumes_only(dates.pattern, dates.flags)
    assert not starts.consumes_only(r"(?<!\d)20\d{2}", 0) and not starts.consumes_only(r"a\b", 0)


def test_drops_by_first_characters_are_the_pattern_s_matches() -> None:
    """``normalize._drops`` finds by ``str.find`` exactly what ``DROPPED.finditer`` finds."""
    from etl.extract import normalize as norm

    rng = random.Random(14)
    raw = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    alphabet = "#*, \r\u3000\xa0\u2002\u2003\u2009\u200b\ufeff1234567890a中\n\t"
    odd = ["".join(rng.choice(alphabet) for _ in range(2000)) for _ in range(20)]
    odd += ["## 二、问题\n**加粗** 61 家，10,534家 1,23 12,3456\u3000\u3000x", "", "#", "**", "1,000,000"]
    for text in [*raw, *odd]:
        assert [m.span() for m in norm._drops(text)] == [m.span() for m in norm.DROPPED.finditer(text)]
    assert set(norm._DROP_START_CHARS) >= {m.group()[0] for t in odd for m in norm.DROPPED.finditer(t)}


def test_controls_read_on_utf8_bytes_are_those_of_the_text() -> None:
    """``read._utf8_has_controls(data)`` says what ``_has_controls`` says of the decoded text."""
    rng = random.Random(15)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "raw").glob("*.txt"))]
    pool = [chr(c) for c in [*range(0, 0x30), 0x7F, *range(0x80, 0xC0), 0xB7, 0x4E00, 0x2003, 0xFF0C, 0x1F600]]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randrange(0, 60))) for _ in range(3000)]
    texts += ["·°±×\u00ad", "\x85", "中\x9f", "a\x7f", "\t\n\x0b\x0c\r", "\x0e", "\xc2"]
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        assert read._utf8_has_controls(data) == read._has_controls(text), repr(text)


def test_prefixes_open_every_match() -> None:
    """Every match of a pattern starts with one of ``starts.prefixes``; unsure patterns give None."""
    from etl.extract import metadata, starts

    rng = random.Random(16)
    cases = ["abc", "ab(?:c|d)e", "(?:ab|cd)(?:e|f)", "ab|c\\d", "a(?:b|)c", "(?P<y>(?:19|20)\\d{2})年", "x(?:y|z)+"]
    text = "".join(rng.choice("abcdefxyz1920年\n") for _ in range(5000))
    for source in [*cases, metadata._doc()["full_date"].pattern]:
        heads = starts.prefixes(source, 0)
        assert heads
        assert all(any(m.group().startswith(h) for h in heads) for m in re.finditer(source, text))
    assert starts.prefixes(metadata._doc()["full_date"].pattern, 0) == {"19", "20"}
    for unsure in ["(?i)ab", "[ab]c", "a*b", "(ab)?c", "^ab", "(?i:a)b", "(?:x|y)+"]:
        assert starts.prefixes(unsure, 0) is None


def test_automaton_keys_added_in_scan_order_find_the_same_matches() -> None:
    """Adding the keys in the order of a sample's common characters changes the scan's cost only."""
    rng = random.Random(21)
    keys = ["上海市", "上海", "海市", "普陀区", "a", "ab", "abc", "𠀀区", "é", "统计局", "市统计局", "区统"]
    alphabet = "上海市普陀区统计局abcé𠀀,。\n "
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    for sample in ("", "区区区统计统计局abc", alphabet, TEXTS[0]):
        plain, ordered = Utf8Automaton((k, k) for k in keys), Utf8Automaton(((k, k) for k in keys), sample=sample)
        for text in [*TEXTS, *odd]:
            assert list(ordered.iter_long(text)) == list(plain.iter_long(text))
            assert list(ordered.iter(text)) == list(plain.iter(text))
    entries = list(regions._automaton()._auto.values())
    gazetteer = Utf8Automaton(entries)  # the same keys, added in another order (the trie's own) and no sample
    for text in [*TEXTS, *odd]:
        assert list(regions._automaton().iter_long(text)) == list(gazetteer.iter_long(text))


def test_utf8_automaton_offsets_found_by_search_equal_the_character_automaton_s() -> None:
    """Character offsets are found by searching each key in the window its byte count allows, and
    by decoding when it stands there twice: long texts of few characters, with keys repeated
    within a window and characters of 1 to 4 bytes, take both ways."""
    keys = ["上海市", "上海", "海市", "普陀区", "a", "ab", "abc", "𠀀区", "é", "统计局", "区统", "市上"]
    chars = ahocorasick.Automaton()
    for k in keys:
        chars.add_word(k, k)
    chars.make_automaton()
    fast = Utf8Automaton(((k, k) for k in keys), sample="上海市普陀区")
    rng = random.Random(22)
    alphabet = ["上海市", "普陀区", "统计局", "a", "b", "é", "𠀀", "，", "\n", "局", "x" * 30, "区" * 5, "上海"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        want_long = [(e - len(k) + 1, e + 1, k) for e, k in chars.iter_long(text)]
        assert [(s, e, k) for s, e, k, _ in fast.iter_long(text)] == want_long
        want_all = [(e - len(k) + 1, e + 1, k) for e, k in chars.iter(text)]
        assert [(s, e, k) for s, e, k, _ in fast.iter(text)] == want_all


def test_charset_led_patterns_find_what_the_plain_ones_find() -> None:
    """``starts.charset_led`` changes where the engine tries a pattern, never what it finds: the same
    search and finditer results (spans and groups) at any pos and endpos, on real and odd text."""
    from etl.extract import rules, starts

    cases = ["(?:^|,)(?:根据|据)[^,]{0,3}局", "(?<![查划])计划|拟", "(?:对|为)[^,]{0,5}的$", r"(?<!\d)[二三\d]{1,2}年(?:来|以来)",
             "(?P<a>甲|乙)(?P<b>丙)?", "(?=甲)甲乙|\\b丙", "(?:x|)y", "(?i)ab", "a*", "[^a]b", ".b", "(?:甲)+乙"]
    lex = {**rules.load("document"), **rules.load("mentions")}
    plain = [re.compile(c) for c in cases] + [re.compile(v) for v in lex.values() if isinstance(v, str) and "(" in v]
    plain += _rule_patterns() + [mentions._mention_pattern(), mentions._inverted_pattern()]
    led = [(p, starts.charset_led(p)) for p in plain]
    (_gate, head), two, other = mentions._head_checks()
    in_use = [mentions._preposition(), head, two, other, mentions._sentence_excludes()[1]]
    led += [(re.compile(q.pattern), q) for q in in_use]
    assert starts.charset_led(re.compile("a*")).pattern == "a*"  # may match empty: left alone
    assert sum(p is not q for p, q in led) >= 10
    rng = random.Random(29)
    alphabet = "据根局国,计划拟查对为的二三0123年来以甲乙丙xyab" + "".join(_odd_texts()[0][:40])
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(400)]
    for text in [*TEXTS[:40], *odd, ""]:
        for p, q in led:
            if p is q:
                continue
            assert [(m.span(), m.groups()) for m in q.finditer(text)] == [(m.span(), m.groups()) for m in p.finditer(text)]
            for _ in range(5):
                a, b = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
                found, want = q.search(text, a, b), p.search(text, a, b)
                assert (found and (found.span(), found.groups())) == (want and (want.span(), want.groups())), p.pattern


def test_one_scan_finds_the_inverted_nouns_finditer_finds() -> None:
    """The inverted readings found at the nouns of ``_start_scan`` are ``_inverted_pattern().finditer``'s,
    and the numbers the same scan finds are still ``_mention_pattern().finditer``'s."""
    from etl.extract import rules

    lex = rules.load("mentions")
    rng = random.Random(37)
    pieces = [*lex["inverted_units"], *"0123456789一二十百万亿余多(（)）:\t为达共,。家人次数场", "达到", "超过", "人次数", "次数人"]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))) for _ in range(3000)]
    inverted, number = mentions._inverted_pattern(), mentions._mention_pattern()
    found = 0
    for text in [*TEXTS, *odd]:
        numbers, nouns = mentions._scan_numbers(text)
        assert [(m.span(), m.groupdict()) for m in nouns] == [(m.span(), m.groupdict()) for m in inverted.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in numbers] == [(m.span(), m.groupdict()) for m in number.finditer(text)]
        found += len(nouns)
    assert found > 100


def test_a_scan_stopped_early_finds_the_matches_before_its_stop() -> None:
    """``_scan_numbers(text, stop)`` (the scan stopped at an excluded tail) finds the matches of the
    whole scan that start before ``stop``, even those that run past it."""
    rng = random.Random(41)
    alphabet = [*"0123456789一二十百万亿余多,. 家人次数场件", "人次", "人数", "家企业", "超过", "达到"]
    odd = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(1000)]
    for text in [*TEXTS, *odd]:
        numbers, nouns = mentions._scan_numbers(text)
        for stop in {0, len(text) // 2, len(text), *(rng.randrange(0, len(text) + 1) for _ in range(5))}:
            got = mentions._scan_numbers(text, stop)
            assert [m.span() for m in got[0]] == [m.span() for m in numbers if m.start() < stop]
            assert [m.span() for m in got[1]] == [m.span() for m in nouns if m.start() < stop]
    text = "下一步检查30家"
    assert mentions._excluded_tail(text, [(3, len(text))]) == 3
    assert mentions._excluded_tail(text, [(0, 2)]) is None


def _page_furniture_before(text: str, start: int) -> bool:
    """``mentions._page_furniture`` as it was, with its look for a line break in the slice before."""
    pattern, longest, reach = mentions._furniture()
    line_start = text.rfind("\n", max(0, start - longest), start) + 1
    if pattern.search(text, max(line_start, start - reach), start):
        return True
    if line_start == 0 and start > longest and "\n" not in text[start - longest : start]:
        return False
    line_end = text.find("\n", start, line_start + longest + 1)
    if line_end < 0:
        if line_start + longest < len(text):
            return False
        line_end = len(text)
    return bool(pattern.search(text, line_start, line_end))


def test_number_checks_equal_their_former_selves() -> None:
    """A Chinese numeral told by its first character, and page furniture without the second look
    for a line break, say what the class fullmatch and the former furniture test said."""
    from etl.extract.numbers import CHINESE

    rng = random.Random(43)
    pieces = [*"0123456789一二十百万亿零〇两,. 家人次\n", "浏览次数", "下一篇", "阅读量", "检查企业", "x" * 70]
    odd = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))) for _ in range(1500)]
    seen = 0
    for text in [*TEXTS, *odd]:
        for m in mentions._mention_pattern().finditer(text):
            num = m.group("num")
            assert (num[0] in mentions._CHINESE_NUMERALS) == bool(re.fullmatch(CHINESE, num)), num
        for start in {*range(0, len(text), max(1, len(text) // 50)), *(rng.randrange(0, len(text) + 1) for _ in range(5))}:
            assert mentions._page_furniture(text, start) == _page_furniture_before(text, start), (text, start)
            seen += _page_furniture_before(text, start)
    assert seen > 100
