"""Per-thread priority: a thread yields the cores without slowing the others."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from lifelong.processes import lower_thread_priority


@pytest.mark.skipif(sys.platform != "linux", reason="nice values are per thread on Linux")
def test_a_thread_lowers_its_own_priority_and_its_threads_inherit_it() -> None:
    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def lowered() -> None:
        lower_thread_priority(7)
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        lower_thread_priority(3)  # never raised again: 7 stays
        seen["again"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        started = threading.Thread(target=child)
        started.start()
        started.join()

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert seen == {"thread": max(7, before), "again": max(7, before), "child": max(7, before)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
