"""Shared fixtures: a seed warehouse in a tmp folder, and the dashboard pointed at it.

The warehouse is a real build (``etl.build.build``) of a copy of the bundled
reports in ``data/raw``, so page tests exercise the views the build defines.
Expected numbers are read from that warehouse, never hard-coded, so the tests
follow improvements to extraction.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


def build_warehouse(folder: Path, extra_files: dict[str, bytes] | None = None) -> Path:
    """Copy the bundled reports (plus ``extra_files``) into ``folder/raw`` and build
    ``folder/warehouse.duckdb`` with the real ETL."""
    from etl.build import build

    raw = folder / "raw"
    shutil.copytree(RAW, raw)
    for name, data in (extra_files or {}).items():
        (raw / name).write_bytes(data)
    db = folder / "warehouse.duckdb"
    build(raw, db, jobs=1, log=lambda *a, **k: None)
    return db


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the seed reports, built once per test session. Treat as read-only."""
    return build_warehouse(tmp_path_factory.mktemp("seed"), {"broken.docx": b"PK\x03\x04 truncated zip"})


@pytest.fixture
def dashboard_env(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the dashboard at the seed warehouse (``STATS_DB``/``STATS_RAW``)."""
    monkeypatch.setenv("STATS_DB", str(seed_db))
    monkeypatch.setenv("STATS_RAW", str(seed_db.parent / "raw"))
    yield seed_db


def seed_frame(db: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """Query the warehouse directly (read-only) to get the numbers a test expects."""
    con = duckdb.connect(":memory:")
    try:
        escaped = str(db).replace("'", "''")
        con.execute(f"ATTACH '{escaped}' AS seed (READ_ONLY)")
        con.execute("USE seed")
        return con.execute(sql, params or []).df()
    finally:
        con.close()
