"""Report-level indicator values, each with the verbatim quote that holds it.

``etl.extract.mentions`` finds the numbers of the year's work and the indicators each
counts for; ``aggregate`` turns an indicator's mentions into one value, by the
rule for several mentions:

1. a stated total (共计/累计/合计 …) beats its parts;
2. a part (其中 …) of a stated figure is not added again, nor is a restated
   figure (对该6家企业 …, 在开展的15场活动中 …, or the same figure again in
   another sentence: a summary and then its detail);
3. otherwise distinct activities add up, and the sum is ``derived``;
4. a general indicator with no mention of its own is the sum of its specific
   children (双随机 + 联合 → units inspected), also ``derived``;
5. a zero word (无…案件, 未收到…举报) gives 0 unless a count is also stated;
6. places visited (走进12个社区) count as events only when no event is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from etl.extract import rules
from etl.extract.mentions import Mention, indicator_rules
from etl.extract.normalize import Normalized
from etl.extract.numbers import tidy

QUALIFIER_ORDER = {"exact": 0, "approx": 1, "at_most": 1, "at_least": 2}


@dataclass
class Value:
    indicator: str
    value: float
    qualifier: str
    basis: str
    mentions: list[Mention]
    confidence: float
    flags: list[str] = field(default_factory=list)


def _combine(mentions: list[Mention]) -> tuple[float, str, str]:
    """Value, qualifier and basis of one or several mentions."""
    if len(mentions) == 1:  # most values: what the lines below give for one, without their generators
        m = mentions[0]
        QUALIFIER_ORDER[m.qualifier]  # a qualifier the order does not know fails here as in max below
        return 0 + m.value, m.qualifier, "stated"  # 0 + as sum() adds
    value = sum(m.value for m in mentions)
    qual = max((m.qualifier for m in mentions), key=QUALIFIER_ORDER.__getitem__)
    if len(mentions) > 1 and qual == "at_most":
        qual = "approx"
    return value, qual, "stated" if len(mentions) == 1 else "derived"


def _without_breakdowns(mentions: list[Mention]) -> list[Mention]:
    """Drop a run of mentions that adds up to the figure just before it (15场：进企业6场、进社区9场)."""
    if len(mentions) <= 2:
        return list(mentions)  # a run is two mentions or more after its figure: none here
    kept: list[Mention] = []
    i = 0
    while i < len(mentions):
        kept.append(mentions[i])
        total, j = 0.0, i + 1
        while j < len(mentions) and total < mentions[i].value:
            total += mentions[j].value
            j += 1
        i = j if j > i + 2 and total == mentions[i].value else i + 1
    return kept


def _similar(a: str, b: str) -> float:
    """Share of character pairs two clauses have in common (Jaccard)."""
    pa = {a[i : i + 2] for i in range(len(a) - 1)}
    pb = {b[i : i + 2] for i in range(len(b) - 1)}
    return len(pa & pb) / len(pa | pb) if pa and pb else 0.0


def _restates(same_value: list[Mention], m: Mention) -> bool:
    """The same figure again in another sentence: a summary and its detail, or a reminder.

    ``same_value``: the kept mentions of m's value (looked up by value, so a long
    report is not compared mention by mention)."""
    if not same_value:
        return False
    lex = rules.load("mentions")
    return any(
        k.sentence != m.sentence
        and (m.value >= lex["restate_min_value"] or _similar(k.context, m.context) >= lex["restate_similarity"])
        for k in same_value
    )


def _select(mentions: list[Mention], own: list[Mention] | None = None) -> list[Mention]:
    """Apply the several-mentions rule (module docstring, points 1–3).

    ``own``: when summing a general indicator with its children, only its own
    mentions can be the year's total (a child's 全年 figure totals the child).
    """
    if len(mentions) == 1:
        return [mentions[0]]  # what the rules below keep of one mention (most indicators have one)
    totals = [m for m in mentions if m.total and not m.part]
    if totals:
        return [max(totals, key=lambda m: m.value)]
    mentions = _without_breakdowns(mentions)
    # 全年检查企业60家。 alone in its sentence sums up the year's other mentions.
    year_totals = [
        m for m in (mentions if own is None else own)
        if m.year_total and not m.part and not any(o is not m and o.sentence == m.sentence for o in mentions)
    ]
    if year_totals and len(mentions) > 1:
        return [max(year_totals, key=lambda m: m.value)]
    whole = [m for m in mentions if not m.part]
    if whole and len(whole) < len(mentions):
        mentions = whole
    kept: list[Mention] = []
    by_value: dict[float, list[Mention]] = {}
    for m in mentions:
        if m.restated and kept:
            continue
        if _restates(by_value.get(m.value, []), m):
            continue
        kept.append(m)
        by_value.setdefault(m.value, []).append(m)
    return kept


def _confidence(mentions: list[Mention], basis: str) -> float:
    """How sure the extractor is: lower for far keywords and derived sums."""
    worst = mentions[0].distance if len(mentions) == 1 else max((m.distance for m in mentions), default=0.0)
    conf = 1.0 if worst <= 8 else 0.8 if worst <= 20 else 0.6
    return round(conf * (0.85 if basis == "derived" else 1.0), 2)


@cache
def _children() -> dict[str, tuple[str, ...]]:
    """Each general indicator's children in catalogue order, found once rather than per report."""
    out: dict[str, tuple[str, ...]] = {}
    for c, r in indicator_rules().items():
        if r.parent is not None:
            out[r.parent] = (*out.get(r.parent, ()), c)
    # Keyed in catalogue order, as ``aggregate`` walks the general indicators.
    return {ind: out[ind] for ind in indicator_rules() if ind in out}


