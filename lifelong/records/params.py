"""Parsing of the xAPI query parameters shared by several resources (IRIs, UUIDs, timestamps).

Each failure is a 400 whose message names the parameter and the rule broken, as xAPI 1.0.3
Part Three section 3.2 (error codes) and xAPI 2.0 (IEEE 9274.1.1) section 4.1.3 ask.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from lifelong.errors import BadRequest

# RFC 3987 IRI, checked structurally: a scheme, a colon, then no spaces or characters that
# RFC 3987 forbids anywhere in an IRI. xAPI 1.0.3 Part Two section 4.5 asks for absolute IRIs.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MAX_IRI_LENGTH = 2048


def is_iri(value: object) -> bool:
    """Whether ``value`` is an absolute IRI (RFC 3987 shape)."""
    return isinstance(value, str) and len(value) <= MAX_IRI_LENGTH and bool(_IRI.match(value))


def require_iri(value: str | None, name: str) -> str:
    """The parameter as an IRI, or 400 naming it."""
    if value is None or value == "":
        raise BadRequest(f"The '{name}' parameter is required.")
    if not is_iri(value):
        raise BadRequest(
            f"The '{name}' parameter must be an absolute IRI (RFC 3987), got {value[:200]!r}."
        )
    return value


def optional_uuid(value: str | None, name: str) -> str | None:
    """A UUID parameter (xAPI 1.0.3 Part Two section 4.5) in lower-case canonical form."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise BadRequest(f"The '{name}' parameter must be a UUID, got {value[:100]!r}.") from None


def optional_timestamp(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 timestamp parameter (xAPI 1.0.3 Part Two section 4.5), in UTC."""
    if value is None:
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"The '{name}' parameter must be an ISO 8601 timestamp, got {value[:100]!r}."
        ) from None
    if moment.tzinfo is None:
        # A timestamp without offset is taken as UTC (xAPI 1.0.3 Part Two section 4.5).
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def require_text(value: str | None, name: str, *, max_length: int = 1024) -> str:
    """A required string parameter such as ``stateId`` or ``profileId``."""
    if value is None or value == "":
        raise BadRequest(f"The '{name}' parameter is required.")
    if len(value) > max_length:
        raise BadRequest(f"The '{name}' parameter is longer than {max_length} characters.")
    return value
