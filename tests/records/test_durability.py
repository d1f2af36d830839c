"""Durability: kill -9 during sustained ingest loses no acknowledged statement and
duplicates nothing, in the store or in the lakehouse (issue 4, "Done when")."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
from lifelong.db.migrate import upgrade
from lifelong.records.credentials import create_credential
from lifelong.records.export import table_path
from lifelong.records.store import open_store
from tests.records.conftest import basic, statement

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """Start ``lifelong serve`` on ``port`` and wait until it answers."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LIFELONG_DATA_DIR": str(data_dir),
        "LIFELONG_SECRET_KEY": "durability",
        "LIFELONG_LRS__EXPORT_INTERVAL_SECONDS": "0.3",
        "LIFELONG_LOG_LEVEL": "WARNING",
    }
    env.pop("LIFELONG_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "lifelong.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("server did not start")


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux ``/proc``)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _stored_ids(settings: Settings) -> list[str]:
    """Every statement id in the store (read while the server runs: WAL readers are safe)."""
    store = open_store(settings)
    try:
        with store.connect() as connection:
            return [
                row[0]
                for row in connection.exec_driver_sql("SELECT statement_id FROM lrs_statements")
            ]
    finally:
        store.dispose()


def _lake_ids(settings: Settings, at_least: int) -> list[str]:
    """The lakehouse's statement ids once the exporter has caught up with the store."""
    path = table_path(settings)
    deadline = time.time() + 60
    ids: list[str] = []
    while time.time() < deadline:
        if (path / "_delta_log").exists():
            ids = (
                DeltaTable(str(path))
                .to_pyarrow_table(columns=["statement_id"])["statement_id"]
                .to_pylist()
            )
            if len(ids) >= at_least:
                return ids
        time.sleep(0.5)
    raise AssertionError(f"the lakehouse holds {len(ids)} statements, the store {at_least}")


@pytest.mark.slow
def test_kill_9_during_ingest(tmp_path: Path) -> None:
    """Every 200 survives kill -9; nothing is stored or exported twice."""
    if os.environ.get("LIFELONG_TEST_BACKEND") == "postgres":
        pytest.skip("exercises the embedded (SQLite + local Delta) store's durability")
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, secret_key="durability")
    engine = engine_from_settings(settings)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        _credential, key, secret = create_credential(session, name="loader", scopes="all")
    engine.dispose()
    headers = {"Authorization": basic(key, secret), "X-Experience-API-Version": "1.0.3"}
    port = _free_port()
    server = _serve(data_dir, port)
    acknowledged: set[str] = set()
    in_flight_at_kill = 0  # requests cut off by the kill: proof it hit mid-ingest
    sent: list[list[dict[str, object]]] = []
    stop = threading.Event()
    lock = threading.Lock()

    def load() -> None:
        nonlocal in_flight_at_kill
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
            while not stop.is_set():
                batch = [{**statement(), "id": str(uuid.uuid4())} for _ in range(50)]
                with lock:
                    sent.append(batch)
                try:
                    response = http.post("/xapi/statements", json=batch, timeout=10)
                except httpx.HTTPError:
                    with lock:
                        in_flight_at_kill += 1
                    continue
                if response.status_code == 200:
                    with lock:
                        acknowledged.update(response.json())

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    # Kill mid-ingest once the load is going (a slow, shared machine may take a while).
    deadline = time.time() + 60
    while time.time() < deadline and len(acknowledged) < 500:
        time.sleep(0.1)
    time.sleep(0.5)
    children = _children(server.pid)
    assert children, "large batches are prepared in a child process of the server"
    server.send_signal(signal.SIGKILL)
    server.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "orphaned child"
    time.sleep(0.5)
    stop.set()
    for worker in workers:
        worker.join()
    assert len(acknowledged) > 100, "the load did not get going before the kill"
    assert in_flight_at_kill > 0, "no request was in flight when the server was killed"

    server = _serve(data_dir, port)
    try:
        # Before anything is retried: every 200 survived, nothing is stored twice.
        before = _stored_ids(settings)
        assert len(before) == len(set(before))
        assert acknowledged <= set(before), "a statement acknowledged with 200 was lost"
        lake_before = _lake_ids(settings, len(before))
        assert len(lake_before) == len(set(lake_before)) == len(before)
        assert set(lake_before) == set(before)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
            # Clients retry what was not acknowledged: nothing may be stored twice.
            for batch in sent:
                assert http.post("/xapi/statements", json=batch, timeout=30).status_code == 200
            for statement_id in list(acknowledged)[:200]:
                got = http.get("/xapi/statements", params={"statementId": statement_id})
                assert got.status_code == 200
        expected = {s["id"] for batch in sent for s in batch}
        assert acknowledged <= expected
        ids = _stored_ids(settings)
        assert len(ids) == len(set(ids)) == len(expected)
        assert acknowledged <= set(ids)
        lake_ids = _lake_ids(settings, len(ids))
        assert len(lake_ids) == len(set(lake_ids)) == len(ids)
        seqs = sorted(
            DeltaTable(str(table_path(settings)))
            .to_pyarrow_table(columns=["seq"])["seq"]
            .to_pylist()
        )
        assert seqs == list(range(1, len(ids) + 1))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
