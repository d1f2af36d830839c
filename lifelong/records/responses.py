"""HTTP shapes shared by the document, Activities, Agents and About resources."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

from lifelong.records.documents.service import etag_of


def http_date(moment: datetime) -> str:
    """An RFC 7231 IMF-fixdate for Last-Modified."""
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def query_params(request: Request) -> dict[str, str | None]:
    """The query parameters (first value of each), as the services expect them."""
    return {key: request.query_params.get(key) for key in request.query_params}


def if_none_match_hits(request: Request, etag: str) -> bool:
    """Whether a GET's If-None-Match names the current ETag (RFC 7232 section 3.2)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {part.strip().removeprefix("W/").strip('"') for part in header.split(",")}
    return "*" in tags or etag in tags


def content_response(
    request: Request,
    content: bytes,
    *,
    media_type: str,
    etag: str | None = None,
    last_modified: datetime | None = None,
) -> Response:
    """A GET/HEAD response with ETag and Last-Modified; HEAD gets the headers only."""
    etag = etag or etag_of(content)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    if if_none_match_hits(request, etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(content))
        return Response(status_code=200, headers=headers, media_type=media_type)
    return Response(content=content, status_code=200, headers=headers, media_type=media_type)


def json_response(
    request: Request, value: Any, *, last_modified: datetime | None = None
) -> Response:
    """A JSON GET/HEAD response with an ETag over its bytes."""
    return content_response(
        request, orjson.dumps(value), media_type="application/json", last_modified=last_modified
    )


def no_content(etag: str | None = None) -> Response:
    """204 for a successful PUT/POST/DELETE, with the new ETag when there is one."""
    headers = {"ETag": f'"{etag}"'} if etag else None
    return Response(status_code=204, headers=headers)
