"""Matches of a regular expression found from its possible first characters.

Why: a pattern that opens with an alternation (``(?:未|没有)…``) makes the
regular-expression engine test a character class at every position of a
report, a few microseconds per pattern and document; fifteen zero-word
patterns did so over every report. ``str.find`` of each first character is a
memchr-speed scan, and the pattern is then tried only where one stands: the
same matches, in the same order, as ``finditer``.
"""

from __future__ import annotations

import _sre  # builds a pattern object from compiled code, as re._compiler.compile does
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from itertools import accumulate
from re import _compiler, _parser
from re import _constants as sre  # the parser's node kinds (private, stable since 3.11)

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


def _first(items: list) -> frozenset[str] | None:
    """The characters a match of the node list must start with, or None when unsure."""
    if not items:
        return None  # may match nothing at all
    op, av = items[0]
    if op is sre.LITERAL:
        return frozenset((chr(av),))
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _first(sub.data)
    if op is sre.BRANCH:
        found: set[str] = set()
        for branch in av[1]:
            chars = _first(branch.data)
            if chars is None:
                return None
            found |= chars
        return frozenset(found)
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
        return frozenset(chr(code) for _, code in av)
    if op in _REPEATS and av[0] >= 1:
        return _first(av[2].data)
    return None


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Every match of ``pattern`` starts with one of these characters (None: could not tell)."""
    return _first_chars(pattern.pattern, pattern.flags)


@cache
def _first_chars(source: str | bytes, flags: int) -> frozenset[str] | None:
    """``first_chars`` by the pattern's source. Why not cached by the pattern: a compiled
    pattern's hash digests its whole compiled code on every lookup (a tenth of reading
    the zero words), a source string hashes once."""
    if flags & re.IGNORECASE or not isinstance(source, str):
        return None
    return _first(_parser.parse(source, flags).data)


def _required(items: list) -> list[frozenset[str]]:
    """Sets of characters each of which a match of the node list must hold one of.

    Only what a match consumes counts: look-arounds may read outside the
    searched stretch (a look-behind before ``pos``), so their contents never do."""
    out: list[frozenset[str]] = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(frozenset((chr(av),)))
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
            out.append(frozenset(chr(code) for _, code in av))
        elif op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            out += _required(av[3].data)
        elif op in _REPEATS and av[0] >= 1:
            out += _required(av[2].data)
        elif op is sre.BRANCH:
            per_branch = [_required(branch.data) for branch in av[1]]
            if all(per_branch):
                out.append(_union(per_branch))
    return out


def _union(per_branch: list[list[frozenset[str]]]) -> frozenset[str]:
    """One set per branch, chosen so that their union is small (it gates a search).

    Greedy: the set adding the fewest characters, ties to the characters most
    branches could give (年 of 近五年来, 历年, 多年来 rather than 近, 历, 多)."""
    popular: dict[str, int] = {}
    for sets in per_branch:
        for ch in set().union(*sets):
            popular[ch] = popular.get(ch, 0) + 1
    chosen: frozenset[str] = frozenset()
    for sets in per_branch:
        best = min(sets, key=lambda s: (len(s - chosen), -sum(popular[c] for c in s) / len(s), sorted(s)))
        chosen |= best
    return chosen


def required_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which stands inside every match of ``pattern`` (None: could not tell).

    Why: a pattern whose matches may start anywhere (one opening with a
    look-behind or ``^``) is tried at every position of the stretch searched;
    when none of these characters stands there (one C scan), no match can."""
    return _required_chars(pattern.pattern, pattern.flags)


@cache
def _required_chars(source: str | bytes, flags: int) -> frozenset[str] | None:
    """``required_chars`` by the pattern's source (hashed once, see ``_first_chars``)."""
    if flags & re.IGNORECASE or not isinstance(source, str):
        return None
    found = _required(_parser.parse(source, flags).data)
    return min(found, key=len) if found else None


def positions(text: str, ch: str) -> list[int]:
    """Where ``ch`` (a character or a string) starts in ``text``, by ``str.find`` (memchr speed)."""
    out = []
    i = text.find(ch)
    while i >= 0:
        out.append(i)
        i = text.find(ch, i + 1)
    return out


