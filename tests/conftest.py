"""Shared fixtures: a seed warehouse in a tmp folder, and the dashboard pointed at it.

The warehouse is a real build (``etl.build.build``) of a copy of the bundled
reports in ``data/raw``. Until that build exists in the tree, a stand-in is
written from ``etl/schema.sql`` and the answer key in ``data/gold`` so the
dashboard can be tested against the contract.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "data" / "gold"
SPEC = ROOT / "etl" / "spec"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_contract_warehouse(raw: Path, db: Path) -> None:
    """A warehouse filled per ``etl/schema.sql`` from the answer key (no extraction)."""
    con = duckdb.connect(str(db))
    con.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    now = datetime(2024, 1, 1, 12, 0)
    for row in _read_csv(SPEC / "indicators.csv"):
        con.execute("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?)",
                    [row["id"], row["category"], row["unit"], row["name_zh"], row["name_en"], row["definition"]])
    for row in _read_csv(SPEC / "shortfall_themes.csv"):
        con.execute("INSERT INTO shortfall_themes VALUES (?, ?, ?, ?)",
                    [row["id"], row["name_zh"], row["name_en"], row["definition"]])
    for row in _read_csv(SPEC / "target_indicators.csv"):
        con.execute("INSERT INTO target_indicators VALUES (?, ?, ?, ?, ?)",
                    [row["id"], row["unit"], row["name_zh"], row["name_en"], row["definition"]])
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    for row in _read_csv(GOLD / "reports.csv"):
        data = (raw / row["file"]).read_bytes()
        rid = hashlib.sha256(data).hexdigest()
        ids[row["file"]], texts[row["file"]] = rid, data.decode("utf-8")
        year = int(row["year"]) if row["year"] else None
        con.execute(
            "INSERT INTO reports (report_id, source_file, province, city, district, adcode, year, doc_type, "
            "size_bytes, encoding, format, text, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rid, row["file"], row["province"], row["city"], row["district"], row["adcode"], year,
             row["doc_type"], len(data), "utf-8", "txt", texts[row["file"]], now],
        )
        con.execute("INSERT INTO ingest_log VALUES (?, ?, 'loaded', NULL, ?)", [row["file"], rid, now])
    for row in _read_csv(GOLD / "values.csv"):
        text = texts[row["file"]]
        start = text.find(row["evidence"])
        if start < 0:
            continue
        rid = ids[row["file"]]
        flags = ["implausible: more units than the district has"] if row["indicator"] == "units_notified" else []
        con.execute(
            'INSERT INTO "values" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [f"{rid}:{row['indicator']}", rid, row["indicator"], float(row["value"]), row["qualifier"],
             row["basis"], row["evidence"], start, start + len(row["evidence"]), 0.9, flags],
        )
    for seq, row in enumerate(_read_csv(GOLD / "shortfalls.csv")):
        text = texts[row["file"]]
        start = text.find(row["evidence"])
        con.execute("INSERT INTO shortfalls VALUES (?, ?, ?, ?, ?, ?)",
                    [ids[row["file"]], seq, row["theme"], row["evidence"], start, start + len(row["evidence"])])
    for row in _read_csv(GOLD / "targets.csv"):
        con.execute("INSERT INTO targets VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                    [ids[row["file"]], row["indicator"], row["comparator"], float(row["value"]), row["evidence"]])
    con.execute("INSERT INTO ingest_log VALUES ('broken.pdf', NULL, 'failed', 'not a PDF file', ?)", [now])
    con.execute("INSERT INTO build_info (built_at, n_reports, n_failed) VALUES (?, ?, 1)", [now, len(ids)])
    con.close()


def build_seed_warehouse(folder: Path) -> Path:
    """Copy the bundled reports into ``folder/raw`` and build ``folder/warehouse.duckdb``."""
    raw = folder / "raw"
    shutil.copytree(RAW, raw)
    db = folder / "warehouse.duckdb"
    try:
        from etl.build import build
    except ImportError:
        write_contract_warehouse(raw, db)
    else:
        build(raw, db, log=lambda *a, **k: None)
    return db


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the seed reports, built once per test session. Treat as read-only."""
    return build_seed_warehouse(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def dashboard_env(seed_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the dashboard at the seed warehouse (``STATS_DB``/``STATS_RAW``)."""
    monkeypatch.setenv("STATS_DB", str(seed_db))
    monkeypatch.setenv("STATS_RAW", str(seed_db.parent / "raw"))
    yield seed_db


def seed_frame(db: Path, sql: str, params: list | None = None):  # noqa: ANN201 - a pandas DataFrame
    """Query the warehouse directly (read-only) to get the numbers a test expects."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()
