"""Runs are bounded per browser session, so that one tab cannot exhaust the server's runs.

A browser session is the `nnp_session` cookie every HTML page sets (HttpOnly, SameSite=Strict,
no expiry: it lasts as long as the browser session). Each run created from a browser (POST
/api/runs, POST /api/saved/{id}/open, the members of POST /api/comparisons) is tagged with its
session; past `max_runs_per_session` live runs the next one answers 429, saying the bound and what
to do (with `Retry-After`). Browser requests that carry no session cookie (a fetch with
`credentials: "omit"`, recognised by its `Origin` or `Sec-Fetch-*` headers) share one session, so
leaving the cookie out does not escape the bound. Scripts (no cookie, no browser headers) are
bounded only by `max_runs`.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import Headers

from .settings import Settings

COOKIE = "nnp_session"
COOKIELESS_BROWSER = "browser-without-session"
TOO_MANY = {429: {"description": "Too many runs are live (on the server, or for this browser "
                                 "session: `max_runs_per_session`)."}}


def _valid(value: str | None) -> bool:
    return bool(value) and len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


async def session_of(request: Request) -> str | None:
    """The browser session of a request, or None for a script."""
    cookie = request.cookies.get(COOKIE)
    if _valid(cookie):
        return cookie
    headers = request.headers
    if "origin" in headers or "sec-fetch-site" in headers or "sec-fetch-mode" in headers:
        return COOKIELESS_BROWSER
    return None


SessionDep = Annotated[str | None, Depends(session_of)]


def check_room(runs, session: str | None, settings: Settings, adding: int = 1) -> None:
    """429 if `session` already holds max_runs_per_session live runs (of `runs`, the registry's
    Run objects) or would with `adding` more."""
    if session is None:
        return
    bound = settings.max_runs_per_session
    held = sum(1 for run in runs if getattr(run, "session", None) == session)
    if held + adding > bound:
        raise HTTPException(
            429, f"this browser session already has {held} live runs and may have at most "
                 f"{bound} (max_runs_per_session){f'; this needs {adding}' if adding > 1 else ''}: "
                 f"close playground tabs you no longer use (a closed tab's run is freed, or "
                 f"saved if it trained, within {settings.release_grace_seconds:g} s + "
                 f"{settings.sweep_interval_seconds:g} s) or wait until idle runs expire",
            headers={"Retry-After": str(int(settings.release_grace_seconds
                                            + settings.sweep_interval_seconds))})


def claim(run, session: str | None) -> None:
    """Tag `run` with the session that created it."""
    run.session = session


class SessionCookie:
    """ASGI middleware: an HTML page answered to a browser without a session cookie sets one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        cookie_header = Headers(scope=scope).get("cookie", "")
        has_session = any(part.strip().startswith(f"{COOKIE}=") for part in cookie_header.split(";"))

        async def send_with_cookie(message):
            if message["type"] == "http.response.start" and not has_session:
                headers = message.get("headers", [])
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                           for k, v in headers)
                if html:
                    value = (f"{COOKIE}={secrets.token_urlsafe(16)}; Path=/; HttpOnly; "
                             "SameSite=Strict").encode()
                    message = {**message, "headers": [*headers, (b"set-cookie", value)]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)
