"""The command line: version, init, and one-line errors instead of tracebacks."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lifelong import __version__


def lifelong(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "lifelong.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_version() -> None:
    result = lifelong("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"lifelong {__version__}"


def test_init_creates_the_store_and_is_idempotent(tmp_path: Path) -> None:
    env = {"LIFELONG_DATA_DIR": str(tmp_path / "d"), "LIFELONG_DATABASE_URL": ""}
    first = lifelong("init", env=env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "d" / "lifelong.db").exists()
    assert lifelong("init", env=env).returncode == 0


def test_serve_on_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = lifelong("serve", "--port", str(port), env={"LIFELONG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "LIFELONG_DATA_DIR": str(tmp_path),
        "LIFELONG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nowhere",
    }
    result = lifelong("init", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_generate_an_unknown_scale_is_one_line(tmp_path: Path) -> None:
    result = lifelong("generate", "--scale", "huge", env={"LIFELONG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: unknown scale 'huge'; choose one of tiny, small, medium, large"
    )
    assert not (tmp_path / "lifelong.db").exists()  # nothing touched


def test_generate_refuses_a_populated_store_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    env = {"LIFELONG_DATA_DIR": str(tmp_path), "LIFELONG_DATABASE_URL": ""}
    assert lifelong("init", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "lifelong.db") as connection:
        connection.execute(
            "INSERT INTO branches (code, name_zh, name_en, kind, region, created_at, updated_at)"
            " VALUES ('X', 'X', 'X', 'provincial', 'North China', '2026-01-01', '2026-01-01')"
        )
        connection.execute(
            "INSERT INTO users (username, display_name, password_hash, role, branch_id,"
            " is_active, created_at, updated_at) VALUES ('someone', 's', 'x', 'learner', 1, 1,"
            " '2026-01-01', '2026-01-01')"
        )
    result = lifelong("generate", "--scale", "tiny", "--seed", "1", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: the store already holds data; use --force to wipe it and generate again"
    )
    with sqlite3.connect(tmp_path / "lifelong.db") as connection:
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (1,)


def test_generate_says_what_it_made_and_where_the_time_went(tmp_path: Path) -> None:
    env = {"LIFELONG_DATA_DIR": str(tmp_path), "LIFELONG_DATABASE_URL": "", "COLUMNS": "40"}
    result = lifelong("generate", "--scale", "tiny", "--seed", "1", env=env)
    assert result.returncode == 0, result.stderr
    assert "Generated tiny (seed 1" in result.stdout
    [stages] = [line for line in result.stdout.splitlines() if line.startswith("Stages: ")]
    names = re.findall(r"([a-z]+) [0-9.]+ s", stages)  # one line even 40 columns wide
    assert names == ["reference", "learners", "finishing"]


def test_demo_on_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = lifelong("demo", "--port", str(port), env={"LIFELONG_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_and_capture(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str, public_url: str | None = None
) -> str:
    """Run ``lifelong serve ARGS`` with uvicorn stubbed; the verify URL the app would issue."""
    import uvicorn
    from typer.testing import CliRunner

    from lifelong.app import create_app
    from lifelong.cli import app
    from lifelong.config import get_settings
    from lifelong.learning.credentials.openbadges import verify_url

    monkeypatch.setenv("LIFELONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIFELONG_PUBLIC_URL", public_url or "")  # restored after the test
    if public_url is None:
        monkeypatch.delenv("LIFELONG_PUBLIC_URL")
    issued: list[str] = []

    def run(target: str, **options: object) -> None:
        # What uvicorn does in each worker: build the app from the environment's settings.
        get_settings.cache_clear()
        issued.append(verify_url(create_app().state.settings, "cert-1"))

    monkeypatch.setattr(uvicorn, "run", run)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", *args])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return issued[0]


def test_serve_issues_links_on_the_port_it_listens_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = _free_port()
    url = _serve_and_capture(monkeypatch, tmp_path, "--host", "0.0.0.0", "--port", str(port))
    assert url == f"http://127.0.0.1:{port}/verify/cert-1"


def test_an_explicit_public_url_wins_over_the_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = _free_port()
    url = _serve_and_capture(
        monkeypatch, tmp_path, "--port", str(port), public_url="https://learn.example.edu.cn"
    )
    assert url == "https://learn.example.edu.cn/verify/cert-1"


def test_public_url_for_names_a_reachable_address() -> None:
    from lifelong.cli import public_url_for
    from lifelong.config import Settings

    assert public_url_for(Settings(), "127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert public_url_for(Settings(), "0.0.0.0", 8765) == "http://127.0.0.1:8765"
    assert public_url_for(Settings(), "::", 8765) == "http://[::1]:8765"
    assert public_url_for(Settings(), "10.0.0.5", 80) == "http://10.0.0.5:80"
    explicit = Settings(public_url="http://127.0.0.1:8000")
    assert public_url_for(explicit, "0.0.0.0", 8765) == "http://127.0.0.1:8000"


def test_demo_issues_and_prints_links_on_the_port_it_listens_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from lifelong.cli import app
    from lifelong.config import get_settings
    from lifelong.synth import demo

    monkeypatch.setenv("LIFELONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIFELONG_PUBLIC_URL", "")  # restored after the test
    monkeypatch.delenv("LIFELONG_PUBLIC_URL")
    monkeypatch.setattr(demo, "needs_generation", lambda settings: False)
    seen: list[tuple[str, str]] = []

    def run(server: demo.AnnouncingServer) -> None:
        get_settings.cache_clear()
        seen.append((server.url, get_settings().public_url))

    monkeypatch.setattr(demo.AnnouncingServer, "run", run)
    port = _free_port()
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo", "--host", "0.0.0.0", "--port", str(port)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen == [(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}")]
