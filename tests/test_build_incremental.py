"""Builds in proportion to the change: nothing changed writes nothing, views updated in place, failures remembered."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_helpers import JINGHAI, PLAN, PUTUO, QINGYUAN, ROOT, TIANJIN, query, quiet, scalar

import etl.warehouse.build
import etl.warehouse.pool
import etl.warehouse.scan
from etl.warehouse import duck
from etl.warehouse.build import build, refresh_corrections
from etl.warehouse.corrections import add_correction, corrections_path
from etl.warehouse.views import MATERIALIZED, REGION_OPTIONS, replace_views

pytestmark = pytest.mark.usefixtures("pinned_fingerprint")

VIEW_TABLES = [*MATERIALIZED, REGION_OPTIONS]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


@pytest.fixture(autouse=True)
def stamped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files the test has just written count as settled (etl/warehouse/scan.py: RACY_NS)."""
    monkeypatch.setattr("etl.warehouse.scan.RACY_NS", 0)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the pool reads for extraction (in-process builds, jobs=1), failing ones included."""
    calls: list[str] = []
    real = etl.warehouse.pool._load_extractor

    def counting() -> tuple:
        read_document, extract_document, read_error = real()

        def read(path):  # noqa: ANN001, ANN202
            calls.append(Path(path).name)
            return read_document(path)

        return read, extract_document, read_error

    monkeypatch.setattr(etl.warehouse.pool, "_load_extractor", counting)
    return calls


def spy_updates(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many reports each in-place view update recomputed (no entry: the views were rebuilt)."""
    seen: list[int] = []
    real = etl.warehouse.build.update_views

    def spying(con, changed):  # noqa: ANN001, ANN202
        n = real(con, changed)
        seen.append(n)
        return n

    monkeypatch.setattr(etl.warehouse.build, "update_views", spying)
    return seen


