"""The year a document reports on and whether it is a report or a plan.

Both are read from the title area first (``2023年度法治政府建设情况报告``,
``2022年工作要点``), because that is where a bureau says what the document is;
the body decides only when the title area is silent.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from etl.extract import rules, sections

YEAR = re.compile(r"(?<![\d〔【\[(（-])((?:19|20)\d{2})\s*年")
# A year inside a range (2021-2025年) or a document number (〔2023〕) is not the year reported on.
RANGE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}")
CN_YEAR = re.compile(r"((?:一九|二〇|二零)[〇零一二三四五六七八九]{2})年")
CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# Titles of other documents cited in the opening (根据《2023年全面依法治省工作要点》)
# say nothing about this document's kind or year.
# A notice that issues a document (关于印发《2016年…工作要点》的通知) is that document.
CITED = re.compile(r"(?<!印发)(?<!发布)(?<!转发)《[^》\n]*》")


def _title_lines(text: str, chars: int) -> list[str]:
    """Where a document says what it is: its title lines and its first sentence.

    Title lines are the first short lines without a full stop; cited titles
    (《…》) are blanked out, since they name other documents.
    """
    head = CITED.sub(lambda m: "\u3000" * len(m.group()), text[:chars])
    lines = [ln for ln in head.split("\n") if ln.strip()][:3]
    titles = [ln for ln in lines if len(ln) <= 60 and "。" not in ln and not sections.is_heading(ln)]
    first_sentence = re.split(r"[。:;]", head.lstrip(), maxsplit=1)[0]
    return titles + [first_sentence]


@cache
def _doc() -> dict[str, re.Pattern[str] | int]:
    d = rules.load("document")
    return {
        k: re.compile(d[k]) if isinstance(d[k], str) else d[k]
        for k in (
            "plan_title", "report_title", "report_markers", "plan_markers",
            "plan_markers_min", "year_lead", "title_chars",
        )
    }


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
    for line in _title_lines(text, d["title_chars"]):
        # A title naming a report at all is one (关于…工作要点落实情况的报告,
        # 2022年工作总结和2023年工作思路): a plan's title names only the plan.
        if d["report_title"].search(line):
            return "report"
        if d["plan_title"].search(line):
            return "plan"
    # A report usually closes with next year's plans: work done comes first.
    plans = sections.plan_spans(text)
    if (plans and plans[0][0] > 0.3 * len(text)) or sections.problem_spans(text):
        return "report"
    report = len(d["report_markers"].findall(text))
    plan = len(d["plan_markers"].findall(text))
    return "plan" if plan >= d["plan_markers_min"] and plan > 2 * report else "report"


def year(text: str) -> int | None:
    """The year reported on (a plan's year is the year it plans for)."""
    d = _doc()
    for line in _title_lines(text, d["title_chars"]):
        if d["report_title"].search(line) or d["plan_title"].search(line):
            ys = _years(line)
            if ys:
                return ys[0][1]
    # Years in a closing next-year plan (2024年工作计划) are not the year reported on.
    plans = sections.plan_spans(text)
    for lead in d["year_lead"].finditer(text[:600]):
        if not sections.inside(lead.start(), plans):
            return int(lead.group(1))
    years = _years(text)
    counts = Counter(y for pos, y in years if not sections.inside(pos, plans))
    if counts:
        return counts.most_common(1)[0][0]
    # Only the closing plan names a year (三、2024年工作计划): the report is on the year before.
    planned = [y for pos, y in years if plans and pos >= plans[0][0] > 0]
    return min(planned) - 1 if planned else None
