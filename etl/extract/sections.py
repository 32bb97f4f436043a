"""Where a report's problems and next-year plans stand.

Values come only from what was done in the year, so next-year plan sections
are fenced off; shortfalls come only from the problems section. Both are
found from headings (``二、存在问题``, ``四、2024年工作计划``), which is how
these reports are organised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.extract import rules

Span = tuple[int, int]


@dataclass(frozen=True)
class Heading:
    start: int
    end: int
    level: int
    text: str


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    doc = rules.load("document")
    return {k: re.compile(doc[k]) for k in ("heading", "plan_section", "problem_section", "problem_lead", "item")}


def is_heading(line: str) -> bool:
    """An enumerated short line (一、… / (二)… / 第三部分…)."""
    stripped = line.strip()
    return bool(_patterns()["heading"].match(stripped)) and len(stripped) <= rules.load("document")["heading_max_chars"]


@lru_cache(maxsize=4)
def lines(text: str) -> tuple[str, ...]:
    """``text.split("\\n")``, made once for the few readers of one text's lines.

    Why: the headings, the bylines and signatures (regions) and the publication dates
    (metadata) each read a report line by line; one split of a report is as costly as a
    regular-expression scan of it."""
    return tuple(text.split("\n"))


@lru_cache(maxsize=4)
def headings(text: str) -> tuple[Heading, ...]:
    """Enumerated short lines, and bare short lines naming a plan or problems section.

    Kept for the last few texts: the plan and the problems sections of one
    report are both cut along its headings."""
    pats = _patterns()
    heading, max_chars = pats["heading"], rules.load("document")["heading_max_chars"]
    found = []
    pos = 0
    for line in lines(text):
        stripped = line.strip()
        if len(stripped) <= max_chars and heading.match(stripped):  # is_heading, its lookups made once
            level = 2 if stripped.startswith("(") else 1
            found.append(Heading(pos, pos + len(line), level, stripped))
        elif 0 < len(stripped) <= 20 and (
            pats["plan_section"].search(stripped) or pats["problem_section"].search(stripped)
        ):
            found.append(Heading(pos, pos + len(line), 1, stripped))
        pos += len(line) + 1
    return tuple(found)


def _sections(text: str, pattern: re.Pattern[str], with_heading: bool = False) -> list[Span]:
    """Bodies under each heading matching ``pattern``, to the next heading of its level or above."""
    hs = headings(text)
    spans: list[Span] = []
    for i, h in enumerate(hs):
        if not pattern.search(h.text):
            continue
        end = len(text)
        for nxt in hs[i + 1 :]:
            if nxt.level <= h.level and not pattern.search(nxt.text):
                end = nxt.start
                break
        # A heading may carry its text inline (四、存在的问题。一是…): the body starts after it.
        inline = re.search(r"[。:]", h.text)
        body = h.start + inline.end() if inline and inline.end() < len(h.text) else h.end + 1
        if with_heading:
            body = h.start
        if not spans or h.start >= spans[-1][1]:
            spans.append((min(body, end), end))
    return spans


def plan_spans(text: str) -> list[Span]:
    """Next-year plan sections inside a report."""
    return _sections(text, _patterns()["plan_section"], with_heading=True)


def problem_spans(text: str) -> list[Span]:
    """Problems sections; failing a heading, the passage after 存在…不足：一是…."""
    pats = _patterns()
    spans = _sections(text, pats["problem_section"])
    if spans:
        return spans
    plans = plan_spans(text)
    for m in pats["problem_lead"].finditer(text):
        if inside(m.start(), plans):
            continue
        start = m.start()
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        # Items may continue on the following lines (一是… / 二是…).
        while end < len(text):
            nxt_end = text.find("\n", end + 1)
            nxt_end = len(text) if nxt_end < 0 else nxt_end
            if not pats["item"].match(text, end + 1) or any(h.start == end + 1 for h in headings(text)):
                break
            end = nxt_end
        return [(start, end)]
    return []


def inside(pos: int, spans: list[Span]) -> bool:
    """``pos`` lies in one of ``spans``.

    A plain loop, not ``any`` over a generator: it is asked several times for
    every number, mostly of an empty list or of one span, where building the
    generator cost more than the test."""
    for s, e in spans:
        if s <= pos < e:
            return True
    return False
