"""Helper processes (pools beside a web or CLI process) that end with their parent."""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(parent: int) -> None:
    """Start a daemon thread that ends this process once ``parent`` is gone.

    A parent that exits cleanly shuts its pool down; one that is killed (``kill -9``, the
    OOM killer) cannot, and its children would live on, orphaned (still holding the
    statement store's write lock, for a generator worker). The thread checks once a second
    that the parent is still the one that started the process. ``os._exit`` mid-write
    leaves the open transaction uncommitted, so nothing half-written remains.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
