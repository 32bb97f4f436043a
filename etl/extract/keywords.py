"""Which indicator keywords a document says at all: one automaton pass per document.

Why: a number is read against the keywords of every indicator its unit may
count for, about 150 times per report, each a ``str.rfind``/``str.find`` per
plain word and a ``re.finditer`` per regular keyword over its clause; most of
those words never occur in the document. One Aho–Corasick pass finds the
plain keywords and the literal starts of the regular ones that do occur, and
the others are skipped at the cost of a set lookup. The words that occur are
still looked up in the clause with ``str.rfind``/``str.find`` (a clause is a few
dozen characters: cheaper than keeping and searching every offset), and a
regular keyword still decides by its own expression, so the records do not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from etl.extract.automaton import Utf8Automaton

_SPECIAL = set("\\.[]()*+?{}|^$")
_QUANTIFIERS = set("?*{")


def literal_start(pattern: str) -> str:
    """The characters every match of ``pattern`` starts with ("" when unsure).

    Conservative: only a leading run of plain characters, minus the last one
    when a quantifier follows it (``ab?``), and nothing when the pattern has
    an alternation outside parentheses (``a|b``)."""
    depth = 0
    escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ""
    n = 0
    while n < len(pattern) and pattern[n] not in _SPECIAL:
        n += 1
    if n < len(pattern) and pattern[n] in _QUANTIFIERS:
        n -= 1
    return pattern[: max(n, 0)]


class KeywordIndex:
    """Which of a fixed set of literals occur in one text (one automaton pass)."""

    def __init__(self, automaton: Utf8Automaton, text: str) -> None:
        self.present = automaton.keys_in(text)

    def __contains__(self, word: str) -> bool:
        return word in self.present


def automaton(words: Iterable[str]) -> Utf8Automaton:
    """One automaton over the non-empty ``words``."""
    return Utf8Automaton((w, None) for w in sorted(set(words)) if w)


def literal_starts(patterns: Iterable[re.Pattern[str]]) -> dict[re.Pattern[str], str]:
    """Each pattern's literal start (see ``literal_start``)."""
    return {p: literal_start(p.pattern) for p in patterns}
