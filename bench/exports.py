"""Time to build each download of the Compare page: ``python bench/exports.py``.

A download is built when its button is clicked (``ui/export.py``), so this is
how long a user waits for the file: the CSV table, the XLSX (table, sources
up to its cap, notes) and the sources CSV, for the whole country, the
province with the most reports and the city with the most reports, on the
warehouse built by ``bench/build.py``. CPU-seconds of this process (less its memory sampler's) beside
wall time (the machine is shared); peak memory is the process's. No target
in the issue; a national file should come within seconds, not minutes.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from common import BENCH_DIR, Clock, PeakMemory, filter_sets, machine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=BENCH_DIR / "warehouse.duckdb")
    a = ap.parse_args()
    if not a.db.exists():
        raise SystemExit(f"{a.db} not found: run bench/build.py first")
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    from ui import export
    from ui.db import file_version
    from ui.model import Filters, Source

    src = Source(str(a.db), file_version(a.db))
    print(f"machine: {machine()}")
    print(f"{'filter':10} {'download':12} {'CPU s':>8} {'wall s':>8} {'load':>5} {'MB':>7} {'peak MB':>8}")
    for scope, query in filter_sets(a.db):
        f = Filters(province=query.get("province"), city=query.get("city"))
        for name, build in (("csv", export.csv_file), ("xlsx", export.xlsx_file),
                            ("sources_csv", export.sources_csv_file)):
            with Clock() as clock, PeakMemory() as peak:
                data = build(src, f, True, "zh")
            print(f"{scope:10} {name:12} {clock.cpu - peak.cpu:8.2f} {clock.wall:8.2f} {clock.load:5.1f} "
                  f"{len(data) / 2**20:7.1f} {peak.peak / 2**20:8.0f}", flush=True)


if __name__ == "__main__":
    main()
