"""One transform cycle as the CLI and the scheduler run it: export, snapshot, models."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.foundation.runner import Progress, RunReport, transform
from lifelong.foundation.snapshots import SnapshotOutcome, snapshot_all

log = logging.getLogger("lifelong.foundation")


@dataclass
class CycleReport:
    """What one cycle did."""

    exported: int
    snapshots: list[SnapshotOutcome] = field(default_factory=list)
    run: RunReport | None = None


def run_cycle(
    settings: Settings,
    *,
    operational: Engine | None,
    statements: Engine | None,
    full_refresh: bool = False,
    select: str | None = None,
    progress: Progress | None = None,
) -> CycleReport:
    """Export pending statements (C1), land the operational tables (C3), run the models."""
    exported = 0
    if statements is not None:
        from lifelong.records.export import export_once

        exported = export_once(settings, statements)
    report = CycleReport(exported=exported)
    if operational is not None:
        report.snapshots = snapshot_all(settings, operational)
    report.run = transform(settings, full_refresh=full_refresh, select=select, progress=progress)
    return report
