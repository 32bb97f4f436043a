"""The dashboard's warehouse reader follows a rebuild that swaps the file underneath it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ui.db import Reader, file_version


def _write(path: Path, n: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("INSERT INTO t VALUES (?)", [n])
    con.close()


def test_reader_reattaches_after_swap(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _write(db, 1)
    reader = Reader(db)
    try:
        before = file_version(db)
        assert reader.df("SELECT x FROM t")["x"].tolist() == [1]
        tmp = tmp_path / "warehouse.duckdb.tmp"
        _write(tmp, 2)
        os.replace(tmp, db)  # what the build does
        assert file_version(db) != before, "the cache key changes with the file"
        assert reader.df("SELECT x FROM t WHERE x > ?", [0])["x"].tolist() == [2]
    finally:
        reader.close()


def test_reader_is_read_only(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _write(db, 1)
    reader = Reader(db)
    try:
        try:
            reader.df("INSERT INTO t VALUES (3)")
        except duckdb.Error:
            pass
        else:
            raise AssertionError("the dashboard must not be able to write the warehouse")
    finally:
        reader.close()
