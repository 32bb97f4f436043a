"""Compose one synthetic report or plan together with its answer key.

The answer key is built at the same time as the text, from the same numbers,
so it is right by construction: every value records the clause that states
it, and the rules of ``etl/spec/README.md`` (a stated total beats its parts;
disjoint parts sum to a derived value; qualifiers; zero words) are applied
here, in one place, rather than re-discovered from the text.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from etl.synth.numerals import is_round, quantity
from etl.synth.phrasebook import Phrasebook, fill, phrasebook
from etl.synth.regions import County

CN_ORDINALS = "一二三四五六七八九十"
TOPICS = ["study", "enforcement", "outreach", "governance", "data_quality"]


@dataclass
class Value:
    """One answer-key row of values.csv."""

    indicator: str
    value: int
    qualifier: str
    basis: str
    evidence: str
    alt: list[int] = field(default_factory=list)


@dataclass
class Doc:
    """A composed document: its text (before encoding) and its answer key."""

    county: County
    year: int
    doc_type: str
    text: str
    encoding: str
    anonymous: bool
    values: list[Value]
    shortfalls: list[tuple[str, str]]  # (theme, evidence)
    targets: list[tuple[str, str, int, str]]  # (indicator, comparator, value, evidence)


@dataclass(frozen=True)
class Block:
    """A clause stating values, before it is placed in a paragraph."""

    text: str
    leadin: bool  # may take a lead-in such as 今年以来，
    inds: frozenset[str]  # indicators it states or derives


# Never put two of these in one sentence: "联合检查20家，对80家企业实施检查"
# reads as parts of one total or as a part and the total, and only the
# compound sentences say which.
INSPECTION_FAMILY = frozenset({"inspected_units", "random_inspected_units", "joint_inspected_units"})


@dataclass
class Para:
    """A paragraph: an optional heading run-in and sentences; filler may be added to it."""

    head: str
    sents: list[str]
    topic: str | None  # filler topic that may grow it; None = fixed text
    tail: int = 0  # trailing sentences filler must stay before (an inline problems passage)

    def render(self) -> str:
        return self.head + "".join(self.sents)


# --------------------------------------------------------------------------
# context


def context(county: County, year: int, rng: random.Random, book: Phrasebook, anonymous: bool) -> dict[str, Any]:
    """Names and era phrases a template may use, for one document."""
    kind = county.kind or "区"
    district, city, province = county.district, county.city_in_text, county.province
    if anonymous:
        district, city, province = f"*{kind}", "*市", "*省"
    if county.adcode[:2] in ("11", "12", "31", "50"):
        bureau = f"{province}{district}统计局"
        city = province
    elif not city:  # directly administered county-level city
        bureau = f"{province}{district}统计局"
        city = province
    elif kind == "市" and rng.random() < 0.6:  # county-level city: its own name suffices
        bureau = f"{district}统计局"
    else:
        bureau = f"{city}{district}统计局"
    era = book.era(year)
    return {
        "Y": year,
        "Y1": year + 1,
        "Yp": year - 1,
        "kind": kind,
        "area": f"全{kind}",
        "self": rng.choice([f"{kind}统计局", f"{kind}统计局", "我局"]),
        "bureau": bureau,
        "district": district,
        "city": city,
        "province": province,
        "party": f"{kind}委、{kind}政府",
        "abbr": district[0] + "统",
        "guide": era["guide"],
        "congress": era["congress"],
        "outline": era["outline"],
        "pufa": era["pufa"],
        "census": era["census"],
    }


# --------------------------------------------------------------------------
# values of the world: one coherent set of counts per report


def _draw(rng: random.Random, lo: int, hi: int) -> int:
    if hi / max(lo, 1) > 20:  # counts spread over orders of magnitude
        v = int(math.exp(rng.uniform(math.log(lo), math.log(hi + 1))))
    else:
        v = rng.randint(lo, hi)
    if v >= 10_000 and rng.random() < 0.6:
        v = round(v, -3)
    elif v >= 1000 and rng.random() < 0.4:
        v = round(v, -2)
    return max(lo, v)


def world(rng: random.Random, book: Phrasebook) -> dict[str, int]:
    """Counts for every indicator that hang together (parts never exceed their whole)."""
    w = {ind: _draw(rng, *e["range"]) for ind, e in book.indicators.items()}
    w["random_inspected_units"] = max(1, round(w["inspected_units"] * rng.uniform(0.3, 0.75)))
    joint = max(1, round(w["inspected_units"] * rng.uniform(0.05, 0.3)))
    w["joint_inspected_units"] = min(joint, w["inspected_units"] - w["random_inspected_units"])
    w["penalized_units"] = min(w["penalized_units"], w["violation_units"])
    w["correction_orders"] = min(w["correction_orders"], w["violation_units"])
    w["exempted_units"] = min(w["exempted_units"], w["data_discrepancy_units"])
    w["self_corrected_units"] = min(w["self_corrected_units"], max(1, w["source_data_checks"] // 3))
    w["legal_lectures"] = min(w["legal_lectures"], max(1, w["study_sessions"] - 1))
    return w


def roundish(v: int, rng: random.Random) -> int:
    """A nearby round number (20, 350, 1500, 12000), as written before 余/约."""
    if v < 10:
        return v
    if v < 100:
        step = 10
    elif v < 1000:
        step = rng.choice([50, 100])
    elif v < 10_000:
        step = rng.choice([100, 500, 1000])
    else:
        step = 1000
    return max(step, round(v / step) * step)


def qualify(v: int, rng: random.Random, allow: tuple[str, ...] = ("at_least", "approx")) -> tuple[int, str]:
    """Maybe turn a count into a qualified round number: (20, 'at_least') for 20余."""
    if v >= 10 and allow and rng.random() < 0.28:
        q = "at_least" if "approx" not in allow or rng.random() < 0.72 else "approx"
        if q not in allow:
            q = allow[0]
        v = roundish(v, rng)
        if is_round(v):
            return v, q
    return v, "exact"


def combine(quals: list[str]) -> str:
    """Qualifier of a sum: 2000余 + 360余 is 2360 at least."""
    if "approx" in quals:
        return "approx"
    if "at_least" in quals:
        return "at_least"
    return "exact"


# --------------------------------------------------------------------------
# sentences that state values


class Builder:
    """Holds one document's random state, context and answer key while it is written."""

    def __init__(self, county: County, year: int, rng: random.Random, book: Phrasebook, anonymous: bool):
        self.rng = rng
        self.book = book
        self.ctx = context(county, year, rng, book, anonymous)
        self.style = rng.choices(["arabic", "spaced", "fullwidth"], weights=[88, 8, 4])[0]
        self.values: dict[str, Value] = {}
        self.shortfalls: list[tuple[str, str]] = []
        self.targets: list[tuple[str, str, int, str]] = []
        self.pools: dict[str, list[str]] = {}

    def fill(self, template: str, slot: Any = None) -> str:
        return fill(template, self.ctx, self.rng, slot, self.style)

    def q(self, v: int, unit: str, qual: str) -> str:
        return quantity(v, unit, qual, self.rng, self.style)

    # single-indicator sentences
    def single(self, ind: str, v: int, zero: bool = False) -> str:
        e = self.book.indicators[ind]
        if zero:
            text = self.fill(self.rng.choice(e["zero"]))
            self.values[ind] = Value(ind, 0, "exact", "stated", text)
            return text
        template = self.rng.choice(e["phrasings"])
        v, qual = qualify(v, self.rng)
        text = self.fill(template, lambda _name, unit: self.q(v, unit, qual))
        self.values[ind] = Value(ind, v, qual, "stated", text)
        return text

    def restate(self, ind: str) -> str | None:
        """Another sentence giving an already stated value again (same number, other words)."""
        val = self.values[ind]
        if val.value == 0:
            return None
        others = [p for p in self.book.indicators[ind]["phrasings"] if fill_free(p) not in val.evidence]
        if not others:
            return None
        template = self.rng.choice(others)
        return self.fill(template, lambda _n, unit: self.q(val.value, unit, val.qualifier))

    # multi-slot sentences
    def compound(self, spec: dict[str, Any], w: dict[str, int]) -> str:
        rng = self.rng
        slots: dict[str, Any] = spec["slots"]
        vals: dict[str, tuple[int, str]] = {}
        splits: dict[str, list[str]] = {}
        for name, s in slots.items():
            if isinstance(s, dict) and "split" in s:
                splits.setdefault(s["split"], []).append(name)
        for ind, names in splits.items():
            total = max(w[ind], len(names) * 2)
            cuts = sorted(rng.sample(range(1, total), len(names) - 1))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
            for name, part in zip(names, parts, strict=True):
                allow = ("at_least",) if slots[name].get("q") == "any" else ()
                vals[name] = qualify(part, rng, allow)
        for name, s in slots.items():
            if isinstance(s, str):
                vals[name] = (w[s], "exact")
            elif "ind" in s:
                vals[name] = qualify(w[s["ind"]], rng) if s.get("q") == "any" else (w[s["ind"]], "exact")
            elif "from" in s:
                vals[name] = (w[s["from"]], "exact")
        for name, s in slots.items():
            if isinstance(s, dict) and "part_of" in s:
                parent = vals[s["part_of"]][0]
                lo, hi = s["frac"]
                vals[name] = (min(parent - 1, max(1, round(parent * rng.uniform(lo, hi)))), "exact")
        text = self.fill(spec["text"], lambda name, unit: self.q(vals[name][0], unit, vals[name][1]))
        for name, s in slots.items():
            ind = s if isinstance(s, str) else s.get("ind")
            if ind:
                self.values[ind] = Value(ind, vals[name][0], vals[name][1], "stated", text)
        for ind, names in spec.get("derive", {}).items():
            total = sum(vals[n][0] for n in names)
            alt_names = spec.get("alt", {}).get(ind)
            alt = [sum(vals[n][0] for n in alt_names)] if alt_names else []
            qual = combine([vals[n][1] for n in names])
            self.values[ind] = Value(ind, total, qual, "derived", text, alt)
        return text

    # filler
    def filler(self, topic: str) -> str:
        """A filler sentence of ``topic`` not yet used in this document (other topics when it runs dry)."""
        if not self.pools:
            for t in self.book.filler:
                pool = self.book.filler_for(t, self.ctx["Y"])[:]
                self.rng.shuffle(pool)
                self.pools[t] = pool
        order = [topic, "general"] + [t for t in self.pools if t not in (topic, "general", "next_year")]
        for t in order:
            if self.pools[t]:
                return self.fill(self.pools[t].pop())
        self.pools.clear()  # everything used once: start over rather than fail
        return self.filler(topic)

    def distractor(self, topic: str) -> str:
        return self.fill(self.rng.choice(self.book.distractors[topic]))


