"""Upload & review page: good files load and show everywhere, bad files write nothing,
corrections survive a full rebuild, writes need a reviewer, report text stays text."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, seed_frame
from review_helpers import (
    HEXI,
    SECRETS,
    Workspace,
    button,
    disk_state,
    make_workspace,
    messages,
    open_app,
    sign_in,
)
from streamlit.testing.v1 import AppTest

from etl.warehouse.corrections import list_corrections
from ui import upload


@pytest.fixture
def ws(seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    return make_workspace(seed_db, tmp_path / "w", monkeypatch)


def signed_in_upload_page() -> AppTest:
    return sign_in(open_app("pages/upload.py"), "upload")


def upload_files(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    uploader = at.file_uploader(key="upload__files")
    for name, data in files:
        uploader.upload(name, data, "application/octet-stream")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sha12(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def edit_values(at: AppTest, data: bytes, edits: dict[int, dict]) -> None:
    """Edit rows of the values table the way the browser reports edits."""
    at.session_state[f"up_{sha12(data)}__values"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}


def values_rows(at: AppTest, data: bytes) -> list[str]:
    editor = at.data_editor(key=f"up_{sha12(data)}__values")
    return list(editor.value["indicator"])


# --------------------------------------------------------------------------- good uploads


def test_good_upload_is_stored_corrected_and_shown_on_compare(ws: Workspace) -> None:
    at = upload_files(signed_in_upload_page(), ("河西区 报告.txt", HEXI))
    rows = values_rows(at, HEXI)
    inspected, trainees = rows.index("inspected_units"), rows.index("trainees")
    edit_values(at, HEXI, {inspected: {"value": 130, "reason": "原文为130家（扫描件核对）"},
                           trainees: {"reject": True}})
    at.text_input(key=f"up_{sha12(HEXI)}__reason").input("培训人数为计划数，不是实际数")
    at.run()
    button(at, "__save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "已保存" in messages(at), messages(at)

    sha = hashlib.sha256(HEXI).hexdigest()
    stored = [p.name for p in ws.raw.iterdir() if p.name.startswith(sha[:12])]
    assert stored == [f"{sha[:12]}_河西区_报告.txt"], "stored under a safe name with the sha prefix"
    assert (ws.raw / stored[0]).read_bytes() == HEXI, "the original bytes"
    log = list_corrections(ws.corrections, sha)
    assert set(log["kind"]) == {"value", "reject_value"} and set(log["who"]) == {"alice"}
    edit = log[log["kind"] == "value"].iloc[0]
    assert json.loads(edit["old_value"])["value"] == 120 and json.loads(edit["new_value"])["value"] == 130
    assert edit["reason"] == "原文为130家（扫描件核对）"
    reject = log[log["kind"] == "reject_value"].iloc[0]
    assert reject["indicator"] == "trainees" and reject["reason"] == "培训人数为计划数，不是实际数"

    # The same session, without a restart: the Compare page shows the new district.
    at.switch_page("pages/compare.py").run()
    table = at.dataframe[0].value
    region_col = [c for c in table.columns if "区县" in str(c)][0]
    row = table[table[region_col] == "河西区"]
    assert len(row) == 1 and 2024 in set(row.iloc[:, 1]), table.iloc[:, :3]
    inspected_col = [c for c in table.columns if str(c).startswith("执法检查单位数")][0]
    assert float(row[inspected_col].iloc[0]) == 130, "the correction is applied"
    # A new session sees it too.
    fresh = open_app("pages/compare.py")
    assert "河西区" in set(fresh.dataframe[0].value[region_col])


def test_metadata_correction_and_no_reason_blocks_save(ws: Workspace) -> None:
    text = HEXI.decode().replace("天津市河西区统计局", "区统计局").replace("河西区", "本区").encode()
    at = upload_files(signed_in_upload_page(), ("no-place.txt", text))
    key = f"up_{sha12(text)}__meta"
    assert at.selectbox(key=f"{key}__province").value == "unknown"
    at.selectbox(key=f"{key}__province").set_value("120000").run()
    at.selectbox(key=f"{key}__city").set_value("120000").run()
    at.selectbox(key=f"{key}__district").set_value("120103").run()
    assert "理由" in messages(at), "a changed region needs a reason"
    assert button(at, "__save").disabled
    before = disk_state(ws)
    forged = button(at, "__save")
    forged.proto.disabled = False  # a client that sends the click anyway
    forged.click().run()
    assert "请为以下修改或拒绝填写理由：region" in messages(at)
    assert disk_state(ws) == before, "a disabled save writes nothing even if clicked"

    at.text_input(key=f"{key}_reason").input("抬头被裁掉，文号为河西区统计局").run()
    button(at, "__save").click().run()
    assert "已保存" in messages(at), messages(at)
    region = list_corrections(ws.corrections, hashlib.sha256(text).hexdigest())
    assert list(region["kind"]) == ["region"]
    assert json.loads(region["new_value"].iloc[0]) == {
        "province": "天津市", "city": "天津市", "district": "河西区", "adcode": "120103"}
    shown = seed_frame(ws.db, "SELECT district, adcode FROM v_reports WHERE report_id = ?",
                       [hashlib.sha256(text).hexdigest()])
    assert list(shown.iloc[0]) == ["河西区", "120103"]


# --------------------------------------------------------------------------- bad uploads


def _scan_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.rect(100, 100, 300, 400, fill=1)  # an image-only page: no text layer
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _corrupt_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>")
    return buf.getvalue()[:-30]  # and truncated


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


BAD = [
    pytest.param("empty.txt", b"", "文件是空的", id="empty"),
    pytest.param("noise.txt", random.Random(5).randbytes(4096), "不是文字", id="random-bytes"),
    pytest.param("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "不支持的文件格式", id="png"),
    pytest.param("table.xlsx", _xlsx(), "不支持的文件格式", id="xlsx"),
    pytest.param("notes.csv", "年份,检查\n2024,12\n".encode(), "不支持的文件格式", id="csv"),
    pytest.param("scan.pdf", _scan_pdf(), "这是扫描件", id="scanned-pdf"),
    pytest.param("report.docx", _corrupt_docx(), "Word（docx）文件已损坏", id="corrupt-docx"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD)
def test_bad_upload_says_why_and_writes_nothing(ws: Workspace, name: str, data: bytes, expected: str) -> None:
    at = signed_in_upload_page()
    before = disk_state(ws)
    upload_files(at, (name, data))
    assert expected in messages(at), messages(at)
    assert not [b for b in at.button if b.key and b.key.endswith("__save")], "nothing to save"
    assert disk_state(ws) == before


def test_too_large_upload(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(upload.ENV_MAX_UPLOAD_MB, "0.01")  # 10 KB
    at = signed_in_upload_page()
    before = disk_state(ws)
    upload_files(at, ("big.txt", HEXI * 30))
    assert "超过大小上限 0.01 MB" in messages(at), messages(at)
    assert disk_state(ws) == before


def test_duplicate_names_the_report_it_repeats(ws: Workspace) -> None:
    seed = "000_2b403197ff29ef0f.txt"
    loaded = seed_frame(ws.db, "SELECT district, year FROM v_reports WHERE source_file = ?", [seed]).iloc[0]
    at = signed_in_upload_page()
    before = disk_state(ws)
    upload_files(at, ("renamed copy.txt", (ws.raw / seed).read_bytes()))
    text = messages(at)
    assert "已经导入过" in text and seed in text and loaded["district"] in text and str(loaded["year"]) in text, text
    # The same new file twice in one batch is stored once.
    upload_files(at, ("a.txt", HEXI), ("b.txt", HEXI))
    assert "本次上传中已有一个内容完全相同的文件" in messages(at)
    assert len([b for b in at.button if b.key and b.key.endswith("__save")]) == 1
    assert disk_state(ws) == before


# --------------------------------------------------------------------------- sign-in


def test_upload_needs_sign_in(ws: Workspace) -> None:
    at = open_app("pages/upload.py")
    assert not at.file_uploader, "no uploader before sign-in"
    assert "登录后才能上传文件" in messages(at)
    sign_in(at, "upload", password="wrong")
    assert "用户名或密码不正确" in messages(at) and not at.file_uploader
    sign_in(at, "upload", name="mallory", password="x")
    assert not at.file_uploader


def test_save_refused_after_sign_in_is_revoked(ws: Workspace) -> None:
    at = upload_files(signed_in_upload_page(), ("河西区.txt", HEXI))
    before = disk_state(ws)
    at.secrets = {"reviewers": {"bob": SECRETS["reviewers"]["alice"]}}  # alice removed from the secrets
    at.run()
    button(at, "__save").click().run()
    assert "需要审核员登录才能保存" in messages(at), messages(at)
    assert disk_state(ws) == before


def _call_save(db: str, raw: str, forged: object) -> None:
    """Runs inside AppTest: a session whose state may hold a forged identity calls the writers."""
    from pathlib import Path

    import streamlit as st

    from ui import auth, review, upload
    from ui.queries import source

    if forged is not None:
        st.session_state[auth.SESSION_KEY] = forged
    text = "天津市河西区统计局2024年法治政府建设情况报告\n检查企业120家。".encode()
    found = upload.validate(text, "x.txt", src=source(), raw=Path(raw))
    try:
        upload.save_upload(found, [], raw=Path(raw), db=Path(db))
    except auth.NotSignedIn:
        st.write("upload refused")
    pending = [review.PendingCorrection("year", 2024, "reason")]
    try:
        review.save_corrections(Path(db), "0" * 64, "x.txt", pending)
    except auth.NotSignedIn:
        st.write("correction refused")


@pytest.mark.parametrize("forged", [None, "alice", {"name": "alice", "method": "password"}, "reviewer:bob"])
def test_write_functions_refuse_without_sign_in(ws: Workspace, forged: object) -> None:
    from ui.auth import Reviewer

    forged = Reviewer("bob", "password") if forged == "reviewer:bob" else forged  # bob is not in the secrets
    before = disk_state(ws)
    at = AppTest.from_function(_call_save, args=(str(ws.db), str(ws.raw), forged), default_timeout=60)
    at.secrets = SECRETS
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["upload refused", "correction refused"]
    assert disk_state(ws) == before


def test_write_functions_refuse_outside_a_session(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import auth, review

    monkeypatch.setattr(auth, "_secrets", lambda: SECRETS)
    found = upload.validate(HEXI, "x.txt", src=None, raw=ws.raw)
    assert isinstance(found, upload.Candidate)
    before = disk_state(ws)
    with pytest.raises(auth.NotSignedIn):
        upload.save_upload(found, [], raw=ws.raw, db=ws.db)
    with pytest.raises(auth.NotSignedIn):
        review.save_corrections(ws.db, found.sha256, "x.txt", [review.PendingCorrection("year", 2024, "r")])
    assert disk_state(ws) == before


# --------------------------------------------------------------------------- escaping


def test_report_markup_shows_as_text_on_upload_and_sources(ws: Workspace) -> None:
    at = upload_files(signed_in_upload_page(), ('<img src=x onerror="alert(3)">.txt', HEXI))
    body = at.get("html")[0].proto.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "&lt;b onmouseover=&quot;alert(2)&quot;&gt;" in body and "<b " not in body
    assert "<img" not in at.subheader[0].value.replace("\\<", ""), "the file name is not markup either"
    button(at, "__save").click().run()
    assert "已保存" in messages(at), messages(at)

    sha = hashlib.sha256(HEXI).hexdigest()
    sources = open_app("pages/sources.py")
    sources.query_params["report"] = sha
    sources.run()
    page = next(h.proto.body for h in sources.get("html") if "report-text" in h.proto.body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<b " not in page


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("original", "fmt", "expected"),
    [
        ("../../etc/passwd", "txt", "passwd.txt"),
        ("..\\..\\Windows\\system32\\evil.docx", "txt", "evil.txt"),
        ("/abs/path/报告 2023（终稿）.pdf", "pdf", "报告_2023_终稿.pdf"),
        ("..", "html", "report.html"),
        ("", "docx", "report.docx"),
        (".bashrc", "txt", "bashrc.txt"),
        ("a" * 300 + ".txt", "txt", "a" * upload.MAX_STEM_CHARS + ".txt"),
        ("x.exe", "pdf", "x.pdf"),
        ("nul\x00byte\n.txt", "txt", "nul_byte.txt"),
    ],
)
def test_safe_file_name(original: str, fmt: str, expected: str) -> None:
    sha = hashlib.sha256(original.encode()).hexdigest()
    name = upload.safe_file_name(original, sha, fmt)
    assert name == f"{sha[:12]}_{expected}"
    assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_path_names_never_leave_the_raw_folder(ws: Workspace, tmp_path: Path) -> None:
    at = upload_files(signed_in_upload_page(), ("../../etc/passwd", HEXI))
    button(at, "__save").click().run()
    assert "已保存" in messages(at), messages(at)
    sha = hashlib.sha256(HEXI).hexdigest()
    assert (ws.raw / f"{sha[:12]}_passwd.txt").read_bytes() == HEXI
    assert not (tmp_path / "etc").exists() and not (ws.raw.parent.parent / "etc").exists()


def test_write_raw_never_overwrites(tmp_path: Path) -> None:
    first = upload.write_raw(tmp_path, "abc_report.txt", b"one")
    second = upload.write_raw(tmp_path, "abc_report.txt", b"two")
    assert (first.name, second.name) == ("abc_report.txt", "abc_report-2.txt")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file left"
    for bad in ("../x.txt", "a/b.txt", ".hidden.txt"):
        with pytest.raises(ValueError):
            upload.write_raw(tmp_path, bad, b"x")


def test_upload_limit_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(upload.ENV_MAX_UPLOAD_MB, raising=False)
    assert upload.max_upload_bytes() == 20 * 1024 * 1024
    monkeypatch.setenv(upload.ENV_MAX_UPLOAD_MB, "2.5")
    assert upload.max_upload_bytes() == int(2.5 * 1024 * 1024)
    for bad in ("lots", "-1", "nan", "0"):
        monkeypatch.setenv(upload.ENV_MAX_UPLOAD_MB, bad)
        assert upload.max_upload_mb() == upload.DEFAULT_MAX_UPLOAD_MB


# --------------------------------------------------------------------------- rebuilds


def test_page_correction_survives_full_rebuild_cli(ws: Workspace) -> None:
    at = upload_files(signed_in_upload_page(), ("河西区.txt", HEXI))
    rows = values_rows(at, HEXI)
    edit_values(at, HEXI, {rows.index("penalized_units"): {"value": 6, "qualifier": "at_least",
                                                            "reason": "另有1家移送"}})
    at.run()
    button(at, "__save").click().run()
    assert "已保存" in messages(at), messages(at)
    sha = hashlib.sha256(HEXI).hexdigest()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "etl", "build", "--raw", str(ws.raw), "--db", str(ws.db), "--full", "--jobs", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    # The seed folder holds a broken file on purpose, so the build exits 1 (a file failed), not 2.
    assert done.returncode in (0, 1), done.stderr
    assert re.search(r"loaded \d+", done.stdout + done.stderr)
    value = seed_frame(ws.db, "SELECT value, qualifier, corrected, correction_note FROM v_values "
                              "WHERE report_id = ? AND indicator = 'penalized_units'", [sha]).iloc[0]
    assert (value["value"], value["qualifier"], bool(value["corrected"])) == (6, "at_least", True)
    assert "另有1家移送" in value["correction_note"] and "alice" in value["correction_note"]
    info = seed_frame(ws.db, "SELECT full_rebuild FROM build_info").iloc[0, 0]
    assert bool(info)
