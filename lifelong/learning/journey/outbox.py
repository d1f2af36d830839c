"""The transactional outbox: learning actions become xAPI statements, delivered in order.

``emit`` adds a statement to the caller's session, so it commits (or rolls back) with the
action. ``drain_once`` hands pending entries, oldest first, to the LRS in process through
its store (contract C2: the platform's client name is ``lifelong-platform``). The LRS is
idempotent by statement id (xAPI 1.0.3 Communication 2.1.1: the same id with the same
content is not stored twice), so a crash between the LRS commit and the ``delivered_at``
stamp re-sends and still stores each statement exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from lifelong.accounts.models import User
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.db.engine import transaction
from lifelong.ids import uuid7
from lifelong.learning import xapi
from lifelong.learning.journey.models import OutboxEntry
from lifelong.learning.models import Resource

log = logging.getLogger("lifelong.learning.outbox")
PLATFORM_CLIENT = "lifelong-platform"
BATCH = 200


def emit(
    session: Session,
    settings: Settings,
    *,
    verb: str,
    user: User,
    resource: Resource,
    registration: str | None,
    at: datetime | None = None,
    **result: Any,
) -> OutboxEntry:
    """Queue one statement about ``user`` and ``resource`` in the action's transaction."""
    statement = xapi.statement(
        settings.iri_base,
        verb=verb,
        user_id=user.id,
        resource_id=resource.id,
        resource_type=resource.type.value,
        title=resource.title,
        language=resource.language,
        branch_code=user.branch.code,
        registration=registration,
        timestamp=at or utcnow(),
        statement_id=uuid7(),
        subject_code=resource.subject.code if resource.subject else None,
        provider_code=resource.provider.code if resource.provider else None,
        **result,
    )
    entry = OutboxEntry(statement_id=statement["id"], statement=statement)
    session.add(entry)
    return entry


@dataclass
class DrainReport:
    """What one pass over the outbox did."""

    delivered: int = 0
    failed: int = 0
    error: str | None = None


async def drain_once(
    session_factory: sessionmaker[Session], store: Any, settings: Settings
) -> DrainReport:
    """Deliver pending entries in order until none are left or the store fails."""
    from lifelong.records.credentials import ensure_client
    from lifelong.records.service import prepare_batch
    from lifelong.records.validation import check_statements
    from lifelong.records.versions import V1

    report = DrainReport()
    with transaction(session_factory) as session:
        client = ensure_client(session, PLATFORM_CLIENT, settings.iri_base)
    while True:
        with session_factory() as session:
            pending = session.execute(
                select(OutboxEntry.id, OutboxEntry.statement)
                .where(OutboxEntry.delivered_at.is_(None))
                .order_by(OutboxEntry.id)
                .limit(BATCH)
            ).all()
        if not pending:
            return report
        ids = [row.id for row in pending]
        try:
            statements = check_statements([dict(row.statement) for row in pending], V1)
            batch = prepare_batch(store, statements, client, V1)
            # Shielded: cancelling this task (shutdown) must not cancel the writer's future,
            # which the writer thread resolves after its commit.
            outcome = await asyncio.shield(asyncio.wrap_future(store.submit(batch)))
            if outcome.conflict:
                raise RuntimeError(outcome.conflict)
        except Exception as exc:  # the store is down or refused: keep the entries, retry
            message = f"{type(exc).__name__}: {exc}"[:2000]
            with transaction(session_factory) as session:
                session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(ids))
                    .values(attempts=OutboxEntry.attempts + 1, last_error=message)
                )
            report.failed += len(ids)
            report.error = message
            return report
        with transaction(session_factory) as session:
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(attempts=OutboxEntry.attempts + 1, delivered_at=utcnow(), last_error=None)
            )
        report.delivered += len(ids)


def pending_count(session: Session) -> int:
    """Entries not yet delivered."""
    from sqlalchemy import func

    return int(
        session.scalar(select(func.count(OutboxEntry.id)).where(OutboxEntry.delivered_at.is_(None)))
        or 0
    )


async def deliver_forever(
    session_factory: sessionmaker[Session], store: Any, settings: Settings
) -> None:
    """The lifespan task: drain, then wait; back off exponentially while the store fails."""
    interval = settings.journey.outbox_interval_seconds
    delay = interval
    while True:
        try:
            report = await drain_once(session_factory, store, settings)
        except Exception:  # the operational database itself is unavailable: retry later
            log.exception("the xAPI outbox could not be read")
            report = DrainReport(failed=1, error="outbox unreadable")
        if report.error:
            log.warning(
                "xAPI outbox: delivery failed (%s); retrying in %.1f s", report.error, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, settings.journey.outbox_max_backoff_seconds)
        else:
            delay = interval
            await asyncio.sleep(interval)
