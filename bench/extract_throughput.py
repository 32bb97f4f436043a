"""Extraction throughput on one core: ``python bench/extract_throughput.py [--n 1000]``.

Runs ``etl.extract.extract_file`` over a seeded sample of the synthetic
decade, one file after another in this process, and prints reports per
CPU-second (target: at least 500; the machine is shared, so wall-clock
rates measure the neighbours too) beside the wall-clock rate and the
per-file latency. It also
scores the sample against the corpus's answer key with the project's
evaluator, so a speed-up that loses accuracy shows at once. ``--pred`` writes
the extracted records as JSON lines for scoring by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path

from common import corpus, load_average, machine, percentile, verdict

from etl.synth.corpus import read_gold, read_manifest, read_text

TARGET_PER_S = 500  # reports per CPU-second of one process (issue 13)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="documents in the sample (default 1000)")
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: the generated decade)")
    ap.add_argument("--pred", type=Path, help="write the records as JSON lines here")
    a = ap.parse_args()

    from etl.extract import extract_file

    folder = a.corpus or corpus()
    manifest = read_manifest(folder)
    docs = sorted(n for n, r in manifest.items() if not r["kind"].startswith("broken"))
    sample = random.Random(0).sample(docs, min(a.n, len(docs)))
    for name in sample[:20]:  # warm-up: imports, regex compilation, caches
        extract_file(folder / "raw" / name)

    times: list[float] = []
    preds: dict[str, dict] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    for name in sample:
        t = time.perf_counter()
        preds[name] = extract_file(folder / "raw" / name)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rate = len(sample) / total

    if a.pred:
        with open(a.pred, "w", encoding="utf-8") as fh:
            for rec in preds.values():
                fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")

    print(f"machine: {machine()}")
    print(f"corpus: {folder} ({len(docs)} documents); sample {len(sample)}, "
          f"encodings {dict(Counter(manifest[n]['encoding'] for n in sample))}")
    per_cpu = len(sample) / cpu
    print(f"extract_file, one core: {per_cpu:.0f} reports per CPU-second [target >= {TARGET_PER_S}: "
          f"{verdict(per_cpu, TARGET_PER_S, higher_is_better=True)}]; {cpu:.1f} CPU-s for {len(sample)} reports")
    print(f"  wall: {rate:.0f} reports/s (load {load_average():.1f}: the other processes' share of the cores)")
    ms = [t * 1000 for t in times]
    print(f"per report: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms")

    try:
        from etl.evaluate import score
    except ImportError:
        return
    gold_dir = folder / "gold"
    keep = set(sample)
    sub = gold_dir.parent / "gold_sample"
    sub.mkdir(exist_ok=True)
    gold = read_gold(folder)
    for k, rows in gold.items():  # the evaluator reads a folder: write the sample's key
        header = list(rows[0]) if rows else []
        with open(sub / f"{k}.csv", "w", encoding="utf-8", newline="") as fh:
            import csv

            w = csv.DictWriter(fh, fieldnames=header or ["file"], lineterminator="\n")
            w.writeheader()
            w.writerows(r for r in rows if r["file"] in keep)
    texts = {n: read_text(folder, n, manifest) for n in sample}
    print("accuracy on the sample (etl.evaluate): " + score(sub, preds, texts).line())


if __name__ == "__main__":
    main()
