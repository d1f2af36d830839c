"""Value formats xAPI relies on: IRIs, UUIDs, RFC 5646 tags, ISO 8601 times and durations.

Every check is a compiled regex plus a bounded cache of values already accepted, because
the same verb, activity and language tags recur in almost every statement of a batch.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# RFC 3987 section 2.2: scheme ":" ihier-part; no spaces, controls or the excluded
# delimiters <>"{}|\^` anywhere.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")
# RFC 5646 section 2.1 (well-formed langtag, private use, and the common grandfathered tags).
_LANGTAG = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+"
    r"|(?:en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo"
    r"|i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish"
    r"|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang))$"
)
# ISO 8601 extended date-time as profiled by RFC 3339 (xAPI 1.0.3 Data 4.5; 2.0 5.4).
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
# ISO 8601 duration (xAPI 1.0.3 Data 4.6): PnYnMnDTnHnMnS or PnW.
_DURATION = re.compile(
    r"^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$"
    r"|^P\d+(?:[.,]\d+)?W$"
)
# A UTC date-time with a "Z" and at most microseconds (a subset of _TIMESTAMP).
UTC_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,6}))?Z")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;.*)?$")

_CACHE_LIMIT = 50_000
_iri_ok: set[str] = set()
_lang_ok: set[str] = set()


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID string (RFC 4122 text form)."""
    return isinstance(value, str) and len(value) == 36 and _UUID.match(value) is not None


def is_iri(value: object) -> bool:
    """Whether ``value`` is an absolute IRI (RFC 3987)."""
    if not isinstance(value, str):
        return False
    if value in _iri_ok:
        return True
    if _IRI.match(value) is None:
        return False
    if len(_iri_ok) > _CACHE_LIMIT:
        _iri_ok.clear()
    _iri_ok.add(value)
    return True


def is_language_tag(value: object) -> bool:
    """Whether ``value`` is a well-formed RFC 5646 language tag."""
    if not isinstance(value, str):
        return False
    if value in _lang_ok:
        return True
    if _LANGTAG.match(value) is None:
        return False
    if len(_lang_ok) > _CACHE_LIMIT:
        _lang_ok.clear()
    _lang_ok.add(value)
    return True


def all_iris(values: Collection[object]) -> bool:
    """Whether every one of ``values`` (a dict's keys, say) is an absolute IRI; one C-level
    set look-up when all were seen before."""
    return _iri_ok.issuperset(values) or all(is_iri(value) for value in values)


def all_language_tags(values: Collection[object]) -> bool:
    """Whether every one of ``values`` (a language map's keys) is an RFC 5646 tag; one
    C-level set look-up when all were seen before."""
    return _lang_ok.issuperset(values) or all(is_language_tag(value) for value in values)


def is_duration(value: object) -> bool:
    """Whether ``value`` is an ISO 8601 duration."""
    return isinstance(value, str) and _DURATION.match(value) is not None


def is_mbox(value: object) -> bool:
    """Whether ``value`` is a ``mailto:`` IRI with one address."""
    return isinstance(value, str) and _MBOX.match(value) is not None


def is_sha1(value: object) -> bool:
    """Whether ``value`` is a hex SHA-1 digest."""
    return isinstance(value, str) and _SHA1.match(value) is not None


def is_sha2(value: object) -> bool:
    """Whether ``value`` is a hex SHA-224/256/384/512 digest."""
    return isinstance(value, str) and _SHA2.match(value) is not None


def is_media_type(value: object) -> bool:
    """Whether ``value`` looks like an Internet media type (RFC 2046)."""
    return isinstance(value, str) and _MEDIA_TYPE.match(value) is not None


def parse_timestamp(value: object, *, require_offset: bool = False) -> datetime | None:
    """The UTC instant of an ISO 8601 timestamp, or None when it is not one.

    1.0.3 Data 4.5: a negative-zero offset (-00, -0000, -00:00) is not allowed; a time
    without an offset is taken as UTC. xAPI 2.0 (RFC 3339) requires the offset.
    """
    if not isinstance(value, str):
        return None
    if UTC_Z.fullmatch(value) is not None and value[11:13] != "24":
        # What the platform and most clients send, parsed in C: the same instant (and
        # the same refusals: day 30 of February, second 60) at a tenth of the cost. An
        # hour of 24 goes the long way (newer Pythons read "24:00" as next midnight).
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None and require_offset:
        return None
    if offset is not None and offset[0] == "-" and offset[1:].replace(":", "").strip("0") == "":
        return None
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        instant = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, UTC
        )
    except ValueError:
        return None
    if offset and offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            return None
        instant -= sign * timedelta(hours=hours, minutes=minutes)
    return instant


def format_timestamp(instant: datetime) -> str:
    """The canonical text of an instant: UTC, microseconds, ``Z`` (sorts as it reads)."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    # Same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at a fifth of its cost (it runs
    # once or twice per stored statement).
    return (
        f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d}T{instant.hour:02d}:"
        f"{instant.minute:02d}:{instant.second:02d}.{instant.microsecond:06d}Z"
    )
