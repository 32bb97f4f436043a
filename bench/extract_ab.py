"""Old against new extractor, interleaved: ``python bench/extract_ab.py OLD_ROOT NEW_ROOT [--n 2000] [--rounds 3]``.

Why: two machines' (or two moments') figures do not compare on a shared box,
so the two code trees take turns on the same sample of the synthetic decade,
each in a fresh process, and the CPU-seconds of each run are printed with
reports per CPU-second. ``--corpus`` takes an existing corpus folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import corpus

CHILD = r"""
import json, random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from etl.extract import extract_file
from etl.extract.read import ReadError
folder, n = Path(sys.argv[2]), int(sys.argv[3])
names = sorted(p.name for p in (folder / "raw").iterdir())
sample = random.Random(0).sample(names, min(n, len(names)))
for name in sample[:20]:
    try: extract_file(folder / "raw" / name)
    except ReadError: pass
done, cpu = 0, time.process_time()
for name in sample:
    try:
        extract_file(folder / "raw" / name)
        done += 1
    except ReadError:
        pass
print(json.dumps({"reports": done, "cpu": time.process_time() - cpu}))
"""


def run(root: Path, folder: Path, n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(folder), str(n)],
                         check=True, capture_output=True, text=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: the generated decade)")
    a = ap.parse_args()
    folder = a.corpus or corpus()
    totals = {"old": [0, 0.0], "new": [0, 0.0]}
    for r in range(a.rounds):
        for label, root in (("old", a.old), ("new", a.new)):
            res = run(root.resolve(), folder, a.n)
            totals[label][0] += res["reports"]
            totals[label][1] += res["cpu"]
            print(f"round {r + 1} {label}: {res['reports']} reports in {res['cpu']:.2f} CPU-s = "
                  f"{res['reports'] / res['cpu']:.0f} reports/CPU-s ({1000 * res['cpu'] / res['reports']:.2f} ms each)")
    for label, (reports, cpu) in totals.items():
        print(f"{label}: {reports / cpu:.0f} reports per CPU-second, {1000 * cpu / reports:.2f} CPU-ms per report")


if __name__ == "__main__":
    main()
