"""Which requests the server answers: the Host names it serves (against DNS rebinding) and the
Origins that may drive runs (against cross-site requests from other pages in the browser).

- Host: with the default loopback binding, only requests addressed to localhost, 127.0.0.1 or
  [::1] (any port) are answered; a page on another domain that re-points its name at 127.0.0.1
  still sends its own name as Host and gets 400. Bound elsewhere (`--host 0.0.0.0`), any Host is
  answered unless `--allow-host` names them.
- Origin: websocket handshakes and state-changing HTTP requests (POST, PATCH, PUT, DELETE) with
  an Origin other than the server's own (or an allow-listed one) get 403, as do browser requests
  marked `Sec-Fetch-Site: cross-site`. Scripts send no Origin and are not affected.
- A refused websocket handshake gets the same HTTP status and message as a request (400 for a
  foreign Host, 403 for a foreign Origin) where the server supports the ASGI
  `websocket.http.response` extension (uvicorn does); elsewhere it is closed before the
  handshake completes, which is HTTP 403.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse

from .settings import Settings
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def host_name(host_header: str) -> str:
    """'Example.com:8000' -> 'example.com'; '[::1]:8000' -> '::1'."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str | None, settings: Settings) -> bool:
    if settings.allowed_hosts is None:
        return True
    return host_header is not None and host_name(host_header) in settings.allowed_hosts


def origin_allowed(origin: str | None, host_header: str | None, settings: Settings) -> bool:
    """No Origin (a script), the server's own scheme-less host:port, or an allow-listed origin."""
    if origin is None or origin in settings.allowed_origins:
        return True
    return host_header is not None and urlsplit(origin).netloc.lower() == host_header.lower()


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def host_refusal_text(settings: Settings) -> str:
    return ("A foreign Host: this server answers only to "
            f"{', '.join(settings.allowed_hosts or ())} (text/plain message; server/request_guard.py).")


def document_host_check(schema: dict, settings: Settings) -> None:
    """State the Host check's 400 on every operation of an OpenAPI schema (in place): it
    applies to every route whenever the app serves a list of Host names."""
    if settings.allowed_hosts is None:
        return
    text = host_refusal_text(settings)
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "400" not in responses:
                responses["400"] = {"description": text}
            elif text not in responses["400"].get("description", ""):
                # another 400 (a body that is not JSON): both reasons, any body
                responses["400"] = {**responses["400"], "description":
                                    f"{responses['400'].get('description', '')} Or {text[0].lower()}{text[1:]}"}
                responses["400"].pop("content", None)


class RequestGuard:
    """ASGI middleware applying the Host and Origin rules above to HTTP and websocket scopes."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host")
        problem = None
        if not host_allowed(host, self.settings):
            problem = (400, f"this server answers to {', '.join(self.settings.allowed_hosts)} "
                            f"(Host {host!r}); start it with --allow-host to add a name")
        elif scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS:
            cross_site = headers.get("sec-fetch-site") == "cross-site"
            if cross_site or not origin_allowed(headers.get("origin"), host, self.settings):
                problem = (403, "requests from other sites may not drive runs "
                                "(start the server with --allow-origin to allow one)")
        if problem is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            if "websocket.http.response" in scope.get("extensions", {}):
                await send({"type": "websocket.http.response.start", "status": problem[0],
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                return await send({"type": "websocket.http.response.body",
                                   "body": problem[1].encode()})
            # refused before the handshake completes: HTTP 403
            return await send({"type": "websocket.close", "code": 1008, "reason": problem[1]})
        return await PlainTextResponse(problem[1], status_code=problem[0])(scope, receive, send)
