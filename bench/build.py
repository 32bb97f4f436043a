"""Warehouse build at production scale: ``python bench/build.py [--jobs 2] [--before REF]``.

On the synthetic decade (about 28,500 files): a full build, then an
incremental build with nothing changed, then one after 1% of the files were
edited. Each figure is CPU-seconds of the build's process tree (the build and
its pool workers, from ``getrusage``), beside wall time, peak memory and the
load average: the machine is shared and its load swings, so targets are set
on CPU time. Targets: full build <= 60 CPU-s (the issue's target; the
extractor's speed decides it), nothing changed <= 1 CPU-s, 1% changed <= 3
CPU-s plus the CPU the changed files' extraction takes (measured in the same
build: the pool workers' CPU), peak memory <= 1.5 GB.

``--before REF`` runs each step with the code of ``REF`` too, interleaved
(before, after, before, after ...) on a warehouse of its own, so the
comparison is made under the same load. The edited files are restored
afterwards, so the corpus stays reusable.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DIR, ROOT, Clock, PeakMemory, corpus, machine, snapshot, verdict

from etl.synth.corpus import read_manifest

FULL_CPU, NOTHING_CPU, CHANGED_CPU, PEAK_MB = 60, 1.0, 3.0, 1536


def edit_share(folder: Path, share: float, seed: int = 0) -> dict[Path, bytes]:
    """Append a dated correction note to ``share`` of the documents; return the original bytes."""
    manifest = read_manifest(folder)
    docs = sorted(n for n, r in manifest.items() if not r["kind"].startswith("broken"))
    chosen = random.Random(seed).sample(docs, max(1, round(len(docs) * share)))
    originals = {}
    for name in chosen:
        path = folder / "raw" / name
        data = path.read_bytes()
        originals[path] = data
        enc = manifest[name]["encoding"]
        nl = "\r\n" if manifest[name]["newline"] == "crlf" else "\n"
        text = data.decode(enc) + f"（本报告第{random.Random(name).randint(2, 9)}稿，个别文字有修改。）{nl}"
        path.write_bytes(text.encode(enc))
    return originals


@dataclass
class Run:
    """One build: CPU-seconds of its process tree, of its pool workers alone, wall, load, peak memory."""

    clock: Clock
    extract_cpu: float
    peak_mb: float
    summary: str

    def figures(self) -> str:
        return f"{self.clock}; peak {self.peak_mb:.0f} MB"


def run_build(src: Path, raw: Path, db: Path, full: bool, jobs: int) -> Run:
    """One build in a fresh process (``python -m etl build`` in the code tree ``src``), so memory
    and CPU are not inherited from an earlier build. The build prints its pool workers' CPU time
    (``extraction CPU``) when it knows it; else the extraction share is taken as 0."""
    cmd = [sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db), "--jobs", str(jobs)]
    if full:
        cmd.append("--full")
    with Clock(children_only=True) as clock:  # the build's tree, not this process's memory sampling
        proc = subprocess.Popen(cmd, cwd=src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with PeakMemory(proc.pid) as mem:
            out, _ = proc.communicate()
    if proc.returncode not in (0, 1):  # 1: some files failed, which the corpus's broken files make sure of
        raise SystemExit(f"build failed ({proc.returncode}):\n{out}")
    lines = out.splitlines()
    line = next((x for x in lines if x.startswith("build: ")), out.strip()[-200:])
    why = [x for x in lines if x.startswith("re-extracting")]  # e.g. the extractor's code changed
    extract_cpu = 0.0
    for x in lines:
        if x.startswith("extraction CPU: "):
            extract_cpu = float(x.split()[2])
    return Run(clock, extract_cpu, mem.peak / 2**20, line.removeprefix("build: ") + (f" [{why[0]}]" if why else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: the generated decade)")
    ap.add_argument("--db", type=Path, default=BENCH_DIR / "warehouse.duckdb")
    ap.add_argument("--share", type=float, default=0.01, help="share of files edited before the incremental build")
    ap.add_argument("--worktree", action="store_true",
                    help="build with the working tree's code instead of a snapshot of HEAD")
    ap.add_argument("--before", metavar="REF", help="also build with the code of this commit, interleaved")
    a = ap.parse_args()

    folder = a.corpus or corpus()
    raw = folder / "raw"
    n_files = sum(1 for _ in raw.iterdir())
    raw_mb = sum(p.stat().st_size for p in raw.iterdir()) / 2**20
    trees = {"after": (ROOT if a.worktree else snapshot(), a.db)}
    if a.before:
        trees = {"before": (snapshot(a.before), a.db.with_name("before-" + a.db.name)), **trees}
    for _src, db in trees.values():
        for p in (db, db.with_name(db.name + ".tmp"), db.with_name(db.name + ".wal")):
            p.unlink(missing_ok=True)
    print(f"machine: {machine()}")
    print(f"corpus: {raw} ({n_files} files, {raw_mb:.0f} MB); jobs={a.jobs}; "
          + "; ".join(f"{k}: code {src}, warehouse {db}" for k, (src, db) in trees.items()))

    def step(label: str, full: bool) -> dict[str, Run]:
        runs = {}
        for which, (src, db) in trees.items():
            runs[which] = run = run_build(src, raw, db, full, a.jobs)
            print(f"{label} [{which}]: {run.figures()}; warehouse {db.stat().st_size / 2**20:.0f} MB; "
                  f"{run.summary}", flush=True)
        return runs

    full = step("full build", True)["after"]
    print(f"  full build: {full.clock.cpu:.1f} CPU-s [target <= {FULL_CPU} CPU-s: "
          f"{verdict(full.clock.cpu, FULL_CPU)}]; extraction {full.extract_cpu:.1f} CPU-s of it; "
          f"peak {full.peak_mb:.0f} MB [target <= {PEAK_MB} MB: {verdict(full.peak_mb, PEAK_MB)}]")
    _own, kids = PeakMemory.rusage_mb()
    print(f"  getrusage cross-check: largest single process so far {kids:.0f} MB (RSS)")

    same = step("incremental, nothing changed", False)["after"]
    print(f"  nothing changed: {same.clock.cpu:.2f} CPU-s [target <= {NOTHING_CPU} CPU-s: "
          f"{verdict(same.clock.cpu, NOTHING_CPU)}]")

    originals = edit_share(folder, a.share)
    try:
        changed = step(f"incremental, {len(originals)} files ({a.share:.0%}) changed", False)["after"]
        rest = changed.clock.cpu - changed.extract_cpu
        print(f"  {a.share:.0%} changed: {changed.clock.cpu:.2f} CPU-s, of which extraction "
              f"{changed.extract_cpu:.2f}: the rest {rest:.2f} CPU-s [target <= {CHANGED_CPU} CPU-s: "
              f"{verdict(rest, CHANGED_CPU)}]; peak {changed.peak_mb:.0f} MB")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)


if __name__ == "__main__":
    main()
