"""Two dashboard processes behind nginx (deploy/nginx.conf.template): both serve, and a browser sticks to one.

Real processes and real page loads (bench/load.py's websocket client). Needs
Debian's nginx, which .ci/run installs.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import psutil
import pytest

from bench.load import check_local, page_load
from deploy.proxy import cluster

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="needs nginx (.ci/run installs it)"
)


def _backend_cpu(urls: list[str]) -> list[float]:
    """CPU seconds used so far by each dashboard process (found by its port among this test's children)."""
    ports = [url.rsplit(":", 1)[1] for url in urls]
    found = dict.fromkeys(ports, 0.0)
    for child in psutil.Process().children(recursive=True):
        try:
            cmd = child.cmdline()
            if "--server.port" in cmd:
                port = cmd[cmd.index("--server.port") + 1]
                if port in found:
                    times = child.cpu_times()
                    found[port] = times.user + times.system
        except psutil.Error:
            continue
    return [found[p] for p in ports]


def test_two_processes_both_serve_and_a_browser_sticks_to_one(dashboard_env: Path) -> None:
    with cluster(2, db=dashboard_env, raw=dashboard_env.parent / "raw") as (url, backends):
        async def loads(visitors: int, per_visitor: int) -> set[str]:
            async def one() -> str | None:
                cookie = None
                for _ in range(per_visitor):
                    cookie = await page_load(url, cookie)
                return cookie

            return {c for c in await asyncio.gather(*(one() for _ in range(visitors))) if c}

        before = _backend_cpu(backends)
        cookies = asyncio.run(loads(visitors=12, per_visitor=1))  # new browsers: spread over both
        spread = [b - a for a, b in zip(before, _backend_cpu(backends), strict=True)]
        assert len(cookies) == 12, "nginx sets a route cookie per browser"
        assert min(spread) > 0.2, f"both processes should have served pages: CPU seconds {spread}"

        before = _backend_cpu(backends)
        # one browser: always the same process (15 loads: a warm load is ~0.04 CPU-s, six were ~0.2)
        asyncio.run(loads(visitors=1, per_visitor=15))
        used = sorted(b - a for a, b in zip(before, _backend_cpu(backends), strict=True))
        assert used[1] > 4 * max(used[0], 0.05), f"one browser's loads went to both processes: {used}"


def test_the_load_generator_stays_on_this_machine() -> None:
    assert check_local("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    with pytest.raises(ValueError):
        check_local("http://example.org")
    with pytest.raises(ValueError):
        check_local("http://10.0.0.5:8501")
