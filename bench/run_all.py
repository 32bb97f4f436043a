"""Run every benchmark in order: ``python bench/run_all.py [--before REF]`` (``make bench``).

Order matters: the corpus is generated (or reused) first, the build creates
the warehouse that the query and page benchmarks read. Each script runs in its
own process so that memory and CPU figures are not inherited. Prints each
script's figures as they come, then every target line again (CPU figure,
``ok`` or ``MISSED``) and the total time.

``--before REF`` (or ``BENCH_BEFORE``): the same figures for the code of
commit ``REF`` in the same run, interleaved with this tree's (the build
benchmark alternates the two builds step by step; the query and page
benchmarks run the earlier dashboard code, then this one, on the same
warehouse), so both sides see the same load. With Valgrind installed, the
extractor's instructions per report of both trees are counted too
(bench/extract_instructions.py): on a shared machine CPU-seconds drift with
the neighbours (the same build read 62 and 113 CPU-s two hours apart), the
number of instructions does not.

Before the first and after the last script, a fixed workload that never
changes (``common.machine_speed``) is timed in CPU-seconds and listed with
the targets: when two runs' probes differ, their CPU figures differ for
the same reason, whatever the code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import machine_speed, snapshot

HERE = Path(__file__).resolve().parent
SCRIPTS = ["extract_throughput.py", "build.py", "queries.py", "pages.py", "exports.py"]
#: Scripts that time the dashboard's code, run once per side when comparing with ``--before``.
DASHBOARD = {"queries.py", "pages.py"}


def run(script: str, args: list[str], env: dict[str, str], label: str, targets: list[str]) -> int:
    """One benchmark in a process of its own, its output echoed and its target lines kept."""
    print(f"\n=== {script}{label}", flush=True)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], cwd=HERE.parent, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        if "[target" in line or "[every" in line or line.startswith("new / old"):
            targets.append(f"{script}{label}: {line.strip()}")
    code = proc.wait()
    print(f"--- {script}{label}: {time.perf_counter() - t:.0f} s" + (f", exit {code}" if code else ""), flush=True)
    return code


def probe(targets: list[str], when: str) -> None:
    """Time the fixed workload and keep the line with the targets."""
    line = (f"machine speed probe ({when}): {machine_speed():.3f} CPU-s for a fixed workload that never changes "
            "(lower is faster: how fast the machine runs at that moment, whatever the project's code)")
    print(line, flush=True)
    targets.append(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=os.environ.get("BENCH_BEFORE"), metavar="REF",
                    help="also measure the code of this commit, interleaved")
    a = ap.parse_args()
    start = time.perf_counter()
    failed, targets = [], []
    before = snapshot(a.before) if a.before else None
    probe(targets, "first")
    for script in SCRIPTS:
        env = dict(os.environ)
        if script == "build.py" and before:
            code = run(script, ["--before", a.before], env, "", targets)
        elif script in DASHBOARD and before:
            code = run(script, [], {**env, "BENCH_CODE": str(before)}, f" [before: {a.before}]", targets)
            code |= run(script, [], env, " [after]", targets)
        else:
            code = run(script, [], env, "", targets)
        if code:
            failed.append(script)
    if before and shutil.which("valgrind"):
        label = f" [{a.before} → this tree]"
        if run("extract_instructions.py", [str(before), str(HERE.parent)], dict(os.environ), label, targets):
            failed.append("extract_instructions.py")
    probe(targets, "last")
    print("\n=== targets")
    for line in targets:
        print(line)
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
