"""The warehouse build: contents, incremental reuse, atomic swap, bad files, readers during a build."""

from __future__ import annotations

import ast
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from build_helpers import (
    JINGHAI,
    PLAN,
    PUTUO,
    QINGYUAN,
    ROOT,
    SEEDS,
    TIANJIN,
    copy_seeds,
    query,
    quiet,
    scalar,
    snapshot,
)

import etl.warehouse.load
import etl.warehouse.pool
import etl.warehouse.scan
from etl import catalogue
from etl.__main__ import main
from etl.warehouse.build import build
from etl.warehouse.build import tmp_path as tmp_file_of
from etl.warehouse.reader import WarehouseReader, file_version, open_reader

pytestmark = pytest.mark.usefixtures("pinned_fingerprint")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def count_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the extractor is called on (in-process builds, jobs=1)."""
    calls: list[str] = []
    real = etl.warehouse.pool._load_extractor

    def counting() -> tuple:
        read_document, extract_document, read_error = real()

        def extract(doc):  # noqa: ANN001, ANN202
            calls.append(Path(doc.path).name)
            return extract_document(doc)

        return read_document, extract, read_error

    monkeypatch.setattr(etl.warehouse.pool, "_load_extractor", counting)
    return calls


def test_seed_build_fills_every_table(raw: Path, db: Path) -> None:
    summary = build(raw, db, jobs=2, log=quiet)

    assert (summary.loaded, summary.unchanged, summary.failed, summary.duplicates, summary.removed) == (5, 0, 0, 0, 0)
    assert summary.ok and summary.reports == 5
    assert not tmp_file_of(db).exists()
    assert sorted(r[0] for r in query(db, "SELECT source_file FROM reports")) == SEEDS
    # every report has values (the plan has targets instead), shortfalls exist, targets belong to the plan
    per_report = dict(query(db, "SELECT source_file, n_values FROM v_reports"))
    assert all(per_report[name] > 0 for name in SEEDS if name != PLAN)
    assert scalar(db, "SELECT count(*) FROM shortfalls") >= 4
    assert query(db, "SELECT DISTINCT source_file FROM v_targets") == [(PLAN,)]
    # a few exact facts of the answer key
    assert query(
        db,
        "SELECT value, qualifier, basis FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'",
        [TIANJIN],
    ) == [(55.0, "exact", "derived")]
    assert query(
        db, "SELECT value, unit FROM v_values WHERE source_file = ? AND indicator = 'party_group_law_sessions'", [PUTUO]
    ) == [(8.0, "times")]
    assert query(
        db, "SELECT province, city, district, adcode, year, doc_type FROM v_reports WHERE source_file = ?", [PUTUO]
    ) == [("上海市", "上海市", "普陀区", "310107", 2023, "report")]
    assert query(db, "SELECT province, adcode, year, doc_type FROM v_reports WHERE source_file = ?", [PLAN]) == [
        ("unknown", "unknown", 2022, "plan")
    ]
    assert query(
        db, "SELECT comparator, value FROM v_targets WHERE indicator = 'platform_case_rate'"
    ) == [(">=", 100.0)]
    assert ("overall_level",) in query(db, "SELECT theme FROM v_shortfalls WHERE source_file = ?", [QINGYUAN])
    # the report id is the file's sha256, and quotes are the text at their offsets
    import hashlib

    sha = hashlib.sha256((raw / JINGHAI).read_bytes()).hexdigest()
    assert query(db, "SELECT size_bytes, format FROM reports WHERE report_id = ?", [sha]) == [
        ((raw / JINGHAI).stat().st_size, "txt")
    ]
    assert scalar(
        db,
        'SELECT count(*) FROM "values" v JOIN reports r USING (report_id) '
        "WHERE substring(r.text, v.start_pos + 1, v.end_pos - v.start_pos) <> v.quote",
    ) == 0
    # catalogue tables, ingest log, build info
    assert scalar(db, "SELECT count(*) FROM indicators") == len(catalogue.indicator_ids())
    assert scalar(db, "SELECT count(*) FROM shortfall_themes") == len(catalogue.theme_ids())
    assert scalar(db, "SELECT count(*) FROM target_indicators") == 3
    assert query(db, "SELECT status, count(*) FROM ingest_log GROUP BY ALL") == [("loaded", 5)]
    assert query(db, "SELECT n_reports, n_failed, n_loaded, schema_version FROM build_info") == [
        (5, 0, 5, etl.warehouse.load.SCHEMA_VERSION)
    ]


def test_v_compare_has_a_column_per_catalogue_indicator(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    con = open_reader(db)
    try:
        cur = con.execute("SELECT * FROM v_compare")
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert set(catalogue.indicator_ids()) <= set(columns)
    assert columns[:6] == ["province", "city", "district", "adcode", "year", "doc_type"]
    assert len(rows) == 5  # five distinct district-years (the unknown plan stands alone)
    row = dict(zip(columns, next(r for r in rows if r[columns.index("district")] == "滨海新区"), strict=True))
    assert (row["year"], row["inspected_units"], row["special_inspections"], row["n_reports"]) == (2023, 55.0, 15.0, 1)


def test_second_build_extracts_nothing(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_extractions(monkeypatch)
    build(raw, db, jobs=1, log=quiet)
    assert sorted(calls) == SEEDS
    before = snapshot(db)
    ingested = query(db, "SELECT report_id, ingested_at FROM reports ORDER BY 1")

    calls.clear()
    summary = build(raw, db, jobs=1, log=quiet)

    assert calls == []
    assert (summary.loaded, summary.unchanged, summary.failed) == (0, 5, 0)
    assert query(db, "SELECT status, count(*) FROM ingest_log GROUP BY ALL") == [("unchanged", 5)]
    after = snapshot(db)
    assert {k: v for k, v in after.items() if k != "build_info"} == {
        k: v for k, v in before.items() if k != "build_info"
    }
    assert query(db, "SELECT report_id, ingested_at FROM reports ORDER BY 1") == ingested

    calls.clear()
    summary = build(raw, db, full=True, jobs=1, log=quiet)
    assert sorted(calls) == SEEDS and summary.loaded == 5 and summary.unchanged == 0


def test_changed_extractor_reextracts(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(raw, db, jobs=1, log=quiet)
    monkeypatch.setattr("etl.warehouse.build.extractor_fingerprint", lambda: "another-version")
    messages: list[str] = []
    summary = build(raw, db, jobs=1, log=messages.append)
    assert summary.loaded == 5 and summary.full_reason == "extraction code or rules changed"
    assert any("re-extracting" in m for m in messages)


def test_duplicates_and_bad_files_are_logged_and_fail_the_exit_status(raw: Path, db: Path) -> None:
    (raw / "copy_of_tianjin.txt").write_bytes((raw / TIANJIN).read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    (raw / "noise.pdf").write_bytes(os.urandom(3000))
    (raw / "noise.txt").write_bytes(bytes(range(256)) * 20)
    (raw / "sub").mkdir()
    (raw / "sub" / "plan_again.txt").write_bytes((raw / PLAN).read_bytes())

    status = main(["build", "--raw", str(raw), "--db", str(db), "--jobs", "2"])

    assert status == 1
    log = {row[0]: row[1:] for row in query(db, "SELECT source_file, status, reason FROM ingest_log")}
    assert log["copy_of_tianjin.txt"] == ("duplicate", f"same content as {TIANJIN}")
    assert log["sub/plan_again.txt"] == ("duplicate", f"same content as {PLAN}")
    for bad in ("empty.txt", "noise.pdf", "noise.txt"):
        assert log[bad][0] == "failed" and log[bad][1], bad
    assert "empty" in log["empty.txt"][1]
    assert sum(1 for s, _ in log.values() if s == "loaded") == 5
    assert scalar(db, "SELECT count(*) FROM reports") == 5
    assert query(db, "SELECT n_failed, n_duplicates FROM build_info") == [(3, 2)]

    # the bad files fail again next time (they are retried), the good ones are reused
    summary = build(raw, db, jobs=1, log=quiet)
    assert (summary.unchanged, summary.duplicates, summary.failed, summary.loaded) == (5, 2, 3, 0)
    assert not summary.ok


def test_clean_cli_build_exits_zero(raw: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--raw", str(raw), "--db", str(db), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "loaded 5, unchanged 0, duplicates 0, failed 0, removed 0" in out


def test_missing_raw_folder_keeps_warehouse_and_exits_2(raw: Path, db: Path, tmp_path: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    assert main(["build", "--raw", str(tmp_path / "nowhere"), "--db", str(db)]) == 2
    assert snapshot(db) == before


def test_removed_renamed_and_changed_files(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    old_ids = dict(query(db, "SELECT source_file, report_id FROM reports"))
    (raw / PUTUO).unlink()
    (raw / JINGHAI).rename(raw / "jinghai_2020.txt")
    with open(raw / QINGYUAN, "a", encoding="utf-8") as f:
        f.write("\n附：本报告经局务会审议通过。\n")

    summary = build(raw, db, jobs=1, log=quiet)

    assert (summary.removed, summary.loaded, summary.changed, summary.unchanged) == (1, 1, 1, 3)
    log = {row[0]: row[1:] for row in query(db, "SELECT source_file, status, reason FROM ingest_log")}
    assert log[PUTUO] == ("removed", "no longer in the raw folder")
    assert log["jinghai_2020.txt"] == ("unchanged", f"renamed from {JINGHAI}")
    assert log[QINGYUAN][0] == "loaded" and "content changed" in log[QINGYUAN][1]
    ids = dict(query(db, "SELECT source_file, report_id FROM reports"))
    assert PUTUO not in ids and ids["jinghai_2020.txt"] == old_ids[JINGHAI]
    assert ids[QINGYUAN] != old_ids[QINGYUAN]
    assert scalar(db, 'SELECT count(*) FROM "values" WHERE report_id = ?', [old_ids[PUTUO]]) == 0
    assert scalar(db, "SELECT count(*) FROM shortfalls WHERE report_id = ?", [old_ids[PUTUO]]) == 0
    assert scalar(db, "SELECT count(*) FROM reports") == 4


def test_failure_half_way_leaves_previous_warehouse(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(raw, db, jobs=1, log=quiet, full=False)
    before = snapshot(db)
    version = file_version(db)
    real_insert = etl.warehouse.load.insert_results
    seen: list[int] = []

    def insert_then_fail(con, results, ingested_at):  # noqa: ANN001, ANN202
        real_insert(con, results, ingested_at)
        seen.append(tmp_file_of(db).stat().st_size)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(etl.warehouse.load, "insert_results", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(raw, db, full=True, jobs=1, log=quiet)

    assert seen and seen[0] > 0  # the tmp file had been written to
    assert file_version(db) == version
    assert snapshot(db) == before
    assert not tmp_file_of(db).exists()
    monkeypatch.setattr(etl.warehouse.load, "insert_results", real_insert)
    assert build(raw, db, jobs=1, log=quiet).unchanged == 5


KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    import etl.warehouse.build, etl.warehouse.pool
    real = etl.warehouse.pool._load_extractor

    def slow():
        read_document, extract_document, read_error = real()
        def extract(doc):
            time.sleep(0.4)
            return extract_document(doc)
        return read_document, extract, read_error

    etl.warehouse.pool._load_extractor = slow
    etl.warehouse.build.BATCH = 1  # write every file as soon as it is extracted
    etl.warehouse.build.build(sys.argv[1], sys.argv[2], full=True, jobs=1, log=lambda m: print(m, flush=True))
    """
)


