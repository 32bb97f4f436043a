"""Normalise report text for matching while keeping a map back to the original.

Rules match on a cleaned copy (half-width digits, no spaces inside ``61 家``,
no markdown ``**``, sentences re-joined across line breaks), but every quote we
show must be verbatim in the original at its offsets. So each character of the
cleaned copy remembers the original index it came from, and quotes are always
cut from the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from etl.extract import starts

# A line that starts like a heading or an enumerated item: never glued to the
# line before it.
ENUMERATOR = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．)）]"
    r"|第[一二三四五六七八九十]+|[一二三四五六七八九十]是|\*\*)"
)
SENTENCE_END = set("。；;！!？?：:")
# A line ending in these stops mid-sentence, whatever its length.
MID_SENTENCE = set("、，,（(“《")
TITLE_END = ("报告", "总结", "要点", "计划", "方案", "文件", "通知", "意见", "思路", "安排")
# Lines shorter than this are headings or titles rather than a sentence broken
# by a page or paragraph wrap.
MIN_WRAPPED_LINE = 25


@dataclass(frozen=True)
class Normalized:
    """Cleaned text plus the map back to the original, as runs.

    Cleaned characters ``starts[k]`` onwards came from original index
    ``origins[k]`` onwards, one for one, up to the next run. Why runs and not
    one original index per character: a report has a few dozen runs (cut at
    each dropped space or re-joined line) in thousands of characters, and the
    per-character list was a fifth of normalising."""

    original: str
    text: str
    starts: list[int]
    origins: list[int]

    def offset(self, i: int) -> int:
        """The original index of cleaned character ``i``."""
        k = bisect_right(self.starts, i) - 1
        return self.origins[k] + i - self.starts[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the cleaned span ``[start, end)``."""
        if end <= start:
            pos = self.offset(start) if start < len(self.text) else len(self.original)
            return pos, pos
        return self.offset(start), self.offset(end - 1) + 1

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """The verbatim original text behind a cleaned span, with its offsets."""
        s, e = self.span(start, end)
        return self.original[s:e], s, e


# Full-width ASCII to half-width, so that ``６１家`` matches like ``61家``.


def _fold(text: str) -> str:
    """``text`` with full-width ASCII (U+FF01–FF5E) made half-width, one character for one.

    Why this way: ``str.translate`` looks every character of a report up in a
    dict, and a character class is tested character by character over Chinese
    text. The comma and its like are replaced at once (``str.replace`` is a C
    scan); any other full-width character is found by the 0xFF byte that
    opens it in UTF-16-BE (memchr), which only U+xxFF characters share."""
    for ch in _COMMON_FULL_WIDTH:
        text = text.replace(ch, chr(ord(ch) - 0xFEE0))
    data = text.encode("utf-16-be", "surrogatepass")
    lows: set[int] = set()
    i = data.find(b"\xff")
    while i >= 0:
        if i % 2 == 0 and 0x01 <= data[i + 1] <= 0x5E:
            lows.add(data[i + 1])
        i = data.find(b"\xff", i + 1)
    for low in lows:
        text = text.replace(chr(0xFF00 + low), chr(0x20 + low))
    return text


# The full-width marks of nearly every report, replaced first (a speed hint, not a rule).
_COMMON_FULL_WIDTH = "，：；（）"


# What goes: markdown heading marks (``## 二、存在问题``) and ``**``; spaces (so
# ``61 家`` reads ``61家``; a tab stays, it separates table cells); thousands
# separators (``10,534家`` reads ``10534家``, not two clauses).
DROPPED = re.compile(r"(?m)^#{1,6}[ \t]*|\*\*|[ \r\u3000\xa0\u2002\u2003\u2009\u200b\ufeff]+|(?<=\d),(?=\d{3}(?!\d))")
# The first character of every match of DROPPED.
_DROP_START_CHARS = "#*,\u0020\r\u3000\xa0\u2002\u2003\u2009\u200b\ufeff"


def _drops(text: str) -> Iterator[re.Match[str]]:
    """``DROPPED.finditer(text)``, tried only where a match can start (same matches, same order).

    Why by ``str.find`` of each first character: DROPPED's alternatives give the regular-expression
    engine no first character to skip ahead for, and a search for the class of them tests the class
    at each character of a report (some forty instructions each, a third of normalising);
    ``str.find`` scans for a character at memchr speed, and a report holds few of them."""
    pos = 0
    for c in sorted(i for ch in _DROP_START_CHARS for i in starts.positions(text, ch)):
        if c < pos:
            continue
        m = DROPPED.match(text, c)
        if m is not None:
            yield m
            pos = m.end()


def _joins(prev_line: str, next_line: str) -> bool:
    """Whether a line break sits inside a sentence (wrapped text) and should go."""
    prev = prev_line.strip().replace("*", "")
    nxt = next_line.strip()
    if not prev or not nxt or "\t" in prev or "\t" in nxt:
        return False  # table rows stay rows
    if prev[-1] in SENTENCE_END or prev.endswith(TITLE_END):
        return False
    if ENUMERATOR.match(nxt):
        return False
    return prev[-1] in MID_SENTENCE or len(prev) >= MIN_WRAPPED_LINE


def _next_nonblank(lines: list[str]) -> list[str]:
    """For each line, the next line with text after it ("" if none), in one pass from the end.

    Why: looking ahead from every line copied the rest of the list each time,
    quadratic in the lines of a long web page."""
    out = [""] * len(lines)
    nxt = ""
    for i in range(len(lines) - 1, -1, -1):
        out[i] = nxt
        if lines[i].strip():
            nxt = lines[i]
    return out


def normalize(original: str) -> Normalized:
    """Clean ``original`` for matching; see the module docstring for the rules."""
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    length = 0  # of the cleaned text so far

    def keep(a: int, b: int) -> None:
        nonlocal length
        pieces.append(original[a:b])
        if not starts or origins[-1] + length - starts[-1] != a:  # not where the last run stopped
            starts.append(length)
            origins.append(a)
        length += b - a

    lines = original.split("\n")
    following = _next_nonblank(lines)
    # What goes, found in one scan of the whole text: no match spans a line break.
    drops = _drops(original)
    drop = next(drops, None)
    pos = 0
    last = len(lines) - 1
    for n, line in enumerate(lines):
        end = pos + len(line)
        before = length
        kept = pos
        while drop is not None and drop.start() < end:
            if drop.start() > kept:
                keep(kept, drop.start())
            kept = drop.end()
            drop = next(drops, None)
        if n == last:
            if kept < end:
                keep(kept, end)
            break
        # Decide what the line break becomes: nothing (wrapped sentence) or "\n". The line's
        # rest and a kept break are one piece (one run: they are contiguous in the original).
        if (length > before or kept < end) and not _joins(line, following[n]):  # the line had text of its own
            keep(kept, end + 1)
        elif kept < end:
            keep(kept, end)
        pos = end + 1
    if not starts:
        starts.append(0)
        origins.append(0)
    return Normalized(original=original, text=_fold("".join(pieces)), starts=starts, origins=origins)