def fill_free(template: str) -> str:
    """The longest placeholder-free run of a template, to tell phrasings apart."""
    parts = [p for p in re.split(r"\{[^{}]*\}", template) if p]
    return max(parts, key=len) if parts else template


@cache
def compound_specs(book: Phrasebook) -> list[tuple[dict[str, Any], frozenset[str], frozenset[str]]]:
    """Every compound sentence with the indicators it claims and needs, worked out once."""
    specs = book.compounds["total_parts"] + book.compounds["derived"]
    return [(s, frozenset(claims(s)), frozenset(needs(s))) for s in specs]


def claims(spec: dict[str, Any]) -> set[str]:
    """Indicators a compound sentence states or derives."""
    out = set(spec.get("derive", {}))
    for s in spec["slots"].values():
        if isinstance(s, str):
            out.add(s)
        elif "ind" in s:
            out.add(s["ind"])
    return out


def needs(spec: dict[str, Any]) -> set[str]:
    """Indicators whose world value a compound sentence uses (stated, derived or as parts)."""
    out = claims(spec)
    for s in spec["slots"].values():
        if isinstance(s, dict):
            out.update(v for k, v in s.items() if k in ("from", "split"))
    return out


# --------------------------------------------------------------------------
# documents

ENCODINGS = {"utf-8": 89, "gb18030": 8, "utf-8-sig": 2, "utf-16": 1}
SIZE_MIN, SIZE_MAX = 8 * 1024, 15_000  # bytes; inside 8-15 KB whichever KB is meant


