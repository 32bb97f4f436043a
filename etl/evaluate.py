"""``python -m etl evaluate``: score extraction of the bundled corpora against their answer keys.

The project's own copy of the shared scorer's rules, so that a clone can
check itself and tests can assert the bars (``etl/spec/bars.yaml``):
values are matched on (file, indicator) with the key's value or an accepted
alternative; metadata field by field; shortfalls as a multiset of themes per
file; targets on (file, indicator) with comparator and value; provenance is
the share of quotes found verbatim at their offsets.

Corpora: ``seeds`` (``data/raw`` against ``data/gold``) and ``real``
(``data/corpus/real`` against ``data/gold-real``). The real pages are also
scored in parts by the ``kind`` column of their ``sources.csv``: ``given``
(the development pages everyone sees) and ``own`` (pages the team added, any other kind),
because a rule fitted to the given pages shows up as a gap between the two.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from etl.extract import extract_document
from etl.extract.read import ReadError, read_document

META_FIELDS = ("province", "city", "district", "adcode", "year", "doc_type")
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BARS_FILE = ROOT / "etl" / "spec" / "bars.yaml"
CORPORA = {"seeds": (DATA / "raw", DATA / "gold"), "real": (DATA / "corpus" / "real", DATA / "gold-real")}


@cache
def bars() -> dict[str, dict[str, dict[str, float]]]:
    """corpus → part → metric → the lowest acceptable score."""
    with open(BARS_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# The seeds' bars, as earlier callers read them.
BARS = bars()["seeds"]["all"]


@dataclass
class Score:
    values_p: float
    values_r: float
    values_f1: float
    meta: float
    shortfalls_f1: float
    targets_f1: float
    provenance: float
    misses: list[str]
    reports: int = 0
    meta_fields: dict[str, int] = field(default_factory=dict)  # field → reports right
    indicators: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # id → (tp, gold, predicted)

    def line(self) -> str:
        return (
            f"SCORE values_f1={self.values_f1:.3f} values_p={self.values_p:.3f} values_r={self.values_r:.3f} "
            f"meta={self.meta:.3f} shortfalls_f1={self.shortfalls_f1:.3f} "
            f"targets_f1={self.targets_f1:.3f} provenance={self.provenance:.3f}"
        )

    def below(self, wanted: dict[str, float]) -> list[str]:
        """The metrics under their bar, as ``metric value < bar``."""
        return [f"{k} {getattr(self, k):.3f} < {bar}" for k, bar in wanted.items() if getattr(self, k) < bar]


def _norm(v: Any) -> str:
    s = "" if v is None else str(v).strip()
    return s if s and s.lower() not in ("none", "null") else "unknown"


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _ratio(a: float, b: float) -> float:
    return a / b if b else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _quote_ok(v: dict[str, Any], text: str) -> bool:
    """Verbatim in the source, and at its offsets when it gives them (as the shared scorer checks)."""
    q = v.get("quote") or ""
    s, e = v.get("start"), v.get("end")
    good = bool(q) and q in text
    if good and isinstance(s, int) and isinstance(e, int):
        good = text[s:e] == q
    return good


def score(
    gold: Path, preds: dict[str, dict[str, Any]], texts: dict[str, str], files: set[str] | None = None
) -> Score:
    """Score predictions (file name → report record) against the key in ``gold``.

    ``files`` limits the scoring to those reports of the key (one part of a corpus).
    """
    misses: list[str] = []
    reports = [r for r in _rows(gold / "reports.csv") if files is None or r["file"] in files]
    keyed = {r["file"] for r in reports}
    meta_ok = 0
    per_field: Counter[str] = Counter()
    for r in reports:
        p = preds.get(r["file"], {})
        for f in META_FIELDS:
            ok = _norm(p.get(f)) == _norm(r[f])
            meta_ok += ok
            per_field[f] += ok
            if not ok:
                misses.append(f"meta {r['file']} {f}: want {r[f]} got {_norm(p.get(f))}")
    gold_vals = {}
    for r in _rows(gold / "values.csv"):
        if r["file"] in keyed:
            ok = {_num(r["value"])} | {_num(x) for x in r["alt_values"].split("|") if x}
            gold_vals[(r["file"], r["indicator"])] = ok
    pred_vals: dict[tuple[str, str], dict[str, Any]] = {}
    quotes_ok = quotes_n = 0
    for fname, p in preds.items():
        if fname not in keyed:
            continue
        text = texts.get(fname)
        for v in p.get("values", []):
            key = (fname, v["indicator"])
            if key in pred_vals:
                misses.append(f"value {fname} {key[1]}: more than one report-level value")
            pred_vals[key] = v
            if text is not None:
                quotes_n += 1
                good = _quote_ok(v, text)
                quotes_ok += good
                if not good:
                    misses.append(f"quote {fname} {v['indicator']}: not verbatim at its offsets")
    tp = 0
    per_ind: dict[str, list[int]] = {}
    for key, ok in gold_vals.items():
        per_ind.setdefault(key[1], [0, 0, 0])[1] += 1
        v = pred_vals.get(key)
        if v is not None and _num(v["value"]) in ok:
            tp += 1
            per_ind[key[1]][0] += 1
        else:
            misses.append(f"value {key[0]} {key[1]}: want {sorted(ok, key=str)} got {v and v['value']}")
    for key, v in pred_vals.items():
        per_ind.setdefault(key[1], [0, 0, 0])[2] += 1
        if key not in gold_vals:
            misses.append(f"extra {key[0]} {key[1]}={v['value']}")
    vp, vr = _ratio(tp, len(pred_vals)), _ratio(tp, len(gold_vals))
    gold_sf = Counter((r["file"], r["theme"]) for r in _rows(gold / "shortfalls.csv") if r["file"] in keyed)
    pred_sf = Counter((f, s["theme"]) for f, p in preds.items() if f in keyed for s in p.get("shortfalls", []))
    sf_tp = sum((gold_sf & pred_sf).values())
    misses += [f"shortfall {k[0]} missing {k[1]}" for k in gold_sf - pred_sf]
    misses += [f"shortfall {k[0]} extra {k[1]}" for k in pred_sf - gold_sf]
    gold_t = {
        (r["file"], r["indicator"]): (r["comparator"], _num(r["value"]))
        for r in _rows(gold / "targets.csv")
        if r["file"] in keyed
    }
    pred_t = {
        (f, t["indicator"]): (t["comparator"], _num(t["value"]))
        for f, p in preds.items()
        if f in keyed
        for t in p.get("targets", [])
    }
    t_tp = sum(1 for k, v in gold_t.items() if pred_t.get(k) == v)
    misses += [f"target {k[0]} {k[1]}: want {v} got {pred_t.get(k)}" for k, v in gold_t.items() if pred_t.get(k) != v]
    return Score(
        values_p=vp,
        values_r=vr,
        values_f1=_f1(vp, vr),
        meta=_ratio(meta_ok, len(reports) * len(META_FIELDS)),
        shortfalls_f1=_f1(_ratio(sf_tp, sum(pred_sf.values())), _ratio(sf_tp, sum(gold_sf.values()))),
        targets_f1=_f1(_ratio(t_tp, len(pred_t)), _ratio(t_tp, len(gold_t))),
        provenance=_ratio(quotes_ok, quotes_n),
        misses=misses,
        reports=len(reports),
        meta_fields=dict(per_field),
        indicators={k: (t, g, n) for k, (t, g, n) in sorted(per_ind.items())},
    )


def extract_key_files(raw: Path, gold: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Extract every file the key names: (file → record, file → text)."""
    preds, texts = {}, {}
    for r in _rows(gold / "reports.csv"):
        try:
            doc = read_document(raw / r["file"])
        except ReadError:
            continue
        preds[r["file"]] = extract_document(doc)
        texts[r["file"]] = doc.text
    return preds, texts


