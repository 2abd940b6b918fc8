"""Response headers that keep the page from being framed or misread, on every HTTP response.

- `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no other page can embed the
  playground (and click its buttons in the user's name).
- `Content-Security-Policy`: scripts, styles, fonts, images and connections from this server
  only (`'self'` covers its own ws:// and wss:// in CSP Level 3); no plugins; no <base> tricks.
  Inline styles are allowed (plotly and the views set element styles); inline scripts are not.
  `'unsafe-eval'` is allowed because plotly.js's WebGL 3-D surface compiles its array kernels
  with `Function(...)` at run time (the code it evaluates is plotly's own, served from here).
  FastAPI's `/docs` page boots Swagger UI with one inline script, so that page alone also
  allows inline scripts.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`.
"""

from __future__ import annotations

CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
DOCS_CSP = CSP.replace("script-src 'self' 'unsafe-eval'", "script-src 'self' 'unsafe-inline'")
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")

HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin")]


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (DOCS_CSP if scope["path"] in DOCS_PATHS else CSP).encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", csp))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return await self.app(scope, receive, send_with_headers)
