"""An Aho–Corasick automaton that runs over UTF-8 bytes and answers in characters.

Why: ``pyahocorasick`` finds a node's child by scanning its children one by
one, and over Chinese text the root has a child for every first character of
every key (thousands for the gazetteer), so each character of a document
costs a scan of them all. Over UTF-8 (each byte as one latin-1 character) a
node has at most a few dozen children, and the scan is ten times faster.
UTF-8 is self-synchronising: a key's first byte is never a continuation
byte, so every match starts and ends on a character boundary and the matches
are exactly those over the characters, in the same order.

Given a sample of the text it will read, the automaton adds its keys in the
order of that text's most frequent characters (``_scan_order``): a node's
children are searched one by one in the order they were added, so the
children a text steps to most are found first. The order changes no match
(the trie and its failure links are the same whatever order the keys come
in), only the cost of the scan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

import ahocorasick


def _bytes_str(text: str) -> str:
    """``text`` as one latin-1 character per UTF-8 byte (what the automaton reads)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


def _scan_order(sample: str) -> Callable[[str], str]:
    """A sort key under which keys are added, at every node, the child ``sample`` steps to most first.

    Why: pyahocorasick looks a byte up among a node's children one by one, and the node after a
    lead byte has dozens (a continuation byte for each block of 64 characters some key starts
    in); the comparisons were three quarters of the gazetteer scan's instructions. A node's
    child is weighed by how many characters of ``sample`` open with the bytes from the
    character's first byte to the child's (the weights of a character's bytes depend on that
    character alone): the same for every node reached by those bytes, so
    sorting the keys by these weights, byte by byte, adds each node's children in their order.
    The key is a string (a weight and a byte a character each), compared in C. Measured with
    the rule files as the sample: the gazetteer scan 1.40 -> 1.19 M instructions a report."""
    weights: Counter[bytes] = Counter()
    for ch, n in Counter(sample).items():
        data = ch.encode("utf-8", "surrogatepass")
        for end in range(1, len(data) + 1):
            weights[data[:end]] += n

    @cache
    def part(ch: str) -> str:
        """A character's bytes, each after its weight."""
        data = ch.encode("utf-8", "surrogatepass")
        ends = range(1, len(data) + 1)
        return "".join(chr(0xFFFF - min(weights[data[:end]], 0xFFFF)) + chr(data[end - 1]) for end in ends)

    def order(key: str) -> str:
        return "".join(map(part, key))

    return order


class Utf8Automaton:
    """Keys to values; ``iter_long``/``iter`` yield ``(start, end, key, value)`` in characters.

    ``sample``: text like the text to be scanned (only the scan's speed depends on it)."""

    def __init__(self, items: Iterable[tuple[str, Any]], sample: str = "") -> None:
        self._auto = ahocorasick.Automaton()
        if sample:
            order = _scan_order(sample)
            items = sorted(items, key=lambda kv: order(kv[0]))
        for key, value in items:
            self._auto.add_word(_bytes_str(key), (key, value))
        self._auto.make_automaton()

    def __len__(self) -> int:
        return len(self._auto)

    def _chars(
        self, text: str, data: bytes, found: Iterable[tuple[int, tuple[str, Any]]]
    ) -> Iterator[tuple[int, int, str, Any]]:
        """Byte ends to character spans (matches come in end order).

        A match's key ends at the one character whose bytes since the last match's end add up
        to what the automaton says; a character is 1 to 4 bytes, so that character lies in a
        window those bounds give. When the key stands once in the window (``str.find``, twice),
        that is the match; else (8% of the gazetteer's matches in the synthetic decade) the
        stretch is decoded and counted. Why: decoding the stretches up to each match decoded
        most of a report (95 of the scan's 1,190 thousand instructions a report).

        A generator: a profiler counts each match it yields as a call, and charges it the
        automaton's own scan (the C iterator it pulls from is not profiled apart)."""
        pos = chars = 0  # the same point of the text in bytes and in characters
        for end, (key, value) in found:
            end += 1
            if end > pos:
                gap = end - pos  # bytes, the key's included
                lo, hi = chars + (gap + 3) // 4, chars + gap  # where the key's last character can end
                first = text.find(key, max(0, lo - len(key)), hi)
                if first >= 0 and text.find(key, first + 1, hi) < 0:
                    chars = first + len(key)
                else:
                    chars += len(data[pos:end].decode("utf-8", "surrogatepass"))
                pos = end
            elif end < pos:  # overlapping matches (``iter``) may end before the last one
                chars_end = chars - len(data[end:pos].decode("utf-8", "surrogatepass"))
                yield chars_end - len(key), chars_end, key, value
                continue
            yield chars - len(key), chars, key, value

    def iter_long(self, text: str) -> Iterator[tuple[int, int, str, Any]]:
        """The longest non-overlapping matches, left to right."""
        data = text.encode("utf-8", "surrogatepass")  # encoded once, for the scan and for the offsets
        return self._chars(text, data, self._auto.iter_long(data.decode("latin-1")))

    def iter(self, text: str) -> Iterator[tuple[int, int, str, Any]]:
        """Every match, overlapping ones included, in the order of their ends."""
        data = text.encode("utf-8", "surrogatepass")
        return self._chars(text, data, self._auto.iter(data.decode("latin-1")))
