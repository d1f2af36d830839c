"""ASGI middleware for ``/xapi``: CORS, body size limit, alternate request syntax, version.

Pure ASGI (not BaseHTTPMiddleware) because it sits on the hot ingest path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifelong.errors import LifelongError
from lifelong.records.versions import V1, VERSION_HEADER, negotiate

PREFIX = "/xapi"
ALLOW_HEADERS = (
    "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
    "X-Experience-API-Consistent-Through"
)
EXPOSE_HEADERS = (
    "ETag, Last-Modified, X-Experience-API-Consistent-Through, X-Experience-API-Version, "
    "Content-Type, Location"
)
ALLOW_METHODS = "HEAD, GET, POST, PUT, DELETE, OPTIONS"
# Alternate request syntax (1.0.3 Communication section 1.3): header names allowed as form fields.
ALT_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
}
ALT_METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}


def is_xapi(path: str) -> bool:
    """Whether ``path`` is under /xapi."""
    return path == PREFIX or path.startswith(PREFIX + "/")


class SkipForXapi:
    """Runs a page middleware (session, locale, CSRF) for every path except /xapi.

    /xapi requests authenticate with their own credentials and never use the session,
    the page locale or CSRF tokens; on the ingest path the page middleware was ~13 % of
    the event loop's samples (py-spy), BaseHTTPMiddleware being the costly part.
    """

    def __init__(self, app: ASGIApp, /, *, middleware: Any, **options: Any) -> None:
        """Wrap ``app`` in ``middleware(**options)`` for non-/xapi requests."""
        self.app = app
        self.wrapped = middleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route /xapi straight through, everything else through the page middleware."""
        if scope["type"] == "http" and is_xapi(scope.get("path", "")):
            await self.app(scope, receive, send)
        else:
            await self.wrapped(scope, receive, send)


def _cors_headers(origin: bytes | None) -> list[tuple[bytes, bytes]]:
    """CORS headers for an xAPI response (1.0.3 Communication section 1.3 asks for CORS)."""
    return [
        (b"access-control-allow-origin", origin or b"*"),
        (b"access-control-allow-credentials", b"true" if origin else b"false"),
        (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
        (b"vary", b"Origin"),
        # What the page middleware adds elsewhere (it is skipped for /xapi).
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]


class XapiMiddleware:
    """Applies the xAPI communication rules shared by every resource under /xapi."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = 10 * 1024 * 1024) -> None:
        """Wrap ``app``; bodies larger than ``max_body_bytes`` get a 413."""
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request (only /xapi paths are touched)."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not is_xapi(path):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = headers.get(b"origin")
        if scope["method"] == "OPTIONS":
            await self._preflight(send, origin)
            return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._error(
                send,
                413,
                f"request body of {int(length)} bytes is larger than this LRS accepts "
                f"({self.max_body_bytes} bytes)",
                origin,
                None,
            )
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if scope["method"] == "POST" and any(k == "method" for k, _ in query):
            try:
                scope, receive = await self._alternate(scope, receive, query)
            except LifelongError as exc:
                await self._error(send, exc.status_code, exc.message, origin, None)
                return
            headers = dict(scope["headers"])
        version = None
        if path.rstrip("/") != PREFIX + "/about":
            raw = headers.get(VERSION_HEADER.lower().encode())
            try:
                version = negotiate(raw.decode("latin-1") if raw is not None else None)
            except LifelongError as exc:
                await self._error(send, 400, exc.message, origin, None)
                return
            scope.setdefault("state", {})["xapi_version"] = version

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = _cors_headers(origin)
                if version is not None:
                    extra.append((b"x-experience-api-version", version.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _alternate(
        self, scope: Scope, receive: Receive, query: list[tuple[str, str]]
    ) -> tuple[Scope, Receive]:
        """Rewrite an alternate-syntax request (POST ?method=X, form body) into a plain one."""
        if len(query) != 1:
            raise LifelongError(
                "alternate request syntax: the only query parameter allowed is 'method'; "
                "send the others as form fields (xAPI 1.0.3 Communication section 1.3)"
            )
        method = query[0][1].upper()
        if method not in ALT_METHODS:
            raise LifelongError(f"alternate request syntax: unknown method {method!r}")
        headers = dict(scope["headers"])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if ctype != b"application/x-www-form-urlencoded":
            raise LifelongError(
                "alternate request syntax needs Content-Type application/x-www-form-urlencoded "
                "(xAPI 1.0.3 Communication section 1.3)"
            )
        body = await _read_all(receive, self.max_body_bytes)
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        new_headers: dict[bytes, bytes] = {
            k: v
            for k, v in headers.items()
            if k not in (b"content-type", b"content-length", b"authorization")
        }
        params: list[tuple[str, str]] = []
        content = b""
        for name, value in form:
            lower = name.lower()
            if lower == "content":
                content = value.encode("utf-8")
            elif lower in ALT_HEADERS:
                new_headers[lower.encode()] = value.encode("latin-1", "replace")
            else:
                params.append((name, value))
        version = new_headers.get(b"x-experience-api-version", b"").decode()
        if not version.startswith("1.0"):
            raise LifelongError(
                "the alternate request syntax (POST with ?method=) exists only in xAPI 1.0.x; "
                "xAPI 2.0 removed it (IEEE 9274.1.1 section 4.1.1): send a normal request"
            )
        if negotiate(version) != V1:  # pragma: no cover - guarded above
            raise LifelongError("alternate request syntax is for xAPI 1.0.x only")
        new_headers[b"content-length"] = str(len(content)).encode()
        if content and b"content-type" not in new_headers:
            new_headers[b"content-type"] = b"application/json"
        new_scope = dict(scope)
        new_scope["method"] = method
        new_scope["query_string"] = urlencode(params).encode()
        new_scope["headers"] = list(new_headers.items())
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        return new_scope, replay

    async def _preflight(self, send: Send, origin: bytes | None) -> None:
        """Answer a CORS preflight without authentication."""
        headers = [
            *_cors_headers(origin),
            (b"access-control-allow-methods", ALLOW_METHODS.encode()),
            (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
            (b"access-control-max-age", b"86400"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _error(
        self, send: Send, status: int, message: str, origin: bytes | None, version: str | None
    ) -> None:
        """Send the product's JSON error shape from inside the middleware."""
        body = orjson.dumps({"error": message, "detail": None})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *_cors_headers(origin),
        ]
        if version:
            headers.append((b"x-experience-api-version", version.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _read_all(receive: Receive, limit: int) -> bytes:
    """Read a whole request body, refusing more than ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        message: dict[str, Any] = dict(await receive())
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            raise LifelongError(f"request body larger than {limit} bytes", 413)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)
