"""Extraction time grows about linearly with the number of figures in a document.

Why: mention aggregation once compared every mention with every other one, so a
long report with thousands of figures took seconds per document. The test
compares two sizes in one run (CPU time, best of a few runs), never an
absolute time, so a slow or busy machine does not make it fail.
"""

from __future__ import annotations

import time

from etl.extract import extract_text

# Four figures of four indicators per line, in clauses that lend keywords to each other.
LINE = "区统计局对{n}家企业开展执法检查，印发宣传手册{m}份，组织普法活动{k}场，培训统计人员{p}人次。\n"


def _document(lines: int) -> str:
    return "".join(LINE.format(n=i % 50 + 3, m=i % 70 + 100, k=i % 9 + 2, p=i % 40 + 20) for i in range(lines))


def _cpu_seconds(text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.process_time()
        report = extract_text(text)
        best = min(best, time.process_time() - t)
    assert report["values"], "the document must yield values, or the timing measures nothing"
    return best


def test_many_figures_extract_in_linear_time() -> None:
    small, factor = 500, 8
    extract_text(_document(20))  # warm caches: rules, compiled patterns, gazetteer
    t_small = _cpu_seconds(_document(small), runs=3)
    t_large = _cpu_seconds(_document(small * factor), runs=1)
    # Linear is a ratio near 8; the quadratic loop gave about 25 at these sizes.
    assert t_large < t_small * factor * 2, (t_small, t_large)
