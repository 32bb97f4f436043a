"""Instructions per report, old code against new: ``python bench/extract_instructions.py OLD_ROOT NEW_ROOT [--n 100]``.

Why: CPU-seconds on a shared machine still move with the neighbours (caches,
hyper-threads: the same code measured 1.4–1.9× apart in one evening), so a
change of a few percent drowns. The number of machine instructions a process
executes does not depend on the load: Valgrind's cachegrind counts them
(``apt-get install valgrind``; the run is ~50× slower, so the sample is
small). Each tree extracts the same seeded sample of the synthetic decade
after the same 20-file warm-up; a run with the warm-up alone is subtracted,
which leaves the instructions of the sample's reports.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from common import corpus

CHILD = r"""
import random, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from etl.extract import extract_file
from etl.extract.read import ReadError
folder, n = Path(sys.argv[2]), int(sys.argv[3])
names = sorted(p.name for p in (folder / "raw").iterdir())
sample = random.Random(1).sample(names, min(n + 20, len(names)))
for name in sample[: 20 + n]:
    try:
        extract_file(folder / "raw" / name)
    except ReadError:
        pass
"""


def instructions(root: Path, folder: Path, n: int) -> int:
    """Instructions of a process that warms up on 20 files and extracts ``n`` more."""
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", CHILD, str(root), str(folder), str(n)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output: {out.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--n", type=int, default=100, help="reports in the sample (default 100)")
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: the generated decade)")
    a = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    folder = a.corpus or corpus()
    per = {}
    for label, root in (("old", a.old.resolve()), ("new", a.new.resolve())):
        per[label] = (instructions(root, folder, a.n) - instructions(root, folder, 0)) / a.n
        print(f"{label} ({root}): {per[label] / 1e6:.2f} M instructions per report")
    print(f"new / old: {per['new'] / per['old']:.3f} ({per['old'] / per['new']:.2f}× fewer)")


if __name__ == "__main__":
    main()