def ordinal(i: int) -> str:
    """Chinese ordinal for section numbering (1 -> 一)."""
    return CN_ORDINALS[i - 1]


def pick_themes(rng: random.Random, book: Phrasebook, k: int, must: str | None) -> list[str]:
    weights = dict(book.themes["weights"])
    chosen = [must] if must else []
    weights.pop(must, None)
    while len(chosen) < k and weights:
        t = rng.choices(list(weights), weights=list(weights.values()))[0]
        chosen.append(t)
        weights.pop(t)
    rng.shuffle(chosen)
    return chosen


def compose(county: County, year: int, seed: int | str, doc_type: str | None = None) -> Doc:
    """One document for a county and year, deterministic for (seed, county, year)."""
    rng = random.Random(f"{seed}:{county.adcode}:{year}")
    book = phrasebook()
    if doc_type is None:
        doc_type = "plan" if rng.random() < 0.1 else "report"
    anonymous = rng.random() < 0.01
    encoding = rng.choices(list(ENCODINGS), weights=list(ENCODINGS.values()))[0]
    b = Builder(county, year, rng, book, anonymous)
    lines = _plan(b) if doc_type == "plan" else _report(b)
    text = _fit(b, lines, encoding)
    return Doc(
        county=county,
        year=year,
        doc_type=doc_type,
        text=text,
        encoding=encoding,
        anonymous=anonymous,
        values=list(b.values.values()),
        shortfalls=b.shortfalls,
        targets=b.targets,
    )


