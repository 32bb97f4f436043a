"""Run the extractor over many files on all cores, one failure at a time.

Extraction is a pure function of the file, so files are shipped to worker
processes in small chunks and come back as ready-made table rows (the
checking and shaping happens in the workers, off the main process that loads
DuckDB; for a build, as Arrow tables: etl/warehouse/packed.py). A file that
raises becomes a failed result with its reason; a worker that dies outright
(crash, out of memory) breaks the pool, so the files that were in flight are
retried one by one in a fresh pool to find the culprit
without failing its neighbours.

Workers are started with ``fork`` on Linux. ``spawn``/``forkserver`` would
re-run the caller's main module in every worker (a script without a
``__main__`` guard runs again; ``python -`` and notebooks fail outright).
Forking a process with threads (the dashboard, DuckDB) is safe here because
the workers only run the pure-Python reader and extractor and leave with
``os._exit``, never touching the parent's locks or DuckDB.

A forked worker inherits every open descriptor, the build's
``warehouse.duckdb.lock`` included: a build killed with SIGKILL used to leave
its workers alive, holding the lock, and every later build and upload waited
forever. So each worker starts by closing the lock descriptors registered
with :func:`hold_lock_fd` and asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG``), and checks its parent is still the one that started it.

Each file is held to ``etl/rules/limits.yaml``'s ``max_seconds``: a CPU-time
timer (``ITIMER_PROF``, so a busy machine does not fail good files) interrupts
Python code that runs longer (the file fails with "took longer
than N s"), and a CPU-time limit (``RLIMIT_CPU``, a few seconds more) makes
the kernel end a worker stuck in C code; its file then fails alone as a
worker that died. :func:`run_limited` runs one call (the upload check) in a
forked process under the same limits, so a hostile upload costs the server
at most that long.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from etl import limits
from etl.warehouse import packed
from etl.warehouse.scan import RawFile

MAX_REASON = 500
MAX_POOL_RESTARTS = 20
#: Files per task at most. Each task costs the parent a future, a wake-up and a message whatever its size
#: (~2 CPU-ms: at 32 files a task, 1.5-2 of a full build's ~9.5 CPU-s in the parent; at 128, 7.3-8.4 in
#: turns), and a worker a packing of its rows; a worker that dies costs at most the tasks in flight,
#: retried one file at a time. Small builds get smaller tasks (``_parallel``: eight per worker at least).
CHUNK = 128
#: Seconds of CPU past ``max_seconds`` before the kernel ends a worker the timer could not interrupt.
HARD_GRACE = 5.0

_LOCK_FDS: set[int] = set()  # descriptors a forked worker must close (the build lock)


@contextlib.contextmanager
def hold_lock_fd(fd: int) -> Iterator[None]:
    """Register a lock's descriptor while it is held, so forked workers close their copy at once."""
    _LOCK_FDS.add(fd)
    try:
        yield
    finally:
        _LOCK_FDS.discard(fd)


class FileTimeout(BaseException):  # noqa: N818 - named for what happened
    """One file took longer than ``max_seconds``.

    A ``BaseException``, like ``KeyboardInterrupt``: the extractor's broad
    ``except Exception`` handlers must not swallow it and carry on.
    """


def _worker_init(lock_fds: tuple[int, ...], parent: int) -> None:
    """First thing a forked worker does: let go of the parent's locks and die with it.

    It also turns the cycle collector on, which a build keeps off in its own
    process (etl/warehouse/build.py): a worker extracts thousands of files, and
    their garbage is its own to collect.
    """
    for fd in lock_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    gc.enable()
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


@contextlib.contextmanager
def time_limit(seconds: float, hard: bool) -> Iterator[None]:
    """Raise :class:`FileTimeout` in Python code running past ``seconds`` of CPU time.

    ``hard`` (worker processes only, never the dashboard's process): also
    set the CPU-time limit a little above, so the kernel ends the process
    when C code (a regex, an XML parser) never returns to Python.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; callers use run_limited there
        return

    def expire(_signum: int, _frame: object) -> None:
        raise FileTimeout(f"took longer than {seconds:g} s (limit in etl/rules/limits.yaml)")

    # CPU time, not wall time: a file's cost must not depend on how busy the machine is
    old_handler = signal.signal(signal.SIGPROF, expire)
    old_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    if hard:
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + seconds + HARD_GRACE)
        if old_cpu[1] == resource.RLIM_INFINITY or soft <= old_cpu[1]:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, old_cpu[1]))
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old_handler)
        if hard:
            resource.setrlimit(resource.RLIMIT_CPU, old_cpu)


@dataclass
class FileResult:
    """One file's rows, or why it failed. Tuples follow the column order in etl/load.py."""

    name: str
    sha256: str
    reason: str | None = None  # set when the file failed
    report: tuple | None = None
    values: list[tuple] = field(default_factory=list)
    shortfalls: list[tuple] = field(default_factory=list)
    targets: list[tuple] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # kept, but worth a line in ingest_log

    @property
    def ok(self) -> bool:
        return self.reason is None


