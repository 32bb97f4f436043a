"""Helpers for the upload and review tests: a writable copy of the seed warehouse, a signed-in
AppTest, and a snapshot of everything an upload may write (raw folder, corrections file)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from etl.warehouse.corrections import corrections_path
from ui.auth import MIN_ITERATIONS, hash_password

PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD, MIN_ITERATIONS)  # the cheapest hash the app accepts: tests stay fast
SECRETS = {"reviewers": {"alice": HASH}}

# A report the seeds do not hold: another district and year, markup in the text.
HEXI = """天津市河西区统计局2024年法治政府建设情况报告

2024年，河西区统计局深入贯彻落实法治政府建设要求，现将有关情况报告如下。
一、主要工作
全年共开展统计执法检查，检查企业120家，发现统计违法企业8家，对5家企业予以行政处罚。
开展统计普法宣传活动12场，覆盖群众3000余人次，发放宣传资料2000份。
组织统计法治培训4场，培训统计人员260人。
二、存在的问题
一是统计执法力量不足，持证执法人员较少。
二是普法宣传方式有待创新。
三、下一步工作计划
2025年，继续加强统计执法检查。
附：<script>alert(1)</script> 与 <b onmouseover="alert(2)">粗体</b> 原样保留。
""".encode()


@dataclass(frozen=True)
class Workspace:
    """A writable warehouse, its raw folder and its corrections file, all under tmp_path."""

    db: Path
    raw: Path

    @property
    def corrections(self) -> Path:
        return corrections_path(self.db)


def make_workspace(seed_db: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """Copy the session's seed build (never written to) and point the dashboard at the copy.

    The extractor fingerprint is pinned to the one the seed was built with:
    others edit the extractor while tests run, and a changed fingerprint would
    make each save re-extract every file.
    """
    shutil.copytree(seed_db.parent, folder, ignore=shutil.ignore_patterns("*.lock", "*.tmp"))
    ws = Workspace(folder / seed_db.name, folder / "raw")
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(ws.db)])
        fingerprint = con.execute("SELECT extractor_version FROM w.build_info").fetchall()[0][0]
    finally:
        con.close()
    monkeypatch.setattr("etl.warehouse.build.extractor_fingerprint", lambda: fingerprint)
    monkeypatch.setenv("STATS_DB", str(ws.db))
    monkeypatch.setenv("STATS_RAW", str(ws.raw))
    return ws


def disk_state(ws: Workspace) -> dict[str, str | None]:
    """Every file of the raw folder with its sha256, and the corrections file's sha256 (None if absent)."""
    state: dict[str, str | None] = {
        p.relative_to(ws.raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(ws.raw.rglob("*")) if p.is_file()
    }
    corr = ws.corrections
    state["<corrections>"] = hashlib.sha256(corr.read_bytes()).hexdigest() if corr.exists() else None
    return state


def open_app(page: str, secrets: dict | None = None, timeout: float = 60) -> AppTest:
    """The dashboard on ``page`` with the test reviewer in its secrets, not signed in."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    at.secrets = dict(secrets or SECRETS)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, key: str, name: str = "alice", password: str = PASSWORD) -> AppTest:
    """Fill and submit the page's sign-in form."""
    at.text_input(key=f"{key}__name").input(name)
    at.text_input(key=f"{key}__password").input(password)
    at.button(key=f"{key}__submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, suffix: str):  # noqa: ANN201 - an AppTest Button
    """The one button whose key ends with ``suffix`` (keys carry the file's sha prefix)."""
    found = [b for b in at.button if b.key and b.key.endswith(suffix)]
    assert len(found) == 1, [b.key for b in at.button]
    return found[0]


def messages(at: AppTest) -> str:
    """Every error, warning, info and success text of the run, joined (for ``in`` checks)."""
    parts = [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    return "\n".join(str(p).replace("\\", "") for p in parts)
