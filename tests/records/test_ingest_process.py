"""Statements are prepared and written in the ingest process: same answers as inline."""

from __future__ import annotations

import os
import signal
import time
import uuid
from concurrent.futures import Future

import orjson
import pytest
from fastapi.testclient import TestClient

from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.records.credentials import XapiClient
from tests.records.conftest import HeadersFor, statement

CLIENT = XapiClient(
    name="c",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority={"objectType": "Agent", "account": {"homePage": "https://x.org", "name": "c"}},
)


def _batch(count: int) -> list[dict[str, object]]:
    """``count`` valid statements with ids, each with a long enough name to pass the size."""
    return [
        statement(
            id=str(uuid.uuid4()),
            object={
                "objectType": "Activity",
                "id": f"http://example.org/activities/{n}",
                "definition": {"name": {"en-US": f"Resource number {n} " + "x" * 200}},
            },
        )
        for n in range(count)
    ]


@pytest.fixture(params=[True, False], ids=["ingest-process", "inline"])
def lrs(request: pytest.FixtureRequest, settings: Settings) -> TestClient:
    """The app with the ingest process, and with statements written in the web process."""
    settings.lrs.ingest_process = request.param
    with TestClient(create_app(settings)) as client:
        yield client  # type: ignore[misc]


def test_a_large_batch_is_stored_in_order(lrs: TestClient, headers_for: HeadersFor) -> None:
    headers = headers_for()
    batch = _batch(60)
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == [s["id"] for s in batch]
    got = lrs.get(
        "/xapi/statements", params={"statementId": batch[-1]["id"]}, headers=headers
    ).json()
    assert got["object"]["id"] == "http://example.org/activities/59"
    assert got["authority"]  # set from the credential in the ingest process


def test_a_bad_statement_in_a_large_batch_stores_nothing(
    lrs: TestClient, headers_for: HeadersFor
) -> None:
    headers = headers_for()
    batch = _batch(60)
    batch[41]["verb"] = {"id": "not an iri"}
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 400
    assert "verb" in response.json()["error"]
    listed = lrs.get("/xapi/statements", headers=headers).json()
    assert listed["statements"] == []
    ops = lrs.app.state.lrs.repository.fetch("SELECT count(*) FROM lrs_rejections")
    assert ops[0][0] == 1  # the rejection is recorded with its reason


def test_malformed_json_and_a_repeated_id_in_a_large_body(
    lrs: TestClient, headers_for: HeadersFor
) -> None:
    headers = {**headers_for(), "Content-Type": "application/json"}
    bad = b'[{"actor": ' + b" " * 2_000
    response = lrs.post("/xapi/statements", content=bad, headers=headers)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    batch = _batch(30)
    batch[20]["id"] = batch[3]["id"]
    response = lrs.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 400
    assert "appears twice" in response.json()["error"]


def test_a_killed_ingest_process_fails_its_waiting_requests_and_is_replaced(
    settings: Settings, headers_for: HeadersFor
) -> None:
    settings.lrs.ingest_process = True
    with TestClient(create_app(settings)) as lrs:
        headers = headers_for()
        first = _batch(5)
        assert lrs.post("/xapi/statements", json=first, headers=headers).status_code == 200
        ingest = lrs.app.state.lrs.ingest
        generation = ingest._current
        os.kill(generation.writing.pid, signal.SIGKILL)
        generation.writing.join(10)
        deadline = time.monotonic() + 10
        while generation.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not generation.alive
        generation.preparing.join(10)
        assert not generation.preparing.is_alive()  # its partner is stopped too
        second = _batch(5)
        response = lrs.post("/xapi/statements", json=second, headers=headers)
        assert response.status_code == 200, response.text
        assert ingest._current is not generation  # a new process took over
        for stored in (first[0], second[-1]):
            got = lrs.get("/xapi/statements", params={"statementId": stored["id"]}, headers=headers)
            assert got.status_code == 200


