"""How far the lakehouse copy of the statements lags behind the store (contract C1).

The exporter commits each batch with the Delta application transaction
``lifelong-lrs-export`` whose version is the last ``seq`` exported, so the lag is read
from the table itself: no coupling to the exporter's process or code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from deltalake import DeltaTable
from sqlalchemy import Engine

from lifelong.records.ops import throughput

EXPORT_APP_ID = "lifelong-lrs-export"


@dataclass(frozen=True)
class LakeStatus:
    """Export progress: last seq in the lake, last seq stored, and the age of the backlog."""

    table_exists: bool
    exported_seq: int | None
    latest_seq: int | None
    lag_seconds: float
    bound_seconds: float

    @property
    def backlog(self) -> int:
        """Statements stored but not yet in the lakehouse."""
        return max((self.latest_seq or 0) - (self.exported_seq or 0), 0)

    @property
    def within_bound(self) -> bool:
        """Whether the lag is inside the configured bound (issue 4: <= 60 s by default)."""
        return self.lag_seconds <= self.bound_seconds


def statements_table(lake_dir: Path) -> Path:
    """Where the raw statements table lives (contract C1)."""
    return lake_dir / "raw" / "xapi_statements"


def exported_seq(table: Path) -> tuple[bool, int | None]:
    """Whether the Delta table exists, and the last seq its exporter committed."""
    if not (table / "_delta_log").is_dir():
        return False, None
    version = DeltaTable(str(table)).transaction_version(EXPORT_APP_ID)
    return True, int(version) if version is not None else None


def lake_status(
    store: Engine, lake_dir: Path, *, now: datetime, bound_seconds: float
) -> LakeStatus:
    """The lag: how long the oldest not-yet-exported statement has been waiting (0 if none)."""
    exists, exported = exported_seq(statements_table(lake_dir))
    with store.connect() as connection:
        latest = throughput.latest_seq(connection)
        waiting_since = (
            throughput.first_stored_after(connection, exported)
            if latest is not None and latest > (exported or 0)
            else None
        )
    lag = max((now - waiting_since).total_seconds(), 0.0) if waiting_since else 0.0
    return LakeStatus(exists, exported, latest, lag, bound_seconds)
