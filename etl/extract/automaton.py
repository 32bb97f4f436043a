"""An Aho–Corasick automaton that runs over UTF-8 bytes and answers in characters.

Why: ``pyahocorasick`` finds a node's child by scanning its children one by
one, and over Chinese text the root has a child for every first character of
every key (thousands for the gazetteer), so each character of a document
costs a scan of them all. Over UTF-8 (each byte as one latin-1 character) a
node has at most a few dozen children, and the scan is ten times faster.
UTF-8 is self-synchronising: a key's first byte is never a continuation
byte, so every match starts and ends on a character boundary and the matches
are exactly those over the characters, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import ahocorasick


def _bytes_str(text: str) -> str:
    """``text`` as one latin-1 character per UTF-8 byte (what the automaton reads)."""
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class Utf8Automaton:
    """Keys to values; ``iter_long``/``iter`` yield ``(start, end, key, value)`` in characters."""

    def __init__(self, items: Iterable[tuple[str, Any]]) -> None:
        self._auto = ahocorasick.Automaton()
        for key, value in items:
            self._auto.add_word(_bytes_str(key), (key, value))
        self._auto.make_automaton()

    def __len__(self) -> int:
        return len(self._auto)

    def _chars(self, data: bytes, found: Iterable[tuple[int, tuple[str, Any]]]) -> Iterator[tuple[int, int, str, Any]]:
        """Byte ends to character spans, decoding each stretch of ``data`` once (matches come in end order).

        A generator: a profiler counts each match it yields as a call, and charges it the
        automaton's own scan (the C iterator it pulls from is not profiled apart)."""
        pos = chars = 0
        for end, (key, value) in found:
            end += 1
            if end > pos:
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
        return self._chars(data, self._auto.iter_long(data.decode("latin-1")))

    def iter(self, text: str) -> Iterator[tuple[int, int, str, Any]]:
        """Every match, overlapping ones included, in the order of their ends."""
        data = text.encode("utf-8", "surrogatepass")
        return self._chars(data, self._auto.iter(data.decode("latin-1")))
