"""``--engine dask --parquet``: the dataset holds one file per table and year, not one per task."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest
from build_helpers import quiet

from etl.warehouse import dataset as ds
from etl.warehouse.build import build

pytest.importorskip("distributed")
pytestmark = [pytest.mark.timeout(240), pytest.mark.usefixtures("pinned_fingerprint")]


def test_dask_build_writes_one_file_per_table_and_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.synth.corpus import generate

    monkeypatch.setattr("etl.warehouse.dask_engine.expected_fingerprint", lambda: None)
    monkeypatch.setattr("etl.warehouse.dask_engine.BATCH_MAX", 3)  # many small tasks, as on a big corpus
    generate(tmp_path / "synth", [2020, 2021, 2022], 8, seed=7, jobs=1)  # 24 reports + broken files
    raw = tmp_path / "synth" / "raw"
    lake = tmp_path / "lake"
    local_db, dask_db = tmp_path / "local" / "warehouse.duckdb", tmp_path / "dask" / "warehouse.duckdb"
    local = build(raw, local_db, jobs=1, log=quiet)
    lines: list[str] = []
    dask = build(raw, dask_db, jobs=2, log=lines.append, engine="dask", parquet=lake)

    said = next(line for line in lines if "Parquet parts" in line)  # dask: 9 batches wrote 60 Parquet parts, ...
    batches, written = int(said.split()[1]), int(said.split()[4])
    assert batches >= 5 and written > 30, said
    files = [p.relative_to(lake) for p in lake.rglob("*") if p.is_file()]
    per_partition = Counter((p.parts[0], p.parts[1]) for p in files)
    assert set(per_partition.values()) == {1}, per_partition
    assert {p for p, _ in per_partition} == {"reports", "values", "shortfalls", "targets", "failures"}
    assert {y for t, y in per_partition if t == "reports"} == {"year=2020", "year=2021", "year=2022"}
    assert all(p.name.startswith("part-") and p.suffix == ".parquet" for p in files)
    # the same rows as the local build, both in the warehouse and read straight from the files
    assert (dask.reports, dask.failed) == (local.reports, local.failed)
    con = duckdb.connect(":memory:")
    try:
        for table in ("reports", "values", "shortfalls", "targets"):
            con.execute("ATTACH ? AS l (READ_ONLY)", [str(local_db)])
            expected = con.execute(f'SELECT count(*) FROM l."{table}"').fetchall()[0][0]
            con.execute("DETACH l")
            in_lake = con.execute(f"SELECT count(*) FROM {ds.scan_sql(lake, table)}").fetchall()[0][0]
            assert in_lake == expected > 0, table
        keys = con.execute(f"SELECT report_id, year FROM {ds.scan_sql(lake, 'reports')} ORDER BY 1").fetchall()
        con.execute("ATTACH ? AS l (READ_ONLY)", [str(local_db)])
        assert keys == con.execute("SELECT report_id, year FROM l.reports ORDER BY 1").fetchall()
    finally:
        con.close()
