"""Servers for the LRS benchmark: Lifelong (``lifelong serve``) and Ralph (its fs backend).

Ralph is installed by the benchmark into its own virtual environment under
``benchmarks/.peers/`` (gitignored) so its pins never touch Lifelong's. Its file-system
backend refuses every write after the first unless its default operation type is APPEND,
which has to be set before ``ralph.api`` is imported: a tiny launcher module written at
run time does that (see /work/shared/dependency-notes.md).
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
from lifelong.db.migrate import upgrade
from lifelong.records.credentials import create_credential

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "benchmarks" / ".peers"
RALPH_VENV = PEERS / "ralph"
RALPH_REQUIREMENT = "ralph-malph[full]==5.*"

RALPH_LAUNCHER = '''\
"""Ralph with its fs backend appending (written by benchmarks/lrs_servers.py)."""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (must come after the patch above)
'''


@dataclass
class Server:
    """A running server: its URL and process id (for its CPU use)."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server has used so far: all threads, and its worker
        processes (``--workers N``), which live as long as the server does."""
        total = 0
        for pid in [self.pid, *_children(self.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The process ids ``pid`` started (Linux ``/proc``; empty elsewhere)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found += [int(child) for child in children.read_text().split()]
    return found


def free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def basic(user: str, password: str) -> str:
    """An HTTP Basic Authorization value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait for ``url`` to answer (any status below 500); fail with the server's log."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def lifelong_credential(settings: Settings, name: str = "bench-loader") -> str:
    """Create an all-scopes credential in the data dir; return its Authorization value."""
    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            _credential, key, secret = create_credential(session, name=name, scopes="all")
    finally:
        engine.dispose()
    return basic(key, secret)


@contextmanager
def lifelong_server(
    data_dir: Path, *, workers: int = 1, root: Path = ROOT, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``lifelong serve`` on a free port with the default embedded store (code from
    ``root``; ``env``: settings to add, ``LIFELONG_...`` variables)."""
    extra = env or {}
    port = free_port()
    log = data_dir / "server.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "LIFELONG_DATA_DIR": str(data_dir),
        "LIFELONG_SECRET_KEY": "bench",
        "LIFELONG_LOG_LEVEL": "WARNING",
        # Durable before each 200: fsync per commit (the default, stated for the record).
        "LIFELONG_LRS__SYNCHRONOUS": "FULL",
        **extra,
    }
    for name in ("LIFELONG_DATABASE_URL", "LIFELONG_LRS__DATABASE_URL"):
        env.pop(name, None)
    command = [sys.executable, "-m", "lifelong.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(root)
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url + "/healthz", log)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def ensure_ralph() -> Path:
    """Ralph's interpreter, installing ``ralph-malph[full]`` into its own venv if needed."""
    python = RALPH_VENV / "bin" / "python"
    probe = [str(python), "-c", "import ralph.api, uvicorn"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    PEERS.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(RALPH_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", RALPH_REQUIREMENT], check=True)
    return python


def ralph_version(python: Path) -> str:
    """The installed Ralph version."""
    out = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('ralph-malph'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _ralph_auth(python: Path, path: Path, user: str, password: str) -> None:
    """Ralph's users file with one all-scopes user (bcrypt hash made by Ralph's bcrypt)."""
    script = (
        "import bcrypt, json, sys\n"
        "user, password, path = sys.argv[1:]\n"
        "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()\n"
        "agent = {'mbox': 'mailto:bench@example.org', 'objectType': 'Agent'}\n"
        "json.dump([{'username': user, 'hash': hashed, 'scopes': ['all'], 'agent': agent}],"
        " open(path, 'w'))\n"
    )
    subprocess.run([str(python), "-c", script, user, password, str(path)], check=True)


@contextmanager
def ralph_server(python: Path, work: Path) -> Iterator[tuple[Server, str]]:
    """Ralph's API on its fs backend in ``work``; yields (server, Authorization value)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "ralph_launcher.py").write_text(RALPH_LAUNCHER)
    auth_file = work / "auth.json"
    _ralph_auth(python, auth_file, "bench", "bench-secret")
    port = free_port()
    log = work / "server.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(work),
        "RALPH_AUTH_FILE": str(auth_file),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(work / "store"),
        "RALPH_APP_DIR": str(work / "app"),
    }
    (work / "store").mkdir(exist_ok=True)
    command = [str(python), "-m", "uvicorn", "ralph_launcher:app", "--port", str(port)]
    command += ["--log-level", "warning"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(work)
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url + "/__lbheartbeat__", log)
        yield Server(url, process.pid), basic("bench", "bench-secret")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