@lru_cache(maxsize=64)
def _positions(text: str, ch: str) -> tuple[int, ...]:
    """Where ``ch`` stands in ``text`` (kept for the few patterns of a document that share it)."""
    return tuple(positions(text, ch))


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, tried only where one of its first characters stands."""
    chars = first_chars(pattern)
    if chars is None or len(chars) == 1:  # one first character: the engine's own literal search is as fast
        yield from pattern.finditer(text)
        return
    candidates = sorted(i for ch in chars for i in _positions(text, ch))
    pos = 0
    for c in candidates:
        if c < pos:
            continue
        m = pattern.match(text, c)
        if m is not None:
            yield m
            pos = m.end()


_ASSERTIONS = (sre.AT, sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS)


def _assertion_free(items: list) -> bool:
    """No node of the list, at any depth, looks at text it does not consume (anchors, look-arounds,
    back references)."""
    for op, av in items:
        if op in _ASSERTIONS:
            return False
        if op is sre.SUBPATTERN and not _assertion_free(av[3].data):
            return False
        if op is sre.BRANCH and not all(_assertion_free(b.data) for b in av[1]):
            return False
        if op in _REPEATS and not _assertion_free(av[2].data):
            return False
        if op is getattr(sre, "ATOMIC_GROUP", None) and not _assertion_free(av.data):
            return False
    return True


@cache
def consumes_only(source: str, flags: int) -> bool:
    """Whether a match of the pattern depends on nothing but the characters it consumes."""
    return _assertion_free(_parser.parse(source, flags).data)


def lines_with(pattern: re.Pattern[str], text: str, lines: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """``(index, offset, line)`` of every line of ``text`` (``lines``: its ``split("\\n")``) on which
    ``pattern.finditer(line)`` may find something, found in the whole text.

    Why: trying the pattern line by line costs a call per line, and a date stands on few lines.
    A match on a line is a match in the whole text at the same place when the pattern looks at
    nothing but what it consumes, so a line where the whole text has no match has none. The
    whole text is tried where one of the literal strings every match opens with stands
    (``prefixes``, found by ``str.find``), or else searched (a regular-expression search tests
    the pattern's first characters at every character, some forty instructions each). Any
    other pattern gets every line."""
    if not consumes_only(pattern.pattern, pattern.flags):
        pos = 0
        for i, line in enumerate(lines):
            yield i, pos, line
            pos += len(line) + 1
        return
    offsets = [0, *accumulate(len(line) + 1 for line in lines)]
    heads = prefixes(pattern.pattern, pattern.flags)
    if heads is None:
        pos = 0
        while (m := pattern.search(text, pos)) is not None:
            i = bisect_right(offsets, m.start()) - 1
            yield i, offsets[i], lines[i]
            pos = offsets[i + 1]
        return
    pos = 0
    for c in sorted({i for head in heads for i in positions(text, head)}):
        if c >= pos and pattern.match(text, c) is not None:
            i = bisect_right(offsets, c) - 1
            yield i, offsets[i], lines[i]
            pos = offsets[i + 1]


def _heads(items: list) -> frozenset[str] | None:
    """The literal strings a match of the node list opens with (one of them), or None when unsure."""
    lead = ""
    for op, av in items:
        if op is sre.LITERAL:
            lead += chr(av)
            continue
        inner = None
        if op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            inner = _heads(av[3].data)
        elif op is sre.BRANCH:
            found: set[str] = set()
            for branch in av[1]:
                heads = _heads(branch.data)
                if heads is None:
                    return None if not lead else frozenset((lead,))
                found |= heads
            inner = frozenset(found)
        if inner is not None:
            return frozenset(lead + head for head in inner)
        break
    return frozenset((lead,)) if lead else None


@cache
def prefixes(source: str, flags: int) -> frozenset[str] | None:
    """Literal strings of which every match of the pattern starts with one (None: could not tell).

    ``(?:19|20)\\d{2}年`` gives {"19", "20"}: two strings to find instead of two characters, each
    of which stands many times more often in a report."""
    if not isinstance(source, str):
        return None
    parsed = _parser.parse(source, flags)
    return None if parsed.state.flags & re.IGNORECASE else _heads(parsed.data)


_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_SET_ITEMS = (sre.LITERAL, sre.RANGE, sre.CATEGORY)


def _first_set(items: list) -> list | None:
    """Character-set items (literals, ranges, categories) one of which the first character a match
    of the node list consumes is, or None when unsure. Unlike ``_first``, anchors and look-arounds
    are passed over: they consume nothing, so the first character is the next node's."""
    for i, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue
        if op is sre.LITERAL:
            return [(op, av)]
        if op is sre.IN:
            return list(av) if all(kind in _SET_ITEMS for kind, _ in av) else None
        if op is sre.SUBPATTERN:
            return None if av[1] & re.IGNORECASE else _first_set([*av[3].data, *items[i + 1 :]])
        if op is sre.BRANCH:
            found = []
            for branch in av[1]:
                chars = _first_set([*branch.data, *items[i + 1 :]])
                if chars is None:
                    return None
                found += chars
            return found
        if op in _REPEATS and av[0] >= 1:
            return _first_set(av[2].data)
        return None
    return None  # may consume nothing


def charset_led(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` compiled again with the characters its matches start with in its optimisation
    block, where the compiler put none; else ``pattern`` itself. The same matches: the block only
    tells the engine where it need not try.

    Why: the compiler finds a pattern's first characters only when every alternative opens with a
    plain literal; one opening with a group (``(?:对|为)…``) or a look-behind (``(?<![查划])计划``)
    leaves it none, and a ``search`` then runs the whole pattern at every position, twelve
    alternatives each for the prepositions. With the set, it tests each character against it
    in one step and tries the pattern only where one stands (the head, preposition and
    sentence-exclude searches: 3% of a report's instructions)."""
    try:
        return _charset_led(pattern)
    except (AttributeError, TypeError, ValueError, RuntimeError):
        # The compiler's internals (``_sre.compile``, ``_compiler._code``) are private: on a Python
        # whose internals differ, the pattern runs as compiled, only slower.
        return pattern


def _charset_led(pattern: re.Pattern[str]) -> re.Pattern[str]:
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return pattern
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    code = _compiler._code(parsed, pattern.flags)
    # <INFO> <skip> <flags> <min> <max> …: flags 0 is no prefix and no set; min 0 a pattern that
    # may match the empty string, at a position whatever character stands there.
    if code[0] is not sre.INFO or code[2] != 0 or code[3] == 0 or parsed.state.flags & re.IGNORECASE:
        return pattern
    chars = _first_set(parsed.data)
    if chars is None:
        return pattern
    info = [sre.INFO, 0, sre.SRE_INFO_CHARSET, code[3], code[4]]
    charset, _cased = _compiler._optimize_charset(chars)
    _compiler._compile_charset(charset, pattern.flags, info)
    info[1] = len(info) - 1
    groups = parsed.state.groupdict
    names = [None] * parsed.state.groups
    for name, index in groups.items():
        names[index] = name
    body = code[1 + code[1] :]
    return _sre.compile(pattern.pattern, pattern.flags, info + body, parsed.state.groups - 1, groups, tuple(names))
