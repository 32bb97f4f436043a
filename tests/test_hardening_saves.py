"""One save = one transaction across the raw file and its corrections, idempotent on retry (issue 14, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_helpers import HEXI, Workspace, make_workspace

import etl.warehouse.build
import etl.warehouse.duck
from etl.warehouse.corrections import list_corrections
from ui import auth, review, upload


@pytest.fixture
def ws(seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setattr(auth, "require_reviewer", lambda: "alice")  # signed in (tested in test_upload.py)
    return make_workspace(seed_db, tmp_path / "ws", monkeypatch)


PENDING = [
    review.PendingCorrection("year", 2023, "the title says 2023"),
    review.PendingCorrection("doc_type", "plan", "it is a plan"),
]


def _raw_files(ws: Workspace) -> list[str]:
    return sorted(p.name for p in ws.raw.iterdir())


def _fail_second_insert(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills (or the process dies) between the first and the second correction's write."""
    real = etl.warehouse.duck.one
    inserts = []

    def one(con, sql, params=None):  # noqa: ANN001, ANN202
        if sql.startswith("INSERT INTO corrections"):
            inserts.append(sql)
            if len(inserts) == 2:
                raise OSError(28, "No space left on device")
        return real(con, sql, params)

    monkeypatch.setattr(etl.warehouse.duck, "one", one)


def test_a_failure_between_two_corrections_leaves_neither_nor_the_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = upload.validate(HEXI, "hexi.txt", src=None, raw=ws.raw)
    assert isinstance(candidate, upload.Candidate)
    before = _raw_files(ws)
    _fail_second_insert(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        upload.save_upload(candidate, PENDING, raw=ws.raw, db=ws.db)
    assert _raw_files(ws) == before  # the file rolled back
    assert len(list_corrections(ws.corrections, candidate.sha256)) == 0  # no orphan correction


def test_a_retried_upload_save_writes_nothing_twice(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    candidate = upload.validate(HEXI, "hexi.txt", src=None, raw=ws.raw)
    assert isinstance(candidate, upload.Candidate)
    real_build = etl.warehouse.build.build

    def failing_build(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(etl.warehouse.build, "build", failing_build)
    first = upload.save_upload(candidate, PENDING, raw=ws.raw, db=ws.db)
    assert not first.build_ok and len(first.correction_ids) == 2
    monkeypatch.setattr(etl.warehouse.build, "build", real_build)
    again = upload.save_upload(candidate, PENDING, raw=ws.raw, db=ws.db)  # the reviewer clicks save again
    assert again.build_ok, again.build_error
    assert again.correction_ids == first.correction_ids
    assert len(list_corrections(ws.corrections, candidate.sha256)) == 2
    assert sum(name.endswith("_hexi.txt") for name in _raw_files(ws)) == 1
    # someone else uploading the same content is still told it is stored
    with pytest.raises(upload.DuplicateUpload):
        upload.save_upload(candidate, [review.PendingCorrection("year", 2024, "other")], raw=ws.raw, db=ws.db)


def test_a_retried_correction_save_writes_once_but_a_later_one_is_new(
    ws: Workspace, seed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import seed_frame

    report_id = str(seed_frame(seed_db, "SELECT report_id FROM reports ORDER BY 1 LIMIT 1")["report_id"][0])
    x = [review.PendingCorrection("year", 2019, "typo in the title")]
    y = [review.PendingCorrection("year", 2020, "no, 2020")]
    calls = []

    def refresh_fails_once(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full while swapping in the warehouse")
        return real_refresh(*args, **kwargs)

    real_refresh = etl.warehouse.build.refresh_corrections
    monkeypatch.setattr(etl.warehouse.build, "refresh_corrections", refresh_fails_once)
    with pytest.raises(RuntimeError):
        review.save_corrections(ws.db, report_id, "x.txt", x)
    review.save_corrections(ws.db, report_id, "x.txt", x)  # the retry
    assert list(list_corrections(ws.corrections, report_id)["new_value"]) == ["2019"]
    review.save_corrections(ws.db, report_id, "x.txt", y)
    review.save_corrections(ws.db, report_id, "x.txt", x)  # back to 2019 on purpose: a new save
    assert list(list_corrections(ws.corrections, report_id)["new_value"]) == ["2019", "2020", "2019"]
