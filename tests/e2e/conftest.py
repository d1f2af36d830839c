"""A live server in a subprocess (the browser fixture is in tests/conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from lifelong.config import Settings


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve(settings_env: dict[str, str]) -> Iterator[Callable[[], str]]:
    """Start ``lifelong serve`` on a free port with the test's data; returns its base URL."""
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "lifelong.cli", "serve", "--port", str(port)],
            env=settings_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # generous: CI machines can be busy
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not become ready in 90 s")

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def settings_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """Environment variables that point a subprocess at the test's stores."""
    env = dict(os.environ)
    env["LIFELONG_DATA_DIR"] = str(settings.data_dir)
    env["LIFELONG_DATABASE_URL"] = settings.resolved_database_url
    env["LIFELONG_SECRET_KEY"] = "e2e-secret"
    env["LIFELONG_LOG_LEVEL"] = "WARNING"
    return env
