"""The warehouse build: contents, incremental reuse, atomic swap, bad files, readers during a build."""

from __future__ import annotations

import ast
import os
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

import etl.load
import etl.pool
from etl import catalogue
from etl.__main__ import main
from etl.build import build
from etl.build import tmp_path as tmp_file_of
from etl.warehouse import WarehouseReader, file_version, open_reader


@pytest.fixture(autouse=True)
def pinned_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Others edit the extractor while tests run; a changed fingerprint would re-extract mid-test."""
    monkeypatch.setattr("etl.build.extractor_fingerprint", lambda: "pinned-for-tests")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "raw")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def count_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the extractor is called on (in-process builds, jobs=1)."""
    calls: list[str] = []
    real = etl.pool._load_extractor

    def counting() -> tuple:
        read_document, extract_document, read_error = real()

        def extract(doc):  # noqa: ANN001, ANN202
            calls.append(Path(doc.path).name)
            return extract_document(doc)

        return read_document, extract, read_error

    monkeypatch.setattr(etl.pool, "_load_extractor", counting)
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
        (5, 0, 5, etl.load.SCHEMA_VERSION)
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
    monkeypatch.setattr("etl.build.extractor_fingerprint", lambda: "another-version")
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
    real_insert = etl.load.insert_results
    seen: list[int] = []

    def insert_then_fail(con, results, ingested_at):  # noqa: ANN001, ANN202
        real_insert(con, results, ingested_at)
        seen.append(tmp_file_of(db).stat().st_size)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(etl.load, "insert_results", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(raw, db, full=True, jobs=1, log=quiet)

    assert seen and seen[0] > 0  # the tmp file had been written to
    assert file_version(db) == version
    assert snapshot(db) == before
    assert not tmp_file_of(db).exists()
    monkeypatch.setattr(etl.load, "insert_results", real_insert)
    assert build(raw, db, jobs=1, log=quiet).unchanged == 5


KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    import etl.build, etl.pool
    real = etl.pool._load_extractor

    def slow():
        read_document, extract_document, read_error = real()
        def extract(doc):
            time.sleep(0.4)
            return extract_document(doc)
        return read_document, extract, read_error

    etl.pool._load_extractor = slow
    etl.build.BATCH = 1  # write every file as soon as it is extracted
    etl.build.build(sys.argv[1], sys.argv[2], full=True, jobs=1, log=lambda m: print(m, flush=True))
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
    from etl.warehouse import WarehouseReader
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
        "import sys, etl.build\n"
        "s = etl.build.build(sys.argv[1], sys.argv[2], jobs=1, full=True, log=lambda m: None)\n"
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
    from etl.fingerprint import extractor_fingerprint

    pkg = tmp_path / "etl"
    (pkg / "rules").mkdir(parents=True)
    (pkg / "extract.py").write_text("A = 1\n")
    (pkg / "build.py").write_text("B = 1\n")
    (pkg / "rules" / "indicators.yaml").write_text("x: 1\n")
    first = extractor_fingerprint(pkg)
    (pkg / "build.py").write_text("B = 2\n")
    assert extractor_fingerprint(pkg) == first
    (pkg / "rules" / "indicators.yaml").write_text("x: 2\n")
    assert extractor_fingerprint(pkg) != first


def test_a_worker_that_dies_fails_only_its_file(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (raw / "crash.txt").write_text("这份文件让进程崩溃。" * 50, encoding="utf-8")
    real = etl.pool._load_extractor

    def crashing() -> tuple:
        read_document, extract_document, read_error = real()

        def extract(doc):  # noqa: ANN001, ANN202
            if Path(doc.path).name == "crash.txt":
                os._exit(3)  # a segfault or the OOM killer, as the pool sees it
            return extract_document(doc)

        return read_document, extract, read_error

    monkeypatch.setattr(etl.pool, "_load_extractor", crashing)  # forked workers inherit the patch
    summary = build(raw, db, jobs=2, log=quiet)

    assert (summary.loaded, summary.failed) == (5, 1)
    assert summary.failures == [("crash.txt", "worker process died while extracting it (crash or out of memory)")]


def test_extractor_output_is_checked_before_loading() -> None:
    from types import SimpleNamespace

    from etl.pool import shape
    from etl.scan import RawFile

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
