"""The faster readings agree with the plain ones they replace, on real text and on odd text.

Why: each speed-up in extraction (the gazetteer automaton over UTF-8 bytes,
numbers tried only where a numeral starts, clause bounds by bisect, the
cached encoding weights) claims to give exactly what the slower code gave;
these tests hold each claim against a straightforward reimplementation.
"""

from __future__ import annotations

import random
import re
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
        assert [(m.span(), m.groupdict()) for m in mentions._number_matches(text)] == want
    assert len(list(mentions._number_matches(TEXTS[0]))) > 5  # the seeds hold counted numbers


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
        assert read._plausibility(text) == read._plausibility_by_char(text)
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
            gated = mentions._gated(unit, text, a, d)
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
