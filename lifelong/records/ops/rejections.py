"""Read the LRS rejection log (``lrs_rejections`` in the statement store) for the page.

The statements resource writes it (``lifelong.records.rejections.record_rejection``);
``at`` is an ISO 8601 UTC string, so a time window is a string range on its index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from lifelong.records.ops.throughput import iso_prefix
from lifelong.records.tables import rejections


def recent(connection: Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest rejections first, as dicts (at, client, version, status, reason)."""
    rows = connection.execute(
        select(
            rejections.c.at,
            rejections.c.client,
            rejections.c.version,
            rejections.c.status,
            rejections.c.reason,
        )
        .order_by(rejections.c.id.desc())
        .limit(limit)
    ).all()
    return [dict(row._mapping) for row in rows]


def count_since(connection: Connection, since: datetime) -> int:
    """How many requests were refused since ``since``."""
    query = select(func.count()).select_from(rejections).where(rejections.c.at >= iso_prefix(since))
    return int(connection.execute(query).scalar() or 0)


def reasons_since(
    connection: Connection, since: datetime, *, limit: int = 10
) -> list[tuple[str, int]]:
    """The most frequent rejection reasons since ``since``."""
    rows = connection.execute(
        select(rejections.c.reason, func.count().label("n"))
        .where(rejections.c.at >= iso_prefix(since))
        .group_by(rejections.c.reason)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    return [(str(reason), int(n)) for reason, n in rows]
