"""The app served by uvicorn in a thread of the test process, for browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from lifelong.app import create_app
from lifelong.config import Settings


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(settings: Settings, port: int | None = None) -> Iterator[str]:
    """Serve the app for ``settings`` on ``port`` (default: a free one); yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 90  # generous: CI machines can be busy
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start in 90 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
