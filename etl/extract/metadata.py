"""The year a document reports on and whether it is a report or a plan.

Both are read from the title area first (``2023年度法治政府建设情况报告``,
``2022年工作要点``), because that is where a bureau says what the document is;
the body decides only when the title area is silent.

A news item often states no year in its body (9月25日，…). Then, in order:
the publication line (发布时间：2024-01-11, a short line opening with a date,
a signature date in the closing lines; never a dated web address, which is
not text) with its event date (the item's first day named in December,
published in January: the year before); a text published in January–March
about a whole year's work (全年, 一年来) reports on the year before. Last, the
ordinal or anniversary of a recurring event (第十五届中国统计开放日 → 2024) is
flagged as an inference, not a stated year: the team's answer keys keep such
pages' year unknown, so by default it is reported as ``year_hint`` for a
reviewer and ``year`` stays unknown (``recurring_sets_year`` in
``etl/rules/document.yaml`` makes it the year). No year at all stays
unknown, never guessed. ``year_basis`` says which rule gave the year, so the
dashboard can show how sure it is.

With a publication line, a year the body names only in passing (once, not
the publication's: last year's figures) does not beat the publication date;
years inside cited titles (《…2019年…》), starting points (自2010年起) and
coming events (2023年即将开展) never date a text.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from typing import NamedTuple

import cn2an

from etl.extract import rules, sections, starts

# The look-behind stands after the century (it reads the character before it), not first:
# a pattern that opens with a look-behind is tried at every character of a text, one that
# opens with 19|20 is scanned for (same matches).
YEAR = re.compile(r"((?:19|20)(?<![\d〔【\[(（-]..)\d{2})\s*年")
# A year inside a range (2021-2025年) or a document number (〔2023〕) is not the year reported on.
RANGE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}")
CN_YEAR = re.compile(r"((?:一九|二〇|二零)[〇零一二三四五六七八九]{2})年")
CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# Titles of other documents cited in the opening (根据《2023年全面依法治省工作要点》)
# say nothing about this document's kind or year.
# A notice that issues a document (关于印发《2016年…工作要点》的通知) is that document.
# (The look-behinds follow the 《 they test, for the reason given at YEAR.)
CITED = re.compile(r"《(?<!印发《)(?<!发布《)(?<!转发《)[^》\n]*》")


@lru_cache(maxsize=4)
def _title_lines(text: str, chars: int) -> tuple[str, ...]:
    """Where a document says what it is: its title lines and its first sentence.

    Title lines are the first short lines without a full stop, after a web
    page's frame (menus, breadcrumbs, 索引号 tables); cited titles (《…》) are
    blanked out, since they name other documents.

    Kept for the last few texts: the kind and the year of one report both read them.
    """
    start = frame_end(text)
    head = CITED.sub(lambda m: "\u3000" * len(m.group()), text[start : start + chars])
    lines = [ln for ln in head.split("\n") if ln.strip()][:3]
    titles = [ln for ln in lines if len(ln) <= 60 and "。" not in ln and not sections.is_heading(ln)]
    first_sentence = re.split(r"[。:;]", head.lstrip(), maxsplit=1)[0]
    return (*titles, first_sentence)


@lru_cache(maxsize=4)
def frame_end(text: str) -> int:
    """Where the first line that is not part of a web page's frame starts (0 for a plain document).

    Kept for the last few texts: the kind, the year and the writer of one report each ask, and
    ``nav_line`` tries its words at every character of a long first line (some 50 thousand
    instructions a report)."""
    d = _doc()
    pos = 0
    for line in text[: d["title_search_chars"]].split("\n"):
        if line.strip() and not d["nav_line"].match(line):
            return pos
        pos += len(line) + 1
    return 0


@cache
def _doc() -> dict[str, re.Pattern[str] | int]:
    d = rules.load("document")
    return {
        k: re.compile(d[k], re.M) if k == "news_opening" else re.compile(d[k]) if isinstance(d[k], str) else d[k]
        for k in (
            "plan_title", "report_title", "report_markers", "plan_markers",
            "plan_markers_min", "year_lead", "title_chars", "news_title", "plan_list_title",
            "publication_label", "full_date", "date_line_rest", "closing_lines", "event_date",
            "early_months", "whole_year", "date_line_chars", "news_opening", "year_not_reported",
            "recurring_sets_year", "body_year_min", "nav_line", "title_search_chars",
        )
    }


@cache
def _recurring() -> tuple[tuple[re.Pattern[str], int, int], ...]:
    events = rules.load("document")["recurring_events"]
    return tuple((re.compile(e["pattern"]), e["first"], e["every"]) for e in events)


class Year(NamedTuple):
    """The year reported on, the rule that gave it, and an inferred year left for a reviewer."""

    year: int | None
    basis: str  # stated | publication | publication_previous_year | recurring_event | unknown
    hint: int | None = None  # from a recurring event's ordinal when that does not set the year


class Published(NamedTuple):
    year: int
    month: int
    span: tuple[int, int]


def _years(text: str) -> list[tuple[int, int]]:
    """(position, year) of each plausible year mention outside ranges (二〇二三年 too)."""
    ranges = [m.span() for m in RANGE.finditer(text)]
    found = [
        (m.start(), int(m.group(1)))
        for m in YEAR.finditer(text)
        if not any(s <= m.start() < e for s, e in ranges)
    ]
    found += [(m.start(), int(m.group(1).translate(CN_DIGITS))) for m in CN_YEAR.finditer(text)]
    return sorted(found)


def doc_type(text: str) -> str:
    """``plan`` or ``report``."""
    d = _doc()
    lines = _title_lines(text, d["title_chars"])
    for i, line in enumerate(lines):
        headline = i < len(lines) - 1  # the last is the first sentence, not a title
        # A title naming a report at all is one (关于…工作要点落实情况的报告,
        # 2022年工作总结和2023年工作思路): a plan's title names only the plan.
        if d["report_title"].search(line):
            return "report"
        # A standing list of what is inspected and how often (抽查事项清单) is a plan.
        if d["plan_title"].search(line) or (headline and d["plan_list_title"].search(line)):
            return "plan"
        # A headline of work done (开展…宣传月活动) is news of it: a report.
        if headline and d["news_title"].search(line):
            return "report"
    # A text that opens with the day of an event (9月21日，…) is news of it.
    opening = [ln for ln in text[: d["title_chars"] * 2].split("\n") if ln.strip()][:4]
    if any(d["news_opening"].match(ln) for ln in opening):
        return "report"
    # A report usually closes with next year's plans: work done comes first.
    plans = sections.plan_spans(text)
    if (plans and plans[0][0] > 0.3 * len(text)) or sections.problem_spans(text):
        return "report"
    report = len(d["report_markers"].findall(text))
    plan = len(d["plan_markers"].findall(text))
    return "plan" if plan >= d["plan_markers_min"] and plan > 2 * report else "report"


def _publications(text: str) -> list[Published]:
    """Publication dates: a labelled date, a line holding only a date, a signature date at the end."""
    d = _doc()
    found: list[Published] = []
    lines = sections.lines(text)
    closing: list[int] | None = None  # the last non-blank lines, listed at the first date
    for i, pos, line in starts.lines_with(d["full_date"], text, lines):
        for m in d["full_date"].finditer(line):
            if closing is None:
                closing = [j for j, ln in enumerate(lines) if ln.strip()][-d["closing_lines"] :]
            labelled = bool(re.search(d["publication_label"].pattern + "$", line[: m.start()]))
            alone = not line[: m.start()].strip(" \t\u3000")
            short = len(line.strip()) <= d["date_line_chars"]  # 2020-09-21 11:08 某某融媒
            if labelled or (alone and (short or d["date_line_rest"].match(line, m.end()))) or (
                i in closing and not line[m.end() :].strip(" \t\u3000。")
            ):
                found.append(Published(int(m["y"]), int(m["m"]), (pos + m.start(), pos + m.end())))
    return found


def _to_int(numeral: str) -> int | None:
    try:
        return int(numeral) if numeral.isdigit() else int(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return None


def _recurring_year(text: str) -> int | None:
    for pattern, first, every in _recurring():
        for m in pattern.finditer(text):
            n = _to_int(m["n"])
            if n:
                return first + (n - 1) * every
    return None


def _stated_year(text: str, published: list[Published]) -> int | None:
    """The year the text itself states (title, opening, most named), outside publication dates."""
    d = _doc()
    for line in _title_lines(text, d["title_chars"]):
        if d["report_title"].search(line) or d["plan_title"].search(line):
            ys = [y for pos, y in _years(line) if not any(s <= pos < e for p in published for s, e in [p.span])]
            if ys:
                return ys[0]
    # Years in a closing next-year plan (2024年工作计划) are not the year reported on.
    plans = sections.plan_spans(text)
    # Years in the names of cited documents (《贵阳市2019年…办法》) date those
    # documents; with a publication line to fall back on, they do not count.
    cited = [m.span() for m in CITED.finditer(text)] if published else []
    spans = [p.span for p in published] + cited
    spans += [m.span() for m in starts.finditer(d["year_not_reported"], text)]
    years = [(pos, y) for pos, y in _years(text) if not sections.inside(pos, spans)]
    counts = Counter(y for pos, y in years if not sections.inside(pos, plans))
    for lead in d["year_lead"].finditer(text[:600]):
        if not sections.inside(lead.start(), plans) and not sections.inside(lead.start(), spans):
            # With a publication line, a lead year named once and not the publication's
            # (据了解，2022年，… in a 2023 item) is a passing mention.
            y = int(lead.group(1))
            pub = published[0] if published else None
            early = pub is not None and pub.month <= d["early_months"] and y == pub.year - 1
            if pub is None or y == pub.year or early or counts[y] >= d["body_year_min"]:
                return int(lead.group(1))
    if counts:
        # Between equals the latest: earlier years are the past a text looks back on.
        top, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if not published or n >= d["body_year_min"]:
            return top
        return None
    # Only the closing plan names a year (三、2024年工作计划): the report is on the year before.
    planned = [y for pos, y in years if plans and pos >= plans[0][0] > 0]
    return min(planned) - 1 if planned else None


def year_with_basis(text: str) -> Year:
    """The year reported on (a plan's year is the year it plans for) and how it was found."""
    d = _doc()
    published = _publications(text)
    stated = _stated_year(text, published)
    if stated is not None:
        return Year(stated, "stated")
    if published:
        pub = published[0]
        # The news item's event (its first day named) later in the year than the
        # publication happened the year before.
        events = [int(m["m"]) for m in d["event_date"].finditer(text) if not sections.inside(m.start(), [pub.span])]
        if events and events[0] > pub.month:
            return Year(pub.year - 1, "publication_previous_year")
        if pub.month <= d["early_months"] and not events and d["whole_year"].search(text):
            return Year(pub.year - 1, "publication_previous_year")
        return Year(pub.year, "publication")
    recurring = _recurring_year(text)
    if recurring is not None:
        if d["recurring_sets_year"]:
            return Year(recurring, "recurring_event", recurring)
        return Year(None, "recurring_event", recurring)
    return Year(None, "unknown")


def year(text: str) -> int | None:
    """The year reported on (a plan's year is the year it plans for)."""
    return year_with_basis(text).year