def aggregate(mentions: list[Mention], zeros: dict[str, list[Mention]]) -> dict[str, Value]:
    """One value per indicator (module docstring)."""
    all_rules = indicator_rules()
    by_ind: dict[str, list[Mention]] = {}
    for m in mentions:
        for ind in m.indicators:
            by_ind.setdefault(ind, []).append(m)
    # Venues visited (走进12个社区) stand in for events only when none are counted.
    for ind, ms in by_ind.items():
        counted = [m for m in ms if m.unit not in all_rules[ind].venue_units]
        if counted:
            by_ind[ind] = counted
    values: dict[str, Value] = {}
    for ind, ms in by_ind.items():
        chosen = _select(ms)
        value, qual, basis = _combine(chosen)
        values[ind] = Value(ind, value, qual, basis, chosen, _confidence(chosen, basis))
    # General indicators: a stated total of their own, else the sum of their own
    # figures and their children's (双随机 20家 + 专项检查 8家 → 28家).
    for ind, kids in _children().items():
        children = [c for c in kids if c in by_ind]
        if not children or (ind in values and any(m.total for m in values[ind].mentions)):
            continue
        # Children flagged 其中 are parts of the general figure and drop out in _select.
        own = by_ind.get(ind, [])
        parts: dict[int, Mention] = {m.start: m for m in own}
        for c in children:
            for m in by_ind[c]:
                parts[m.start] = m
        chosen = _select(sorted(parts.values(), key=lambda m: m.start), own)
        value, qual, _ = _combine(chosen)
        basis = "stated" if len(chosen) == 1 and chosen[0] in own else "derived"
        values[ind] = Value(ind, value, qual, basis, chosen, _confidence(chosen, basis))
    for ind, zs in zeros.items():
        if ind not in values:
            values[ind] = Value(ind, 0.0, "exact", "stated", zs[:1], 0.9)
    for v in values.values():
        rule = all_rules[v.indicator]
        if rule.max is not None and v.value > rule.max:
            v.flags.append(f"implausible: {rule.max_reason} ({tidy(v.value)})")
            v.confidence = min(v.confidence, 0.4)
    return values


def quote_span(norm: Normalized, v: Value, max_chars: int = 200) -> tuple[str, int, int]:
    """The original text behind a value: its clause, or the clauses of all its parts."""
    ms = v.mentions if len(v.mentions) == 1 else sorted(v.mentions, key=lambda m: m.start)  # most values: one
    start, end = ms[0].clause[0], ms[-1].clause[1]
    if end - start > max_chars:
        main = max(ms, key=lambda m: m.value)
        start, end = main.clause
    while start < end and norm.text[start] in " \n":
        start += 1
    # A table cell is quoted with its row (执法检查企业数（家）<tab>57), not alone.
    if start > 0 and norm.text[start - 1] == "\t":
        start = norm.text.rfind("\n", 0, start) + 1
    return norm.quote(start, end)


@cache
def _catalogue_order() -> dict[str, int]:
    """Indicator id → its place in the catalogue, made once rather than for every report."""
    return {ind: i for i, ind in enumerate(rules.indicator_ids())}


def to_records(norm: Normalized, values: dict[str, Value]) -> list[dict[str, Any]]:
    """Values in the output format, in catalogue order, each with its quote and parts."""
    order = _catalogue_order()
    out = []
    for ind in sorted(values, key=order.__getitem__):
        v = values[ind]
        quote, s, e = quote_span(norm, v)
        parts = []
        if v.basis == "derived":
            for m in v.mentions:
                pq, ps, pe = norm.quote(*m.clause)
                parts.append({"value": tidy(m.value), "qualifier": m.qualifier, "quote": pq, "start": ps, "end": pe})
        out.append(
            {
                "indicator": ind,
                "value": tidy(v.value),
                "qualifier": v.qualifier,
                "basis": v.basis,
                "quote": quote,
                "start": s,
                "end": e,
                "confidence": v.confidence,
                "flags": v.flags,
                "parts": parts,
            }
        )
    return out
