"""Helpers shared by the build and corrections tests: seed raw folders and warehouse queries."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from etl.warehouse.reader import open_reader

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "data" / "raw"
SEEDS = sorted(p.name for p in SEED_DIR.iterdir() if p.is_file())

TIANJIN = "000_2b403197ff29ef0f.txt"  # 滨海新区 2023 report
QINGYUAN = "001_d214455dfc56cfd9.txt"  # 清新区 2023 report, three shortfalls
PUTUO = "002_660ee622ed7298cc.txt"  # 上海市普陀区 2023 report
JINGHAI = "003_13d56fac8b81988a.txt"  # 静海区 2020 report
PLAN = "004_1ead777854b51a1e.txt"  # 2022 plan naming no place, three targets


def copy_seeds(raw: Path, names: list[str] | None = None) -> Path:
    """Copy seed reports into ``raw`` (writable copies: the originals are read-only)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in names if names is not None else SEEDS:
        shutil.copyfile(SEED_DIR / name, raw / name)
    return raw


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    """Rows of one query against the warehouse, through the reader the dashboard uses."""
    con = open_reader(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    """The single value of a query."""
    return query(db, sql, params)[0][0]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a reader would compare before and after a failed build."""
    return {
        "reports": query(db, "SELECT report_id, source_file, year, doc_type FROM reports ORDER BY 1"),
        "values": query(db, 'SELECT value_id, value, quote FROM "values" ORDER BY 1'),
        "shortfalls": query(db, "SELECT report_id, seq, theme FROM shortfalls ORDER BY 1, 2"),
        "targets": query(db, "SELECT report_id, indicator, value FROM targets ORDER BY 1, 2"),
        "build_info": query(db, "SELECT built_at, n_reports FROM build_info"),
    }


def quiet(*_args: Any, **_kwargs: Any) -> None:
    """A ``log`` that prints nothing."""
