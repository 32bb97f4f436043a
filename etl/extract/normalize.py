"""Normalise report text for matching while keeping a map back to the original.

Rules match on a cleaned copy (half-width digits, no spaces inside ``61 家``,
no markdown ``**``, sentences re-joined across line breaks), but every quote we
show must be verbatim in the original at its offsets. So each character of the
cleaned copy remembers the original index it came from, and quotes are always
cut from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    """Cleaned text plus ``offsets[i]``: the original index of cleaned char ``i``."""

    original: str
    text: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the cleaned span ``[start, end)``."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """The verbatim original text behind a cleaned span, with its offsets."""
        s, e = self.span(start, end)
        return self.original[s:e], s, e


# Full-width ASCII to half-width, so that ``６１家`` matches like ``61家``.
FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# str.translate looks every character of a report up in FOLD; translating only
# the runs of full-width characters (a few hundred punctuation marks) is faster.
FULL_WIDTH = re.compile("[\uff01-\uff5e]+")


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(FOLD)


# What goes: markdown heading marks (``## 二、存在问题``) and ``**``; spaces (so
# ``61 家`` reads ``61家``; a tab stays, it separates table cells); thousands
# separators (``10,534家`` reads ``10534家``, not two clauses).
DROPPED = re.compile(r"^#{1,6}[ \t]*|\*\*|[ \r\u3000\xa0\u2002\u2003\u2009\u200b\ufeff]+|(?<=\d),(?=\d{3}(?!\d))")


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
    offsets: list[int] = []
    lines = original.split("\n")
    following = _next_nonblank(lines)
    pos = 0
    for n, line in enumerate(lines):
        before = len(offsets)
        kept = 0
        for m in DROPPED.finditer(line):
            if m.start() > kept:
                pieces.append(line[kept : m.start()])
                offsets.extend(range(pos + kept, pos + m.start()))
            kept = m.end()
        if kept < len(line):
            pieces.append(line[kept:])
            offsets.extend(range(pos + kept, pos + len(line)))
        pos += len(line) + 1
        if n == len(lines) - 1:
            break
        # Decide what the line break becomes: nothing (wrapped sentence) or "\n".
        if len(offsets) > before:  # the line had text of its own
            if not _joins(line, following[n]):
                pieces.append("\n")
                offsets.append(pos - 1)
    text = FULL_WIDTH.sub(_fold_run, "".join(pieces))
    return Normalized(original=original, text=text, offsets=offsets)
