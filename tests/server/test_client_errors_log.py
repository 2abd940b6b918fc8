"""A websocket text frame that is not UTF-8 is logged in one line, not a traceback
(server/client_errors_log.py), against a real uvicorn (Starlette's test client cannot send one)."""

from __future__ import annotations

import base64
import logging
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.client_errors_log import INVALID_UTF8, OneLineClientErrors

REPO = Path(__file__).resolve().parents[2]


def test_the_filter_turns_the_traceback_record_into_one_warning_line():
    try:
        b"\xff".decode()
    except UnicodeDecodeError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, INVALID_UTF8,
                                   None, sys.exc_info())
    assert OneLineClientErrors().filter(record)
    line = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("WARNING websocket: a client sent a text frame that is not valid UTF-8")
    assert "1007" in line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    return (bytes([0x81, 0x80 | len(payload)]) + mask
            + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def test_a_real_server_logs_an_invalid_utf8_frame_in_one_line(tmp_path):
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.app:app", "--host", "127.0.0.1", "--port",
             str(port), "--ws", "websockets-sansio", "--log-level", "warning"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120   # generous: a loaded machine (xdist workers) imports slowly
        while True:
            try:
                if httpx.get(f"{url}/api/schema", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
            time.sleep(0.1)
        rid = httpx.post(f"{url}/api/runs", json={"hidden": [2]}).json()["id"]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall((f"GET /ws/runs/{rid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            assert s.recv(4096).startswith(b"HTTP/1.1 101")
            s.sendall(_masked_text_frame(b'\xff\xfe{"type": "play"}'))
            received = b""
            while b"\x88" not in received[-200:]:      # until the server's close frame
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += chunk
        # the server is still fine afterwards
        assert httpx.get(f"{url}/api/runs/{rid}").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    lines = [line for line in text.splitlines() if "UTF-8" in line]
    assert len(lines) == 1 and "not valid UTF-8" in lines[0] and "1007" in lines[0], text
    assert "Traceback" not in text, text
