"""Time the warehouse build at production scale (~28,500 reports).

Makes N distinct files from the seed reports (each seed with a numbered line
appended, so every file has its own sha256), then times a cold build, an
incremental build with nothing changed, one with 1% of the files changed, and
a corrections refresh. Run: ``python bench/bench_build.py [--n 28500] [--jobs 2]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import etl.warehouse.build  # noqa: E402
from etl.warehouse.build import build, refresh_corrections  # noqa: E402
from etl.warehouse.corrections import add_correction, corrections_path  # noqa: E402
from etl.warehouse.fingerprint import extractor_fingerprint  # noqa: E402

# Freeze the extractor fingerprint: code edited while the benchmark runs would
# otherwise turn the incremental builds into full ones.
_FROZEN = extractor_fingerprint()
etl.warehouse.build.extractor_fingerprint = lambda: _FROZEN


def make_corpus(raw: Path, n: int) -> None:
    """``n`` files cycling through the seeds, each made unique by an appended line."""
    seeds = [p.read_bytes() for p in sorted((ROOT / "data" / "raw").iterdir()) if p.is_file()]
    raw.mkdir(parents=True)
    for i in range(n):
        sub = raw / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"r{i:06d}.txt").write_bytes(seeds[i % len(seeds)] + f"\n（档案编号 {i}）\n".encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=28_500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.dir or Path(tmp)
        raw, db = work / "raw", work / "warehouse.duckdb"
        started = time.monotonic()
        if not raw.exists():
            make_corpus(raw, args.n)
        print(f"corpus of {args.n} files: {time.monotonic() - started:.1f} s")

        def timed(label: str, fn) -> object:  # noqa: ANN001
            from common import Clock  # CPU-seconds of this process and its finished workers, wall, load

            with Clock() as clock:
                out = fn()
            print(f"{label}: {clock}", flush=True)
            return out

        log = lambda m: None  # noqa: E731
        s = timed("cold build", lambda: build(raw, db, full=True, jobs=args.jobs, log=log))
        print("  ", s.line(), f"db {db.stat().st_size / 1e6:.0f} MB")
        s = timed("incremental, nothing changed", lambda: build(raw, db, jobs=args.jobs, log=log))
        print("  ", s.line())
        for p in sorted(raw.rglob("*.txt"))[:: 100]:
            with open(p, "a", encoding="utf-8") as f:
                f.write("（修订）\n")
        s = timed("incremental, 1% changed", lambda: build(raw, db, jobs=args.jobs, log=log))
        print("  ", s.line())
        add_correction(corrections_path(db), "0" * 64, "year", 2020, reason="bench", who="bench")
        timed("refresh corrections", lambda: refresh_corrections(db, log=log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
