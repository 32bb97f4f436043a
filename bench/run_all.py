"""Run every benchmark in order: ``python bench/run_all.py`` (``make bench``).

Order matters: the corpus is generated (or reused) first, the build creates
the warehouse that the query and page benchmarks read. Each script runs in its
own process so that memory figures are not inherited. Prints each script's
figures as they come, then the total time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["extract_throughput.py", "build.py", "queries.py", "pages.py", "exports.py"]


def main() -> int:
    start = time.perf_counter()
    failed = []
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script)], cwd=HERE.parent)
        print(f"--- {script}: {time.perf_counter() - t:.0f} s" + (f", exit {code}" if code else ""), flush=True)
        if code:
            failed.append(script)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
