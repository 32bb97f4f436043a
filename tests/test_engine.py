"""``--engine dask``: the same warehouse as the local build, Parquet by year, failures per file.

One two-worker ``LocalCluster`` (processes, 127.0.0.1, no dashboard) serves
the module and is closed at its end; the builds join it with ``scheduler=``.
Every test has a timeout (pytest-timeout) so a stuck cluster fails the test
instead of hanging CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import psutil
import pytest
from build_helpers import PUTUO, SEEDS, TIANJIN, copy_seeds, query, quiet, snapshot

from etl.__main__ import main
from etl.warehouse import dataset as ds
from etl.warehouse.build import BuildSummary, build, parquet_path
from etl.warehouse.build import tmp_path as tmp_file_of
from etl.warehouse.fingerprint import extractor_fingerprint as disk_fingerprint
from etl.warehouse.reader import open_reader

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.timeout(180)

BROKEN = "broken.docx"
# The extraction code on disk when the tests were collected (this process's extractor was imported then).
CODE_AT_START = disk_fingerprint()


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    """Two single-threaded worker processes, as on the 2-core CI machine."""
    cl = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
        silence_logs=50,
    )
    try:
        yield cl
    finally:
        cl.close(timeout=30)


@pytest.fixture(scope="module")
def pinned() -> Iterator[None]:
    """Others edit the extractor while tests run: pin the fingerprint the build stores and workers check."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("etl.warehouse.build.extractor_fingerprint", lambda: "pinned-for-tests")
        mp.setattr("etl.warehouse.dask_engine.expected_fingerprint", lambda: None)
        yield


@pytest.fixture(autouse=True)
def _pin(pinned: None) -> None:
    """Every test runs with the pinned fingerprint."""


def both(raw: Path, work: Path, scheduler: str, **kw: object) -> tuple[BuildSummary, BuildSummary, Path, Path]:
    """Build ``raw`` with the local engine and with dask; return both summaries and warehouses."""
    local_db, dask_db = work / "local" / "warehouse.duckdb", work / "dask" / "warehouse.duckdb"
    local = build(raw, local_db, jobs=1, log=quiet, **kw)  # type: ignore[arg-type]
    dask = build(raw, dask_db, jobs=2, log=quiet, engine="dask", scheduler=scheduler, **kw)  # type: ignore[arg-type]
    return local, dask, local_db, dask_db


TABLES = {
    "reports": "SELECT * EXCLUDE (ingested_at) FROM reports",
    "values": 'SELECT * EXCLUDE (flags), CAST(flags AS VARCHAR) AS flags FROM "values"',
    "shortfalls": "SELECT * FROM shortfalls",
    "targets": "SELECT * FROM targets",
    "ingest_log": "SELECT source_file, sha256, status, reason FROM ingest_log",
}


def frame(db: Path, sql: str) -> pd.DataFrame:
    """A query's rows as a DataFrame sorted on every column (row order is not part of the contract)."""
    con = open_reader(db)
    try:
        df = con.execute(sql).df()
    finally:
        con.close()
    return df.sort_values(list(df.columns), na_position="first").reset_index(drop=True)


def assert_same_warehouse(a: Path, b: Path) -> None:
    try:
        for table, sql in TABLES.items():
            left, right = frame(a, sql), frame(b, sql)
            assert len(left) == len(right), table
            pd.testing.assert_frame_equal(left, right, obj=table)
    except AssertionError:
        skip_if_code_changed()
        raise


def skip_if_code_changed() -> None:
    """Others edit the extractor while tests run: workers started later may have loaded newer rules
    than this process. A difference is only a failure when the code on disk is still what it was."""
    if disk_fingerprint() != CODE_AT_START:
        pytest.skip("extraction code changed on disk during the session: the engines ran different versions")


def counts(s: BuildSummary) -> tuple[int, ...]:
    return (s.reports, s.loaded, s.unchanged, s.duplicates, s.failed, s.removed, s.changed)


