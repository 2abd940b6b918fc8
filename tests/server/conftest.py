"""Server fixtures: `client`, a TestClient on a fresh app (Settings() plus one allowed foreign
origin, and "testserver", the Host name Starlette's websocket_connect always sends). Clients
carry the control tokens they are given (tests/conftest.py: `client.tokens`, and
`with client.tokens.watching():` for requests without them).

Helpers for strict bodies and messages (import them: `from .conftest import refused`):
`refused(response, loc)`, a REST answer's 422 naming the field, `socket_refused(ws, text,
field)`, a websocket's error answer to one message, and `answer_to(ws, kind)`, a run socket's
ack or error for one kind of message."""

from __future__ import annotations

import json

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


VALID = "Input should be a valid"        # how pydantic refuses a wrong type
FINITE = "Input should be a finite number"  # and NaN or an infinity


def refused(r, loc: list, says: str = VALID) -> dict:
    """Assert that `r` is a 422 whose errors include one at ["body", *loc] whose message starts
    with `says`; return that error."""
    assert r.status_code == 422, r.text
    errors = r.json()["detail"]
    error = next((e for e in errors if e["loc"] == ["body", *loc]), None)
    assert error is not None, errors
    assert error["msg"].startswith(says), error
    return error


def socket_refused(ws, text: str, field: str, says: str = VALID) -> dict:
    """Send `text` on the websocket `ws` and assert that its answer (the first ack or error
    within 100 messages; frames are passed over) is a 422 error whose message starts with
    "`field`: `says`"; return that answer."""
    ws.send_text(text)
    for _ in range(100):
        t = ws.receive()
        answer = json.loads(t["text"]) if t.get("text") else {}
        if answer.get("type") in ("ack", "error"):
            break
    assert answer["type"] == "error" and answer["status"] == 422, answer
    assert answer["message"].startswith(f"{field}: {says}"), answer
    return answer


def answer_to(ws, kind: str) -> dict:
    """The next ack or error on a run's websocket `ws` that answers a message of type `kind`
    (its "for"); frames and other answers before it are passed over (at most 200 messages)."""
    for _ in range(200):
        m = ws.receive()
        if m.get("text"):
            t = json.loads(m["text"])
            if t.get("type") in ("ack", "error") and t.get("for") == kind:
                return t
    raise AssertionError(f"no answer to {kind}")