def _load_extractor() -> tuple[Callable[[Any], Any], Callable[[Any], dict], type[BaseException]]:
    """Import the reader and extractor lazily: ``python -m etl build --help`` must not need them."""
    from etl.extract import extract_document
    from etl.extract.read import ReadError, read_document

    return read_document, extract_document, ReadError


#: CPU-seconds this process spent readying the extractor for the workers it forks: extraction's
#: cost paid here once instead of in every worker (the build's log counts it with the workers').
_parent_extraction_cpu = 0.0


def parent_extraction_cpu() -> float:
    return _parent_extraction_cpu


def _ready_extractor_for_fork() -> None:
    """Import the extractor and build its tables (rules, patterns, gazetteer automaton) in this
    process, so that the forked workers inherit them ready instead of each building its own."""
    global _parent_extraction_cpu
    start = time.process_time()
    from etl.extract import extract_text

    extract_text(WARM_UP_TEXT)
    _parent_extraction_cpu += time.process_time() - start


#: A short report that takes the extractor through its readers once (any text would do; this
#: one reaches the gazetteer, the numbers, a zero word and a plan section).
WARM_UP_TEXT = (
    "某市某区统计局2023年法治政府建设工作总结\n"
    "全年共检查企业61家，未发生行政复议案件。\n"
    "二、2024年工作计划\n"
)


def extract_chunk(files: list[RawFile], hard: bool = False) -> list[FileResult]:
    """Worker entry point: extract each file, turning any exception into a failed result.

    ``hard``: this is a worker process, so the CPU-time limit may end it.
    """
    read_document, extract_document, read_error = _load_extractor()
    seconds = limits.current().max_seconds
    results = []
    for f in files:
        try:
            if f.size == 0:
                results.append(FileResult(f.name, f.sha256, reason="empty file"))
                continue
            with time_limit(seconds, hard):
                doc = read_document(f.path)
                if doc.sha256 != f.sha256:
                    results.append(FileResult(f.name, f.sha256, reason="file changed during the build; build again"))
                    continue
                extraction = extract_document(doc)
            result = shape(f, doc, extraction)
            result.notes[:0] = list(getattr(doc, "notes", ()))
            results.append(result)
        except FileTimeout as exc:
            results.append(FileResult(f.name, f.sha256, reason=_clip(f"extraction stopped: {exc}")))
        except read_error as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            results.append(FileResult(f.name, f.sha256, reason=_clip(f"cannot read: {reason}")))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            results.append(
                FileResult(f.name, f.sha256, reason=_clip(f"extraction failed: {type(exc).__name__}: {exc}"))
            )
    return results


def shape(f: RawFile, doc: Any, ex: dict) -> FileResult:
    """Turn the extractor's dict into rows, checking what the schema relies on.

    Kept defensive because the extractor evolves separately: a value without
    a quote is dropped (the spec says it is not a value), a second value for
    the same indicator keeps the most confident one, and a quote that is not
    the text at its offsets gets the flag ``quote_offset_mismatch`` (the
    dashboard highlights by offsets). Each such repair is noted.
    """
    rid = f.sha256
    text: str = doc.text
    res = FileResult(f.name, rid)
    year = ex.get("year")
    if year is not None and not isinstance(year, int):
        try:
            year = int(year)
        except (TypeError, ValueError):
            res.notes.append(f"year {year!r} is not a number; stored as unknown")
            year = None
    res.report = (
        rid,
        f.name,
        _region(ex.get("province")),
        _region(ex.get("city")),
        _region(ex.get("district")),
        _region(ex.get("adcode")),
        year,
        ex.get("doc_type"),
        int(getattr(doc, "size", None) or f.size),
        getattr(doc, "encoding", None),
        getattr(doc, "format", None),
        text,
    )
    best: dict[str, tuple] = {}
    for v in ex.get("values") or []:
        row = _value_row(rid, text, v, res.notes)
        if row is None:
            continue
        kept = best.get(row[2])
        if kept is not None:
            res.notes.append(f"second value for {row[2]} dropped")
            if (row[9] or 0) <= (kept[9] or 0):
                continue
        best[row[2]] = row
    res.values = list(best.values())
    for seq, s in enumerate(ex.get("shortfalls") or [], start=1):
        s_text = s.get("text")
        if not s_text:
            res.notes.append(f"shortfall {seq} without text dropped")
            continue
        res.shortfalls.append((rid, seq, s.get("theme") or "other", s_text, _int(s.get("start")), _int(s.get("end"))))
    for t in ex.get("targets") or []:
        if not t.get("indicator"):
            res.notes.append("target without indicator dropped")
            continue
        res.targets.append(
            (
                rid,
                t["indicator"],
                t.get("comparator"),
                _float(t.get("value")),
                t.get("quote"),
                _int(t.get("start")),
                _int(t.get("end")),
            )
        )
    return res


