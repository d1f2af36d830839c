"""Record and read the LRS rejection log (for the operations page).

The statements resource and the bulk path call ``record_rejection`` when they refuse a
statement, in a unit of work of their own so the log survives the request's rollback.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifelong.records.ops.models import LrsRejection

MAX_REASON = 2000


def record_rejection(
    session: Session,
    *,
    reason: str,
    client: str | None = None,
    branch_code: str | None = None,
    status: int = 400,
    statement_id: str | None = None,
    location: str | None = None,
) -> LrsRejection:
    """Log one refused statement: its client, branch, HTTP status and the rule broken."""
    row = LrsRejection(
        reason=reason[:MAX_REASON],
        client=client[:100] if client else None,
        branch_code=branch_code[:16] if branch_code else None,
        status=status,
        statement_id=statement_id[:64] if statement_id else None,
        location=location[:255] if location else None,
    )
    session.add(row)
    session.flush()
    return row


def recent(session: Session, *, limit: int = 50) -> Sequence[LrsRejection]:
    """The newest rejections first."""
    return session.scalars(
        select(LrsRejection).order_by(LrsRejection.at.desc(), LrsRejection.id.desc()).limit(limit)
    ).all()


def count_since(session: Session, since: datetime) -> int:
    """How many rejections were logged since ``since``."""
    query = select(func.count()).select_from(LrsRejection).where(LrsRejection.at >= since)
    return int(session.scalar(query) or 0)


def reasons_since(session: Session, since: datetime, *, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent rejection reasons since ``since``."""
    rows = session.execute(
        select(LrsRejection.reason, func.count().label("n"))
        .where(LrsRejection.at >= since)
        .group_by(LrsRejection.reason)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    return [(reason, int(n)) for reason, n in rows]
