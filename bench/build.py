"""Warehouse build at production scale: ``python bench/build.py [--jobs 2]``.

On the synthetic decade (about 28,500 files): a full build, then an
incremental build with nothing changed, then one after 1% of the files were
edited. Prints wall time, peak memory of the whole process tree and the
warehouse size. Targets on the 2-core machine: full build <= 120 s,
incremental <= 10 s, peak memory <= 1.5 GB. The edited files are restored
afterwards, so the corpus stays reusable.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_DIR, ROOT, PeakMemory, corpus, machine, verdict

from etl.synth.corpus import read_manifest

FULL_S, INCREMENTAL_S, PEAK_MB = 120, 10, 1536


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


def snapshot(ref: str = "HEAD") -> Path:
    """The committed tree at ``ref``, exported once to ``$BENCH_DIR/src-<sha>``.

    The build re-extracts everything when the extractor's code changes; in a
    working tree that others are editing, that would turn an incremental
    build into a full one half-way through the benchmark. A snapshot keeps
    the code fixed, and the figures belong to a commit.
    """
    sha = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    dest = BENCH_DIR / f"src-{sha}"
    if not dest.exists():
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        tmp.rename(dest)
    return dest


def run_build(src: Path, raw: Path, db: Path, full: bool, jobs: int) -> tuple[float, float, str]:
    """One build in a fresh process (``python -m etl build`` in the code tree ``src``), so memory
    is not inherited from an earlier build: wall time, peak memory of its process tree (MB), its
    summary line."""
    cmd = [sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db), "--jobs", str(jobs)]
    if full:
        cmd.append("--full")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    secs = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # 1: some files failed, which the corpus's broken files make sure of
        raise SystemExit(f"build failed ({proc.returncode}):\n{out}")
    line = next((x for x in out.splitlines() if x.startswith("build: ")), out.strip()[-200:])
    why = [x for x in out.splitlines() if x.startswith("re-extracting")]  # e.g. the extractor's code changed
    return secs, mem.peak / 2**20, line.removeprefix("build: ") + (f" [{why[0]}]" if why else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: the generated decade)")
    ap.add_argument("--db", type=Path, default=BENCH_DIR / "warehouse.duckdb")
    ap.add_argument("--share", type=float, default=0.01, help="share of files edited before the incremental build")
    ap.add_argument("--worktree", action="store_true",
                    help="build with the working tree's code instead of a snapshot of HEAD")
    a = ap.parse_args()

    folder = a.corpus or corpus()
    raw = folder / "raw"
    n_files = sum(1 for _ in raw.iterdir())
    raw_mb = sum(p.stat().st_size for p in raw.iterdir()) / 2**20
    for p in (a.db, a.db.with_name(a.db.name + ".tmp"), a.db.with_name(a.db.name + ".wal")):
        p.unlink(missing_ok=True)
    src = ROOT if a.worktree else snapshot()
    print(f"machine: {machine()}")
    print(f"corpus: {raw} ({n_files} files, {raw_mb:.0f} MB); jobs={a.jobs}; warehouse {a.db}; code {src}")

    secs, peak, summary = run_build(src, raw, a.db, True, a.jobs)
    size = a.db.stat().st_size / 2**20
    print(f"full build: {secs:.1f} s [target <= {FULL_S} s: {verdict(secs, FULL_S)}]; "
          f"peak memory {peak:.0f} MB [target <= {PEAK_MB} MB: {verdict(peak, PEAK_MB)}]; "
          f"warehouse {size:.0f} MB; {summary}")
    _own, kids = PeakMemory.rusage_mb()
    print(f"  getrusage cross-check: largest single process so far {kids:.0f} MB (RSS)")

    secs, peak, summary = run_build(src, raw, a.db, False, a.jobs)
    print(f"incremental, nothing changed: {secs:.1f} s; peak {peak:.0f} MB; {summary}")

    originals = edit_share(folder, a.share)
    try:
        secs, peak, summary = run_build(src, raw, a.db, False, a.jobs)
        print(f"incremental, {len(originals)} files ({a.share:.0%}) changed: {secs:.1f} s "
              f"[target <= {INCREMENTAL_S} s: {verdict(secs, INCREMENTAL_S)}]; peak {peak:.0f} MB; "
              f"warehouse {a.db.stat().st_size / 2**20:.0f} MB; {summary}")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)


if __name__ == "__main__":
    main()
