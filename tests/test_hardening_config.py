"""The Streamlit server settings a public deployment relies on, and the upload check's time limit (issue 14)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

from ui import upload

CONFIG = ROOT / ".streamlit" / "config.toml"


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_the_server_upload_limit_is_the_apps() -> None:
    # The endpoint accepts server.maxUploadSize from anyone with a websocket, whatever the widget says.
    assert _config()["server"]["maxUploadSize"] == upload.DEFAULT_MAX_UPLOAD_MB


def test_visitors_get_no_tracebacks_or_developer_menu() -> None:
    client = _config()["client"]
    assert client["showErrorDetails"] == "none"  # false would mean "stacktrace" in this Streamlit
    assert client["toolbarMode"] == "viewer"


def test_streamlit_reads_the_settings() -> None:
    # In a fresh process, as `streamlit run` in the repository would: the test process's config stays as it is.
    probe = (
        "from streamlit import config; config.get_config_options(); "
        "print(config.get_option('server.maxUploadSize'), config.get_option('client.showErrorDetails'), "
        "config.get_option('client.toolbarMode'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == [str(int(upload.DEFAULT_MAX_UPLOAD_MB)), "none", "viewer"], out.stderr


def test_the_app_limit_never_exceeds_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(upload.ENV_MAX_UPLOAD_MB, "150")
    monkeypatch.setattr(upload, "server_upload_mb", lambda: 20.0)
    assert upload.max_upload_mb() == 20.0
    monkeypatch.setenv(upload.ENV_MAX_UPLOAD_MB, "5")
    assert upload.max_upload_mb() == 5.0


def _spin(*_args: object, **_kwargs: object) -> None:
    while True:  # an extraction that never ends, as a hostile 52 KB upload did
        pass


def test_an_upload_that_takes_too_long_is_rejected_in_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import etl.extract

    monkeypatch.setenv("STATS_FILE_SECONDS", "1")
    monkeypatch.setattr(etl.extract, "extract_document", _spin)
    started = time.monotonic()
    found = upload.validate("天津市河西区统计局2024年法治政府建设情况报告\n检查企业120家。".encode(), "slow.txt",
                            src=None, raw=tmp_path)
    assert isinstance(found, upload.Rejection) and found.code == "too_slow", found
    assert time.monotonic() - started < 15
