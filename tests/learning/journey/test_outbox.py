"""The xAPI outbox: statements commit with the action and reach the LRS exactly once, even
when the store is unavailable for a while."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from lifelong.config import Settings
from lifelong.learning.journey import service
from lifelong.learning.journey.models import OutboxEntry
from lifelong.learning.journey.outbox import PLATFORM_CLIENT, DrainReport, drain_once
from lifelong.records.service import LrsStore
from lifelong.records.store import migrate
from tests.factories import token_for
from tests.learning.journey.factories import user_named, world


@pytest.fixture
def store(settings: Settings) -> Iterator[LrsStore]:
    """A real statement store on SQLite that gives up on a lock after 0.2 s (SQLite even on
    a PostgreSQL run: the outage is made by locking the store's file)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.lrs.database_url = f"sqlite:///{(settings.data_dir / 'lrs.db').resolve()}"
    settings.lrs.ingest_process = False  # writes go through this engine, with its timeout
    engine = create_engine(
        settings.resolved_lrs_database_url,
        connect_args={"check_same_thread": False, "timeout": 0.2},
    )
    migrate(engine)
    lrs = LrsStore(settings, engine)
    yield lrs
    lrs.close()
    engine.dispose()


def _drain(*args: object) -> DrainReport:
    """Run one drain on its own event loop in a thread (a browser test's Playwright may
    already run a loop on this thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, drain_once(*args)).result()  # type: ignore[arg-type]


def _stored(settings: Settings, statement_id: str) -> list[tuple[str, str]]:
    engine = create_engine(settings.resolved_lrs_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT statement_id, client FROM lrs_statements WHERE statement_id = :id"),
                {"id": statement_id},
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1]) for row in rows]


def test_an_action_while_the_store_fails_is_delivered_once_it_recovers(
    settings: Settings, db: Session, session_factory: sessionmaker[Session], store: LrsStore
) -> None:
    made = world(db)
    service.enrol(db, settings, user_named(db, "learner1"), made["video"].id)
    db.commit()
    entry = db.scalars(select(OutboxEntry)).one()
    assert entry.statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/registered"
    assert entry.statement["actor"]["account"]["name"] == str(made["learner"].id)

    path = settings.resolved_lrs_database_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # the store is unavailable to every other writer
    try:
        failed = _drain(session_factory, store, settings)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert failed.delivered == 0 and failed.error
    db.expire_all()
    entry = db.get(OutboxEntry, entry.id)
    assert entry is not None
    assert entry.delivered_at is None and entry.attempts == 1 and entry.last_error

    recovered = _drain(session_factory, store, settings)
    assert recovered.delivered == 1 and recovered.error is None
    assert _stored(settings, entry.statement_id) == [(entry.statement_id, PLATFORM_CLIENT)]

    # A crash after the LRS commit but before the outbox was stamped sends it again:
    db.expire_all()
    entry = db.get(OutboxEntry, entry.id)
    assert entry is not None and entry.delivered_at is not None
    entry.delivered_at = None
    db.commit()
    again = _drain(session_factory, store, settings)
    assert again.delivered == 1
    assert len(_stored(settings, entry.statement_id)) == 1  # still exactly once


def test_a_failed_action_leaves_no_statement(settings: Settings, db: Session) -> None:
    made = world(db)
    learner = user_named(db, "learner1")
    service.enrol(db, settings, learner, made["document"].id)
    db.rollback()  # the request failed after the action: nothing of it is kept
    assert db.scalars(select(OutboxEntry)).all() == []


def test_the_web_process_delivers_statements_in_the_background(
    client: TestClient, db: Session, settings: Settings
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    client.post(f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 1}, headers=auth)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.expire_all()
        entries = db.scalars(select(OutboxEntry).order_by(OutboxEntry.id)).all()
        if entries and all(e.delivered_at for e in entries):
            break
        time.sleep(0.2)
    verbs = [e.statement["verb"]["display"]["en-US"] for e in entries]
    assert verbs == ["registered", "experienced", "completed", "earned"]
    assert all(e.delivered_at for e in entries)
    for entry in entries:
        assert _stored(settings, entry.statement_id) == [(entry.statement_id, PLATFORM_CLIENT)]


def test_completion_statements_name_the_certificate_earned(settings: Settings, db: Session) -> None:
    made = world(db)
    learner = user_named(db, "learner1")
    service.enrol(db, settings, learner, made["course"].id)
    service.report(db, settings, learner, made["course"].id, {"unit": 0})
    service.report(db, settings, learner, made["course"].id, {"unit": 1})
    db.commit()
    entries = db.scalars(select(OutboxEntry).order_by(OutboxEntry.id)).all()
    verbs = [e.statement["verb"]["id"].rsplit("/", 1)[1] for e in entries]
    assert verbs == ["registered", "progressed", "progressed", "completed", "earned"]
    earned = entries[-1].statement
    assert earned["object"]["id"].startswith("http://127.0.0.1:8000/verify/")
    assert earned["object"]["definition"]["type"].endswith("/cmi5/activitytype/block")
    parent = earned["context"]["contextActivities"]["parent"][0]["id"]
    assert parent == entries[0].statement["object"]["id"]
    completed = entries[-2].statement
    assert completed["result"]["completion"] is True
