"""Reader inputs from issue 14: mixed encodings, owner-password PDFs, pypdf's stray lines, per-file limits."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from build_helpers import ROOT, SEED_DIR, TIANJIN

from etl.extract.read import MIXED_ENCODING, ReadError, display_name, read_bytes, read_document

GBK_PART = "天津市河西区统计局2023年法治政府建设情况报告\n全年开展执法检查12次，检查企业35家。\n"
UTF8_PART = "立案查处统计违法案件3件，罚款2.5万元。\n开展普法宣传活动8场。\n"


def _pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer is ``text`` (ASCII), written by hand."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_file_mixing_gbk_and_utf8_is_read_and_flagged() -> None:
    data = GBK_PART.encode("gbk") + UTF8_PART.encode("utf-8")
    doc = read_bytes(data, "mixed.txt")
    assert doc.text == GBK_PART + UTF8_PART
    assert doc.encoding == MIXED_ENCODING
    assert doc.notes and "mixed encodings" in doc.notes[0]
    # one encoding throughout is not flagged
    assert read_bytes((GBK_PART + UTF8_PART).encode("gbk"), "gbk.txt").notes == ()


def test_mixed_encoding_note_reaches_the_ingest_log(tmp_path: Path) -> None:
    from etl.warehouse.build import build
    from etl.warehouse.reader import open_reader

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "mixed.txt").write_bytes((SEED_DIR / TIANJIN).read_bytes() + GBK_PART.encode("gbk"))
    db = tmp_path / "w.duckdb"
    assert build(raw, db, jobs=1, log=lambda _m: None).loaded == 1
    con = open_reader(db)
    try:
        reason = con.execute("SELECT reason FROM ingest_log WHERE source_file = 'mixed.txt'").fetchall()[0][0]
    finally:
        con.close()
    assert "mixed encodings" in reason


def test_an_owner_password_aes_pdf_opens() -> None:
    from pypdf import PdfReader, PdfWriter

    plain = _pdf_with_text("Statistics bureau inspected 35 enterprises in 2023")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password="", owner_password="no-copying", algorithm="AES-256")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    assert b"/Encrypt" in encrypted.getvalue()
    doc = read_bytes(encrypted.getvalue(), "owner-only.pdf")
    assert "inspected 35 enterprises" in doc.text


def test_a_pdf_pypdf_repairs_fails_or_reads_in_one_line(tmp_path: Path) -> None:
    broken = _pdf_with_text("Statistics bureau report").replace(b"%%EOF", b"")  # EOF marker not found
    (tmp_path / "no_eof.pdf").write_bytes(broken)
    (tmp_path / "cut.pdf").write_bytes(broken[: len(broken) // 2])
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "extract", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    lines = proc.stderr.splitlines()
    assert "EOF marker" not in proc.stderr
    assert all(line.startswith(str(tmp_path)) for line in lines), lines  # only the FILE: reason lines


def test_extracted_text_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATS_MAX_CHARS", "5000")
    long = ("全年开展执法检查12次。" * 1000).encode("utf-8")
    with pytest.raises(ReadError, match=r"text too long \(12,000 characters > limit 5,000\)"):
        read_bytes(long, "long.txt")
    assert read_bytes(long[:3000], "short.txt").text


def test_a_small_docx_that_expands_to_huge_xml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    body = "<w:p><w:r><w:t>检查12次</w:t></w:r></w:p>" * 200_000  # ~8 MB of XML, compresses to ~30 KB
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", xml)
    assert len(data.getvalue()) < 200_000
    monkeypatch.setenv("STATS_MAX_DOCX_XML_BYTES", str(4 * 1024 * 1024))
    with pytest.raises(ReadError, match=r"file too large \(docx text XML expands to 8"):
        read_bytes(data.getvalue(), "bomb.docx")


def test_display_names_are_one_line_and_storable() -> None:
    gbk = "河西区报告.txt".encode("gbk").decode("utf-8", "surrogateescape")
    assert display_name(gbk) == "\\xba\\xd3\\xce\\xf7\\xc7\\xf8\\xb1\\xa8\\xb8\\xe6.txt"
    assert display_name("a\nb.txt") == "a\\x0ab.txt"
    assert display_name("河西区.txt") == "河西区.txt"
    display_name(gbk).encode("utf-8")  # storable


def test_display_name_shortcut_for_printable_names_changes_nothing() -> None:
    """A printable name is returned as it is: the same as escaping it would give, for every character
    a listed file name can hold (lone surrogates only as ``surrogateescape`` makes them)."""

    def escaped(name: str) -> str:
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in text)

    points = [*range(0xD800), *range(0xDC80, 0xDD00), *range(0xE000, 0x110000)]
    differ = [hex(p) for p in points if display_name(f"a{chr(p)}.txt") != escaped(f"a{chr(p)}.txt")]
    assert differ == []


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ReadError, match="not a regular file"):
        read_document(tmp_path / "pipe.txt")


def test_an_upload_of_mixed_encodings_tells_the_reviewer(tmp_path: Path) -> None:
    from ui import upload

    data = (SEED_DIR / TIANJIN).read_bytes() + GBK_PART.encode("gbk")
    found = upload.validate(data, "mixed.txt", src=None, raw=tmp_path)
    assert isinstance(found, upload.Candidate), found
    assert any("mixed encodings" in note for note in found.notes)


def test_a_document_of_too_many_figures_fails_alone_in_one_line(tmp_path: Path) -> None:
    """A data dump (thousands of counted things) is refused by the figures cap, not combined for minutes."""
    dump = tmp_path / "dump.txt"
    dump.write_text("统计局2023年工作情况。" + "".join(f"检查企业{i}家，" for i in range(1, 400)), encoding="utf-8")
    ok = tmp_path / "ok.txt"
    ok.write_text("某县统计局2023年共开展执法检查12家。", encoding="utf-8")
    env = {**os.environ, "STATS_MAX_MENTIONS": "100", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "etl", "extract", str(dump), str(ok), "--jsonl"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "dump.txt" in errors[0] and "too many figures" in errors[0], run.stderr
    assert '"source_file": "ok.txt"' in run.stdout, "the other file goes on"
