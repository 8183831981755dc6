"""HTTP security for the review app: response headers on everything, CSRF
tokens, and the caller's address.

Every page that can show report content is ``Cache-Control: no-store``;
only the app's own CSS and script may be cached (and only when served, not
an error about them). The content security policy allows nothing but the
app's own files: no inline script or style, no frames, no other origin, so
injected markup in a document (a field value, a file name) can neither run
nor load anything. ``SecurityHeaders`` is the app's outermost layer
(app.py), so every answer carries them: error pages, a 500 from an
unexpected fault and a refused oversized body included.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
BASE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False):
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static_path = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Only an asset actually served may be cached, not an error.
                static = static_path and message.get("status", 200) < 400
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"cache-control", b"pragma")]
                headers += BASE_HEADERS
                headers.append((b"cache-control", b"private, max-age=3600" if static else b"no-store"))
                if not static:
                    headers.append((b"pragma", b"no-cache"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def new_token() -> str:
    return secrets.token_urlsafe(32)


def client_addr(request) -> str | None:
    """The caller's address. Behind a proxy uvicorn has already taken it
    from X-Forwarded-For (only from the loopback proxy it trusts)."""
    return request.client.host if request.client else None
