"""Run ``streamlit run dashboard.py`` in a subprocess on a free port.

The browser test and the screenshot script need the real server (AppTest does
not render Plotly or deliver downloads); both start it through here so they
drive the app exactly as a user's ``streamlit run`` would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ui.config import ENV_DB, ENV_RAW, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: Path | None = None, raw: Path | None = None, timeout: float = 120.0) -> Iterator[str]:
    """Start the dashboard and yield its base URL; stop it (only this process) afterwards."""
    port = free_port()
    env = dict(os.environ)
    if db is not None:
        env[ENV_DB] = str(db)
    if raw is not None:
        env[ENV_RAW] = str(raw)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
    log = open(os.devnull, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("streamlit did not start")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started here: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_idle(page: object, timeout_ms: int = 60_000, settle_ms: int = 1200) -> None:
    """Wait until Streamlit has finished running the script (and stayed idle for
    ``settle_ms``, since one run can trigger another) and charts have drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        """(settle) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app && app.getAttribute('data-test-script-state');
            const idle = state && !['initial', 'running', 'rerunRequested'].includes(state);
            const now = Date.now();
            if (!idle) { window.__idleSince = undefined; return false; }
            window.__idleSince = window.__idleSince || now;
            return now - window.__idleSince >= settle;
        }""",
        arg=settle_ms,
        timeout=timeout_ms,
        polling=100,
    )
