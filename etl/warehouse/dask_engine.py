"""``python -m etl build --engine dask``: extraction on a Dask cluster, loaded by the driver.

Why Dask (see docs/scale.md): the work is a bag of independent, pure-Python
tasks (one batch of files each) with no shuffle and no state; Dask's
``distributed`` is pure Python, installs from PyPI with no native runtime,
runs the same code on a laptop (``LocalCluster``) and on N machines (a
``dask scheduler`` + ``dask worker``s), and retries a task whose worker died.

Division of labour:

* the driver (this process) scans and hashes the raw folder, decides what
  is unchanged (``etl/build.py``, as for the local engine), then submits the
  changed files in batches;
* each task runs :func:`etl.warehouse.dataset.extract_to_parquet`: it reads its files
  from shared storage, extracts them and writes its Parquet parts there
  itself. Only outcomes (file, sha256, reason, notes) and part names come
  back through the scheduler, so the driver's and the scheduler's memory do
  not grow with the texts, and the write bandwidth grows with the workers;
* the driver bulk-loads the listed parts with DuckDB into the new warehouse
  file, which ``etl/build.py`` finishes and swaps in as for a local build.

A batch whose worker keeps dying (Dask gives up with ``KilledWorker``) is
split in halves that run alone until the file that kills a worker is found:
only it fails, with the same reason as in the local process pool. Any other
error of a task (storage full, unwritable) stops the build: that is not a
file's fault, and the previous warehouse is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl.warehouse import dataset as ds
from etl.warehouse.pool import FileResult, Progress
from etl.warehouse.scan import RawFile

if TYPE_CHECKING:
    from distributed import Client, Future

Log = Callable[[str], None]

BATCH_MAX = 500  # files per task: a task of ~10-30 s, parts of tens of reports per year
TASKS_PER_SLOT = 4  # enough tasks in the queue that no worker waits, few enough to split work evenly
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler and see a worker
CLOSE_TIMEOUT = 30.0
DIED = "worker process died while extracting it (crash or out of memory)"


class CodeMismatch(RuntimeError):
    """A worker runs other extraction code than the driver: its rows would be mislabelled."""


def engine(scheduler: str | None, dataset: Path) -> Callable[..., list[FileResult]]:
    """The ``extract`` step ``etl.warehouse.build`` calls: (con, todo, jobs, now, log) -> outcomes."""

    def extract(
        con: duckdb.DuckDBPyConnection, todo: list[RawFile], jobs: int, now: dt.datetime, log: Log
    ) -> list[FileResult]:
        return extract_into(con, todo, jobs=jobs, now=now, log=log, dataset=dataset, scheduler=scheduler)

    return extract


def extract_into(
    con: duckdb.DuckDBPyConnection,
    todo: Sequence[RawFile],
    *,
    jobs: int,
    now: dt.datetime,
    log: Log,
    dataset: Path,
    scheduler: str | None = None,
    batch: int | None = None,
) -> list[FileResult]:
    """Extract ``todo`` on a Dask cluster into the Parquet ``dataset`` and load it into ``con``.

    Returns one outcome per file (rows are in the warehouse by then, not in
    the outcomes). ``scheduler`` joins an existing cluster; without it a
    ``LocalCluster`` of ``jobs`` worker processes is started and closed.
    The dataset folder is emptied first: it holds what this build extracted.
    """
    dataset = Path(dataset).absolute()  # workers need not share this process's working directory
    dataset.mkdir(parents=True, exist_ok=True)
    ds.clear(dataset)
    if not todo:
        return []
    todo = [dataclasses.replace(f, path=Path(f.path).absolute()) for f in todo]
    with cluster_client(scheduler, jobs, log) as client:
        expected = expected_fingerprint() if scheduler else None  # a LocalCluster runs this very code
        outputs = run_batches(client, todo, dataset, log, batch=batch, fingerprint=expected)
    parts: dict[str, list[str]] = {t: [] for t in ds.TABLES}
    for out in outputs:
        for table, paths in out.parts.items():
            parts[table].extend(paths)
    started = time.monotonic()
    written = sum(len(p) for p in parts.values())
    parts = ds.compact(dataset, parts)  # a few large files per year, not one per task: readers open fewer
    n_parts = sum(len(p) for p in parts.values())
    ds.load_parts(con, dataset, parts, now)
    log(f"dask: {len(outputs)} batches wrote {written} Parquet parts, compacted to {n_parts} and loaded "
        f"in {time.monotonic() - started:.1f} s")
    return [o for out in outputs for o in out.outcomes]


@contextlib.contextmanager
def cluster_client(scheduler: str | None, jobs: int, log: Log) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a fresh ``LocalCluster`` closed on exit.

    The local cluster binds to 127.0.0.1 (its scheduler's status pages on a
    free local port): it serves this build only and must not open ports to
    the network.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError as exc:
                raise RuntimeError(f"no Dask worker joined {scheduler} within {CONNECT_TIMEOUT:.0f} s") from exc
            log(f"dask: joined {scheduler} ({slots(client)} worker threads)")
            yield client
        finally:
            client.close(timeout=CLOSE_TIMEOUT)
        return
    cluster = LocalCluster(
        n_workers=max(1, jobs),
        threads_per_worker=1,  # the extractor is pure Python: threads would share one GIL
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # the scheduler always serves HTTP: a free local port
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            log(f"dask: local cluster of {max(1, jobs)} worker processes")
            yield client
        finally:
            client.close(timeout=CLOSE_TIMEOUT)
    finally:
        cluster.close(timeout=CLOSE_TIMEOUT)


def slots(client: Client) -> int:
    """Worker threads in the cluster now (at least 1)."""
    return max(1, sum(client.nthreads().values()))


def batch_size(n_files: int, n_slots: int, most: int = BATCH_MAX) -> int:
    """Files per task: about ``TASKS_PER_SLOT`` tasks per worker thread, at most ``most``."""
    return max(1, min(most, math.ceil(n_files / (n_slots * TASKS_PER_SLOT))))


def run_batches(
    client: Client,
    todo: Sequence[RawFile],
    dataset: Path,
    log: Log,
    batch: int | None = None,
    fingerprint: str | None = None,
) -> list[ds.BatchOutput]:
    """Submit ``todo`` in batches, a bounded number in flight; return every finished batch's output.

    Bounded so that a national corpus (millions of files) is not one
    scheduler graph of millions of keys; tasks are refilled as they finish.

    A batch that ends in ``KilledWorker`` may be innocent: Dask blames every
    task that was on a worker when it died, queued ones included. So its
    files become suspects, run in halves with nothing else in flight; only a
    single file that kills its worker while running alone is failed.
    """
    from distributed import KilledWorker, as_completed

    n_slots = slots(client)
    size = batch or batch_size(len(todo), n_slots)
    queue: deque[list[RawFile]] = deque(list(todo[i : i + size]) for i in range(0, len(todo), size))
    suspects: deque[list[RawFile]] = deque()
    window = n_slots * 2
    running: dict[Future, tuple[list[RawFile], bool]] = {}  # files, whether the task runs alone
    outputs: list[ds.BatchOutput] = []
    progress = Progress(len(todo), log)
    pending = as_completed(loop=client.loop)

    def submit(files: list[RawFile], alone: bool) -> None:
        key = f"extract-{ds.batch_token(files)}-{uuid.uuid4().hex[:8]}"
        fut = client.submit(task, files, str(dataset), fingerprint, key=key, pure=False, retries=0)
        running[fut] = (files, alone)
        pending.add(fut)

    def fill() -> None:
        if suspects:  # drain what is in flight, then one suspect at a time
            if not running:
                submit(suspects.popleft(), alone=True)
            return
        while queue and len(running) < window:
            submit(queue.popleft(), alone=False)

    try:
        fill()
        for fut in pending:
            files, alone = running.pop(fut)
            out: ds.BatchOutput | None = None
            try:
                out = fut.result()
            except KilledWorker:
                ds.remove_parts(dataset, ds.batch_token(files))
                if alone and len(files) == 1:
                    f = files[0]
                    out = ds.BatchOutput(ds.batch_token(files), [FileResult(f.name, f.sha256, reason=DIED)])
                else:
                    log(f"dask: a worker died running {len(files)} file(s); retrying them alone to find the cause")
                    half = max(1, len(files) // 2)
                    suspects.extendleft([h for h in (files[half:], files[:half]) if h])
            except CodeMismatch:
                raise
            except Exception as exc:  # noqa: BLE001 - storage or cluster trouble: stop the build
                raise RuntimeError(f"extraction task failed on the cluster: {type(exc).__name__}: {exc}") from exc
            finally:
                fut.release()
            if out is not None:
                outputs.append(out)
                progress.update(len(out.outcomes))
            fill()
    except BaseException:
        client.cancel(list(running))
        raise
    finally:
        progress.close()
    return outputs


def task(files: list[RawFile], dataset: str, fingerprint: str | None) -> ds.BatchOutput:
    """What a worker runs: check it has the driver's extractor, then extract and write a batch."""
    if fingerprint is not None:
        own = _worker_fingerprint()
        if own != fingerprint:
            raise CodeMismatch(
                f"a worker runs extraction code {own}, the driver {fingerprint}: deploy the same version everywhere"
            )
    return ds.extract_to_parquet(files, dataset)


@functools.lru_cache(maxsize=1)
def _worker_fingerprint() -> str:
    """This worker process's extractor fingerprint (its code does not change while it runs)."""
    from etl.warehouse.fingerprint import extractor_fingerprint

    return extractor_fingerprint()


def expected_fingerprint() -> str:
    """The driver's extractor fingerprint, that workers of a shared cluster must match."""
    from etl.warehouse.fingerprint import extractor_fingerprint

    return extractor_fingerprint()
