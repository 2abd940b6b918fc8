"""Runs every `tests/js/*.test.mjs` (unit tests of the page's pure ES modules) with `node --test`."""

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_node_unit_tests_pass():
    node = shutil.which("node")
    assert node is not None, "the JS unit tests need Node.js (on every machine here)"
    files = sorted(str(p) for p in HERE.glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs found"
    out = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