def _value_row(rid: str, text: str, v: dict, notes: list[str]) -> tuple | None:
    """One ``values`` row, or None (with a note) when it cannot be stored."""
    get = v.get
    indicator = get("indicator")
    quote = get("quote")
    start, end = _int(get("start")), _int(get("end"))
    if not indicator or not quote or start is None or end is None:
        notes.append(f"value for {indicator or '?'} without quote/offsets dropped")
        return None
    raw = get("value")
    value = _float(raw)
    if value is None and raw is not None:
        notes.append(f"value for {indicator} is not a number: {raw!r}; dropped")
        return None
    given = get("flags")
    flags = [str(x) for x in given] if given else []
    if text[start:end] != quote:
        flags.append("quote_offset_mismatch")
    return (
        f"{rid}:{indicator}",
        rid,
        indicator,
        value,
        get("qualifier"),
        get("basis"),
        quote,
        start,
        end,
        _float(get("confidence")),
        flags,
    )


def _region(x: Any) -> str:
    return "unknown" if x is None or str(x).strip() == "" else str(x)


def _int(x: Any) -> int | None:
    """``x`` as an int, None if it is none. An int is returned at once: the extractor's offsets all are,
    eleven values a report, and the conversion's try was a tenth of a worker's work outside the extractor."""
    if type(x) is int:
        return x
    try:
        return None if x is None else int(x)
    except (TypeError, ValueError):
        return None


def _float(x: Any) -> float | None:
    """``x`` as a finite float, None if it is none or not one (a bool is not a number here); a finite float at once."""
    if type(x) is float and math.isfinite(x):
        return x
    try:
        out = None if x is None or isinstance(x, bool) else float(x)
    except (TypeError, ValueError):
        return None
    return out if out is None or math.isfinite(out) else None


def _clip(reason: str) -> str:
    """One line of at most ``MAX_REASON`` characters, safe to store (no lone surrogates)."""
    from etl.extract.read import display_name

    reason = display_name(reason.replace("\n", " "))
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


class Progress:
    """A tqdm bar on a terminal, otherwise a plain line every 5% or 10 seconds."""

    def __init__(self, total: int, log: Callable[[str], None]) -> None:
        self.total, self.done, self.log = total, 0, log
        self._bar = None
        self._last_line = time.monotonic()
        self._next_pct = 5
        if total and sys.stderr is not None and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="file", desc="extract", file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        pct = 100 * self.done // max(self.total, 1)
        now = time.monotonic()
        if pct >= self._next_pct or now - self._last_line >= 10 or self.done == self.total:
            self.log(f"extracted {self.done}/{self.total} files ({pct}%)")
            self._last_line = now
            self._next_pct = pct - pct % 5 + 5

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


#: Rows handed over as packed Arrow tables (etl/warehouse/packed.py) and the number of files they cover.
OnRows = Callable[[tuple[bytes, ...], int], None]


def extract_chunk_packed(files: list[RawFile], hard: bool = False) -> tuple[list[FileResult], tuple[bytes, ...]]:
    """Worker entry point of a build: :func:`extract_chunk`, its rows packed as Arrow (etl/warehouse/packed.py).

    The outcomes come back without rows (name, sha256, reason, notes): the
    rows travel once, as Arrow IPC bytes, instead of as pickled tuples the
    parent would unpickle and convert again.
    """
    results = extract_chunk(files, hard)
    outcomes = [FileResult(r.name, r.sha256, reason=r.reason, notes=r.notes) for r in results]
    return outcomes, packed.pack_rows(results)


def iter_extract(
    files: list[RawFile], jobs: int, log: Callable[[str], None] = print, on_rows: OnRows | None = None
) -> Iterator[FileResult]:
    """Yield one result per file, in completion order, using ``jobs`` processes.

    ``on_rows``: the rows come packed (:func:`extract_chunk_packed`), handed
    to ``on_rows`` before the results of the files they belong to are
    yielded, and the results carry none; without it each result carries its rows.
    """
    progress = Progress(len(files), log)
    try:
        # In-process only when asked for (jobs=1) or for one file in the main thread (the CLI):
        # elsewhere (the dashboard's upload save) the file runs in a worker held to the limits.
        in_main = threading.current_thread() is threading.main_thread()
        if jobs <= 1 or (len(files) <= 1 and in_main):
            for f in files:
                if on_rows is None:
                    (result,) = extract_chunk([f])
                else:
                    (result,), rows = extract_chunk_packed([f])
                    on_rows(rows, 1)
                progress.update(1)
                yield result
            return
        yield from _parallel(files, max(1, min(jobs, len(files))), progress, on_rows)
    finally:
        progress.close()


