"""Hand-written extraction cases (tests/cases/extraction_cases*.yaml) run against the extractor.

One test per case: the case text goes through ``etl.extract.extract_text`` and the
result must hold exactly what the case expects (see the header of the YAML file).
Every value, shortfall and target must also quote the text verbatim at its offsets.
The remaining tests check the case file itself against the spec in ``etl/spec``.
"""

from __future__ import annotations

import collections
import csv
import math
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES_PATH = CASES_DIR / "extraction_cases.yaml"  # the main set; every extraction_cases*.yaml is loaded
SPEC = ROOT / "etl" / "spec"
if str(ROOT) not in sys.path:  # so that plain `pytest` finds the etl package too
    sys.path.insert(0, str(ROOT))

QUALIFIERS = {"exact", "at_least", "approx", "at_most"}
BASES = {"stated", "derived"}
COMPARATORS = {">=", "<=", "=="}
DOC_TYPES = {"report", "plan"}
REGION_FIELDS = ("province", "city", "district", "adcode")
META_FIELDS = ("year", "doc_type", *REGION_FIELDS)
EXPECT_KEYS = {"values", "only", "absent", "meta", "shortfall_themes", "targets"}
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: city equals province
MIN_POSITIVE_CASES = 3


def _spec_ids(name: str) -> list[str]:
    with open(SPEC / name, encoding="utf-8", newline="") as fh:
        return [row["id"] for row in csv.DictReader(fh)]


def _load_cases() -> list[dict]:
    """Every tests/cases/extraction_cases*.yaml, in name order; ids must be unique across files."""
    paths = sorted(CASES_DIR.glob("extraction_cases*.yaml"))
    assert CASES_PATH in paths, f"{CASES_PATH} is missing"
    cases: list[dict] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            loaded = yaml.safe_load(fh)
        assert isinstance(loaded, list) and loaded, f"{path} must be a non-empty list of cases"
        cases.extend(loaded)
    return cases


CASES = _load_cases()
INDICATORS = _spec_ids("indicators.csv")
THEMES = _spec_ids("shortfall_themes.csv")
TARGET_IDS = _spec_ids("target_indicators.csv")


def _expect(case: dict) -> dict:
    return case.get("expect") or {}


def _same_number(a, b) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def _region(v) -> str:
    if v is None:
        return "unknown"
    s = str(v).strip()
    return s if s and s.lower() not in ("none", "null") else "unknown"


def _check_span(text: str, item: dict, field: str, what: str, problems: list[str]) -> None:
    quote, start, end = item.get(field), item.get("start"), item.get("end")
    if not isinstance(quote, str) or not quote:
        problems.append(f"{what}: empty or missing {field!r}")
    elif not (isinstance(start, int) and isinstance(end, int)):
        problems.append(f"{what}: start/end not integers ({start!r}, {end!r})")
    elif text[start:end] != quote:
        problems.append(f"{what}: text[{start}:{end}]={text[start:end]!r} is not the {field} {quote!r}")


def _check_provenance(text: str, report: dict, problems: list[str]) -> None:
    for v in report.get("values") or []:
        _check_span(text, v, "quote", f"value {v.get('indicator')}={v.get('value')}", problems)
    for s in report.get("shortfalls") or []:
        _check_span(text, s, "text", f"shortfall {s.get('theme')}", problems)
    for t in report.get("targets") or []:
        _check_span(text, t, "quote", f"target {t.get('indicator')}", problems)


def _check_values(expect: dict, report: dict, problems: list[str]) -> None:
    by_ind = collections.defaultdict(list)
    for v in report.get("values") or []:
        by_ind[v.get("indicator")].append(v)
    for ind, items in by_ind.items():
        if len(items) > 1:
            problems.append(f"{ind}: {len(items)} values, want one report-level value")

    want = expect.get("values") or {}
    for ind, spec in want.items():
        if ind not in by_ind:
            problems.append(f"{ind}: missing, want {spec}")
            continue
        got = by_ind[ind][0]
        if not _same_number(got.get("value"), spec["value"]):
            problems.append(f"{ind}: value {got.get('value')!r}, want {spec['value']!r}")
        for key in ("qualifier", "basis"):
            if key in spec and got.get(key) != spec[key]:
                problems.append(f"{ind}: {key} {got.get(key)!r}, want {spec[key]!r}")

    for ind in expect.get("absent") or []:
        if ind in by_ind:
            problems.append(f"{ind}: must not be extracted, got {by_ind[ind][0].get('value')!r}")

    if expect.get("only"):
        extra = sorted(set(by_ind) - set(want), key=str)
        for ind in extra:
            problems.append(f"{ind}: unexpected value {by_ind[ind][0].get('value')!r} (only: true)")


