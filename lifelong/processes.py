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


def lower_thread_priority(niceness: int) -> None:
    """Raise the calling thread's nice value to ``niceness`` (Linux: a per-thread value;
    threads it starts afterwards inherit it). For work that competes for the cores with
    a thread on the critical path. Best effort: where the platform refuses, nothing
    changes."""
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < niceness:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except (AttributeError, OSError):
        pass
