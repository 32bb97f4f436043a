"""Stated shortfalls, each sorted into a theme of ``spec/shortfall_themes.csv``.

A statement is an enumerated item of the problems section (一是…, (一)…, 1.…)
or, where the section is not enumerated, a sentence that says something is
lacking. Its lead clause names the problem, so it is classified first; the
explanation after it only breaks a silence.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from etl.extract import rules
from etl.extract.normalize import Normalized
from etl.extract.sections import Span, problem_spans

LEAD_END = re.compile(r"[,;。!?:\n]")


@cache
def _lexicon() -> dict[str, dict[str, float]]:
    lex = rules.load("shortfall_themes")
    known = {row["id"] for row in rules.spec_rows("shortfall_themes")}
    unknown = set(lex) - known
    if unknown:
        raise ValueError(f"rules/shortfall_themes.yaml names unknown themes: {sorted(unknown)}")
    return lex


@cache
def _item() -> re.Pattern[str]:
    return re.compile(rules.load("document")["item"])


@cache
def _themes() -> tuple[tuple[str, re.Pattern[str], dict[str, float]], ...]:
    """Each theme with its words as one pattern (``rules.any_word``) and their weights.

    Why: a statement names the words of one theme or two; one search tells a
    theme none of whose words stand there, instead of a test per word."""
    return tuple((theme, rules.any_word(words), words) for theme, words in _lexicon().items())


def classify(statement: str) -> str:
    """Theme id for one statement; ``other`` when no theme's words occur."""
    body = _item().sub("", statement, count=1)
    lead = LEAD_END.split(body, maxsplit=1)[0]
    for part in (lead, body):
        scores = {
            theme: sum(w for word, w in words.items() if word in part) if any_word.search(part) else 0
            for theme, any_word, words in _themes()
        }
        best = max(scores, key=scores.__getitem__)
        if scores[best] > 0:
            return best
    return "other"


@cache
def _remedy_heading() -> re.Pattern[str]:
    return re.compile(rules.load("shortfalls")["remedy_heading"])


@cache
def _problem_heading() -> re.Pattern[str]:
    return re.compile(rules.load("document")["problem_section"])


def _is_heading(item: str) -> bool:
    """(一)存在的主要问题: a short item that names the problems is their heading."""
    body = _item().sub("", item.strip(), count=1).strip()
    short = len(body) <= rules.load("shortfalls")["heading_max_chars"] and "。" not in body
    return short and bool(_problem_heading().search(body))


# A 。 or line end with something after it; the match ends where that sentence starts. Why
# not a look-behind for the sentence's first character: a pattern that opens with a
# look-behind is tried at every character, one that opens with a class is scanned for.
_SENTENCE_STARTS = re.compile(r"[。\n](?=[^。\n])")


@cache
def _closing() -> re.Pattern[str]:
    return re.compile(rules.load("document")["closing_sentence"])


def _statements(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the statements in a problems section."""
    doc = rules.load("document")
    closing = _closing()
    # The section ends at a closing remark (以上问题，我们将在今后工作中…), which
    # starts a sentence: right after a 。 or line end that something follows.
    for m in _SENTENCE_STARTS.finditer(text[start:end]):
        if closing.match(text, start + m.end()):
            end = start + m.end()
            break
    # ... or at a sub-heading of remedies ((二)改进措施).
    remedy = _remedy_heading().search(text, start, end)
    if remedy:
        end = remedy.start()
    starts = [m.start() for m in _item().finditer(text, start, end)]
    if starts:
        bounds = starts + [end]
        return [(s, e) for s, e in zip(bounds, bounds[1:], strict=False) if not _is_heading(text[s:e])]
    words = re.compile(doc["problem_words"])
    return [
        (start + m.start(), start + m.end())
        for m in re.finditer(r"[^。;!?:\n]+[。;!?:]?", text[start:end])
        # A phrase before a colon leads into the problems (仍存在一些薄弱之处：…).
        if words.search(m.group()) and not re.search(doc["problem_lead"], m.group()) and m.group()[-1] != ":"
    ]


@lru_cache(maxsize=2)
def problems_of(text: str) -> tuple[Span, ...]:
    """The problems sections of a text, found once per document.

    Why: shortfalls and zero words (a zero under 存在问题 is a shortfall, not a
    value) both need them; the same text object hashes once."""
    return tuple(problem_spans(text))


def extract(norm: Normalized) -> list[dict[str, Any]]:
    """Shortfall statements with theme and verbatim text."""
    out = []
    for start, end in problems_of(norm.text):
        for s, e in _statements(norm.text, start, end):
            while e > s and norm.text[e - 1] in "\n ":
                e -= 1
            quote, os_, oe = norm.quote(s, e)
            if not quote.strip():
                continue
            out.append({"theme": classify(norm.text[s:e]), "text": quote, "start": os_, "end": oe})
    return out