def test_requests_waiting_on_a_dead_ingest_process_get_a_503(settings: Settings) -> None:
    from lifelong.records.ingest import IngestProcess, IngestUnavailable
    from lifelong.records.repository import BatchOutcome
    from lifelong.records.store import open_store

    open_store(settings).dispose()
    ingest = IngestProcess(settings)
    generation = ingest._current = ingest._start()
    try:
        os.kill(generation.preparing.pid, signal.SIGKILL)
        generation.preparing.join(10)
        # A request queued to the dead process: the sender's broken pipe or the
        # receiver's end of file answers it, whichever comes first.
        future: Future[BatchOutcome] = Future()
        generation.pending[-1] = future
        generation.outbox.put((-1, "batch", None))
        with pytest.raises(IngestUnavailable) as raised:
            future.result(timeout=30)
        assert raised.value.status_code == 503
        assert "sent again" in raised.value.message
        generation.writing.join(10)
        assert not generation.writing.is_alive()  # the writing process ends with it
    finally:
        ingest.close()


def test_closing_answers_every_batch_already_sent(settings: Settings) -> None:
    """Shutting down lets both processes finish: every batch sent before ``close`` is
    committed and answered, none gets a 503."""
    from lifelong.records.credentials import XapiClient
    from lifelong.records.ingest import IngestProcess
    from lifelong.records.repository import StatementRepository
    from lifelong.records.store import open_store

    engine = open_store(settings)
    authority = {"objectType": "Agent", "account": {"homePage": "https://x.org", "name": "c"}}
    client = XapiClient(name="c", scopes=frozenset({"all"}), branch_code=None, authority=authority)
    ingest = IngestProcess(settings)
    bodies = [orjson.dumps(_batch(20)) for _ in range(15)]
    futures = [ingest.submit_body(body, "application/json", client, "1.0.3") for body in bodies]
    ingest.close()
    outcomes = [future.result(timeout=1) for future in futures]
    assert all(outcome.stored == 20 for outcome in outcomes)
    repository = StatementRepository(engine)
    assert repository.fetch("SELECT count(*) FROM lrs_statements")[0][0] == 300
    repository.close()
    engine.dispose()


def test_a_waiter_that_gives_up_never_stops_the_writer(settings: Settings) -> None:
    """A batch whose future is cancelled while queued is not written; the writer thread
    goes on answering the others (answering a cancelled future would raise in it). The
    ingest's futures cannot be cancelled at all: their answer may already be on its way."""
    import threading

    from lifelong.records.ingest import IngestProcess
    from lifelong.records.records import build_record, ifi_key
    from lifelong.records.repository import Batch, StatementRepository
    from lifelong.records.store import open_store
    from lifelong.records.validation import check_statements
    from lifelong.records.writer import StatementWriter

    def batch(count: int) -> Batch:
        statements = check_statements(_batch(count), "1.0.3")
        records = [build_record(s, CLIENT, "1.0.3", "x") for s in statements]
        return Batch(records, "c", ifi_key(CLIENT.authority), "1.0.3")

    engine = open_store(settings)
    repository = StatementRepository(engine)
    release = threading.Event()
    original = repository.write

    def held_write(batches: list[Batch]) -> object:
        release.wait(10)
        return original(batches)

    repository.write = held_write  # type: ignore[method-assign]
    writer = StatementWriter(repository)
    try:
        first = writer.submit(batch(2))
        time.sleep(0.2)  # the writer holds the first batch, waiting
        abandoned, kept = writer.submit(batch(3)), writer.submit(batch(4))
        assert abandoned.cancel()
        release.set()
        assert first.result(timeout=10).stored == 2
        assert kept.result(timeout=10).stored == 4
        counted = repository.fetch("SELECT count(*) FROM lrs_statements")[0][0]
        assert counted == 6  # the abandoned batch was never written
    finally:
        writer.close()
        engine.dispose()
    ingest = IngestProcess(settings)
    try:
        future = ingest.submit_batch(batch(1))
        assert not future.cancel()
        assert future.result(timeout=60).stored == 1
    finally:
        ingest.close()
