"""Matches of a regular expression found from its possible first characters.

Why: a pattern that opens with an alternation (``(?:未|没有)…``) makes the
regular-expression engine test a character class at every position of a
report, a few microseconds per pattern and document; fifteen zero-word
patterns did so over every report. ``str.find`` of each first character is a
memchr-speed scan, and the pattern is then tried only where one stands: the
same matches, in the same order, as ``finditer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from re import _constants as sre  # the parser's node kinds (private, stable since 3.11)
from re import _parser

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


@lru_cache(maxsize=64)
def _positions(text: str, ch: str) -> tuple[int, ...]:
    """Where ``ch`` stands in ``text`` (kept for the few patterns of a document that share it)."""
    out = []
    i = text.find(ch)
    while i >= 0:
        out.append(i)
        i = text.find(ch, i + 1)
    return tuple(out)


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