def file_state(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_ino


def view_rows(db: Path, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every materialized view's rows as text, sorted (row order is not part of the contract)."""
    out = {}
    for name in VIEW_TABLES:
        columns = [r[0] for r in query(db, "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                           "ORDER BY column_index", [name])]
        kept = ", ".join(duck.quote_ident(c) for c in columns if c not in ignore)
        rows = query(db, "SELECT " + kept + " FROM " + duck.quote_ident(name))
        out[name] = [tuple(columns), *sorted((tuple(str(v) for v in r) for r in rows), key=str)]
    return out


def rematerialized(db: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    """The views of a copy of ``db`` computed from scratch on the same tables."""
    copy = tmp_path / "rematerialized.duckdb"
    shutil.copyfile(db, copy)
    con = duck.open_file(copy, "w", read_only=False)
    try:
        replace_views(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return view_rows(copy)


def test_nothing_changed_leaves_the_warehouse_file_alone(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = file_state(db)
    reads = count_reads(monkeypatch)
    lines: list[str] = []

    summary = build(raw, db, jobs=1, log=lines.append)

    assert summary.nothing_changed and reads == []
    assert (summary.reports, summary.unchanged, summary.loaded, summary.failed) == (5, 5, 0, 0)
    assert "nothing changed, warehouse not rewritten" in lines[-1]
    assert file_state(db) == before  # same bytes, same mtime, same inode: not even replaced
    # a new correction is a change: the file is rewritten and the correction applied
    report = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    add_correction(corrections_path(db), report, "year", 2019, reason="typo in title", who="t")
    summary = build(raw, db, jobs=1, log=quiet)
    assert not summary.nothing_changed and file_state(db) != before
    assert scalar(db, "SELECT year FROM v_reports WHERE report_id = ?", [report]) == 2019
    assert build(raw, db, jobs=1, log=quiet).nothing_changed


#: A build in a fresh interpreter, as `python -m etl build` runs: whether nothing changed, whether pyarrow got loaded.
FRESH_BUILD = """
import sys
from pathlib import Path
import etl.warehouse.scan
from etl.warehouse.build import build
etl.warehouse.scan.RACY_NS = 0  # files the test has just written count as settled
summary = build(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1, log=lambda *a: None)
print(summary.nothing_changed, "pyarrow" in sys.modules)
"""


def test_nothing_changed_build_does_not_import_arrow(raw: Path, db: Path) -> None:
    """pyarrow (with numpy) is a tenth of a no-change build's CPU, which builds no Arrow table."""

    def fresh_build() -> str:
        done = subprocess.run([sys.executable, "-c", FRESH_BUILD, str(raw), str(db)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert fresh_build() == "False True"  # the first build loads rows, as Arrow tables
    assert fresh_build() == "True False"


def test_views_updated_in_place_equal_a_full_rematerialization(
    raw: Path, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(raw, db, jobs=1, log=quiet)
    updates = spy_updates(monkeypatch)
    putuo = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [PUTUO])
    value = query(db, "SELECT indicator FROM v_values WHERE report_id = ? ORDER BY indicator LIMIT 1", [putuo])[0][0]
    # a changed file, a removed one, a renamed one, a new one, and a correction of an unchanged report;
    # a correction of the changed file's old version needs review, counted on its new report
    tianjin = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    add_correction(corrections_path(db), tianjin, "year", 2018, reason="typo", who="t", source_file=TIANJIN)
    build(raw, db, jobs=1, log=quiet)
    path = raw / TIANJIN
    path.write_bytes(path.read_bytes().replace("40家".encode(), "41家".encode(), 1))
    (raw / QINGYUAN).unlink()
    (raw / JINGHAI).rename(raw / "jinghai_renamed.txt")
    (raw / "jinghai_2019.txt").write_bytes((raw / "jinghai_renamed.txt").read_bytes().replace(b"2020", b"2019"))
    add_correction(corrections_path(db), putuo, "value", 999, indicator=value, reason="checked", who="t")

    summary = build(raw, db, jobs=1, log=quiet)

    assert (summary.loaded, summary.removed, summary.unchanged) == (2, 1, 3)
    assert len(updates) == 2 and updates[1] >= 4  # changed (old and new id), removed, renamed, new, corrected
    incremental = view_rows(db)
    new_tianjin = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    assert scalar(db, "SELECT n_corrections_review FROM v_reports WHERE report_id = ?", [new_tianjin]) == 1
    assert incremental == rematerialized(db, tmp_path)
    assert scalar(db, "SELECT value FROM v_values WHERE report_id = ? AND indicator = ?", [putuo, value]) == 999
    # and the same as a build from scratch of the same folder, but for when each report was first loaded
    fresh = tmp_path / "fresh" / "warehouse.duckdb"
    fresh.parent.mkdir()
    shutil.copyfile(corrections_path(db), corrections_path(fresh))
    build(raw, fresh, full=True, jobs=1, log=quiet)
    assert view_rows(db, ignore=("ingested_at",)) == view_rows(fresh, ignore=("ingested_at",))

    # corrections swapped in without a build are applied the same way
    add_correction(corrections_path(db), putuo, "reject_value", None, indicator=value, reason="no", who="t")
    refresh_corrections(db, log=quiet)
    assert len(updates) == 3 and updates[2] == 1
    assert view_rows(db) == rematerialized(db, tmp_path)
    assert query(db, "SELECT * FROM v_values WHERE report_id = ? AND indicator = ?", [putuo, value]) == []


def test_views_of_another_definition_are_rebuilt_not_updated(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(raw, db, jobs=1, log=quiet)
    con = duck.open_file(db, "w", read_only=False)  # as a build of other view definitions left it
    con.execute("COMMENT ON TABLE v_values IS 'other'")
    con.close()
    updates = spy_updates(monkeypatch)
    (raw / PLAN).unlink()

    summary = build(raw, db, jobs=1, log=quiet)

    assert summary.removed == 1 and updates == []
    assert scalar(db, "SELECT count(*) FROM v_reports") == 4
    assert build(raw, db, jobs=1, log=quiet).nothing_changed


def test_failed_file_is_not_extracted_again_until_its_bytes_change(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = raw / "noise.txt"
    bad.write_bytes(bytes(range(256)) * 20)
    reads = count_reads(monkeypatch)
    first = build(raw, db, jobs=1, log=quiet)
    assert "noise.txt" in reads and first.failed == 1
    reason = scalar(db, "SELECT reason FROM ingest_log WHERE source_file = 'noise.txt'")

    reads.clear()
    time.sleep(0.01)
    path = raw / TIANJIN
    path.write_bytes(path.read_bytes().replace("40家".encode(), "41家".encode(), 1))
    os.utime(bad)  # touched, same bytes: hashed again, still not extracted
    summary = build(raw, db, jobs=1, log=quiet)

    assert reads == [TIANJIN]
    assert (summary.loaded, summary.failed, summary.cached_failures) == (1, 1, 1) and not summary.ok
    assert query(db, "SELECT status, reason FROM ingest_log WHERE source_file = 'noise.txt'") == [("failed", reason)]

    reads.clear()
    bad.write_bytes(bytes(range(255, -1, -1)) * 20)  # new bytes: tried again
    summary = build(raw, db, jobs=1, log=quiet)
    assert reads == ["noise.txt"] and summary.failed == 1 and summary.cached_failures == 0
