"""Page loads per second of the dashboard, with 1 and 2 server processes behind nginx.

A page load is what a browser does for a Streamlit page: an HTTP GET of the
page, then a websocket session (``/_stcore/stream``) that asks for a script
run and receives its elements until the server says the run finished. This
client does exactly that with Streamlit's own protobuf messages (tornado's
websocket client, no browser): it measures the server's work per page load,
not a browser's rendering or the static JavaScript (which a browser caches
after its first visit). Each simulated visitor loads pages back to back; the
figures are loads per second over all visitors and each load's latency
(p50, p95).

Bounded and local only: every URL must be 127.0.0.1 or localhost, each
configuration runs ``--seconds`` (default 15) and at most ``--max-loads``
loads. Usage::

    python bench/load.py                        # 1, 10, 30 visitors x 1, 2 processes; markdown table
    python bench/load.py --url http://127.0.0.1:8501 --sessions 10

Needs nginx for the multi-process runs (``apt-get install -y nginx``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/load.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

LOCAL_HOSTS = ("127.0.0.1", "localhost")


def check_local(url: str) -> str:
    """Refuse any address but this machine's loopback: this is a load generator."""
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOCAL_HOSTS:
        raise ValueError(f"load tests run against 127.0.0.1 or localhost only, not {host!r}")
    return url.rstrip("/")


@dataclass
class Stats:
    """Latencies of finished loads and the count of failed ones."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    def add_error(self, exc: BaseException) -> None:
        self.errors += 1
        self.first_error = self.first_error or f"{type(exc).__name__}: {exc}"


async def page_load(url: str, cookie: str | None, page_hash: str = "", timeout: float = 60.0) -> str | None:
    """One page load; returns the route cookie the proxy set (kept like a browser keeps it)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Cookie": cookie} if cookie else {}
    response = await AsyncHTTPClient().fetch(HTTPRequest(url + "/", headers=headers, request_timeout=timeout))
    for value in response.headers.get_list("Set-Cookie"):
        if value.startswith("st_route="):
            cookie = value.split(";", 1)[0]
    ws_url = "ws" + url[len("http"):] + "/_stcore/stream"
    request = HTTPRequest(ws_url, headers={**({"Cookie": cookie} if cookie else {}),
                                           "Sec-WebSocket-Protocol": "streamlit"}, request_timeout=timeout)
    conn = await websocket_connect(request, subprotocols=["streamlit"])
    try:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = page_hash
        await conn.write_message(msg.SerializeToString(), binary=True)
        deadline = time.monotonic() + timeout
        while True:
            raw = await asyncio.wait_for(conn.read_message(), max(0.1, deadline - time.monotonic()))
            if raw is None:
                raise ConnectionError("websocket closed before the script run finished")
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page did not compile")
                if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return cookie
            elif kind == "page_not_found":
                raise RuntimeError("page not found")
    finally:
        conn.close()


async def visitor(url: str, stats: Stats, stop_at: float, budget: list[int]) -> None:
    """Load pages back to back until the time or the shared budget of loads runs out."""
    cookie: str | None = None
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        started = time.monotonic()
        try:
            cookie = await page_load(url, cookie)
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            stats.add_error(exc)
            await asyncio.sleep(0.2)
            continue
        stats.latencies.append(time.monotonic() - started)


def run(url: str, sessions: int, seconds: float, max_loads: int) -> dict[str, float | int | str | None]:
    """``sessions`` concurrent visitors for ``seconds``; loads/s, p50, p95 (seconds) and errors."""
    url = check_local(url)
    stats = Stats()

    async def main() -> float:
        from tornado.httpclient import AsyncHTTPClient

        AsyncHTTPClient.configure(None, max_clients=max(10, sessions))
        started = time.monotonic()
        budget = [max_loads]
        await asyncio.gather(*(visitor(url, stats, started + seconds, budget) for _ in range(sessions)))
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    lat = sorted(stats.latencies)
    return {
        "sessions": sessions,
        "loads": len(lat),
        "loads_per_s": len(lat) / elapsed if elapsed else 0.0,
        "p50": statistics.median(lat) if lat else float("nan"),
        "p95": lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan"),
        "errors": stats.errors,
        "first_error": stats.first_error,
    }


def _row(processes: int, r: dict) -> str:
    return (f"| {processes} | {r['sessions']} | {r['loads']} | {r['loads_per_s']:.2f} | {r['p50']:.2f} | "
            f"{r['p95']:.2f} | {r['errors']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="measure this running dashboard (127.0.0.1 only) instead of starting some")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="server processes behind nginx")
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], help="concurrent visitors")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each configuration (max 120)")
    parser.add_argument("--max-loads", type=int, default=3000, help="page loads per configuration at most")
    parser.add_argument("--db", type=Path, default=None, help="warehouse to serve (default: the dashboard's)")
    args = parser.parse_args(argv)
    seconds = min(max(args.seconds, 1.0), 120.0)
    sessions = [min(max(s, 1), 100) for s in args.sessions]
    header = ("| processes | visitors | loads | loads/s | p50 s | p95 s | errors |\n"
              "|---:|---:|---:|---:|---:|---:|---:|")
    print(header)
    if args.url:
        for n in sessions:
            print(_row(0, run(args.url, n, seconds, args.max_loads)), flush=True)
        return 0
    from deploy.proxy import cluster

    for processes in args.processes:
        with cluster(min(max(processes, 1), 8), db=args.db) as (url, _backends):
            run(url, 1, 2.0, 5)  # warm-up: the first run of each process imports and caches
            for n in sessions:
                result = run(url, n, seconds, args.max_loads)
                print(_row(processes, result), flush=True)
                if result["first_error"]:
                    print(f"<!-- first error: {result['first_error']} -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
