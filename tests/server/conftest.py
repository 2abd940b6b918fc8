"""Server fixtures: `client`, a TestClient on a fresh app (Settings() plus one allowed foreign
origin, and "testserver", the Host name Starlette's websocket_connect always sends). Clients
carry the control tokens they are given (tests/conftest.py: `client.tokens`, and
`with client.tokens.watching():` for requests without them)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import LOOPBACK_HOSTS, Settings


def _settings(**overrides) -> Settings:
    return Settings(**{"allowed_origins": ("http://allowed.example",),
                       "allowed_hosts": (*LOOPBACK_HOSTS, "testserver"), **overrides})


@pytest.fixture
def client(tmp_path, with_tokens):
    with with_tokens(TestClient(create_app(_settings(data_dir=str(tmp_path / "data"))),
                                 base_url="http://localhost")) as c:
        yield c


@pytest.fixture
def make_client(tmp_path, with_tokens):
    """make_client(**settings) -> a TestClient on an app with those Settings (closed after the
    test); its store is in a fresh temporary folder unless data_dir is given (pass the same
    data_dir to two clients for a server restarted on the same store)."""
    opened = []

    def make(**overrides):
        overrides.setdefault("data_dir", str(tmp_path / f"data{len(opened)}"))
        c = with_tokens(TestClient(create_app(_settings(**overrides)), base_url="http://localhost"))
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)
