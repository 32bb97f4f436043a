"""Analysts' corrections: stored apart, copied into every build, applied by the views, reviewed when stale."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from build_helpers import PLAN, PUTUO, QINGYUAN, ROOT, TIANJIN, query, quiet, scalar

from etl.warehouse import corrections, duck
from etl.warehouse.build import build, refresh_corrections
from etl.warehouse.corrections import add_correction, corrections_path, list_corrections

pytestmark = pytest.mark.usefixtures("pinned_fingerprint")


@pytest.fixture
def db(tmp_path: Path, raw: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    build(raw, path, jobs=1, log=quiet)
    return path


def rid(raw: Path, name: str) -> str:
    return hashlib.sha256((raw / name).read_bytes()).hexdigest()


def correct(db: Path, raw: Path, name: str, kind: str, new_value: object = None, **kw: object) -> int:
    return add_correction(
        corrections_path(db), rid(raw, name), kind, new_value, reason="checked the PDF", who="li", source_file=name, **kw
    )


def test_corrections_file_sits_beside_the_warehouse(tmp_path: Path) -> None:
    assert corrections_path(tmp_path / "data" / "warehouse.duckdb") == tmp_path / "data" / "corrections.duckdb"


def test_add_and_list(tmp_path: Path) -> None:
    path = tmp_path / "corrections.duckdb"
    assert list_corrections(path).empty
    first = add_correction(path, "abc", "year", 2021, reason="title says 2021", who="wang", old_value=2022)
    second = add_correction(
        path, "abc", "value", 12, indicator="study_sessions", reason="twelve, not two", who="wang", source_file="a.txt"
    )
    add_correction(path, "def", "doc_type", "plan", reason="a plan", who="zhao")

    rows = list_corrections(path, "abc")
    assert list(rows["correction_id"]) == [first, second]
    assert list(rows["kind"]) == ["year", "value"]
    assert list(rows["new_value"]) == ["2021", '{"value": 12}']
    assert rows["old_value"].iloc[0] == "2022"
    assert list(rows["report_sha256"]) == ["abc", "abc"]
    assert rows["who"].iloc[1] == "wang" and rows["source_file"].iloc[1] == "a.txt"
    assert len(list_corrections(path)) == 3
    assert list(list_corrections(path).columns) == list(corrections.COLUMNS)


@pytest.mark.parametrize(
    ("kind", "new_value", "kw", "message"),
    [
        ("colour", 1, {}, "unknown correction kind"),
        ("value", 1, {"indicator": "no_such_indicator"}, "catalogue"),
        ("value", "twelve", {"indicator": "study_sessions"}, "finite number"),
        ("value", {"value": 1, "unit": "x"}, {"indicator": "study_sessions"}, "unknown keys"),
        ("value", {"value": 1, "qualifier": "roughly"}, {"indicator": "study_sessions"}, "qualifier"),
        ("reject_value", 3, {"indicator": "study_sessions"}, "takes no new value"),
        ("region", {"province": "上海市"}, {}, "exactly the keys"),
        ("year", "2023", {}, "integer year"),
        ("doc_type", "memo", {}, "doc_type"),
        ("shortfall", "bad_theme", {"seq": 1}, "theme"),
        ("shortfall", "other", {}, "seq"),
    ],
)
def test_malformed_corrections_are_refused_before_writing(
    tmp_path: Path, kind: str, new_value: object, kw: dict, message: str
) -> None:
    path = tmp_path / "corrections.duckdb"
    with pytest.raises(ValueError, match=message):
        add_correction(path, "abc", kind, new_value, reason="r", who="w", **kw)
    assert not path.exists()
    with pytest.raises(ValueError, match="reason"):
        add_correction(path, "abc", "year", 2020, reason=" ", who="w")


def test_corrections_apply_and_survive_a_full_rebuild(raw: Path, db: Path) -> None:
    correct(db, raw, TIANJIN, "value", {"value": 60, "qualifier": "at_least"}, indicator="inspected_units")
    correct(db, raw, PUTUO, "reject_value", indicator="units_notified")
    correct(db, raw, PLAN, "region", {"province": "江苏省", "city": "南京市", "district": "鼓楼区", "adcode": "320106"})
    correct(db, raw, PLAN, "year", 2023)
    correct(db, raw, QINGYUAN, "value", 3, indicator="outreach_events")  # a number the extractor missed
    before_build = scalar(db, "SELECT count(*) FROM v_values")

    summary = build(raw, db, full=True, jobs=1, log=quiet)

    assert summary.loaded == 5 and summary.corrections == 5 and summary.corrections_review == 0
    assert query(db, "SELECT status, count(*) FROM v_corrections GROUP BY ALL") == [("applied", 5)]
    assert query(
        db,
        "SELECT value, qualifier, corrected, extracted_value, correction_note LIKE 'checked the PDF (li, %' "
        "FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'",
        [TIANJIN],
    ) == [(60.0, "at_least", True, 55.0, True)]
    assert scalar(db, "SELECT count(*) FROM v_values WHERE source_file = ? AND indicator = 'units_notified'", [PUTUO]) == 0
    assert query(
        db,
        "SELECT value, corrected, extracted_value, quote FROM v_values WHERE source_file = ? "
        "AND indicator = 'outreach_events'",
        [QINGYUAN],
    ) == [(3.0, True, None, None)]
    assert scalar(db, "SELECT count(*) FROM v_values") == before_build  # one rejected, one added
    assert query(
        db,
        "SELECT province, city, district, adcode, year, corrected, extracted_province, extracted_year "
        "FROM v_reports WHERE source_file = ?",
        [PLAN],
    ) == [("江苏省", "南京市", "鼓楼区", "320106", 2023, True, "unknown", 2022)]
    assert query(db, "SELECT DISTINCT district, year FROM v_targets") == [("鼓楼区", 2023)]
    assert query(db, "SELECT inspected_units FROM v_compare WHERE district = '滨海新区'") == [(60.0,)]
    assert query(db, "SELECT n_reports FROM v_compare WHERE adcode = '320106' AND year = 2023") == [(1,)]
    # an uncorrected value is not marked
    assert query(
        db, "SELECT corrected, correction_note FROM v_values WHERE source_file = ? AND indicator = 'violation_units'",
        [TIANJIN],
    ) == [(False, None)]


def test_corrections_survive_an_incremental_build(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.warehouse.load

    correct(db, raw, TIANJIN, "value", {"value": 60, "qualifier": "at_least"}, indicator="inspected_units")
    refresh_corrections(db, log=quiet)
    correct(db, raw, PLAN, "year", 2023)  # saved, not yet refreshed: the build copies it in
    with open(raw / QINGYUAN, "a", encoding="utf-8") as f:
        f.write("\n附：本报告经局务会审议通过。\n")
    in_place: list[int] = []
    real = etl.warehouse.load.keep_only
    monkeypatch.setattr(etl.warehouse.load, "keep_only", lambda con, keep: (in_place.append(len(keep)), real(con, keep)))

    summary = build(raw, db, jobs=1, log=quiet)

    assert in_place == [4] and (summary.loaded, summary.unchanged) == (1, 4)
    assert summary.corrections == 2 and summary.corrections_review == 0
    assert query(db, "SELECT status, count(*) FROM v_corrections GROUP BY ALL") == [("applied", 2)]
    assert query(
        db, "SELECT value, qualifier, corrected FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'",
        [TIANJIN],
    ) == [(60.0, "at_least", True)]
    assert scalar(db, "SELECT year FROM v_reports WHERE source_file = ?", [PLAN]) == 2023
    assert scalar(db, "SELECT inspected_units FROM v_compare WHERE district = '滨海新区'") == 60.0


def test_refresh_corrections_without_rebuilding(raw: Path, db: Path) -> None:
    built = query(db, "SELECT built_at FROM build_info")
    correct(db, raw, TIANJIN, "doc_type", "plan")
    assert scalar(db, "SELECT doc_type FROM v_reports WHERE source_file = ?", [TIANJIN]) == "report"

    assert refresh_corrections(db, log=quiet) == 0

    assert scalar(db, "SELECT doc_type FROM v_reports WHERE source_file = ?", [TIANJIN]) == "plan"
    assert query(db, "SELECT built_at FROM build_info") == built
    assert scalar(db, "SELECT n_corrections FROM build_info") == 1


def test_later_correction_supersedes_earlier(raw: Path, db: Path) -> None:
    first = correct(db, raw, TIANJIN, "value", 50, indicator="inspected_units")
    second = correct(db, raw, TIANJIN, "value", 70, indicator="inspected_units")
    refresh_corrections(db, log=quiet)
    status = dict(query(db, "SELECT correction_id, status FROM v_corrections"))
    assert status == {first: "superseded", second: "applied"}
    assert scalar(db, "SELECT status_note FROM v_corrections WHERE correction_id = ?", [first]) == (
        f"superseded by correction {second}"
    )
    assert scalar(db, "SELECT value FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'", [TIANJIN]) == 70
    # rejecting after correcting removes it; a new value brings it back
    correct(db, raw, TIANJIN, "reject_value", indicator="inspected_units")
    refresh_corrections(db, log=quiet)
    assert scalar(db, "SELECT count(*) FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'", [TIANJIN]) == 0
    correct(db, raw, TIANJIN, "value", 55, indicator="inspected_units")
    refresh_corrections(db, log=quiet)
    assert scalar(db, "SELECT value FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'", [TIANJIN]) == 55


def test_shortfall_theme_and_rejection(raw: Path, db: Path) -> None:
    rows = query(db, "SELECT seq, theme, text FROM v_shortfalls WHERE source_file = ? ORDER BY seq", [QINGYUAN])
    (seq1, _, text1), (seq2, _, _) = rows[0], rows[1]
    correct(db, raw, QINGYUAN, "shortfall", "study_breadth", seq=seq1, old_value={"text": text1})
    correct(db, raw, QINGYUAN, "reject_shortfall", seq=seq2)
    correct(db, raw, QINGYUAN, "shortfall", "other", seq=seq1 + 100)  # no such shortfall
    review = refresh_corrections(db, log=quiet)

    assert review == 1
    after = query(db, "SELECT seq, theme, corrected, theme_en FROM v_shortfalls WHERE source_file = ? ORDER BY seq", [QINGYUAN])
    assert after[0] == (seq1, "study_breadth", True, "Breadth of legal study")
    assert seq2 not in [r[0] for r in after]
    assert scalar(db, "SELECT n_shortfalls FROM v_reports WHERE source_file = ?", [QINGYUAN]) == len(rows) - 1
    assert "no longer exists" in scalar(db, "SELECT status_note FROM v_corrections_review")


def test_correction_on_a_changed_file_needs_review(raw: Path, db: Path) -> None:
    old_id = rid(raw, TIANJIN)
    cid = correct(db, raw, TIANJIN, "value", 60, indicator="inspected_units")
    refresh_corrections(db, log=quiet)
    assert scalar(db, "SELECT status FROM v_corrections WHERE correction_id = ?", [cid]) == "applied"

    with open(raw / TIANJIN, "a", encoding="utf-8") as f:
        f.write("\n（2024年3月修订）\n")
    summary = build(raw, db, jobs=1, log=quiet)

    new_id = rid(raw, TIANJIN)
    assert summary.corrections_review == 1 and summary.changed == 1
    (row,) = query(db, "SELECT correction_id, report_id, status, status_note, current_report_id FROM v_corrections_review")
    assert row[:3] == (cid, old_id, "needs_review")
    assert TIANJIN in row[3] and new_id in row[3]
    assert row[4] == new_id
    # not applied to the new report, which says a correction awaits review
    assert query(
        db, "SELECT value, corrected FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'", [TIANJIN]
    ) == [(55.0, False)]
    assert scalar(db, "SELECT n_corrections_review FROM v_reports WHERE report_id = ?", [new_id]) == 1
    assert scalar(db, "SELECT n_corrections_review FROM build_info") == 1
    # and the stored correction itself is untouched
    assert list(list_corrections(corrections_path(db))["report_id"]) == [old_id]


def test_correction_on_a_removed_file_needs_review(raw: Path, db: Path) -> None:
    correct(db, raw, PUTUO, "year", 2022)
    (raw / PUTUO).unlink()
    build(raw, db, jobs=1, log=quiet)
    assert "no longer in the warehouse" in scalar(db, "SELECT status_note FROM v_corrections_review")


def test_build_without_corrections_file(raw: Path, db: Path) -> None:
    assert not corrections_path(db).exists()
    assert scalar(db, "SELECT count(*) FROM corrections") == 0
    assert scalar(db, "SELECT count(*) FROM v_corrections_review") == 0
    assert not corrections_path(db).exists()  # the build never creates it


KILLED_AFTER_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    from etl.warehouse.corrections import add_correction
    add_correction(sys.argv[1], "abc", "year", 2020, reason="r", who="w")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_committed_correction_survives_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "corrections.duckdb"
    add_correction(path, "abc", "year", 2019, reason="r", who="w")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_AFTER_WRITE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(path)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60
    )
    assert proc.returncode < 0
    assert list(list_corrections(path)["new_value"]) == ["2019", "2020"]


def test_writer_waits_while_another_process_holds_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corrections.duckdb"
    add_correction(path, "abc", "year", 2019, reason="r", who="w")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('holding', flush=True)\n"
            "time.sleep(1.5)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    with pytest.raises(duckdb.Error) as refused:
        duck.open_file(path, "corr", read_only=False).close()
    assert duck.is_lock_error(refused.value)
    started = time.monotonic()
    add_correction(path, "abc", "year", 2020, reason="r", who="w")
    assert time.monotonic() - started > 0.2
    holder.wait(timeout=30)
    assert len(list_corrections(path)) == 2


def test_warehouse_and_corrections_columns_agree(db: Path) -> None:
    cols = [r[0] for r in query(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'corrections' ORDER BY ordinal_position")]
    assert cols == list(corrections.COLUMNS)


def test_refresh_refuses_a_warehouse_of_another_schema_version(raw: Path, db: Path) -> None:
    con = duck.open_file(db, "w", read_only=False)
    con.execute("UPDATE build_info SET schema_version = 1")
    con.close()
    with pytest.raises(RuntimeError, match="build first"):
        refresh_corrections(db, log=quiet)
    summary = build(raw, db, jobs=1, log=quiet)  # a build redoes everything
    assert summary.full_reason == "warehouse schema changed" and summary.loaded == 5
