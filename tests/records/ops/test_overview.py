"""LRS operations: throughput, rejections and lakehouse lag (issue 4, operations page)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import CommitProperties, Transaction, write_deltalake
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from lifelong.config import Settings
from lifelong.records.ops import service
from lifelong.records.ops.lake import EXPORT_APP_ID, statements_table
from lifelong.records.ops.rejections import record_rejection
from lifelong.records.store import open_store
from lifelong.records.tables import statements

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
            stamp = stored.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            connection.execute(
                insert(statements).values(
                    statement_id=str(uuid.uuid4()),
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


def mark_exported(lake_dir: Path, seq: int) -> None:
    """Commit to the raw statements table as the exporter does (contract C1)."""
    table = pa.table({"seq": pa.array([seq], pa.int64()), "stored_date": ["2026-11-28"]})
    write_deltalake(
        str(statements_table(lake_dir)),
        table,
        mode="append",
        partition_by=["stored_date"],
        commit_properties=CommitProperties(
            app_transactions=[Transaction(app_id=EXPORT_APP_ID, version=seq)]
        ),
    )


def test_overview_counts_per_minute_client_branch(
    db: Session, store: Engine, settings: Settings
) -> None:
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
    overview = service.overview(
        db, store, lake_dir=settings.lake_dir, lag_bound_seconds=60, now=NOW
    )
    assert len(overview.per_minute) == 60
    assert overview.per_minute[-1] == (NOW.replace(second=0), 2)
    assert overview.stored_last_hour == 4 and overview.peak_per_minute == 2
    assert dict(overview.by_client) == {"platform": 2, "gd-lms": 1, "outside": 1}
    assert dict(overview.by_branch) == {"GD": 2, "BJ": 1, None: 1}


def test_lag_is_age_of_oldest_unexported_statement(
    db: Session, store: Engine, settings: Settings
) -> None:
    """Lag = now - stored of the first statement after the exported seq; 0 when caught up."""
    add_statements(
        store,
        [
            (NOW - timedelta(seconds=120), "platform", None),
            (NOW - timedelta(seconds=90), "platform", None),
            (NOW - timedelta(seconds=10), "platform", None),
        ],
    )
    before = service.overview(db, store, lake_dir=settings.lake_dir, lag_bound_seconds=60, now=NOW)
    assert not before.lake.table_exists and before.lake.backlog == 3
    assert before.lake.lag_seconds == pytest.approx(120, abs=0.01)
    mark_exported(settings.lake_dir, 1)
    behind = service.overview(db, store, lake_dir=settings.lake_dir, lag_bound_seconds=60, now=NOW)
    assert behind.lake.exported_seq == 1 and behind.lake.backlog == 2
    assert behind.lake.lag_seconds == pytest.approx(90, abs=0.01)
    assert not behind.lake.within_bound
    mark_exported(settings.lake_dir, 3)
    caught_up = service.overview(
        db, store, lake_dir=settings.lake_dir, lag_bound_seconds=60, now=NOW
    )
    assert caught_up.lake.backlog == 0 and caught_up.lake.lag_seconds == 0
    assert caught_up.lake.within_bound


def test_rejections_are_listed_with_reasons(db: Session, store: Engine, settings: Settings) -> None:
    """record_rejection feeds the count, the top reasons and the recent list."""
    for _ in range(2):
        record_rejection(db, reason="verb.id must be an IRI", client="gd-lms", branch_code="GD")
    record_rejection(db, reason="statement id reused with different content", status=409)
    db.commit()
    overview = service.overview(
        db, store, lake_dir=settings.lake_dir, lag_bound_seconds=60, now=datetime.now(UTC)
    )
    assert overview.rejected_last_hour == 3
    assert overview.top_reasons[0] == ("verb.id must be an IRI", 2)
    assert overview.recent_rejections[0].status == 409
