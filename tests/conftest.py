"""Fixtures every test folder may use. Folder conftests add their own (tests/README.md)."""

from __future__ import annotations

import contextlib
import os
import re
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


# ---------------------------------------------------------------------- control tokens
TOKEN_HEADER = "X-Run-Token"
_RESOURCE = re.compile(r"/(?:api|ws)/(?:runs|comparisons|races|saved)/([A-Za-z0-9_-]+)")


class TokenJar:
    """The control tokens an HTTP client has been given (server/run_access.py), sent back the
    way the owner of a resource would: the `X-Run-Token` header on requests about it and
    `?token=` on its websocket. `watching()` turns that off (a watcher, who has only the id);
    a request that sets the header itself is left alone."""

    def __init__(self):
        self.tokens: dict[str, str] = {}
        self.enabled = True

    def adopt(self, resource_id: str, token: str) -> None:
        self.tokens[resource_id] = token

    def learn(self, body) -> None:
        """Remember the token of a created run, group (and its members), race or saved run (a
        save's answer: its owner token; a reopened saved run's token is the new run's)."""
        if isinstance(body, dict) and isinstance(body.get("control_token"), str):
            self.tokens[body.get("id") or body["saved_id"]] = body["control_token"]
            for member in body.get("members") or []:
                if isinstance(member, dict) and "id" in member:
                    self.tokens[member["id"]] = body["control_token"]

    def token_for(self, url: str) -> str | None:
        found = _RESOURCE.search(url)
        return self.tokens.get(found.group(1)) if (found and self.enabled) else None

    @contextlib.contextmanager
    def watching(self):
        """Requests and sockets inside carry no token."""
        self.enabled = False
        try:
            yield
        finally:
            self.enabled = True

    # httpx event hooks
    def on_request(self, request) -> None:
        token = self.token_for(request.url.path)
        if token is not None and TOKEN_HEADER not in request.headers:
            request.headers[TOKEN_HEADER] = token

    def on_response(self, response) -> None:
        if response.status_code == 201 and "json" in response.headers.get("content-type", ""):
            response.read()
            try:
                self.learn(response.json())
            except ValueError:
                pass

    def ws_url(self, url: str) -> str:
        token = self.token_for(url)
        if token is None or "token=" in url:
            return url
        return f"{url}{'&' if '?' in url else '?'}token={token}"


def carry_tokens(client):
    """Give an httpx client (or FastAPI's TestClient) a TokenJar: `client.tokens`, hooks that
    send and learn tokens, and (TestClient) `websocket_connect` that adds `?token=`."""
    jar = TokenJar()
    client.tokens = jar
    client.event_hooks = {"request": [jar.on_request], "response": [jar.on_response]}
    if hasattr(client, "websocket_connect"):
        connect = client.websocket_connect
        client.websocket_connect = lambda url, *a, **kw: connect(jar.ws_url(url), *a, **kw)
    return client


@pytest.fixture(scope="session")
def with_tokens():
    """carry_tokens as a fixture (folder conftests wrap their clients with it)."""
    return carry_tokens
