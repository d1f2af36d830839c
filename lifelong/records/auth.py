"""HTTP Basic authentication of LRS clients (xAPI 1.0.3 section 6.4; 2.0 section 4.1.6)."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from lifelong.config import Settings
from lifelong.db.engine import transaction
from lifelong.errors import Forbidden
from lifelong.records import credentials
from lifelong.records.credentials import XapiClient

CHALLENGE = {"WWW-Authenticate": 'Basic realm="Lifelong xAPI"'}


def _unauthorised(message: str) -> HTTPException:
    """A 401 carrying the Basic challenge (RFC 7617 section 2)."""
    return HTTPException(status_code=401, detail=message, headers=CHALLENGE)


def parse_basic(header: str | None) -> tuple[str, str]:
    """Key and secret from an ``Authorization: Basic`` header (401 when unusable)."""
    if not header:
        raise _unauthorised("send HTTP Basic credentials (an LRS key and secret)")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise _unauthorised("the LRS accepts only HTTP Basic credentials")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorised("the Basic credentials are not valid base64") from None
    key, sep, secret = decoded.partition(":")
    if not sep:
        raise _unauthorised("the Basic credentials must be key:secret")
    return key, secret


async def authenticated_client(request: Request) -> XapiClient:
    """The client behind the request's Basic credentials; cached a few seconds.

    The xAPI dependencies are coroutines: a plain function would be run in the thread
    pool, two thread hand-offs a request for what is a dictionary look-up when cached
    (measured: a tenth of the web process's time under batch ingest). Only a cache miss
    reaches the database, in the thread pool.
    """
    key, secret = parse_basic(request.headers.get("authorization"))
    settings: Settings = request.app.state.settings
    cache: dict[tuple[str, str], tuple[float, XapiClient]] = request.app.state.__dict__.setdefault(
        "_lrs_credential_cache", {}
    )
    digest = credentials.hash_secret(secret)
    now = time.monotonic()
    hit = cache.get((key, digest))
    if hit is not None and hit[0] > now:
        client = hit[1]
    else:
        found = await run_in_threadpool(
            _verify, request.app.state.session_factory, key, secret, settings.iri_base
        )
        if found is None:
            cache.pop((key, digest), None)
            raise _unauthorised("unknown or revoked LRS credentials")
        client = found
        if len(cache) > 10_000:
            cache.clear()
        cache[(key, digest)] = (now + settings.lrs.credential_cache_seconds, client)
    request.state.xapi_client = client
    return client


def _verify(session_factory: Any, key: str, secret: str, iri_base: str) -> XapiClient | None:
    """Look the credential up in the operational database."""
    with transaction(session_factory) as session:
        return credentials.verify(session, key, secret, iri_base)


XapiClientDep = Annotated[XapiClient, Depends(authenticated_client)]


def require_scope(scope: str, *, read: bool | None = None) -> Callable[..., Awaitable[XapiClient]]:
    """A dependency admitting clients that hold ``scope`` (xAPI 1.0.3 section 6.4.2).

    ``read`` None means: decided by the HTTP method (GET and HEAD are reads), so
    ``all/read`` admits reads of every resource and nothing else.
    """

    async def check(request: Request, client: XapiClientDep) -> XapiClient:
        is_read = request.method in ("GET", "HEAD") if read is None else read
        if not client.may(scope, read=is_read):
            raise Forbidden(
                f"credential {client.name!r} lacks the scope this needs "
                f"({scope}{' or all/read' if is_read else ''}; xAPI 1.0.3 section 6.4.2)"
            )
        return client

    return check


async def request_version(request: Request) -> str:
    """The xAPI version the middleware negotiated for this request."""
    version: str = request.state.xapi_version
    return version


XapiVersion = Annotated[str, Depends(request_version)]
