"""Random streams keyed by (seed, stage, chunk): a resumed chunk draws exactly the same."""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime

import numpy as np

# Namespace of every generated identifier: statement ids, registrations and certificate
# ids are version 7 UUIDs with name-based random bits (`lifelong.ids.Uuid7Namer`).
NAMESPACE = uuid.UUID("5d1f0c9e-2b7a-5c43-8e61-7a0f3d2c9b14")


def stream(seed: int, stage: str, chunk: int) -> np.random.Generator:
    """An independent PCG64 stream for one chunk of one stage."""
    key = zlib.crc32(stage.encode())
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key, chunk])))


def run_namespace(seed: int, as_of: str) -> uuid.UUID:
    """The namespace of a run's ids: same seed and as-of date, same statement ids."""
    return uuid.uuid5(NAMESPACE, f"lifelong-synth/{seed}/{as_of}")


def minted_at(as_of: datetime, chunk: int | None) -> int:
    """When a chunk's ids are minted (``ids.Uuid7Namer``), in Unix milliseconds:
    the run's as-of moment, one millisecond a chunk after the demo learner's (``None``).
    Chunks land in about this order, so the store's id index grows at its end."""
    return int(as_of.timestamp() * 1000) + (0 if chunk is None else chunk + 1)
