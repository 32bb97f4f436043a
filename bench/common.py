"""What the benchmark scripts share: the generated corpus, timers, memory sampling.

Benchmarks print figures; they assert nothing. They run on the synthetic
corpus of ``etl.synth`` (one document per county-level division and year), so
the figures are for the production scale of about 28,500 files. The corpus is
generated once into ``$BENCH_DIR`` (default ``/tmp/stats_bench``) and reused
while the generator and its arguments are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The code whose dashboard the page and query benchmarks time: this tree, or (``BENCH_CODE``) a
#: snapshot of an earlier commit, for before/after figures taken in one run (bench/run_all.py).
CODE = Path(os.environ.get("BENCH_CODE") or ROOT)
if str(CODE) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(CODE))

from etl.synth.corpus import generate  # noqa: E402

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/stats_bench"))
DECADE = list(range(2015, 2025))


def generator_version() -> str:
    """A hash of the generator's code and phrase files: a changed generator means a new corpus."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "etl" / "synth").rglob("*")):
        if p.suffix in (".py", ".yaml"):
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def corpus(
    folder: Path | None = None,
    years: list[int] | None = None,
    counties: int | None = None,
    seed: str = "bench",
    jobs: int | None = None,
) -> Path:
    """The synthetic corpus folder (``raw/``, ``gold/``, ``manifest.csv``), generated if missing or stale."""
    folder = folder or BENCH_DIR / "corpus"
    years = years or DECADE
    stamp = {"years": years, "counties": counties, "seed": seed, "generator": generator_version()}
    stamp_file = folder / "stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder
    stamp_file.unlink(missing_ok=True)
    stats = generate(folder, years, counties, seed, jobs)
    print(f"generated corpus in {folder}: " + " ".join(f"{k}={v}" for k, v in stats.items()))
    stamp_file.write_text(json.dumps(stamp))
    return folder


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


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default."""
    if not xs:
        return float("nan")
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1] if 1 <= q <= 99 else max(xs)


def machine() -> str:
    """One line describing where the figures were measured."""
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, load {os.getloadavg()[0]:.1f}"
    except ImportError:
        mem = ""
    return f"{os.cpu_count()} CPUs, {mem}, Python {platform.python_version()}, {platform.system()}"


class PeakMemory:
    """Peak memory of a process tree (a process and all its children), summed, sampled every 50 ms.

    Summed RSS would count pages that forked workers share with their parent
    once per process, so each process counts its PSS (proportional set size:
    shared pages divided among their sharers) where the OS reports it.
    ``resource.getrusage`` gives only the peak of each process separately; it
    is kept as a cross-check.

    Sampling is not free: the kernel walks every page table of the tree for
    each PSS, ~0.25 CPU-s per second of a 1 GB build. That CPU belongs to
    the benchmark, not to what it measures, so the sampling thread keeps
    its own CPU time in ``cpu`` (see :class:`Clock`'s ``minus``).
    """

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak = 0
        self.cpu = 0.0  # CPU-seconds the sampling thread used (user + system of that thread)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _size(proc: object) -> int:
        import psutil

        assert isinstance(proc, psutil.Process)
        try:
            return proc.memory_full_info().pss
        except (AttributeError, psutil.AccessDenied):
            return proc.memory_info().rss

    def _sample(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += self._size(proc)
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        start = time.thread_time()
        try:
            while not self._stop.is_set():
                self.peak = max(self.peak, self._sample())
                self._stop.wait(self.interval)
        finally:
            self.cpu += time.thread_time() - start

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        start = time.thread_time()
        self.peak = max(self.peak, self._sample())
        self.cpu += time.thread_time() - start

    @staticmethod
    def rusage_mb() -> tuple[float, float]:
        """Peak RSS of this process and of its largest finished descendant, in MB (Linux: kB units)."""
        import resource

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return own, kids


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` is the elapsed wall time in seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def cpu_seconds(own: bool = True) -> float:
    """CPU-seconds (user + system) used so far by this process (unless not ``own``) and its waited-for descendants.

    The machine is shared and its load swings from 1 to 20, so wall time
    measures the neighbours as much as the code; CPU time does not. A child
    counts once it has been waited for (``subprocess`` does; a build waits for
    its pool workers), so take this before and after a child process runs.
    """
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = kids.ru_utime + kids.ru_stime
    if own:
        me = resource.getrusage(resource.RUSAGE_SELF)
        total += me.ru_utime + me.ru_stime
    return total


#: A fixed workload of the kind extraction does (the interpreter, ``re`` over Chinese text, sha256),
#: independent of the project's code: what it costs tells how fast the machine is running right now.
_PROBE_TEXT = "全年共检查企业61家，开展统计宣传活动20余场，覆盖2500余人次；目前取得统计执法证人员只有2名。\n" * 400
_PROBE_PATTERN = re.compile(r"(\d+)(余)?(家|场|人次|名)")


def machine_speed(rounds: int = 5) -> float:
    """CPU-seconds of :data:`_PROBE_TEXT`'s fixed workload, the least of ``rounds`` (printed with each run).

    Why: CPU time is not as load-free as the targets assume. On this shared
    machine the same extractor read 573 and 784 reports per CPU-second an hour
    apart (hyper-thread siblings, caches and clock speed are shared with the
    neighbours). Code that never changes measures that drift: two runs whose
    probes differ by 30% are 30% apart before any of the project's code ran.
    """
    best = float("inf")
    data = _PROBE_TEXT.encode()
    for _ in range(rounds):
        start = time.process_time()
        counts: dict[str, int] = {}
        for _ in range(200):
            for m in _PROBE_PATTERN.finditer(_PROBE_TEXT):
                counts[m.group(3)] = counts.get(m.group(3), 0) + int(m.group(1))
            hashlib.sha256(data).digest()
        best = min(best, time.process_time() - start)
    return best


def load_average() -> float:
    """The 1-minute load average, printed beside every wall-clock figure."""
    return os.getloadavg()[0]


class Clock:
    """``with Clock() as c: ...`` then ``c.cpu`` (CPU-s of the process tree, see :func:`cpu_seconds`),
    ``c.wall`` (s) and ``c.load`` (the load average at the end).

    ``children_only``: what is measured runs in a child process (a build run
    as ``python -m etl build``), so only waited-for children count; this
    process's own CPU (reading the child's output, sampling its memory with
    :class:`PeakMemory`) is the benchmark's, not the build's.
    """

    cpu: float = 0.0
    wall: float = 0.0
    load: float = 0.0

    def __init__(self, children_only: bool = False) -> None:
        self._children_only = children_only

    def _now(self) -> float:
        return cpu_seconds(own=not self._children_only)

    def __enter__(self) -> Clock:
        self._cpu, self._wall = self._now(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = self._now() - self._cpu
        self.wall = time.perf_counter() - self._wall
        self.load = load_average()

    def __str__(self) -> str:
        return f"{self.cpu:.2f} CPU-s ({self.wall:.2f} s wall, load {self.load:.1f})"


def verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    """'ok' or 'MISSED' against a target, for the printed table."""
    good = value >= target if higher_is_better else value <= target
    return "ok" if good else "MISSED"


def filter_sets(db: Path) -> list[tuple[str, dict[str, str]]]:
    """URL filters to render each page under: none, the busiest province, the busiest city."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
    row = con.execute(
        "SELECT province, city FROM w.reports WHERE province <> 'unknown' AND city <> 'unknown' "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    province = con.execute(
        "SELECT province FROM w.reports WHERE province <> 'unknown' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    con.close()
    sets: list[tuple[str, dict[str, str]]] = [("country", {})]
    if province:
        sets.append(("province", {"province": province[0]}))
    if row:
        sets.append(("city", {"province": row[0], "city": row[1]}))
    return sets
