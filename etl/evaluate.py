"""``python -m etl evaluate``: score extraction of a corpus against an answer key.

The project's own copy of the scoring rules, so that a clone can check itself
(``data/raw`` against ``data/gold``) and tests can assert the bars:
values are matched on (file, indicator) with the key's value or an accepted
alternative; metadata field by field; shortfalls as a multiset of themes per
file; targets on (file, indicator) with comparator and value; provenance is
the share of quotes found verbatim at their offsets.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.extract import extract_document
from etl.extract.read import ReadError, read_document

META_FIELDS = ("province", "city", "district", "adcode", "year", "doc_type")
BARS = {"values_f1": 0.95, "meta": 1.0, "shortfalls_f1": 0.90, "targets_f1": 1.0, "provenance": 1.0}
DATA = Path(__file__).resolve().parent.parent / "data"


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

    def line(self) -> str:
        return (
            f"SCORE values_f1={self.values_f1:.3f} values_p={self.values_p:.3f} values_r={self.values_r:.3f} "
            f"meta={self.meta:.3f} shortfalls_f1={self.shortfalls_f1:.3f} "
            f"targets_f1={self.targets_f1:.3f} provenance={self.provenance:.3f}"
        )


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


def score(gold: Path, preds: dict[str, dict[str, Any]], texts: dict[str, str]) -> Score:
    """Score predictions (file name → report record) against the key in ``gold``."""
    misses: list[str] = []
    reports = _rows(gold / "reports.csv")
    files = {r["file"] for r in reports}
    meta_ok = 0
    for r in reports:
        p = preds.get(r["file"], {})
        for f in META_FIELDS:
            ok = _norm(p.get(f)) == _norm(r[f])
            meta_ok += ok
            if not ok:
                misses.append(f"meta {r['file']} {f}: want {r[f]} got {_norm(p.get(f))}")
    gold_vals = {}
    for r in _rows(gold / "values.csv"):
        ok = {_num(r["value"])} | {_num(x) for x in r["alt_values"].split("|") if x}
        gold_vals[(r["file"], r["indicator"])] = ok
    pred_vals = {}
    quotes_ok = quotes_n = 0
    for fname, p in preds.items():
        if fname not in files:
            continue
        text = texts.get(fname)
        for v in p.get("values", []):
            pred_vals[(fname, v["indicator"])] = v
            if text is not None:
                quotes_n += 1
                good = bool(v.get("quote")) and text[v["start"] : v["end"]] == v["quote"]
                quotes_ok += good
                if not good:
                    misses.append(f"quote {fname} {v['indicator']}: not verbatim at its offsets")
    tp = 0
    for key, ok in gold_vals.items():
        v = pred_vals.get(key)
        if v is not None and _num(v["value"]) in ok:
            tp += 1
        else:
            misses.append(f"value {key[0]} {key[1]}: want {sorted(ok, key=str)} got {v and v['value']}")
    misses += [f"extra {k[0]} {k[1]}={v['value']}" for k, v in pred_vals.items() if k not in gold_vals]
    vp, vr = _ratio(tp, len(pred_vals)), _ratio(tp, len(gold_vals))
    gold_sf = Counter((r["file"], r["theme"]) for r in _rows(gold / "shortfalls.csv"))
    pred_sf = Counter((f, s["theme"]) for f, p in preds.items() if f in files for s in p.get("shortfalls", []))
    sf_tp = sum((gold_sf & pred_sf).values())
    misses += [f"shortfall {k[0]} missing {k[1]}" for k in gold_sf - pred_sf]
    misses += [f"shortfall {k[0]} extra {k[1]}" for k in pred_sf - gold_sf]
    gold_t = {(r["file"], r["indicator"]): (r["comparator"], _num(r["value"])) for r in _rows(gold / "targets.csv")}
    pred_t = {
        (f, t["indicator"]): (t["comparator"], _num(t["value"]))
        for f, p in preds.items()
        if f in files
        for t in p.get("targets", [])
    }
    t_tp = sum(1 for k, v in gold_t.items() if pred_t.get(k) == v)
    return Score(
        values_p=vp,
        values_r=vr,
        values_f1=_f1(vp, vr),
        meta=_ratio(meta_ok, len(reports) * len(META_FIELDS)),
        shortfalls_f1=_f1(_ratio(sf_tp, sum(pred_sf.values())), _ratio(sf_tp, sum(gold_sf.values()))),
        targets_f1=_f1(_ratio(t_tp, len(pred_t)), _ratio(t_tp, len(gold_t))),
        provenance=_ratio(quotes_ok, quotes_n),
        misses=misses,
    )


def evaluate(raw: Path, gold: Path) -> Score:
    """Extract every file of the key from ``raw`` and score it."""
    preds, texts = {}, {}
    for r in _rows(gold / "reports.csv"):
        try:
            doc = read_document(raw / r["file"])
        except ReadError:
            continue
        preds[r["file"]] = extract_document(doc)
        texts[r["file"]] = doc.text
    return score(gold, preds, texts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, default=DATA / "raw", help="folder of report files")
    parser.add_argument("--gold", type=Path, default=DATA / "gold", help="answer-key folder")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")


def run(args: argparse.Namespace) -> int:
    result = evaluate(args.raw, args.gold)
    if args.verbose:
        print("\n".join(sorted(result.misses)))
    print(result.line())
    below = [k for k, bar in BARS.items() if getattr(result, k) < bar]
    if below:
        print("below the bar: " + ", ".join(below))
    return 1 if below else 0