def evaluate(raw: Path, gold: Path) -> Score:
    """Extract every file of the key from ``raw`` and score it."""
    preds, texts = extract_key_files(raw, gold)
    return score(gold, preds, texts)


def parts(raw: Path, gold: Path) -> dict[str, set[str] | None]:
    """The parts a corpus is scored in: ``all``; with a sources.csv, ``given`` and ``own``.

    ``given`` pages have kind ``given``; every other kind (news, disclosure …)
    is a page the team added: ``own``.
    """
    out: dict[str, set[str] | None] = {"all": None}
    sources = raw / "sources.csv"
    if sources.exists():
        keyed = {r["file"] for r in _rows(gold / "reports.csv")}
        given = {r["file"] for r in _rows(sources) if r["file"] in keyed and r.get("kind") == "given"}
        out["given"] = given
        out["own"] = keyed - given
    return out


def evaluate_corpus(name: str) -> dict[str, Score]:
    """Scores of one bundled corpus by part (``all``, ``given``, ``own`` …); extraction runs once."""
    raw, gold = CORPORA[name]
    preds, texts = extract_key_files(raw, gold)
    return {part: score(gold, preds, texts, files) for part, files in parts(raw, gold).items()}


def report(name: str, part: str, result: Score) -> list[str]:
    """The printed report of one part: indicators, metadata fields, misses, score line."""
    out = [f"== {name} / {part}: {result.reports} reports"]
    if result.indicators:
        out.append(f"{'indicator':30} {'tp':>4} {'gold':>5} {'pred':>5} {'precision':>9} {'recall':>7}")
        for ind, (tp, g, n) in result.indicators.items():
            out.append(f"{ind:30} {tp:4} {g:5} {n:5} {_ratio(tp, n):9.2f} {_ratio(tp, g):7.2f}")
    n = result.reports or 1
    out.append("metadata: " + ", ".join(f"{f} {result.meta_fields.get(f, 0)}/{result.reports} "
                                        f"({result.meta_fields.get(f, 0) / n:.2f})" for f in META_FIELDS))
    out += [f"  miss: {m}" for m in sorted(result.misses)]
    out.append(result.line())
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", choices=sorted(CORPORA), help="score one bundled corpus (default: all)")
    parser.add_argument("--raw", type=Path, help="another folder of report files (with --gold)")
    parser.add_argument("--gold", type=Path, help="its answer-key folder (with --raw)")
    parser.add_argument("--verbose", "-v", action="store_true", help="kept for old scripts: misses are always listed")


def run(args: argparse.Namespace) -> int:
    failed: list[str] = []
    if args.raw or args.gold:
        if not (args.raw and args.gold):
            print("--raw and --gold go together")
            return 2
        result = evaluate(args.raw, args.gold)
        print("\n".join(report(str(args.raw), "all", result)))
        return 0
    for name in [args.corpus] if args.corpus else sorted(CORPORA, reverse=True):
        wanted = bars().get(name, {})
        for part, result in evaluate_corpus(name).items():
            if result.reports == 0:
                continue
            print("\n".join(report(name, part, result)))
            failed += [f"{name}/{part} {b}" for b in result.below(wanted.get(part, {}))]
    if failed:
        print("below the bar: " + "; ".join(failed))
    return 1 if failed else 0
