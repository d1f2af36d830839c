"""Random streams keyed by (seed, stage, chunk): a resumed chunk draws exactly the same."""

from __future__ import annotations

import hashlib
import uuid
import zlib
from datetime import datetime

import numpy as np

from lifelong.ids import hyphenated

# Namespace of every generated identifier: name-based UUIDs (RFC 4122 version 5), and the
# statement ids, version 7 with name-based random bits (`lifelong.ids.named_uuid7`).
NAMESPACE = uuid.UUID("5d1f0c9e-2b7a-5c43-8e61-7a0f3d2c9b14")


def stream(seed: int, stage: str, chunk: int) -> np.random.Generator:
    """An independent PCG64 stream for one chunk of one stage."""
    key = zlib.crc32(stage.encode())
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key, chunk])))


def run_namespace(seed: int, as_of: str) -> uuid.UUID:
    """The namespace of a run's ids: same seed and as-of date, same statement ids."""
    return uuid.uuid5(NAMESPACE, f"lifelong-synth/{seed}/{as_of}")


def minted_at(as_of: datetime, chunk: int | None) -> int:
    """When a chunk's statement ids are minted (``ids.named_uuid7``), in Unix milliseconds:
    the run's as-of moment, one millisecond a chunk after the demo learner's (``None``).
    Chunks land in about this order, so the store's id index grows at its end."""
    return int(as_of.timestamp() * 1000) + (0 if chunk is None else chunk + 1)


def name_uuid(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))`` without building UUID objects (RFC 4122 4.3).

    The generator makes one per statement; this is several times cheaper and the same.
    """
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return hyphenated(digest.hex())
