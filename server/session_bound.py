"""Runs, races and comparison groups are bounded per browser session, so that one tab cannot
exhaust the server's registries.

A browser session is the `nnp_session` cookie every HTML page sets (HttpOnly, SameSite=Strict,
no expiry: it lasts as long as the browser session). Each run, race or group created from a
browser (POST /api/runs, POST /api/saved/{id}/open, POST /api/races, POST /api/comparisons and
that group's member runs) is tagged with its session. One rule bounds each kind: a session may
hold `Settings.per_session(registry)` of them (`max_runs_per_session`, `max_races_per_session`,
`max_comparisons_per_session`; by default a quarter of the registry, at least 1); past it the next
one answers 429, saying the bound and how to free room (with `Retry-After`). A deleted or expired
one frees its place (only live ones are counted). Browser requests that carry no session cookie
(a fetch with `credentials: "omit"`, recognised by its `Origin` or `Sec-Fetch-*` headers) share
one session, so leaving the cookie out does not escape the bound. Scripts (no cookie, no browser
headers) are bounded only by the registries (`max_runs`, `max_races`, `max_comparisons`).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Callable, Iterable

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import Headers

from .settings import Settings

COOKIE = "nnp_session"
COOKIELESS_BROWSER = "browser-without-session"


@dataclass(frozen=True)
class SessionBound:
    """One kind of resource a browser session holds a bounded number of."""
    kind: str                                 # "live runs", in messages
    registry: str                             # the Settings bound of the registry ("max_runs")
    free: Callable[[Settings], str]           # how to make room, for the message
    retry_after: Callable[[Settings], float]  # seconds until room is likely (Retry-After)

    @property
    def setting(self) -> str:
        return f"{self.registry}_per_session"

    @property
    def responses(self) -> dict:
        """The OpenAPI 429 of a route bounded by the registry and by this."""
        return {429: {"description": f"Too many {self.kind} (on the server: `{self.registry}`, "
                                     f"or for this browser session: `{self.setting}`); with "
                                     "Retry-After."}}

    def full(self, exc: Exception, settings: Settings) -> HTTPException:
        """The 429 of a full registry of this kind (`exc`, a RegistryFull, says how full and
        how to free room), with Retry-After: when room is likely (a released or expired one)."""
        return HTTPException(429, str(exc), headers={
            "Retry-After": str(max(1, int(self.retry_after(settings))))})


RUNS = SessionBound(
    "live runs", "max_runs",
    lambda s: (f"close playground tabs you no longer use (a closed tab's run is freed, or saved "
               f"if it trained, within {s.release_grace_seconds:g} s + "
               f"{s.sweep_interval_seconds:g} s) or wait until idle runs expire"),
    lambda s: s.release_grace_seconds + s.sweep_interval_seconds)
RACES = SessionBound(
    "races", "max_races",
    lambda s: ("delete one you no longer use (DELETE /api/races/{id}; closing a race page "
               f"deletes its race) or wait until idle races expire ({s.run_ttl_seconds:g} s "
               "unwatched and untouched)"),
    lambda s: s.sweep_interval_seconds)
GROUPS = SessionBound(
    "comparison groups", "max_comparisons",
    lambda s: ("delete one you no longer use (DELETE /api/comparisons/{id}, which deletes its "
               "members; closing a compare page deletes its group) or wait until its members "
               "expire"),
    lambda s: s.sweep_interval_seconds)
TOO_MANY = RUNS.responses


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


def check_room(items: Iterable, session: str | None, settings: Settings, adding: int = 1,
               bound: SessionBound = RUNS) -> None:
    """429 if `session` already holds its bound of `items` (the live resources of one registry:
    runs by default) or would with `adding` more. Scripts (session None) are not bounded here."""
    if session is None:
        return
    most = settings.per_session(bound.registry)
    held = sum(1 for item in items if getattr(item, "session", None) == session)
    if held + adding > most:
        raise HTTPException(
            429, f"this browser session already has {held} {bound.kind} and may have at most "
                 f"{most} ({bound.setting}){f'; this needs {adding}' if adding > 1 else ''}: "
                 f"{bound.free(settings)}",
            headers={"Retry-After": str(max(1, int(bound.retry_after(settings))))})


def claim(item, session: str | None) -> None:
    """Tag `item` (a run, race or group) with the session that created it."""
    item.session = session


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
