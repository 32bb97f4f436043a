"""Time ``--engine local`` against ``--engine dask`` on a synthetic corpus: reports/s per worker.

Writes a synthetic corpus (``etl.synth``: real sizes, encodings and a few
broken files), then times full builds with the local process pool and with
a Dask ``LocalCluster`` of 1 and ``--jobs`` workers, and an incremental Dask
build with 1% of the files changed. The figures feed docs/scale.md. Run:
``python bench/bench_engine.py [--counties 60] [--years 2015-2024] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import etl.warehouse.build  # noqa: E402
from etl.synth.__main__ import parse_years  # noqa: E402
from etl.synth.corpus import generate  # noqa: E402
from etl.warehouse.build import BuildSummary, build, parquet_path  # noqa: E402
from etl.warehouse.fingerprint import extractor_fingerprint  # noqa: E402

# Freeze the fingerprint: code edited while the benchmark runs would turn incremental builds into full ones.
_FROZEN = extractor_fingerprint()
etl.warehouse.build.extractor_fingerprint = lambda: _FROZEN


def timed(label: str, workers: int, fn: Callable[[], BuildSummary]) -> BuildSummary:
    """Run one build and print its CPU-seconds (this process and its finished workers), wall time,
    load, and reports per CPU-second."""
    from common import Clock

    with Clock() as clock:
        s = fn()
    rate = s.loaded / clock.cpu if clock.cpu else 0.0
    print(
        f"{label:<34} {clock}  extracted {s.loaded:5d}  {rate:6.1f} reports per CPU-s  "
        f"({s.loaded / clock.wall if clock.wall else 0.0:6.1f} reports/s wall, {workers} workers)",
        flush=True,
    )
    return s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=60)
    parser.add_argument("--years", type=parse_years, default=parse_years("2015-2024"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.dir or Path(tmp)
        stats = generate(work / "corpus", args.years, args.counties, seed="bench", jobs=args.jobs)
        raw = work / "corpus" / "raw"
        print(f"corpus: {stats['files']} files ({stats['broken']} broken), {args.jobs} cores", flush=True)

        def quiet(_msg: str) -> None:
            pass

        db = work / "wh" / "warehouse.duckdb"
        timed("local, 1 process", 1, lambda: build(raw, db, full=True, jobs=1, log=quiet))
        timed(f"local, {args.jobs} processes", args.jobs, lambda: build(raw, db, full=True, jobs=args.jobs, log=quiet))
        timed("dask, 1 worker", 1, lambda: build(raw, db, full=True, jobs=1, log=quiet, engine="dask"))
        s = timed(
            f"dask, {args.jobs} workers", args.jobs,
            lambda: build(raw, db, full=True, jobs=args.jobs, log=quiet, engine="dask"),
        )
        lake = parquet_path(db)
        size = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
        parts = len(list(lake.rglob("*.parquet")))
        print(f"  parquet: {parts} parts, {size / 1e6:.1f} MB for {s.loaded} reports; warehouse "
              f"{db.stat().st_size / 1e6:.1f} MB", flush=True)
        for p in sorted(raw.iterdir())[::100]:
            with open(p, "ab") as f:
                f.write("\n（修订）\n".encode())
        timed(
            f"dask, {args.jobs} workers, 1% changed", args.jobs,
            lambda: build(raw, db, jobs=args.jobs, log=quiet, engine="dask"),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
