"""Advisory file locks that keep one job of a kind running per data directory.

The web process (scheduled tasks) and the CLI can start the same job; an ``flock`` on a
lock file lets exactly one of them run it, across processes, and is released by the
kernel if the holder dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def try_lock(path: Path) -> Iterator[bool]:
    """Hold the lock file ``path`` while the block runs; yields False when another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