@pytest.fixture(scope="module")
def seed_builds(
    tmp_path_factory: pytest.TempPathFactory, cluster: distributed.LocalCluster, pinned: None
) -> tuple[BuildSummary, BuildSummary, Path, Path]:
    """The seed reports plus a broken docx, built once with each engine."""
    work = tmp_path_factory.mktemp("engines")
    raw = copy_seeds(work / "raw")
    (raw / BROKEN).write_bytes(b"PK\x03\x04 truncated zip")
    return both(raw, work, cluster.scheduler_address)


def test_dask_build_of_seeds_equals_local_build(seed_builds: tuple) -> None:
    local, dask, local_db, dask_db = seed_builds
    assert counts(local) == counts(dask) == (5, 5, 0, 0, 1, 0, 0)
    assert dict(local.failures) == dict(dask.failures)
    assert "corrupt docx" in dict(dask.failures)[BROKEN]
    assert_same_warehouse(local_db, dask_db)
    assert query(dask_db, "SELECT status, count(*) FROM ingest_log GROUP BY ALL ORDER BY 1") == [
        ("failed", 1),
        ("loaded", 5),
    ]
    assert query(dask_db, "SELECT DISTINCT source_file FROM v_values WHERE source_file = ?", [PUTUO]) == [(PUTUO,)]
    assert not tmp_file_of(dask_db).exists()


def test_parquet_dataset_is_partitioned_by_year_and_readable_by_duckdb(seed_builds: tuple) -> None:
    _, _, _, dask_db = seed_builds
    root = parquet_path(dask_db)
    years = sorted(p.name for p in (root / "reports").iterdir())
    assert years == ["year=2020", "year=2022", "year=2023"]
    assert all(p.name.startswith("part-") for p in (root / "reports").glob("*/*.parquet"))
    con = duckdb.connect(":memory:")
    try:
        lake = con.execute(
            f"SELECT report_id, source_file, year FROM {ds.scan_sql(root, 'reports')} ORDER BY 1"
        ).fetchall()
        failures = con.execute(f"SELECT sha256, source_file, reason, year FROM {ds.scan_sql(root, 'failures')}").fetchall()
        # each value sits in its report's year partition
        misplaced = con.execute(
            f"SELECT count(*) FROM {ds.scan_sql(root, 'values')} v "
            f"JOIN {ds.scan_sql(root, 'reports')} r USING (report_id) WHERE v.year IS DISTINCT FROM r.year"
        ).fetchall()
        n_values = con.execute(f"SELECT count(*) FROM {ds.scan_sql(root, 'values')}").fetchall()
    finally:
        con.close()
    assert lake == query(dask_db, "SELECT report_id, source_file, year FROM reports ORDER BY 1")
    assert [(f[1], f[3]) for f in failures] == [(BROKEN, None)]
    assert len(failures[0][0]) == 64 and "corrupt docx" in failures[0][2]
    assert misplaced == [(0,)]
    assert n_values == query(dask_db, 'SELECT count(*) FROM "values"')