def test_killed_build_leaves_previous_warehouse(raw: Path, db: Path, tmp_path: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    script = tmp_path / "killed_build.py"
    script.write_text(KILLED_BUILD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(raw), str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("extracted 2/"):
                break
        else:
            pytest.fail("the build finished or died before it could be killed")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert tmp_file_of(db).exists()  # what the killed build left
    assert snapshot(db) == before

    messages: list[str] = []
    summary = build(raw, db, jobs=1, log=messages.append)
    assert any("removing stale" in m for m in messages)
    assert summary.unchanged == 5 and not tmp_file_of(db).exists()


READER = textwrap.dedent(
    """
    import sys, time
    from etl.warehouse.reader import WarehouseReader
    reader = WarehouseReader(sys.argv[1])
    want = int(sys.argv[2])
    seen = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        n = reader.cursor().execute("SELECT count(*) FROM v_reports").fetchall()[0][0]
        if n != seen:
            print("count", n, flush=True)
            seen = n
        if n == want:
            break
        time.sleep(0.02)
    """
)


def test_reader_in_another_process_follows_the_swap(tmp_path: Path, db: Path) -> None:
    raw = copy_seeds(tmp_path / "raw", SEEDS[:3])
    build(raw, db, jobs=1, log=quiet)
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db), "5"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().split() == ["count", "3"]  # the reader holds the file now

    copy_seeds(raw, SEEDS[3:])
    summary = build(raw, db, jobs=2, log=quiet)  # attaches the old file while the reader has it open

    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.split() == ["count", "5"]
    assert (summary.loaded, summary.unchanged) == (2, 3)


def test_open_connection_keeps_old_data_until_reattached(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    reader = WarehouseReader(db)
    old = open_reader(db)
    assert reader.cursor().execute("SELECT count(*) FROM reports").fetchall() == [(5,)]
    assert not reader.changed()
    (raw / PLAN).unlink()
    time.sleep(0.01)
    build(raw, db, jobs=1, log=quiet)

    assert old.execute("SELECT count(*) FROM reports").fetchall() == [(5,)]  # still the replaced file
    assert reader.changed()
    assert reader.cursor().execute("SELECT count(*) FROM reports").fetchall() == [(4,)]
    old.close()
    reader.close()


def test_concurrent_builds_wait_for_each_other(raw: Path, db: Path, tmp_path: Path) -> None:
    script = tmp_path / "b.py"
    script.write_text(
        "import sys, etl.warehouse.build\n"
        "s = etl.warehouse.build.build(sys.argv[1], sys.argv[2], jobs=1, full=True, log=lambda m: None)\n"
        "print(s.reports)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, str(script), str(raw), str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert [o.split() for o in outs] == [[b"5"], [b"5"]]
    assert scalar(db, "SELECT count(*) FROM reports") == 5


# --- SQL safety --------------------------------------------------------------------------------

# Our SQL is written in upper case; log messages ("renamed from ...") are not SQL.
SQL_WORDS = ("SELECT ", "INSERT ", "CREATE ", "ATTACH ", "DELETE ", "UPDATE ", " FROM ", " WHERE ", "USE ", "DETACH ")
QUOTERS = {"quote_ident", "quote_literal"}


def _looks_like_sql(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and any(w in n.value for w in SQL_WORDS)
        for n in ast.walk(node)
    )


def _is_quoter(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) in QUOTERS or getattr(node.func, "attr", None) in QUOTERS)
    )


def _safe(node: ast.AST, assigned: dict[str, list[ast.AST]], depth: int = 0) -> bool:
    """Whether an expression that builds SQL text only splices constants and quoted names."""
    if depth > 20:
        return False
    if isinstance(node, ast.Constant) or _is_quoter(node):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe(node.left, assigned, depth + 1) and _safe(node.right, assigned, depth + 1)
    if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "join":
        return all(_safe(a, assigned, depth + 1) for a in node.args)
    if isinstance(node, ast.GeneratorExp | ast.ListComp):
        return _safe(node.elt, assigned, depth + 1)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_safe(e, assigned, depth + 1) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _safe(node.value, assigned, depth + 1)
    if isinstance(node, ast.Name) and node.id in assigned:
        return all(_safe(v, assigned, depth + 1) for v in assigned[node.id])
    return False


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """Nodes of one scope, not descending into nested functions or classes."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _check_scope(scope: ast.AST, outer: dict[str, list[ast.AST]], problems: list[str]) -> None:
    nodes = _own_nodes(scope)
    assigned = {k: list(v) for k, v in outer.items()}
    for n in nodes:
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    assigned[t.id] = [*assigned.get(t.id, []), n.value] if t.id not in outer else [n.value]
    for n in nodes:
        if isinstance(n, ast.JoinedStr) and _looks_like_sql(n):
            if not all(_is_quoter(v.value) for v in n.values if isinstance(v, ast.FormattedValue)):
                problems.append(f"line {n.lineno}: f-string SQL")
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and _looks_like_sql(n.left):
            problems.append(f"line {n.lineno}: %-formatted SQL")
        elif isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "format" and _looks_like_sql(n.func):
            problems.append(f"line {n.lineno}: .format() SQL")
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add) and _looks_like_sql(n):
            if not _safe(n, assigned):
                problems.append(f"line {n.lineno}: SQL concatenated with an unquoted value")
        elif isinstance(n, SCOPES):
            _check_scope(n, assigned, problems)


def _sql_problems(tree: ast.AST) -> list[str]:
    """Places where SQL text is built from anything but constants and quoted names."""
    problems: list[str] = []
    _check_scope(tree, {}, problems)
    return sorted(set(problems))


def test_sql_is_never_formatted_with_values() -> None:
    problems = {}
    for path in sorted((ROOT / "etl").rglob("*.py")):
        found = _sql_problems(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}


def test_sql_safety_check_catches_formatting() -> None:
    bad = [
        'con.execute(f"SELECT * FROM t WHERE x = {x}")',
        'con.execute("SELECT * FROM t WHERE x = %s" % x)',
        'con.execute("SELECT * FROM t WHERE x = {}".format(x))',
        'con.execute("SELECT * FROM t WHERE x = \'" + x + "\'")',
        'sql = "DELETE FROM t WHERE x = " + x\ncon.execute(sql)',
    ]
    for source in bad:
        assert _sql_problems(ast.parse(source)), source
    good = [
        'con.execute("SELECT * FROM t WHERE x = ?", [x])',
        'con.execute("SELECT " + quote_ident(c) + " FROM t")',
        'cols = ", ".join(duck.quote_ident(c) for c in columns)\ncon.execute("SELECT " + cols + " FROM t")',
    ]
    for source in good:
        assert not _sql_problems(ast.parse(source)), source


def test_fingerprint_follows_extraction_code_not_warehouse_code(tmp_path: Path) -> None:
    from etl.warehouse.fingerprint import extractor_fingerprint

    pkg = tmp_path / "etl"
    for part in ("rules", "extract", "warehouse"):
        (pkg / part).mkdir(parents=True)
    (pkg / "extract" / "mentions.py").write_text("A = 1\n")
    (pkg / "warehouse" / "build.py").write_text("B = 1\n")
    (pkg / "rules" / "indicators.yaml").write_text("x: 1\n")
    first = extractor_fingerprint(pkg)
    (pkg / "warehouse" / "build.py").write_text("B = 2\n")
    assert extractor_fingerprint(pkg) == first
    (pkg / "rules" / "indicators.yaml").write_text("x: 2\n")
    assert extractor_fingerprint(pkg) != first
    (pkg / "extract" / "mentions.py").write_text("A = 2\n")
    assert extractor_fingerprint(pkg) != first


def test_a_worker_that_dies_fails_only_its_file(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (raw / "crash.txt").write_text("这份文件让进程崩溃。" * 50, encoding="utf-8")
    real = etl.warehouse.pool._load_extractor

    def crashing() -> tuple:
        read_document, extract_document, read_error = real()

        def extract(doc):  # noqa: ANN001, ANN202
            if Path(doc.path).name == "crash.txt":
                os._exit(3)  # a segfault or the OOM killer, as the pool sees it
            return extract_document(doc)

        return read_document, extract, read_error

    monkeypatch.setattr(etl.warehouse.pool, "_load_extractor", crashing)  # forked workers inherit the patch
    summary = build(raw, db, jobs=2, log=quiet)

    assert (summary.loaded, summary.failed) == (5, 1)
    assert [name for name, _ in summary.failures] == ["crash.txt"]
    assert summary.failures[0][1].startswith("worker process died while extracting it (crash, out of memory")


def test_extractor_output_is_checked_before_loading() -> None:
    from types import SimpleNamespace

    from etl.warehouse.pool import shape
    from etl.warehouse.scan import RawFile

    text = "全年开展专项执法检查15次，培训300人。"
    doc = SimpleNamespace(text=text, size=60, encoding="utf-8", format="txt")
    f = RawFile(Path("a.txt"), "a.txt", "f" * 64, 60)
    extraction = {
        "province": None, "city": "", "district": "某区", "adcode": "unknown", "year": "2023", "doc_type": "report",
        "values": [
            {"indicator": "special_inspections", "value": 15, "quote": "专项执法检查15次", "start": 4, "end": 13,
             "confidence": 0.5},
            {"indicator": "special_inspections", "value": 16, "quote": "专项执法检查15次", "start": 4, "end": 13,
             "confidence": 0.9},
            {"indicator": "trainees", "value": 300, "quote": "培训300人", "start": 0, "end": 6, "confidence": 0.8},
            {"indicator": "study_sessions", "value": 2, "quote": None, "start": 0, "end": 1},
        ],
        "shortfalls": [{"theme": None, "text": "宣传方式单一", "start": None, "end": None}],
        "targets": [],
    }
    res = shape(f, doc, extraction)
    assert res.report[2:7] == ("unknown", "unknown", "某区", "unknown", 2023)
    values = {v[2]: v for v in res.values}
    assert values["special_inspections"][3] == 16.0  # the more confident of the two
    assert values["special_inspections"][10] == []
    assert values["trainees"][10] == ["quote_offset_mismatch"]  # 0:6 is not where the quote is
    assert "study_sessions" not in values
    assert res.shortfalls == [("f" * 64, 1, "other", "宣传方式单一", None, None)]
    assert len(res.notes) == 2


def test_value_rows_take_numbers_as_the_checks_would() -> None:
    """The fast path for ints and finite floats gives the row the checks ``_int``/``_float`` give."""
    import math

    from etl.warehouse.pool import _float, _int, _value_row

    def checked(v: dict) -> tuple | None:  # every field through the checks, as before the fast path
        start, end, value = _int(v.get("start")), _int(v.get("end")), _float(v.get("value"))
        if not v.get("indicator") or not v.get("quote") or start is None or end is None:
            return None
        if value is None and v.get("value") is not None:
            return None
        flags = [str(x) for x in (v.get("flags") or [])]
        if "培训300人"[start:end] != v["quote"]:
            flags.append("quote_offset_mismatch")
        return (f"r:{v['indicator']}", "r", v["indicator"], value, v.get("qualifier"), v.get("basis"), v["quote"],
                start, end, _float(v.get("confidence")), flags)

    odd = [1, 2.5, True, False, math.inf, -math.inf, math.nan, "3", "x", None, 2**70, 0, -1.0, [1]]
    for value in odd:
        for start in (0, True, 1.9, "0", None, -3):
            for confidence in (0.5, math.nan, None, 1, "0.7", False):
                v = {"indicator": "trainees", "value": value, "quote": "培训300人", "start": start, "end": 6,
                     "confidence": confidence, "flags": ("a", 1) if value == 0 else None, "basis": "direct"}
                got, want = _value_row("r", "培训300人", v, []), checked(v)
                assert (got is None) == (want is None)
                if got is not None:  # NaN is never equal to itself: compare the text of the rows
                    assert repr(got) == repr(want) and [type(x) for x in got] == [type(x) for x in want]


def test_unreadable_previous_warehouse_is_rebuilt(raw: Path, db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a DuckDB file" * 100)
    messages: list[str] = []
    summary = build(raw, db, jobs=1, log=messages.append)
    assert summary.loaded == 5 and scalar(db, "SELECT count(*) FROM reports") == 5
    assert any("not readable" in m for m in messages)


def test_warehouse_held_read_write_elsewhere_stops_the_build(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb\ncon = duckdb.connect(sys.argv[1])\nprint('x', flush=True)\n"
         "time.sleep(30)\n", str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "x"
        with pytest.raises(RuntimeError, match="read-write in another process"):
            build(raw, db, jobs=1, log=quiet)
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(db) == before and not tmp_file_of(db).exists()


# --- incremental builds: stamps instead of hashes, a copy of the previous warehouse -----------------


@pytest.fixture
def stamped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files the test has just written count as settled (normally a file changed in the last seconds is
    hashed again at the next build, etl/scan.py: RACY_NS)."""
    monkeypatch.setattr("etl.warehouse.scan.RACY_NS", 0)


def count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the scan reads and hashes."""
    calls: list[str] = []
    real = etl.warehouse.scan.sha256_file

    def counting(path):  # noqa: ANN001, ANN202
        calls.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(etl.warehouse.scan, "sha256_file", counting)
    return calls


def spy_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each build kept the unchanged reports: 'in place' (a copy of the previous file) or 'copied'."""
    used: list[str] = []
    keep_only, copy_unchanged = etl.warehouse.load.keep_only, etl.warehouse.load.copy_unchanged

    def in_place(con, keep):  # noqa: ANN001, ANN202
        used.append("in place")
        return keep_only(con, keep)

    def copied(con, keep):  # noqa: ANN001, ANN202
        used.append("copied")
        return copy_unchanged(con, keep)

    monkeypatch.setattr(etl.warehouse.load, "keep_only", in_place)
    monkeypatch.setattr(etl.warehouse.load, "copy_unchanged", copied)
    return used


def contents(db: Path) -> dict[str, list[tuple]]:
    """Every table, view and materialized view of the warehouse, build times left out, in a stable order."""
    tables = [r[0] for r in query(db, "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1")]
    out = {}
    for name in tables:
        if name in ("build_info", "raw_files"):
            continue
        columns = [r[0] for r in query(db, "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                           "ORDER BY column_index", [name])]
        kept = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in columns if c not in ("ingested_at", "logged_at"))
        out[name] = [tuple(columns), *sorted(query(db, f'SELECT {kept} FROM "{name}"'), key=str)]
    out["indexes"] = query(db, "SELECT table_name, index_name, sql FROM duckdb_indexes() ORDER BY 1, 2")
    return out


def test_unchanged_files_are_not_hashed_again(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    hashed = count_hashes(monkeypatch)
    build(raw, db, jobs=1, log=quiet)
    assert sorted(hashed) == SEEDS
    stamps = dict(query(db, "SELECT source_file, sha256 FROM raw_files"))
    assert stamps == dict(query(db, "SELECT source_file, report_id FROM reports"))

    hashed.clear()
    summary = build(raw, db, jobs=1, log=quiet)
    assert hashed == [] and summary.unchanged == 5
    assert dict(query(db, "SELECT source_file, sha256 FROM raw_files")) == stamps

    hashed.clear()
    summary = build(raw, db, full=True, jobs=1, log=quiet)  # --full trusts nothing of the last build
    assert sorted(hashed) == SEEDS and summary.loaded == 5


def test_files_changed_just_before_a_build_are_hashed_again_next_time(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed = count_hashes(monkeypatch)
    build(raw, db, jobs=1, log=quiet)  # the seeds were copied a moment ago: too recent to trust their stamps
    assert scalar(db, "SELECT count(*) FROM raw_files") == 0
    hashed.clear()
    build(raw, db, jobs=1, log=quiet)
    assert sorted(hashed) == SEEDS


def test_file_edited_in_place_with_the_same_size_is_extracted_again(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    build(raw, db, jobs=1, log=quiet)
    path = raw / TIANJIN
    old_id = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    data = path.read_bytes()
    edited = data.replace("40家".encode(), "41家".encode(), 1)  # 40 + 15 units inspected
    assert edited != data and len(edited) == len(data)
    before = path.stat()
    time.sleep(0.01)
    path.write_bytes(edited)
    # even with the mtime put back, the ctime (which no program can set) gives the edit away
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    calls = count_extractions(monkeypatch)

    summary = build(raw, db, jobs=1, log=quiet)

    assert calls == [TIANJIN]
    assert (summary.loaded, summary.changed, summary.unchanged) == (1, 1, 4)
    new_id = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    assert new_id != old_id and new_id == etl.warehouse.scan.sha256_file(path)
    assert scalar(db, "SELECT count(*) FROM reports WHERE report_id = ?", [old_id]) == 0
    assert scalar(db, 'SELECT count(*) FROM "values" WHERE report_id = ?', [old_id]) == 0
    assert scalar(db, "SELECT sha256 FROM raw_files WHERE source_file = ?", [TIANJIN]) == new_id
    assert query(db, "SELECT value FROM v_values WHERE source_file = ? AND indicator = 'inspected_units'", [TIANJIN]) == [
        (56.0,)
    ]


def test_touched_file_is_hashed_but_not_extracted_again(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    time.sleep(0.01)
    os.utime(raw / PUTUO)  # mtime now, content unchanged
    hashed = count_hashes(monkeypatch)
    calls = count_extractions(monkeypatch)

    summary = build(raw, db, jobs=1, log=quiet)

    assert hashed == [PUTUO] and calls == []
    assert (summary.loaded, summary.unchanged) == (0, 5)
    assert {k: v for k, v in snapshot(db).items() if k != "build_info"} == {
        k: v for k, v in before.items() if k != "build_info"
    }


def test_file_replaced_by_another_of_the_same_size_is_extracted_again(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    build(raw, db, jobs=1, log=quiet)
    path = raw / JINGHAI
    data = path.read_bytes()
    before = path.stat()
    other = raw.parent / "other.txt"
    other.write_bytes(data.replace(b"2020", b"2021", 1))
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime, new inode
    os.replace(other, path)
    calls = count_extractions(monkeypatch)

    summary = build(raw, db, jobs=1, log=quiet)

    assert calls == [JINGHAI] and summary.changed == 1
    assert scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [JINGHAI]) == etl.warehouse.scan.sha256_file(path)


def test_build_in_place_equals_a_build_into_a_new_file(
    raw: Path, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    (raw / "copy_of_plan.txt").write_bytes((raw / PLAN).read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    build(raw, db, jobs=1, log=quiet)
    other = tmp_path / "other" / "warehouse.duckdb"
    other.parent.mkdir()
    shutil.copyfile(db, other)
    used = spy_paths(monkeypatch)
    (raw / PUTUO).unlink()
    (raw / JINGHAI).rename(raw / "jinghai_2020.txt")
    with open(raw / QINGYUAN, "a", encoding="utf-8") as f:
        f.write("\n附：本报告经局务会审议通过。\n")
    (raw / PLAN).unlink()  # its duplicate stands in for it
    (raw / "sub").mkdir()
    (raw / "sub" / "jinghai_2019.txt").write_bytes((raw / "jinghai_2020.txt").read_bytes().replace(b"2020", b"2019"))

    summary = build(raw, db, jobs=1, log=quiet)
    monkeypatch.setattr("etl.warehouse.build._reuse_in_place", lambda *_: False)
    build(raw, other, jobs=1, log=quiet)

    assert used == ["in place", "copied"]
    assert (summary.loaded, summary.unchanged, summary.removed, summary.duplicates, summary.failed) == (2, 3, 1, 0, 1)
    mine, theirs = contents(db), contents(other)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name] == theirs[name], name
    # the reports kept have the ingest time of the first build
    kept = "SELECT source_file, ingested_at FROM reports WHERE source_file NOT IN (?, ?) ORDER BY 1"
    changed = [QINGYUAN, "sub/jinghai_2019.txt"]
    assert len(query(db, kept, changed)) == 3 and query(db, kept, changed) == query(other, kept, changed)


def test_warehouse_of_other_tables_is_copied_from_not_reused(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch, stamped: None
) -> None:
    from etl.warehouse import duck

    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    con = duck.open_file(db, "w", read_only=False)  # as a build before raw_files existed left it
    con.execute("DROP TABLE raw_files")
    con.close()
    used = spy_paths(monkeypatch)
    hashed = count_hashes(monkeypatch)

    summary = build(raw, db, jobs=1, log=quiet)

    assert used == ["copied"] and sorted(hashed) == SEEDS and summary.unchanged == 5
    assert {k: v for k, v in snapshot(db).items() if k != "build_info"} == {
        k: v for k, v in before.items() if k != "build_info"
    }
    assert scalar(db, "SELECT count(*) FROM raw_files") == 5
    again = build(raw, db, jobs=1, log=quiet)  # every file stamped now: nothing to do, nothing written
    assert again.unchanged == 5 and again.nothing_changed and used == ["copied"]


def test_most_files_changed_builds_a_new_file(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(raw, db, jobs=1, log=quiet)
    for name in SEEDS[:3]:
        with open(raw / name, "a", encoding="utf-8") as f:
            f.write("\n（修订稿）\n")
    used = spy_paths(monkeypatch)
    summary = build(raw, db, jobs=1, log=quiet)
    assert used == ["copied"] and (summary.loaded, summary.unchanged) == (3, 2)


def test_failed_incremental_build_leaves_previous_warehouse(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    version = file_version(db)
    with open(raw / QINGYUAN, "a", encoding="utf-8") as f:
        f.write("\n附：本报告经局务会审议通过。\n")
    used = spy_paths(monkeypatch)

    def fail(con, results, ingested_at):  # noqa: ANN001, ANN202
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(etl.warehouse.load, "insert_results", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(raw, db, jobs=1, log=quiet)

    assert used == ["in place"]
    assert file_version(db) == version and snapshot(db) == before
    assert not tmp_file_of(db).exists()


def test_deleted_rows_left_by_builds_in_place_are_reclaimed_by_a_new_file(
    raw: Path, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.warehouse import duck

    # DuckDB keeps deleted rows in a row group it cannot merge away (at the scale of thousands of reports)
    crafted = tmp_path / "crafted.duckdb"
    con = duck.open_file(crafted, "w", read_only=False)
    etl.warehouse.load.create_schema(con)
    con.execute("INSERT INTO targets (report_id, indicator) SELECT 'r' || (i // 10), 'x' FROM range(250000) t(i)")
    con.execute("CHECKPOINT")
    con.execute("DELETE FROM targets WHERE report_id IN (SELECT 'r' || (i * 7) FROM range(3000) t(i))")
    con.execute("CHECKPOINT")
    con.close()
    con = duck.memory()
    duck.attach(con, crafted, "prev", read_only=True)
    assert etl.warehouse.load.deleted_share(con, "prev") == pytest.approx(30000 / 250000)
    con.close()

    build(raw, db, jobs=1, log=quiet)
    used = spy_paths(monkeypatch)
    share = [0.05]
    monkeypatch.setattr(etl.warehouse.load, "deleted_share", lambda con, catalog: share[0])
    messages: list[str] = []
    for n in range(2):
        with open(raw / QINGYUAN, "a", encoding="utf-8") as f:
            f.write(f"\n（第{n + 2}稿）\n")
        assert build(raw, db, jobs=1, log=messages.append).loaded == 1
        share[0] = 0.12
    assert used == ["in place", "copied"]
    assert sum("writing a new warehouse file: 12% of the rows" in m for m in messages) == 1


def test_listing_finds_the_files_the_reader_would(tmp_path: Path) -> None:
    from etl.extract.read import iter_report_files, list_folder

    raw = tmp_path / "raw"
    for name in ("b.txt", "a-b/x.txt", "a/b.txt", "a/deeper/c.docx", ".hidden.txt", ".git/config", "a/~$c.docx",
                 "notes.xlsx"):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(b"x")
    (raw / "link_to_b.txt").symlink_to(raw / "b.txt")  # one file reached twice: listed once
    (raw / "0_first_link.txt").symlink_to(raw / "notes.xlsx")  # the link sorts first: it is the one listed
    (raw / "dangling.txt").symlink_to(raw / "nowhere.txt")
    (raw / "linked_dir").symlink_to(raw / "a", target_is_directory=True)  # not entered, as os.walk does
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"y")
    (raw / "a" / "outside_link.txt").symlink_to(outside)

    expected = sorted(p.relative_to(raw).as_posix() for p in iter_report_files([raw]))
    assert [name for name, _ in list_folder(raw)] == expected
    assert "0_first_link.txt" in expected and "notes.xlsx" not in expected
    found = etl.warehouse.scan.scan(raw)
    # a symlink out of the raw folder is not read (it could publish any file the server can read)
    assert sorted(u.name for u in found.unreadable) == ["a/outside_link.txt", "dangling.txt"]


def test_build_pauses_the_cycle_collector_and_its_workers_run_it(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    seen: list[bool] = []
    real = etl.warehouse.load.insert_log
    monkeypatch.setattr(etl.warehouse.load, "insert_log", lambda con, rows: (seen.append(gc.isenabled()), real(con, rows)))
    assert gc.isenabled()
    build(raw, db, jobs=2, log=quiet)
    assert seen == [False] and gc.isenabled()  # off while the build ran, on again after
    gc.disable()
    try:
        build(raw, db, full=True, jobs=1, log=quiet)
        assert not gc.isenabled()  # left as the caller had it
        with ProcessPoolExecutor(1, get_context("fork"), etl.warehouse.pool._worker_init, ((), os.getpid())) as ex:
            assert ex.submit(gc.isenabled).result() is True  # a forked worker collects its own garbage
    finally:
        gc.enable()