def _parallel(files: list[RawFile], jobs: int, progress: Progress, on_rows: OnRows | None) -> Iterator[FileResult]:
    """The process-pool path of :func:`iter_extract`."""
    size = max(1, min(CHUNK, len(files) // (jobs * 8)))
    queue: deque[list[RawFile]] = deque(files[i : i + size] for i in range(0, len(files), size))
    suspects: deque[list[RawFile]] = deque()  # files in flight when a worker died, retried alone
    restarts = 0
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    if ctx.get_start_method() == "fork":
        _ready_extractor_for_fork()  # once here, not once in every forked worker
    while queue or suspects:
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_worker_init, initargs=(tuple(_LOCK_FDS), os.getpid())
        )
        running: dict[Future, list[RawFile]] = {}
        broken = False
        try:
            while (queue or suspects or running) and not broken:
                window = 1 if suspects else jobs * 3
                source = suspects if suspects else queue
                while source and len(running) < window:
                    chunk = source.popleft()
                    task = extract_chunk if on_rows is None else extract_chunk_packed
                    with _frozen_heap(not running):  # the first submit forks the workers
                        running[pool.submit(task, chunk, True)] = chunk
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk = running.pop(fut)
                    try:
                        results = fut.result()
                        if on_rows is not None:
                            results, rows = results
                            on_rows(rows, len(results))
                    except BrokenProcessPool:
                        broken = True
                        if len(chunk) == 1 and window == 1:
                            f = chunk[0]
                            reason = (
                                "worker process died while extracting it (crash, out of memory, or over the "
                                f"CPU limit of {limits.current().max_seconds:g} s)"
                            )
                            results = [FileResult(f.name, f.sha256, reason=reason)]
                        else:
                            suspects.extend([f] for f in chunk)
                            continue
                    progress.update(len(results))
                    yield from results
            if broken:
                for chunk in running.values():
                    suspects.extend([f] for f in chunk)
                running.clear()
                restarts += 1
                if restarts > MAX_POOL_RESTARTS:
                    left = [f for c in (*suspects, *queue) for f in c]
                    suspects.clear()
                    queue.clear()
                    progress.update(len(left))
                    for f in left:
                        yield FileResult(f.name, f.sha256, reason="not extracted: worker processes kept dying")
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


@contextlib.contextmanager
def _frozen_heap(freeze: bool) -> Iterator[None]:
    """While workers are forked, keep the parent's objects out of the garbage collector's reach.

    A forked worker's collections would otherwise walk every object it
    inherited (the build's scan of the raw folder, the imported modules),
    writing their headers and so copying their memory pages one by one
    (about 6 page faults a report more on the decade's build). ``gc.freeze``
    is the interpreter's way of saying those objects live for good; the
    parent unfreezes its own once the workers exist.
    """
    if not freeze:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class WorkerDied(RuntimeError):
    """The process running :func:`run_limited`'s call ended without an answer."""


def run_limited(fn: Callable[..., Any], *args: Any, seconds: float | None = None) -> Any:
    """``fn(*args)`` in a forked process held to the per-file limits; its result, or its exception re-raised.

    Raises :class:`FileTimeout` when it runs past ``seconds`` (default:
    ``max_seconds``) of wall-clock time plus a grace (the process is then
    killed) and :class:`WorkerDied` when it ends without an answer. The
    dashboard checks uploads this way: a hostile file costs one process, for
    a bounded time, not the server.
    """
    seconds = limits.current().max_seconds if seconds is None else seconds
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_limited_child, args=(send, fn, args, seconds, tuple(_LOCK_FDS), os.getpid()))
    proc.start()
    send.close()
    try:
        if not receive.poll(seconds + HARD_GRACE):
            raise FileTimeout(f"took longer than {seconds:g} s (limit in etl/rules/limits.yaml)")
        try:
            ok, payload = receive.recv()
        except EOFError:
            raise WorkerDied("the checking process ended without an answer (crash or out of memory)") from None
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if ok:
        return payload
    raise payload


def _limited_child(
    send: Any, fn: Callable[..., Any], args: tuple, seconds: float, lock_fds: tuple, parent: int
) -> None:
    """The forked process of :func:`run_limited`: answer ``(True, result)`` or ``(False, exception)``."""
    _worker_init(lock_fds, parent)
    try:
        with time_limit(seconds, hard=True):
            answer = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
        answer = (False, exc)
    try:
        send.send(answer)
    except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
        send.send((False, WorkerDied(f"{type(exc).__name__}: {exc}")))
    send.close()


def default_jobs() -> int:
    """All cores."""
    return os.cpu_count() or 1