def _check_meta(meta: dict, report: dict, problems: list[str]) -> None:
    for field, want in meta.items():
        got = report.get(field)
        if field == "year":
            ok = got is not None and _same_number(got, want)
        elif field in REGION_FIELDS:
            ok = _region(got) == _region(want)
        else:
            ok = got == want
        if not ok:
            problems.append(f"meta {field}: {got!r}, want {want!r}")


def _check_shortfalls(want: list, report: dict, problems: list[str]) -> None:
    got = collections.Counter(s.get("theme") for s in report.get("shortfalls") or [])
    if got != collections.Counter(want):
        problems.append(f"shortfall themes {sorted(got.elements(), key=str)}, want {sorted(want)}")


def _check_targets(want: dict, report: dict, problems: list[str]) -> None:
    got = collections.defaultdict(list)
    for t in report.get("targets") or []:
        got[t.get("indicator")].append(t)
    for ind, items in got.items():
        if len(items) > 1:
            problems.append(f"target {ind}: {len(items)} targets, want at most one")
        if ind not in want:
            problems.append(f"target {ind}: unexpected {items[0].get('comparator')} {items[0].get('value')}")
    for ind, spec in want.items():
        if ind not in got:
            problems.append(f"target {ind}: missing, want {spec['comparator']} {spec['value']}")
            continue
        t = got[ind][0]
        if t.get("comparator") != spec["comparator"] or not _same_number(t.get("value"), spec["value"]):
            problems.append(
                f"target {ind}: {t.get('comparator')} {t.get('value')}, want {spec['comparator']} {spec['value']}"
            )


def _summary(report: dict) -> str:
    lines = ["meta: " + ", ".join(f"{f}={report.get(f)!r}" for f in META_FIELDS)]
    for v in report.get("values") or []:
        lines.append(
            f"value {v.get('indicator')}={v.get('value')} {v.get('qualifier')} {v.get('basis')} {v.get('quote')!r}"
        )
    for s in report.get("shortfalls") or []:
        lines.append(f"shortfall {s.get('theme')}: {s.get('text')!r}")
    for t in report.get("targets") or []:
        lines.append(f"target {t.get('indicator')} {t.get('comparator')} {t.get('value')} {t.get('quote')!r}")
    return "\n".join(lines)


def _param(case: dict) -> object:
    """A case the extractor is known to miss carries ``known_gap: why``: it runs as a
    strict xfail, so it is reported until it passes, and then must lose the mark."""
    marks = [pytest.mark.xfail(strict=True, reason=case["known_gap"])] if "known_gap" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_extraction_case(case):
    from etl.extract import extract_text

    text = case["text"]
    expect = _expect(case)
    report = extract_text(text, source_file="case.txt")

    problems: list[str] = []
    _check_provenance(text, report, problems)
    _check_values(expect, report, problems)
    if "meta" in expect:
        _check_meta(expect["meta"], report, problems)
    if "shortfall_themes" in expect:
        _check_shortfalls(expect["shortfall_themes"], report, problems)
    if "targets" in expect:
        _check_targets(expect["targets"] or {}, report, problems)

    assert not problems, "\n".join(problems) + "\n--- extracted ---\n" + _summary(report)


# ---------------------------------------------------------------------------
# The case file itself
# ---------------------------------------------------------------------------


def test_case_ids_unique():
    counts = collections.Counter(c.get("id") for c in CASES)
    assert not [i for i, n in counts.items() if n > 1 or not i]


