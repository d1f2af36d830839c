"""``lifelong demo`` on a generated store: serves it and prints the URL and accounts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from lifelong.config import Settings
from lifelong.synth.service import GenerateReport
from lifelong.synth.world import DEMO_USERNAMES


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_serves_and_announces_the_url_and_accounts(
    tiny: tuple[Settings, GenerateReport],
) -> None:
    port = _free_port()
    env = {**os.environ, "LIFELONG_DATA_DIR": str(tiny[0].data_dir), "LIFELONG_DATABASE_URL": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "lifelong.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        assert process.stdout is not None
        # Read until the last account's row of the table (or the process ends).
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "│ learner " in line:
                break
        output = "".join(lines)
        assert f"Lifelong is up at http://127.0.0.1:{port}" in output, output
        assert "password: demo1234" in output
        for username in DEMO_USERNAMES:
            assert f"│ {username} " in output, username
        assert "Generating" not in output  # a generated store is served as it is
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalogue") as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
