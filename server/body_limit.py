"""Bounded request bodies: a body longer than Settings.max_body_bytes gets 413 with the limit in
its message, whether it announces its length (Content-Length: refused before it is read) or
streams in chunks (refused once the limit is passed, before the handler runs). Bodies within
the limit are read here and handed on unchanged, so nothing past the limit is ever buffered."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"the request body is larger than {limit} bytes, this "
                                   "server's limit"}, status_code=413)


class BodyLimit:
    """ASGI middleware enforcing a maximum request-body size on HTTP requests."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await too_large(self.max_bytes)(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":      # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await too_large(self.max_bytes)(scope, receive, send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)
