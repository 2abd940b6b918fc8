"""Fixtures of the scripting tests: `run_cli(*args, tty=False)` runs `python -m server.cli ...`
(the console script's code) from the repository root, piped or on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str          # on a terminal: stdout and stderr together, in `stdout`


def _run_on_pty(cmd: list[str], env: dict, timeout: float) -> CliResult:
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=slave, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise TimeoutError(f"{cmd} printed nothing for {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:      # the child closed the terminal (EIO)
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait(timeout=timeout)
    return CliResult(proc.returncode, b"".join(chunks).decode(errors="replace"), "")


@pytest.fixture
def run_cli():
    def run(*args: str, tty: bool = False, timeout: float = 120) -> CliResult:
        cmd = [sys.executable, "-m", "server.cli", *args]
        env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
        env["COLUMNS"] = "120"
        if tty:
            return _run_on_pty(cmd, env, timeout)
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=timeout)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)
    return run
