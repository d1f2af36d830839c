"""The operations overview of the LRS: throughput, clients, branches, rejections, lag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.records.export import export_status
from lifelong.records.ops import rejections, throughput

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Overview:
    """Everything the operations page shows, for the last hour ending at ``now``."""

    now: datetime
    per_minute: list[tuple[datetime, int]]
    by_client: list[tuple[str | None, int]]
    by_branch: list[tuple[str | None, int]]
    rejected_last_hour: int
    top_reasons: list[tuple[str, int]]
    recent_rejections: list[dict[str, Any]]
    lake: dict[str, Any]

    @property
    def stored_last_hour(self) -> int:
        """Statements stored in the window."""
        return sum(count for _, count in self.per_minute)

    @property
    def peak_per_minute(self) -> int:
        """The busiest minute of the window."""
        return max((count for _, count in self.per_minute), default=0)


def minutes(now: datetime) -> list[datetime]:
    """The 60 minute starts of the hour ending at ``now``, oldest first."""
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    return [end - timedelta(minutes=offset) for offset in range(59, -1, -1)]


def overview(settings: Settings, store: Engine, *, now: datetime | None = None) -> Overview:
    """Build the overview from the statement store and the lakehouse export status.

    The lag comes from ``records.export.export_status`` (contract C1: the Delta table's
    application transaction is the last exported seq).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    buckets = minutes(now)
    since = buckets[0]
    with store.connect() as connection:
        counts = throughput.per_minute(connection, since)
        by_client = throughput.by_column(connection, "client", since)
        by_branch = throughput.by_column(connection, "branch_code", since)
        rejected = rejections.count_since(connection, now - WINDOW)
        reasons = rejections.reasons_since(connection, now - WINDOW)
        recent = rejections.recent(connection, limit=50)
    per_minute = [(start, counts.get(start.strftime("%Y-%m-%dT%H:%M"), 0)) for start in buckets]
    return Overview(
        now=now,
        per_minute=per_minute,
        by_client=by_client,
        by_branch=by_branch,
        rejected_last_hour=rejected,
        top_reasons=reasons,
        recent_rejections=recent,
        lake=export_status(settings, store),
    )
