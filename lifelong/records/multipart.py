"""Parse multipart/mixed statement requests with attachments (Communication 1.5.2)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from lifelong.errors import BadRequest

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def _headers(block: bytes) -> dict[str, str]:
    """A part's headers, lower-cased names."""
    headers: dict[str, str] = {}
    for line in block.decode("latin-1").split("\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadRequest("multipart: a part header line has no colon (RFC 2046)")
        headers[name.strip().lower()] = value.strip()
    return headers


def parse(body: bytes, content_type: str) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The statements JSON and the attachments by sha2, each hash checked."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise BadRequest("multipart/mixed needs a boundary parameter (RFC 2046 5.1.1)")
    delimiter = b"--" + match.group(1).encode()
    sections = body.split(delimiter)
    if len(sections) < 3 or not sections[-1].startswith(b"--"):
        raise BadRequest("multipart/mixed body is not closed by its boundary (RFC 2046 5.1.1)")
    parts: list[tuple[dict[str, str], bytes]] = []
    for section in sections[1:-1]:
        section = section.removeprefix(b"\r\n")
        head, sep, content = section.partition(b"\r\n\r\n")
        if not sep:
            head, content = b"", section.removeprefix(b"\r\n")
        parts.append((_headers(head), content.removesuffix(b"\r\n")))
    if not parts:
        raise BadRequest("multipart/mixed body has no parts")
    first_headers, first = parts[0]
    if not first_headers.get("content-type", "").startswith("application/json"):
        raise BadRequest(
            "the first multipart part must be the statements as application/json "
            "(Communication 1.5.2)"
        )
    try:
        statements = orjson.loads(first)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the statements part is not valid JSON: {exc}") from None
    attachments: dict[str, tuple[str, bytes]] = {}
    for headers, content in parts[1:]:
        sha2 = headers.get("x-experience-api-hash", "").lower()
        if not sha2:
            raise BadRequest(
                "every attachment part needs an X-Experience-API-Hash header (Communication 1.5.2)"
            )
        if headers.get("content-transfer-encoding", "binary").lower() != "binary":
            raise BadRequest(
                "attachment parts must use Content-Transfer-Encoding: binary (Communication 1.5.2)"
            )
        algorithm = _HASHES.get(len(sha2))
        if algorithm is None or algorithm(content).hexdigest() != sha2:
            raise BadRequest(
                f"attachment part's content does not match its X-Experience-API-Hash {sha2} "
                "(SHA-2 check, Communication 1.5.2)"
            )
        attachments[sha2] = (headers.get("content-type", "application/octet-stream"), content)
    return statements, attachments
