"""Time-ordered identifiers: UUID version 7 (RFC 9562 section 5.7).

Statement ids are what the statement store's unique index holds. A random (version 4 or
5) id lands on a random leaf page of that index, so each commit dirties about one index
page a statement, and the store slows as it grows (``benchmarks/bench_lrs_writer.py``,
its growth figures). Version 7 ids begin with the Unix time in milliseconds: ids minted
together sort together and land on the index's newest pages. Python gains ``uuid.uuid7``
only in 3.14, hence these few lines.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid

_RAND_BITS = 74  # rand_a (12 bits) and rand_b (62 bits)
_RAND_B_BITS = 62


def _time_prefix(minted_ms: int) -> str:
    """The text before rand_a: 48-bit millisecond time (8-4 hex digits) and version 7."""
    time_hex = f"{minted_ms & 0xFFFF_FFFF_FFFF:012x}"
    return f"{time_hex[:8]}-{time_hex[8:]}-7"


def _text(time_prefix: str, rand: int) -> str:
    """The version 7 text of a time prefix (``_time_prefix``) and 74 random bits: rand_a
    (12 bits) after the version nibble, then rand_b (62 bits) under variant 10."""
    tail = f"{(rand & ((1 << _RAND_B_BITS) - 1)) | 0b10 << _RAND_B_BITS:016x}"
    return f"{time_prefix}{rand >> _RAND_B_BITS:03x}-{tail[:4]}-{tail[4:]}"


def uuid7(now_ms: int | None = None) -> str:
    """A fresh version 7 UUID (the current time, 74 bits from ``os.urandom``)."""
    minted = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    return _text(_time_prefix(minted), int.from_bytes(os.urandom(10), "big") >> (80 - _RAND_BITS))


class Uuid7Namer:
    """``named_uuid7`` for one namespace and one minting millisecond, many names.

    The generator names every statement of a chunk this way (one id a statement): the
    namespace's share of the hash and the time's text are worked out once, so a name
    costs one hash of its own bytes and two short formats.
    """

    __slots__ = ("_hash", "_prefix")

    def __init__(self, namespace: uuid.UUID, minted_ms: int) -> None:
        """Hash the namespace and format the 48-bit time (``time_high-time_mid``)."""
        self._hash = hashlib.sha1(namespace.bytes)
        self._prefix = _time_prefix(minted_ms)

    def __call__(self, name: str) -> str:
        """The id of ``name``: 74 bits of SHA-1(namespace, name) in the version 7 layout."""
        digest = self._hash.copy()
        digest.update(name.encode())
        return _text(self._prefix, int.from_bytes(digest.digest()[:10], "big") >> (80 - _RAND_BITS))


def named_uuid7(namespace: uuid.UUID, minted_ms: int, name: str) -> str:
    """A version 7 UUID minted at ``minted_ms`` whose random bits are SHA-1 of the
    namespace and the name (as version 5 draws its bits): the same inputs give the same
    id, and every id minted at one millisecond falls in one narrow stretch of the index."""
    return Uuid7Namer(namespace, minted_ms)(name)