def test_case_structure():
    problems = []
    for c in CASES:
        cid = c.get("id")
        if set(c) - {"id", "text", "expect", "known_gap"}:
            problems.append(f"{cid}: unknown keys {set(c) - {'id', 'text', 'expect', 'known_gap'}}")
        if not isinstance(c.get("text"), str) or not c["text"].strip():
            problems.append(f"{cid}: empty text")
        e = _expect(c)
        if not e:
            problems.append(f"{cid}: no expectations")
        if set(e) - EXPECT_KEYS:
            problems.append(f"{cid}: unknown expect keys {set(e) - EXPECT_KEYS}")
        for ind, spec in (e.get("values") or {}).items():
            if not isinstance(spec, dict) or "value" not in spec or set(spec) - {"value", "qualifier", "basis"}:
                problems.append(f"{cid}: bad value spec for {ind}: {spec!r}")
                continue
            if spec.get("qualifier", "exact") not in QUALIFIERS:
                problems.append(f"{cid}: {ind} qualifier {spec['qualifier']!r}")
            if spec.get("basis", "stated") not in BASES:
                problems.append(f"{cid}: {ind} basis {spec['basis']!r}")
        for ind, spec in (e.get("targets") or {}).items():
            if not isinstance(spec, dict) or set(spec) != {"comparator", "value"}:
                problems.append(f"{cid}: bad target spec for {ind}: {spec!r}")
            elif spec["comparator"] not in COMPARATORS:
                problems.append(f"{cid}: {ind} comparator {spec['comparator']!r}")
        meta = e.get("meta")
        if meta is not None:
            if set(meta) - set(META_FIELDS):
                problems.append(f"{cid}: unknown meta keys {set(meta) - set(META_FIELDS)}")
            if meta.get("doc_type", "report") not in DOC_TYPES:
                problems.append(f"{cid}: doc_type {meta['doc_type']!r}")
            if "year" in meta and not isinstance(meta["year"], int):
                problems.append(f"{cid}: year must be an int")
            adcode = meta.get("adcode")
            if adcode is not None and not (
                adcode == "unknown" or (isinstance(adcode, str) and len(adcode) == 6 and adcode.isdigit())
            ):
                problems.append(f"{cid}: adcode must be a six-digit string or 'unknown', got {adcode!r}")
            regions = [meta.get(f) for f in REGION_FIELDS if f in meta]
            if "unknown" in regions and set(regions) != {"unknown"}:
                problems.append(f"{cid}: region fields partly unknown")
    assert not problems, "\n".join(problems)


def test_case_ids_exist_in_spec():
    problems = []
    for c in CASES:
        e = _expect(c)
        for ind in list(e.get("values") or {}) + list(e.get("absent") or []):
            if ind not in INDICATORS:
                problems.append(f"{c['id']}: unknown indicator {ind}")
        for theme in e.get("shortfall_themes") or []:
            if theme not in THEMES:
                problems.append(f"{c['id']}: unknown shortfall theme {theme}")
        for ind in e.get("targets") or {}:
            if ind not in TARGET_IDS:
                problems.append(f"{c['id']}: unknown target indicator {ind}")
    assert not problems, "\n".join(problems)


def test_every_indicator_has_positive_cases():
    counts = collections.Counter(ind for c in CASES for ind in (_expect(c).get("values") or {}))
    thin = {ind: counts[ind] for ind in INDICATORS if counts[ind] < MIN_POSITIVE_CASES}
    assert not thin, f"indicators with fewer than {MIN_POSITIVE_CASES} positive cases: {thin}"


def test_every_qualifier_has_positive_cases():
    counts = collections.Counter(
        spec.get("qualifier") for c in CASES for spec in (_expect(c).get("values") or {}).values()
    )
    thin = {q: counts[q] for q in QUALIFIERS if counts[q] < MIN_POSITIVE_CASES}
    assert not thin, f"qualifiers with fewer than {MIN_POSITIVE_CASES} cases: {thin}"


def test_every_theme_and_target_is_covered():
    themes = collections.Counter(t for c in CASES for t in _expect(c).get("shortfall_themes") or [])
    targets = collections.Counter(t for c in CASES for t in _expect(c).get("targets") or {})
    assert not [t for t in THEMES if themes[t] < 2], themes
    assert not [t for t in TARGET_IDS if targets[t] < MIN_POSITIVE_CASES], targets


def _gazetteer() -> dict[str, str]:
    """adcode → name, from the table the extractor uses (with the former places it still knows)."""
    from etl.extract.regions import known_places

    return {code: place.name for code, place in known_places().items()}


def test_case_regions_match_gazetteer():
    names = _gazetteer()
    problems = []
    for c in CASES:
        meta = _expect(c).get("meta") or {}
        code = meta.get("adcode")
        if not code or code == "unknown":
            continue
        prov = names.get(code[:2] + "0000")
        city = prov if code[:2] in MUNICIPALITIES else names.get(code[:4] + "00")
        want = (prov, city, names.get(code))
        got = (meta.get("province"), meta.get("city"), meta.get("district"))
        if got != want:
            problems.append(f"{c['id']}: {code} is {want} in the gazetteer, case says {got}")
    assert not problems, "\n".join(problems)
