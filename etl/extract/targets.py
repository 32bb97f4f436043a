"""Plans' quantified targets (``spec/target_indicators.csv``) with comparator."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from etl.extract import rules
from etl.extract.normalize import Normalized
from etl.extract.numbers import tidy
from etl.extract.sections import Span

PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
CLAUSE = re.compile(r"[^,;。!?:\n\t]+")


@cache
def _rules() -> dict[str, Any]:
    r = rules.load("targets")
    known = {row["id"] for row in rules.spec_rows("target_indicators")}
    unknown = set(r["indicators"]) - known
    if unknown:
        raise ValueError(f"rules/targets.yaml names unknown targets: {sorted(unknown)}")
    return r


@cache
def _compiled_range() -> re.Pattern[str]:
    return re.compile(_rules()["range"])


def _comparator(clause: str, pct_start: int, pct_end: int) -> str:
    after = clause[pct_end : pct_end + 4]
    before = clause[max(0, pct_start - 14) : pct_start]
    for w, comp in _comparator_words():
        if after.startswith(w) or w in before:
            return comp
    return _rules()["default_comparator"]


@cache
def _comparator_words() -> tuple[tuple[str, str], ...]:
    """(word, comparator), longest word first, so that 不低于 is not read as 低于."""
    r = _rules()
    return tuple(sorted(((w, c) for c, ws in r["comparators"].items() for w in ws), key=lambda x: -len(x[0])))


def _column_label(text: str, cell_start: int) -> str:
    """The header of a cell in a table flattened to one cell per line (抽查比例 over 不低于3%).

    Why: such tables put the label many lines above its value, out of reach of
    the clause before."""
    r = _rules()
    lines_above: list[str] = []
    pos = text.rfind("\n", 0, cell_start)  # the newline ending the line above the cell
    while pos > 0 and len(lines_above) < r["header_max_lines_back"]:
        start = text.rfind("\n", 0, pos) + 1
        lines_above.append(text[start:pos].strip())
        pos = start - 1
    def is_header(line: str) -> bool:
        return 0 < len(line) <= r["header_max_chars"] and not any(ch.isdigit() for ch in line)
    for end in range(len(lines_above)):  # end: lines between the header and the cell
        run = 0
        while end + run < len(lines_above) and is_header(lines_above[end + run]):
            run += 1
        if run >= r["header_min_cells"]:
            header = lines_above[end : end + run][::-1]
            return header[end % len(header)]
    return ""


def _weight(clause: str) -> int:
    """How much a clause reads as a target rather than a past result (2022年…为87%)."""
    r = _rules()
    return sum(w in clause for w in r["future_words"]) - 2 * sum(w in clause for w in r["past_words"])


def extract(norm: Normalized, spans: list[Span]) -> list[dict[str, Any]]:
    """Targets found in the given plan spans: per target indicator, the percentage
    that reads most as a target; a keyword may stand in the clause before
    (掌上执法率较上年提高5个百分点，达到90%以上)."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    text = norm.text
    for s0, e0 in spans:
        if text.find("%", s0, e0) < 0:
            continue  # no percentage, no target: most reports' plan sections
        before: re.Match[str] | None = None  # the clause before, read only for one with a percentage
        for cm in CLAUSE.finditer(text, s0, e0):
            if text.find("%", cm.start(), cm.end()) < 0:
                # Why: a plan's whole text is read, clause by clause; only a clause with a percentage
                # holds a target, and the others serve only as the clause before it.
                before = cm
                continue
            clause = cm.group()
            prev = before.group() if before is not None else ""
            before = cm
            line_start = norm.text.rfind("\n", 0, cm.start()) + 1
            if norm.text[cm.start() - 1 : cm.start()] == "\t":
                # In a table row, the row's first cell names the indicator of every cell.
                prev = norm.text[line_start : norm.text.index("\t", line_start)]
            ranges = [(rm.start(), rm.end()) for rm in _compiled_range().finditer(clause)] if "%" in clause else []
            cell = cm.start() == line_start and norm.text[cm.end() : cm.end() + 1] in ("\n", "")
            label = None
            for pm in PERCENT.finditer(clause):
                in_range = next((r for r in ranges if r[0] <= pm.start() < r[1]), None)
                if in_range and pm.start() > in_range[0]:
                    continue  # the upper bound of a range: the target is its lower bound
                best = None
                for ind, spec in _rules()["indicators"].items():
                    pos = [clause.find(k) for k in spec["keywords"] if k in clause]
                    dist = min((abs(p - pm.start()) for p in pos), default=None)
                    if dist is None and any(k in prev for k in spec["keywords"]):
                        dist = 50 + pm.start()
                    if dist is None and cell:
                        # Read in the original lines: cleaning may re-join a short cell to its neighbour.
                        label = _column_label(norm.original, norm.offset(cm.start())) if label is None else label
                        if any(k in label for k in spec["keywords"]):
                            dist = 100 + pm.start()
                    if dist is not None and (best is None or dist < best[0]):
                        best = (dist, ind)
                if best is None:
                    continue
                weight = _weight(prev + clause)
                if best[1] in found and found[best[1]][0] >= weight:
                    continue
                quote, s, e = norm.quote(cm.start(), cm.end())
                found[best[1]] = (
                    weight,
                    {
                        "indicator": best[1],
                        "comparator": _rules()["range_comparator"]
                        if in_range
                        else _comparator(clause, pm.start(), pm.end()),
                        "value": tidy(float(pm.group(1))),
                        "quote": quote,
                        "start": s,
                        "end": e,
                        "flags": ["implausible: a percentage above 100"] if float(pm.group(1)) > 100 else [],
                    },
                )
    return [target for _, target in found.values()]
