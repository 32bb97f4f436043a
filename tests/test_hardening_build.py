"""Faults and hostile inputs a build must survive without losing, hanging or publishing anything (issue 14).

Every input is made here: empty and unlistable raw folders, a GBK file name,
a truncated warehouse, a FIFO, a symlink to ``/dev/zero`` and to a secrets
file, a build killed with SIGKILL while its workers run, a file that never
finishes extracting.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from build_helpers import PLAN, PUTUO, QINGYUAN, ROOT, SEEDS, TIANJIN, copy_seeds, query, quiet, scalar, snapshot

from etl.__main__ import main
from etl.warehouse import corrections, guard
from etl.warehouse.build import build

pytestmark = pytest.mark.usefixtures("pinned_fingerprint")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def _unlistable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` fail to list as a permission change does (chmod alone does not stop root)."""
    folder.chmod(0)
    real = os.scandir
    target = os.fspath(folder)

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied", target)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


# ---------------------------------------------------------------- 1. a shrinking warehouse


def test_an_empty_raw_folder_does_not_wipe_the_warehouse(raw: Path, db: Path, capsys: pytest.CaptureFixture) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    for name in SEEDS:
        (raw / name).unlink()  # an unmounted share: the mount point is an empty folder
    assert main(["build", "--raw", str(raw), "--db", str(db), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "build refused, previous warehouse kept: the raw folder lists no files: all 5 reports" in err
    assert snapshot(db) == before
    # the operator can accept it
    assert main(["build", "--raw", str(raw), "--db", str(db), "--jobs", "1", "--allow-shrink"]) == 0
    assert scalar(db, "SELECT count(*) FROM reports") == 0


def test_an_unlistable_subfolder_is_named_and_its_reports_are_not_removed(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = copy_seeds(tmp_path / "raw", [TIANJIN, QINGYUAN, PUTUO])
    copy_seeds(raw / "2022", [PLAN])
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    _unlistable(monkeypatch, raw / "2022")
    messages: list[str] = []
    try:
        with pytest.raises(guard.ShrinkRefused, match=r"cannot list: 2022/"):
            build(raw, db, jobs=1, log=messages.append)
    finally:
        (raw / "2022").chmod(0o755)
    assert "  not read: 2022/: cannot list folder: Permission denied" in messages
    assert snapshot(db) == before


def test_an_unlistable_raw_folder_is_refused(raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(raw, db, jobs=1, log=quiet)
    before = snapshot(db)
    _unlistable(monkeypatch, raw)
    try:
        with pytest.raises(guard.ShrinkRefused, match=r"cannot list: \./"):
            build(raw, db, jobs=1, log=quiet)
    finally:
        raw.chmod(0o755)
    assert snapshot(db) == before


def test_losing_more_than_the_set_share_needs_allow_shrink(
    raw: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(raw, db, jobs=1, log=quiet)
    for name in SEEDS[:3]:
        (raw / name).unlink()
    with pytest.raises(guard.ShrinkRefused, match=r"3 of 5 reports \(60%\) would be removed, more than 50%"):
        build(raw, db, jobs=1, log=quiet)
    monkeypatch.setenv(guard.ENV_MAX_SHRINK, "0.7")
    assert build(raw, db, jobs=1, log=quiet).removed == 3


def test_a_small_loss_is_a_normal_build(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    (raw / PLAN).unlink()
    assert build(raw, db, jobs=1, log=quiet).removed == 1


# ---------------------------------------------------------------- 2. a file name that is not UTF-8


def test_a_gbk_file_name_loads_that_file_and_is_shown_escaped(
    raw: Path, db: Path, capsys: pytest.CaptureFixture
) -> None:
    gbk = os.path.join(os.fsencode(raw), "河西区报告.txt".encode("gbk"))  # a GBK zip unpacked on Linux
    with open(gbk, "wb") as fh:
        fh.write((raw / TIANJIN).read_bytes() + "\n（河西区抄送）".encode())
    bad = os.path.join(os.fsencode(raw), "坏.txt".encode("gbk"))
    with open(bad, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert main(["build", "--raw", str(raw), "--db", str(db), "--jobs", "1"]) == 1  # the PNG fails, alone
    out = capsys.readouterr().out
    shown = "\\xba\\xd3\\xce\\xf7\\xc7\\xf8\\xb1\\xa8\\xb8\\xe6.txt"
    assert "loaded 6" in out and "failed 1" in out
    assert "  failed: \\xbb\\xb5.txt: cannot read: unsupported format (PNG image)" in out.splitlines()
    assert scalar(db, "SELECT count(*) FROM reports WHERE source_file = ?", [shown]) == 1
    # the next build recognises it as unchanged (its stamp is stored under the escaped name)
    assert build(raw, db, jobs=1, log=quiet).unchanged == 6


# ---------------------------------------------------------------- 3. a damaged warehouse


def test_a_truncated_warehouse_is_moved_aside_and_rebuilt_with_its_corrections(raw: Path, db: Path) -> None:
    build(raw, db, jobs=1, log=quiet)
    report_id = scalar(db, "SELECT report_id FROM reports WHERE source_file = ?", [TIANJIN])
    corrections.add_correction(
        corrections.corrections_path(db), report_id, "year", 2019, reason="title says 2019", who="test"
    )
    build(raw, db, jobs=1, log=quiet)
    os.truncate(db, db.stat().st_size // 2)
    assert guard.problem(db) is not None

    messages: list[str] = []
    summary = build(raw, db, jobs=1, log=messages.append)
    assert summary.ok and summary.loaded == 5 and summary.recovered
    assert (db.parent / summary.recovered).exists() and summary.recovered.startswith("warehouse.duckdb.corrupt-")
    assert any("is damaged (truncated" in m and "moved aside" in m for m in messages)
    assert guard.problem(db) is None
    assert scalar(db, "SELECT year FROM v_reports WHERE report_id = ?", [report_id]) == 2019


def test_a_file_that_is_not_duckdb_is_damaged(tmp_path: Path) -> None:
    junk = tmp_path / "warehouse.duckdb"
    junk.write_bytes(b"not a database" * 1000)
    assert guard.problem(junk)
    assert guard.problem(tmp_path / "missing.duckdb") is None


def test_failure_without_a_warehouse_does_not_claim_one_was_kept(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", "--raw", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "no warehouse written" in err and "previous warehouse kept" not in err


# ---------------------------------------------------------------- 7, 12. only regular files inside the raw folder


def test_fifo_devices_and_symlinks_out_of_the_folder_are_not_read(tmp_path: Path) -> None:
    raw = copy_seeds(tmp_path / "raw", [TIANJIN, QINGYUAN])
    os.mkfifo(raw / "pipe.txt")
    (raw / "zero.txt").symlink_to("/dev/zero")
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[reviewers]\nalice = "pbkdf2_sha256$600000$SECRET-HASH"\n统计局 2023 年检查 5 家\n')
    (raw / "x.txt").symlink_to(secrets)
    (raw / "same.txt").symlink_to(raw / TIANJIN)  # inside the folder: a duplicate, as before
    db = tmp_path / "w.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db), "--jobs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert "  failed: pipe.txt: not a regular file (a FIFO (named pipe)): not read" in lines
    assert "  failed: zero.txt: symlink to a file outside the raw folder: not read" in lines
    assert "  failed: x.txt: symlink to a file outside the raw folder: not read" in lines
    assert query(db, "SELECT count(*) FROM reports WHERE text LIKE '%SECRET-HASH%'") == [(0,)]
    assert query(db, "SELECT count(*) FROM reports") == [(2,)]


# ---------------------------------------------------------------- 6. a killed build's workers

SLOW_BUILD = textwrap.dedent(
    """
    import sys, time
    import etl.warehouse.pool as pool
    real = pool._load_extractor
    def slow():
        read_document, extract_document, read_error = real()
        def extract(doc):
            print("worker busy", flush=True)
            time.sleep(120)
            return extract_document(doc)
        return read_document, extract, read_error
    pool._load_extractor = slow
    from etl.warehouse.build import build
    build(sys.argv[1], sys.argv[2], jobs=2)
    """
)


def test_workers_of_a_killed_build_release_the_lock_and_die(raw: Path, db: Path, tmp_path: Path) -> None:
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(raw), str(db)], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    workers: list[psutil.Process] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("worker busy"):
                break
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        gone, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, "pool workers outlived the killed build"
        with open(db.with_name(db.name + ".lock"), "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if a worker still held it
    finally:
        for child in workers:
            if child.is_running():
                child.kill()
        _kill_group(proc)
    assert build(raw, db, jobs=1, log=quiet).loaded == 5  # and the next build runs


# ---------------------------------------------------------------- 8. time per file

SPIN = textwrap.dedent(
    """
    import sys
    import etl.warehouse.pool as pool
    real = pool._load_extractor
    def spinning():
        read_document, extract_document, read_error = real()
        def extract(doc):
            if doc.path.name == "spin.txt":
                while True:  # the quadratic loop, as the build sees it
                    pass
            return extract_document(doc)
        return read_document, extract, read_error
    pool._load_extractor = spinning
    from etl.warehouse.build import build
    s = build(sys.argv[1], sys.argv[2], jobs=2)
    print("RESULT", s.loaded, s.failed, s.failures)
    """
)


def test_a_file_over_the_time_limit_fails_alone(raw: Path, db: Path, tmp_path: Path) -> None:
    shutil.copyfile(raw / TIANJIN, raw / "spin.txt")
    (raw / "spin.txt").write_bytes((raw / TIANJIN).read_bytes() + "（又一稿）".encode())
    script = tmp_path / "spin.py"
    script.write_text(SPIN, encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(raw), str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "STATS_FILE_SECONDS": "2"}, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        _kill_group(proc)  # a worker that never stopped must not outlive the test
    assert time.monotonic() - started < 60
    result = [line for line in out.splitlines() if line.startswith("RESULT")]
    assert result and result[0].startswith("RESULT 5 1 [('spin.txt', 'extraction stopped: took longer than 2 s"), (
        out + err
    )


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill what is left of the process group the test started (and only that)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def test_run_limited_returns_or_stops_the_call() -> None:
    from etl.warehouse.pool import FileTimeout, run_limited

    assert run_limited(sum, [1, 2, 3], seconds=5) == 6
    with pytest.raises(ZeroDivisionError):
        run_limited(divmod, 1, 0, seconds=5)
    started = time.monotonic()
    with pytest.raises(FileTimeout, match="took longer than 1 s"):
        run_limited(_spin, seconds=1)
    assert time.monotonic() - started < 10


def _spin() -> None:
    while True:
        pass
