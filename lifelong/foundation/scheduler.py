"""The transform on a schedule inside the web process (a lifespan task).

Each tick exports statements, re-reads the operational tables when the snapshot interval
has passed, and runs the models; unchanged models are skipped, so an idle minute costs a
few directory listings. The runner's file lock keeps it from overlapping a CLI run.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.foundation.service import run_cycle

log = logging.getLogger("lifelong.foundation")
FIRST_RUN_DELAY_SECONDS = 10.0


async def transform_forever(settings: Settings, operational: Engine, statements: Engine) -> None:
    """Run a cycle every ``transform_interval_seconds`` until cancelled."""
    last_snapshot = float("-inf")
    # A short pause first: start-up (migrations, search index) is not slowed down, and a
    # short-lived app (tests, one-off commands) never starts a run.
    await asyncio.sleep(
        min(FIRST_RUN_DELAY_SECONDS, settings.foundation.transform_interval_seconds)
    )
    while True:
        started = time.monotonic()
        snapshot = started - last_snapshot >= settings.foundation.snapshot_interval_seconds
        try:
            report = await asyncio.to_thread(
                run_cycle,
                settings,
                operational=operational if snapshot else None,
                statements=statements,
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled transform failed; retrying next interval")
        else:
            if snapshot:
                last_snapshot = started
            run = report.run
            if run is not None and run.status == "failed":
                failed = [o.name for o in run.outcomes if o.status == "failed"]
                log.warning("scheduled transform: models failed: %s", ", ".join(failed))
        elapsed = time.monotonic() - started
        await asyncio.sleep(max(settings.foundation.transform_interval_seconds - elapsed, 1.0))