def test_dask_build_of_synthetic_sample_equals_local_build(
    tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    from etl.synth.corpus import generate

    generate(tmp_path / "synth", [2019, 2020, 2021, 2022, 2023], 8, seed=5, jobs=1)  # 40 reports + 3 broken files
    raw = tmp_path / "synth" / "raw"
    local, dask, local_db, dask_db = both(raw, tmp_path, cluster.scheduler_address)
    if counts(local) != counts(dask):
        skip_if_code_changed()
    assert counts(local) == counts(dask)
    assert local.reports >= 40 and dask.failed >= 2
    assert_same_warehouse(local_db, dask_db)
    years = {p.name for p in (parquet_path(dask_db) / "reports").iterdir()}
    assert {f"year={y}" for y in range(2019, 2024)} <= years


def test_incremental_dask_build_extracts_only_changed_files(tmp_path: Path, cluster: distributed.LocalCluster) -> None:
    raw = copy_seeds(tmp_path / "raw")
    address = cluster.scheduler_address
    both(raw, tmp_path, address)
    with open(raw / TIANJIN, "ab") as f:
        f.write("\n（修订）\n".encode())
    shutil.copyfile(raw / PUTUO, raw / "copy_of_putuo.txt")
    (raw / SEEDS[3]).unlink()
    local, dask, local_db, dask_db = both(raw, tmp_path, address)
    assert counts(local) == counts(dask) == (4, 1, 3, 1, 0, 1, 1)
    assert_same_warehouse(local_db, dask_db)
    # only the changed file went through the cluster
    assert [p.parent.name for p in (parquet_path(dask_db) / "reports").glob("*/*.parquet")] == ["year=2023"]
    assert query(dask_db, "SELECT source_file FROM reports WHERE ingested_at = (SELECT max(built_at) FROM build_info)") \
        == [(TIANJIN,)]


def test_cli_dask_engine_starts_and_stops_its_own_cluster(tmp_path: Path) -> None:
    raw = copy_seeds(tmp_path / "raw", SEEDS[:2])
    db, lake = tmp_path / "warehouse.duckdb", tmp_path / "lake"
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert main(["build", "--raw", str(raw), "--db", str(db), "--engine", "dask", "--jobs", "2",
                 "--parquet", str(lake)]) == 0
    assert query(db, "SELECT count(*) FROM reports") == [(2,)]
    parts = list(lake.glob("reports/year=*/part-*.parquet"))  # the two tasks' parts compacted: one file a year
    assert len(parts) == len({p.parent for p in parts}) >= 1
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()]
    psutil.wait_procs(left, timeout=10)
    assert not [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_cli_refuses_scheduler_without_dask_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = copy_seeds(tmp_path / "raw", SEEDS[:1])
    assert main(["build", "--raw", str(raw), "--db", str(tmp_path / "w.duckdb"), "--scheduler", "tcp://x:1"]) == 2
    assert "--engine dask" in capsys.readouterr().err


def test_workers_running_other_code_stop_the_build(
    tmp_path: Path, cluster: distributed.LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = copy_seeds(tmp_path / "raw", SEEDS[:2])
    db = tmp_path / "warehouse.duckdb"
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    copy_seeds(raw, SEEDS[2:3])  # one new file, so the cluster has work
    monkeypatch.setattr("etl.warehouse.dask_engine.expected_fingerprint", lambda: "another-version")
    with pytest.raises(RuntimeError, match="extraction code"):
        build(raw, db, jobs=2, log=quiet, engine="dask", scheduler=cluster.scheduler_address)
    assert snapshot(db) == before and not tmp_file_of(db).exists()


class CrashOn(distributed.WorkerPlugin):
    """Make the worker process die (as on a segfault or the OOM killer) when it reaches one file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def setup(self, worker: object) -> None:
        import etl.warehouse.pool

        real, name = etl.warehouse.pool._load_extractor, self.name

        def crashing() -> tuple:
            read_document, extract_document, read_error = real()

            def extract(doc):  # noqa: ANN001, ANN202
                if Path(doc.path).name == name:
                    os._exit(1)
                return extract_document(doc)

            return read_document, extract, read_error

        etl.warehouse.pool._load_extractor = crashing


def test_a_file_that_kills_its_worker_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    monkeypatch.setattr("etl.warehouse.dask_engine.TASKS_PER_SLOT", 1)  # one batch of all six files: it must be split

    raw = copy_seeds(tmp_path / "raw")
    shutil.copyfile(raw / SEEDS[0], raw / "crash.txt")
    with open(raw / "crash.txt", "ab") as f:
        f.write(b"\n")
    db = tmp_path / "warehouse.duckdb"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cl = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
            silence_logs=50,
        )
    try:
        with distributed.Client(cl, set_as_default=False) as client:
            client.register_plugin(CrashOn("crash.txt"))
        summary = build(raw, db, jobs=1, log=quiet, engine="dask", scheduler=cl.scheduler_address)
    finally:
        cl.close(timeout=30)
    assert (summary.loaded, summary.failed) == (5, 1)
    assert summary.failures == [("crash.txt", "worker process died while extracting it (crash or out of memory)")]
    assert sorted(r[0] for r in query(db, "SELECT source_file FROM reports")) == SEEDS
    # the dead batch left no part behind: the dataset holds exactly the loaded reports
    con = duckdb.connect(":memory:")
    try:
        n = con.execute(f"SELECT count(*) FROM {ds.scan_sql(parquet_path(db), 'reports')}").fetchall()
    finally:
        con.close()
    assert n == [(5,)]
