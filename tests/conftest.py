"""Fixtures every test folder may use. Folder conftests add their own (tests/README.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository's root folder."""
    return REPO


@pytest.fixture(scope="session", autouse=True)
def private_data_dir(tmp_path_factory) -> Path:
    """Every app and server the tests start keeps its store (saved runs, datasets) in a
    temporary folder, never in the user's data directory (Settings' default reads this
    variable; the browser tests' uvicorn inherits it)."""
    path = tmp_path_factory.mktemp("nn-playground-data")
    old = os.environ.get("NN_PLAYGROUND_DATA_DIR")
    os.environ["NN_PLAYGROUND_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("NN_PLAYGROUND_DATA_DIR", None)
    else:
        os.environ["NN_PLAYGROUND_DATA_DIR"] = old
