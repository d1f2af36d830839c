"""Queries on the statement store for the operations page (read-only, index-backed).

``stored`` is an ISO 8601 UTC string in the store, so a time window is a string range on
its index and a minute is its first 16 characters (``YYYY-MM-DDTHH:MM``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from lifelong.records.tables import statements


def iso_prefix(moment: datetime) -> str:
    """The stored-string form of a moment, to the second (compares as a prefix)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def per_minute(connection: Connection, since: datetime) -> dict[str, int]:
    """Statements stored per minute since ``since``, keyed ``YYYY-MM-DDTHH:MM``."""
    minute = func.substr(statements.c.stored, 1, 16)
    rows = connection.execute(
        select(minute.label("minute"), func.count().label("n"))
        .where(statements.c.stored >= iso_prefix(since))
        .group_by(minute)
    ).all()
    return {str(row.minute): int(row.n) for row in rows}


def by_column(connection: Connection, column: str, since: datetime) -> list[tuple[str | None, int]]:
    """Statements stored since ``since`` grouped by ``client`` or ``branch_code``."""
    key = statements.c[column]
    rows = connection.execute(
        select(key, func.count().label("n"))
        .where(statements.c.stored >= iso_prefix(since))
        .group_by(key)
        .order_by(func.count().desc())
    ).all()
    return [(row[0], int(row[1])) for row in rows]
