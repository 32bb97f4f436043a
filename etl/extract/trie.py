"""Word lists as one regular expression shaped like a trie (``longest_word``).

Why: an alternation of a hundred keywords (``a|b|c…``) makes the engine try every
word, one after the other, at each place where one of them may start; keyword
windows of a dozen characters were searched tens of times per report. Nested by
shared first characters, the engine reads each character once per branch
taken, and at a place where no word starts it fails on the first character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_Node = dict[str, "_Node"]
_END = ""  # the key that marks a word ending at a node


def _insert(root: _Node, word: str) -> None:
    node = root
    for ch in word:
        node = node.setdefault(ch, {})
    node[_END] = {}


def _emit(node: _Node) -> str:
    """The node's branches, each a character then its subtree; the end of a word, if one ends here, last."""
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word ends here: the longer words are tried first (greedy), this one if none fits.
    return f"(?:{body})?" if _END in node else body


def longest_word(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern that matches where one of ``words`` starts, and there the longest that fits
    (as ``"|".join`` of the words sorted the longest first does); never matches with no words.

    An empty word is left out (it would match everywhere, which no caller wants)."""
    root: _Node = {}
    for w in words:
        if w:
            _insert(root, w)
    body = _emit(root)
    return re.compile(body if body else "(?!)")
