"""The playground's server for a page benchmark: uvicorn on a free loopback port, as the app is
served (the sans-I/O websockets, no per-message deflate), its output discarded.

    with serving(args.url) as url:   # starts one unless a url is given; stops it afterwards
        ...
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    """A server of the repository's code; -> (its process, its url) once /api/schema answers
    (at most 30 s, else SystemExit)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:app", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--log-level", "warning"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    if answering(url, seconds=30):
        return proc, url
    proc.terminate()
    raise SystemExit("the server did not start")


def answering(url: str, seconds: float) -> bool:
    """Whether the server at `url` answers GET /api/schema with 200 within `seconds` (polled)."""
    import httpx
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/schema", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def serving(url: str | None = None):
    """Yields the url of a server without a trailing slash: `url` (already running) if given,
    else one started here and terminated on leaving."""
    if url is not None:
        yield url.rstrip("/")
        return
    proc, url = start_server()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