def _header_lines(b: Builder, titles: str) -> list[Para]:
    rng, sec = b.rng, b.book.sections
    out = []
    if rng.random() < 0.25:
        out.append(Para("", [b.fill(rng.choice(sec["letterheads"]))], None))
        out.append(Para("", [b.fill("{docno}")], None))
    out.append(Para("", [b.fill(rng.choice(sec[titles]))], None))
    if titles == "report_titles" and rng.random() < 0.3:
        out.append(Para("", [b.fill(rng.choice(sec["addressees"]))], None))
    return out


def _report(b: Builder) -> list[Para]:
    rng, book = b.rng, b.book
    w = world(rng, book)
    inds = book.indicators
    desired = {i for i, e in inds.items() if rng.random() < e["p"]}
    while len(desired) < 6:
        desired.add(rng.choice(sorted(inds)))
    zero = {i for i in sorted(desired) if "zero" in inds[i] and rng.random() < inds[i].get("zero_p", 0)}
    if "violation_units" in zero:
        desired -= {"correction_orders", "exempted_units"}
        if "penalized_units" in desired:
            zero.add("penalized_units")
    for i in zero:
        w[i] = 0

    # certified enforcers may be told in the problems section ("持证执法人员仅2名")
    capacity_count = "certified_enforcers" in desired and rng.random() < 0.35
    blocks: dict[str, list[Block]] = {t: [] for t in TOPICS}
    owned: set[str] = {"certified_enforcers"} if capacity_count else set()
    owner: dict[str, str] = {}

    specs = compound_specs(book)[:]
    rng.shuffle(specs)
    available = desired - zero
    for spec, c, n in specs:
        if n <= available and not c & owned and rng.random() < 0.4:
            first = next(iter(spec["slots"].values()))
            ind = first if isinstance(first, str) else next(v for k, v in first.items() if k != "q")
            blocks[inds[ind]["topic"]].append(Block(b.compound(spec, w), True, c))
            owned |= c
            for i in c:
                owner[i] = "compound"
    rest = sorted(desired - owned)  # sorted first: set order varies between processes
    rng.shuffle(rest)
    for ind in rest:
        text = b.single(ind, w[ind], zero=ind in zero)
        blocks[inds[ind]["topic"]].append(Block(text, inds[ind].get("leadin", True), frozenset([ind])))
        owner[ind] = "single"

    # only parts of all inspections are stated: their sum is the total (spec: derived)
    if "inspected_units" not in b.values:
        parts = [b.values[i] for i in ("random_inspected_units", "joint_inspected_units") if i in b.values]
        if parts:
            b.values["inspected_units"] = Value(
                "inspected_units",
                sum(p.value for p in parts),
                combine([p.qualifier for p in parts]),
                "derived",
                max(parts, key=lambda p: p.value).evidence,
            )

    # a value told twice: again in the summary, or a stated total of derived parts
    summary: list[str] = []
    for ind in sorted(b.values, key=lambda _: rng.random()):
        val = b.values[ind]
        if len(summary) >= 2 or ind not in owner:
            continue
        if val.basis == "stated" and owner[ind] == "single" and rng.random() < 0.15:
            again = b.restate(ind)
            if again:
                summary.append(again)
        elif val.basis == "derived" and val.qualifier == "exact" and not val.alt and rng.random() < 0.3:
            template = rng.choice(inds[ind]["phrasings"])
            text = b.fill(template, lambda _n, unit, v=val.value: b.q(v, unit, "exact"))
            b.values[ind] = Value(ind, val.value, "exact", "stated", text)
            summary.append(text)

    lines = _header_lines(b, "report_titles")
    lines.append(Para("", [b.fill(rng.choice(book.sections["report_intros"]))], None))
    if summary:
        lines.append(Para("", [rng.choice(["一年来，", "总体来看，", ""]) + "，".join(summary) + "。"], "general"))

    topics = [t for t in TOPICS if blocks[t] or rng.random() < 0.5]
    if rng.random() < 0.5:
        rng.shuffle(topics)
    themes = []
    if rng.random() < 0.9 or capacity_count:
        k = rng.choice([1, 2, 2, 3, 3, 4])
        themes = pick_themes(rng, book, k, "enforcement_capacity" if capacity_count else None)
    inline = bool(themes) and rng.random() < 0.25 and not capacity_count
    grouped = rng.random() < 0.5
    top = 1
    if grouped:
        lines.append(Para("", [f"{ordinal(top)}、" + b.fill(rng.choice(book.sections["achievement_headers"]))], None))
        top += 1
    for i, topic in enumerate(topics, 1):
        marker = f"（{ordinal(i)}）" if grouped else f"{ordinal(top)}、"
        if not grouped:
            top += 1
        lines.append(Para("", [marker + rng.choice(book.sections["topic_headers"][topic])], None))
        lines += _topic_paras(b, topic, blocks[topic], numbered=not grouped)
    if inline:
        lines[-1].sents.append(_inline_problems(b, themes))
        lines[-1].tail = 1
    elif themes:
        lines += _problem_section(b, themes, top, "certified_enforcers" if capacity_count else None, w)
        top += 1
    lines += _next_year(b, top)
    lines += _footer(b, "report")
    return lines


