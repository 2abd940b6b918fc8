"""Watching and controlling are different rights.

Whoever creates a run (`POST /api/runs`, `POST /api/saved/{id}/open`), a comparison group or a
race gets its `control_token` once, in the answer. Reads (GET: the run, its snapshot, history,
params, export, graph; `POST .../trace`, which changes nothing) are open to anyone who has the
id: that is a watch link. Every request that changes an existing resource (PATCH, step, reset,
delete, params, save; a group's or race's step, restart, racer change, delete) needs the header
`X-Run-Token: <token>` and answers 403 without it (or with a wrong one). A comparison group's
member runs take the group's token.

A saved run keeps the hash of its owner's token (the token of the run that saved it, given
again as `control_token` in the save's answer; an automatic save at expiry or shutdown keeps the
run's): `DELETE /api/saved/{id}` needs it; listing and opening stay open (opening makes a new
live run with its own token). A saved run stored before owners were kept has no owner hash and
nobody can delete it over HTTP (403 saying so); it can still be listed and opened.

A websocket opened with `?token=<token>` may control; without it, it only watches: its control
messages (and run-wide subscription keys: `speed`, `landscape`) get an error message with
status 403 and the connection stays open. Tokens are compared in constant time.
"""

# no `from __future__ import annotations`: FastAPI reads the closure's annotations at runtime

import hashlib
import hmac
import secrets
from typing import Annotated, Any, Callable

from fastapi import Depends, Header, HTTPException, WebSocket

TOKEN_HEADER = "X-Run-Token"
TOKEN_QUERY = "token"
FORBIDDEN = {403: {"description": f"The `{TOKEN_HEADER}` header is missing or wrong: changing a "
                                  "resource needs the control_token returned when it was created."}}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def grant(resource: Any, token: str | None = None) -> str:
    """Give `resource` (a Run, Comparison, RaceSession) its control token; returns it."""
    resource.control_token = token or new_token()
    return resource.control_token


def may_control(resource: Any, given: str | None) -> bool:
    """True when `given` is the resource's control token (a resource never granted one is
    controlled by nobody from outside)."""
    expected = getattr(resource, "control_token", None)
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def token_hash(token: str | None) -> str | None:
    """What a store keeps instead of a token (a saved run's owner): its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def matches_hash(expected_hash: str | None, given: str | None) -> bool:
    """True when `given` is the token whose hash was kept (constant time; no hash: nobody)."""
    if not expected_hash or not given:
        return False
    return hmac.compare_digest(expected_hash.encode(), token_hash(given).encode())


def refusal(what: str, given: str | None) -> str:
    """The 403 message."""
    problem = "a wrong" if given else "no"
    return (f"this {what} is read-only with {problem} control token: changing it needs the "
            f"header {TOKEN_HEADER}: <control_token> (returned once, when the {what} was "
            f"created; a websocket passes it as ?{TOKEN_QUERY}=...)")


async def given_token(x_run_token: Annotated[str | None, Header(
        max_length=200, description="The control_token returned when the resource was "
                                    "created.")] = None) -> str | None:
    """The X-Run-Token header (FastAPI reads x_run_token as X-Run-Token)."""
    return x_run_token


def controlled(get_resource: Callable, what: str) -> Callable:
    """A FastAPI dependency: the resource `get_resource` finds (404 first), if the request
    carries its control token; else 403."""

    async def dependency(resource: Annotated[Any, Depends(get_resource)],
                         token: Annotated[str | None, Depends(given_token)]) -> Any:
        if not may_control(resource, token):
            raise HTTPException(403, refusal(what, token))
        return resource

    return dependency


def socket_may_control(websocket: WebSocket, resource: Any) -> bool:
    """Whether this websocket was opened with the resource's token (`?token=...`)."""
    return may_control(resource, websocket.query_params.get(TOKEN_QUERY))


def watch_only(for_type: str | None, what: str, detail: str = "") -> dict:
    """The error message a watching socket gets for a control message (the socket stays open)."""
    return {"type": "error", "for": for_type, "status": 403, "fields": [],
            "message": f"this socket only watches the {what}{detail}: open it with "
                       f"?{TOKEN_QUERY}=<control_token> to control it"}
