"""Start N dashboard processes behind nginx on this machine: for the load benchmark and its test.

The configuration is ``deploy/nginx.conf.template``, the same a server uses;
only the prefix folder, the listening address and the upstream ports are
filled in here. Everything listens on 127.0.0.1 only, and only the processes
started here are stopped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from ui.server import free_port, serve, stop

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render(prefix: Path, listen: str, ports: list[int], max_body: str = "20m", daemon: bool = False) -> str:
    """The nginx configuration for ``ports`` on 127.0.0.1 behind ``listen``."""
    upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in ports)
    return (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("@PREFIX@", str(prefix))
        .replace("@LISTEN@", listen)
        .replace("@UPSTREAMS@", upstreams)
        .replace("@MAX_BODY@", max_body)
        .replace("@DAEMON@", "on" if daemon else "off")
    )


@contextlib.contextmanager
def nginx(ports: list[int]) -> Iterator[str]:
    """Run nginx in front of ``ports``; yield its base URL."""
    if not Path(NGINX).exists():
        raise FileNotFoundError("nginx is not installed (apt-get install -y nginx)")
    prefix = Path(tempfile.mkdtemp(prefix="stats-nginx-"))
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir()
    os.chmod(prefix, 0o755)
    for sub in prefix.iterdir():
        os.chmod(sub, 0o777)  # nginx workers drop to an unprivileged user when started as root
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(render(prefix, f"127.0.0.1:{port}", ports), encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url + "/_stcore/health", proc, 30)
        yield url
    finally:
        stop(proc)
        shutil.rmtree(prefix, ignore_errors=True)


@contextlib.contextmanager
def cluster(processes: int, db: Path | None = None, raw: Path | None = None) -> Iterator[tuple[str, list[str]]]:
    """``processes`` dashboards behind nginx; yield (nginx URL, the processes' own URLs)."""
    with contextlib.ExitStack() as stack:
        backends = [stack.enter_context(serve(db, raw)) for _ in range(processes)]
        ports = [int(url.rsplit(":", 1)[1]) for url in backends]
        yield stack.enter_context(nginx(ports)), backends


def _wait_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"nginx exited with code {proc.returncode}: {err.strip()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer")
        time.sleep(0.2)