def _topic_paras(b: Builder, topic: str, blocks: list[Block], numbered: bool) -> list[Para]:
    """Paragraphs of one topic section, with the value sentences spread over them."""
    rng, book = b.rng, b.book
    n = max(1, min(3, len(blocks) // 2 + rng.randint(0, 1)))
    subs = rng.sample(book.sections["sub_headers"][topic], min(n, len(book.sections["sub_headers"][topic])))
    n = len(subs)
    per = [blocks[i::n] for i in range(n)]
    out = []
    head_style = rng.choice(["numbered", "numbered", "shi", "none"])
    for i, (sub, mine) in enumerate(zip(subs, per, strict=True), 1):
        if head_style == "numbered":
            head = (f"（{ordinal(i)}）" if numbered else f"{i}．") + sub + "。"
        elif head_style == "shi":
            head = f"{ordinal(i)}是{sub}。"
        else:
            head = ""
        sents = [b.filler(topic)]
        k = 0
        while k < len(mine):
            pair = k + 1 < len(mine) and not (mine[k].inds | mine[k + 1].inds) & INSPECTION_FAMILY
            take = 2 if pair and rng.random() < 0.3 else 1
            lead = b.fill(rng.choice(book.sections["leadins"])) if mine[k].leadin else ""
            if mine[k].text.startswith(("全年", "年内", "今年")):
                lead = ""
            sents.append(lead + "，".join(x.text for x in mine[k : k + take]) + "。")
            k += take
        if rng.random() < 0.5:
            sents.insert(rng.randint(0, len(sents)), b.distractor(topic if topic in book.distractors else "general"))
        out.append(Para(head, sents, topic))
    return out


def _statement(b: Builder, theme: str, count_enforcers: bool, w: dict[str, int]) -> tuple[str, str]:
    """A shortfall statement and an optional elaboration sentence (which may state certified_enforcers)."""
    rng, themes = b.rng, b.book.themes
    text = b.fill(rng.choice(themes["statements"][theme]))
    b.shortfalls.append((theme, text))
    elab = ""
    options = themes["elaborations"].get(theme, [])
    if count_enforcers:
        template = rng.choice([e for e in options if "|" in e])
        v = w["certified_enforcers"]
        elab = b.fill(template, lambda _n, unit: b.q(v, unit, "exact"))
        quote = elab.split("，")[1] if elab.startswith("受") else elab.split("，")[0]
        b.values["certified_enforcers"] = Value("certified_enforcers", v, "exact", "stated", quote)
    elif options and rng.random() < 0.3:
        plain = [e for e in options if "|" not in e]
        if plain:
            elab = b.fill(rng.choice(plain))
    return text, elab


def _problem_section(b: Builder, themes: list[str], top: int, count: str | None, w: dict[str, int]) -> list[Para]:
    rng, th = b.rng, b.book.themes
    out = [Para("", [f"{ordinal(top)}、" + rng.choice(th["section_headers"])], None)]
    intro = b.fill(rng.choice(th["section_intros"]))
    enum = rng.choice(th["enumerations"])
    items = []
    for i, theme in enumerate(themes, 1):
        text, elab = _statement(b, theme, bool(count) and theme == "enforcement_capacity", w)
        prefix = enum["prefix"].format(i=ordinal(i), n=i)
        if elab:
            items.append(prefix + text + "。" + elab)
        else:
            items.append(prefix + text + (enum["end"] if i == len(themes) else enum["sep"]))
    if rng.random() < 0.5:
        out.append(Para("", [intro, *items], None))
    else:
        if intro:
            out.append(Para("", [intro], None))
        out += [Para("", [it], None) for it in items]
    return out


def _inline_problems(b: Builder, themes: list[str]) -> str:
    rng = b.rng
    parts = []
    for i, theme in enumerate(themes, 1):
        text, _ = _statement(b, theme, False, {})
        parts.append(f"{ordinal(i)}是{text}")
    return b.fill(rng.choice(b.book.themes["inline_intros"])) + "；".join(parts) + "。"


def _plan_items(b: Builder, n: int) -> list[tuple[str, str]]:
    rng = b.rng
    pool = [it for sec in b.book.plans["sections"].values() for it in sec["items"]]
    return [(title, b.fill(body)) for title, body in rng.sample(pool, n)]


def _next_year(b: Builder, top: int) -> list[Para]:
    """The next-year section of a report: its numbers are intentions, not values."""
    rng, sec = b.rng, b.book.sections
    out = [Para("", [f"{ordinal(top)}、" + b.fill(rng.choice(sec["next_year_headers"]))], None)]
    out.append(Para("", [b.fill(rng.choice(sec["next_year_intros"]))], None))
    for i, (title, body) in enumerate(_plan_items(b, rng.randint(2, 4)), 1):
        sents = [body]
        if rng.random() < 0.4:
            sents.append(b.fill(rng.choice(b.book.plans["next_year_sentences"])))
        out.append(Para(f"（{ordinal(i)}）{title}。", sents, "next_year"))
    return out


def _footer(b: Builder, kind: str) -> list[Para]:
    rng, ctx = b.rng, b.ctx
    out = []
    closing = rng.choice(b.book.sections["closings"]) if kind == "report" else ""
    if closing:
        out.append(Para("", [closing], None))
    if rng.random() < 0.7:
        out.append(Para("", [ctx["bureau"]], None))
        out.append(Para("", [b.fill(rng.choice(b.book.sections["signature_dates"][kind]))], None))
    if ctx["city"] not in ctx["bureau"] or rng.random() < 0.2:
        out.append(Para("", [b.fill("抄送：{city}统计局，{kind}司法局。")], None))
    return out


PLAN_TOPIC = {
    "organisation": "study",
    "outreach": "outreach",
    "decision": "governance",
    "enforcement": "enforcement",
    "foundation": "data_quality",
}


def _plan(b: Builder) -> list[Para]:
    """A 工作要点: numbered items under five headings; targets inside the enforcement item."""
    rng, book = b.rng, b.book
    plans = book.plans
    lines = _header_lines(b, "plan_titles")
    lines.append(Para("", [b.fill(rng.choice(book.sections["plan_intros"]))], "general"))
    pct = rng.choice(["%", "％"])
    chosen = [t for t in plans["targets"] if rng.random() < 0.7] if rng.random() < 0.9 else []
    phrases = []
    for ind in chosen:
        v = rng.choice(plans["targets"][ind]["values"])
        text = b.fill(rng.choice(plans["targets"][ind]["phrasings"]).replace("{v}", str(v)).replace("{pct}", pct))
        b.targets.append((ind, ">=", v, text))
        phrases.append(text)
    item_no = 1
    for top, (key, sec) in enumerate(plans["sections"].items(), 1):
        lines.append(Para("", [f"{ordinal(top)}、" + rng.choice(sec["header"])], None))
        items = rng.sample(sec["items"], rng.randint(2, len(sec["items"])))
        for title, body in items:
            sents = [b.fill(body)]
            if key == "enforcement" and phrases:
                sents.append(b.fill(rng.choice(plans["target_frames"]).replace("{targets}", "，".join(phrases))))
                phrases = []
            lines.append(Para(f"{item_no}．{title}。", sents, PLAN_TOPIC[key]))
            item_no += 1
    lines += _footer(b, "plan")
    return lines


# --------------------------------------------------------------------------
# size


def _codec(encoding: str) -> tuple[str, int]:
    """Codec without BOM and the BOM's length, so sizes can be summed piecewise."""
    return {"utf-8": ("utf-8", 0), "utf-8-sig": ("utf-8", 3), "gb18030": ("gb18030", 0),
            "utf-16": ("utf-16-le", 2)}[encoding]


def _fit(b: Builder, lines: list[Para], encoding: str) -> str:
    """Grow the document with filler until its encoded size reaches a target in 8-15 KB, then render it."""
    rng = b.rng
    codec, bom = _codec(encoding)
    indent = "\u3000\u3000" if rng.random() < 0.3 else ""
    blank = rng.random() < 0.15
    newline = "\n\n" if blank else "\n"
    for p in lines[1:]:
        if p.topic is not None:
            p.head = indent + p.head
    nl = len(newline.encode(codec))

    def size() -> int:
        return bom + sum(len(p.render().encode(codec)) for p in lines) + nl * (len(lines) - 1)

    # two-byte encodings hold fewer characters per KB; aim lower so filler is not repeated
    target = rng.randint(8_600, 11_500) if codec in ("gb18030", "utf-16-le") else rng.randint(8_800, 13_500)
    current = size()
    fillable = [p for p in lines if p.topic is not None]
    added: list[tuple[Para, str]] = []
    while current < target:
        p = rng.choice(fillable)
        s = b.filler(p.topic or "general")
        p.sents.insert(rng.randint(1, len(p.sents) - p.tail), s)
        added.append((p, s))
        current += len(s.encode(codec))
    while current > SIZE_MAX and added:
        p, s = added.pop()
        p.sents.remove(s)
        current -= len(s.encode(codec))
    return newline.join(p.render() for p in lines) + "\n"
