"""Refused statement requests, kept for the operations page (issue 4, item 5)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from lifelong.errors import LifelongError
from lifelong.records.formats import format_timestamp
from lifelong.records.service import LrsStore


def _insert(store: LrsStore, client: str, version: str, status: int, reason: str) -> None:
    """Insert one rejection (its own short transaction)."""
    repository = store.repository
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            repository.sql(
                "INSERT INTO lrs_rejections (at, client, version, status, reason) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (format_timestamp(datetime.now(UTC)), client, version, status, reason[:2000]),
        )
        connection.commit()
    finally:
        connection.close()


async def record_rejection(store: LrsStore, client: str, version: str, exc: LifelongError) -> None:
    """Record why a request was refused (never fails the request itself)."""
    try:
        await asyncio.to_thread(_insert, store, client, version, exc.status_code, exc.message)
    except Exception:
        return


def recent_rejections(store: LrsStore, limit: int = 50) -> list[dict[str, object]]:
    """The newest rejections, newest first."""
    rows = store.repository.fetch(
        f"SELECT at, client, version, status, reason FROM lrs_rejections ORDER BY id DESC "
        f"LIMIT {int(limit)}"
    )
    keys = ("at", "client", "version", "status", "reason")
    return [dict(zip(keys, row, strict=True)) for row in rows]
