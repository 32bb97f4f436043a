"""The benchmarks' CPU accounting: a build run as a child counts its tree, not the benchmark's memory sampling.

bench/build.py samples the build's memory (PSS of every process, which
makes the kernel walk their page tables) while it runs. That thread's CPU
once went into the build's CPU-seconds: 8.4 of the 64.5 one full build was charged. These
tests run a child that burns a known amount of CPU under the sampler and
check what each clock counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from common import Clock, PeakMemory  # noqa: E402

# Burns CPU for ~0.3 s of its own time, then prints the CPU-seconds it used (user + system, itself only).
CHILD = (
    "import resource, time\n"
    "t = time.process_time()\n"
    "while time.process_time() - t < 0.3: sum(range(1000))\n"
    "r = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(r.ru_utime + r.ru_stime)\n"
)


def _run_sampled(children_only: bool) -> tuple[Clock, PeakMemory, float]:
    with Clock(children_only=children_only) as clock:
        proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
        with PeakMemory(proc.pid, interval=0.001) as peak:
            out, _ = proc.communicate()
    return clock, peak, float(out)


def test_children_only_clock_counts_the_child_and_not_the_sampler() -> None:
    clock, peak, child_cpu = _run_sampled(children_only=True)
    assert peak.peak > 0 and peak.cpu > 0  # the sampler ran and kept its own CPU time
    # The child's rusage also holds what it used after printing (interpreter teardown): a little more.
    assert child_cpu <= clock.cpu + 0.01
    assert clock.cpu < child_cpu + 0.1


def test_own_clock_holds_the_sampler() -> None:
    clock, peak, child_cpu = _run_sampled(children_only=False)
    assert clock.cpu >= child_cpu + peak.cpu - 0.01
