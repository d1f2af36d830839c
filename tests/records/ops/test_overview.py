"""LRS operations: throughput, rejections and lakehouse lag (issue 4, operations page)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from lifelong.config import Settings
from lifelong.records.export import export_once
from lifelong.records.formats import format_timestamp
from lifelong.records.ops import service
from lifelong.records.records import id_halves
from lifelong.records.store import open_store
from lifelong.records.tables import rejections, statements

NOW = datetime(2026, 11, 28, 12, 30, 30, tzinfo=UTC)


@pytest.fixture
def store(settings: Settings) -> Iterator[Engine]:
    """The migrated statement store of the test's settings."""
    engine = open_store(settings)
    yield engine
    engine.dispose()


def add_statements(store: Engine, rows: list[tuple[datetime, str, str | None]]) -> None:
    """Store minimal statement rows: (stored, client, branch_code)."""
    with store.begin() as connection:
        for stored, client, branch in rows:
            stamp = format_timestamp(stored)
            statement_id = str(uuid.uuid4())
            id_hi, id_lo = id_halves(statement_id)
            connection.execute(
                insert(statements).values(
                    seg=0,
                    statement_id=statement_id,
                    id_hi=id_hi,
                    id_lo=id_lo,
                    stored=stamp,
                    timestamp=stamp,
                    verb_id="http://adlnet.gov/expapi/verbs/completed",
                    actor_ifi="mbox::mailto:a@b.c",
                    object_type="Activity",
                    activity_id="https://lifelong.example.org/resources/1",
                    authority_ifi=f"account::https://lifelong.example.org::{client}",
                    voided=False,
                    client=client,
                    branch_code=branch,
                    version="1.0.3",
                    content_hash=hashlib.sha256(stamp.encode()).hexdigest(),
                    attachments=False,
                    statement="{}",
                )
            )


def add_rejection(store: Engine, at: datetime, reason: str, status: int = 400) -> None:
    """A row in the statement store's rejection log, as the statements resource writes it."""
    with store.begin() as connection:
        connection.execute(
            insert(rejections).values(
                at=format_timestamp(at),
                client="gd-lms",
                version="2.0.0",
                status=status,
                reason=reason,
            )
        )


def test_overview_counts_per_minute_client_branch(store: Engine, settings: Settings) -> None:
    """Per-minute buckets cover the hour; clients and branches are counted in the window."""
    add_statements(
        store,
        [
            (NOW - timedelta(hours=2), "old", "GD"),
            (NOW - timedelta(minutes=5, seconds=10), "platform", "GD"),
            (NOW - timedelta(minutes=5, seconds=5), "platform", "BJ"),
            (NOW - timedelta(seconds=20), "gd-lms", "GD"),
            (NOW - timedelta(seconds=10), "outside", None),
        ],
    )
    overview = service.overview(settings, store, now=NOW)
    assert len(overview.per_minute) == 60
    assert overview.per_minute[-1] == (NOW.replace(second=0), 2)
    assert overview.stored_last_hour == 4 and overview.peak_per_minute == 2
    assert dict(overview.by_client) == {"platform": 2, "gd-lms": 1, "outside": 1}
    assert dict(overview.by_branch) == {"GD": 2, "BJ": 1, None: 1}


def test_lag_comes_from_the_export(store: Engine, settings: Settings) -> None:
    """Before export the oldest statement's age is the lag; after export it is 0."""
    now = datetime.now(UTC)
    add_statements(store, [(now - timedelta(seconds=120), "platform", None)])
    before = service.overview(settings, store)
    assert before.lake["pending_statements"] == 1
    assert before.lake["lag_seconds"] >= 120 and not before.lake["within_bound"]
    assert export_once(settings, store) == 1
    after = service.overview(settings, store)
    assert after.lake["pending_statements"] == 0 and after.lake["within_bound"]


def test_rejections_are_counted_with_reasons(store: Engine, settings: Settings) -> None:
    """The last hour's refusals are counted and their reasons ranked; older ones are not."""
    add_rejection(store, NOW - timedelta(hours=3), "old reason")
    for _ in range(2):
        add_rejection(store, NOW - timedelta(minutes=2), "verb.id must be an IRI")
    add_rejection(store, NOW - timedelta(minutes=1), "statement id reused", status=409)
    overview = service.overview(settings, store, now=NOW)
    assert overview.rejected_last_hour == 3
    assert overview.top_reasons[0] == ("verb.id must be an IRI", 2)
    assert overview.recent_rejections[0]["status"] == 409
    assert len(overview.recent_rejections) == 4
