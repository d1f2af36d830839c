"""The transform on a schedule beside the web process (a lifespan task).

Each tick exports statements, re-reads the operational tables when the snapshot interval
has passed, and runs the models; unchanged models are skipped, so an idle minute costs a
few directory listings. The runner's file lock keeps it from overlapping a CLI run.

The cycle runs in a spawned process of its own at a lower CPU priority
(``foundation.transform_niceness``): a refresh of the models is batch work, and on a
small machine it took CPU (and, as a thread of the web process, the GIL) from requests;
measured on the LRS ingest benchmark, every default at 19.0 k statements/s against
20.8 k with the transform off, its first run falling inside the measured 30 s.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from lifelong.config import Settings

log = logging.getLogger("lifelong.foundation")
FIRST_RUN_DELAY_SECONDS = 10.0


@dataclass(frozen=True)
class CycleSummary:
    """What the web process learns of a cycle: the run's status, failed models, where."""

    status: str | None  # the run's (None: no run)
    failed: tuple[str, ...]
    pid: int
    niceness: int


class CycleProcess:
    """One long-lived spawned process that runs cycles at lower priority, on demand."""

    def __init__(self, settings: Settings) -> None:
        """Remember the settings; the process starts with the first cycle."""
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, *, snapshot: bool) -> CycleSummary:
        """Run one cycle there (starting the process if needed) and wait for it."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_cycle_process,
                initargs=(os.getpid(), self.settings.foundation.transform_niceness),
            )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, _cycle, self.settings, snapshot)
        except BrokenProcessPool:
            self.close()  # the process died (killed, out of memory): a new one next time
            raise

    def close(self) -> None:
        """Let a running cycle finish in its process; start no other."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


async def transform_forever(settings: Settings) -> None:
    """Run a cycle every ``transform_interval_seconds`` until cancelled."""
    last_snapshot = float("-inf")
    cycles = CycleProcess(settings)
    # A short pause first: start-up (migrations, search index) is not slowed down, and a
    # short-lived app (tests, one-off commands) never starts a run.
    await asyncio.sleep(
        min(FIRST_RUN_DELAY_SECONDS, settings.foundation.transform_interval_seconds)
    )
    try:
        while True:
            started = time.monotonic()
            snapshot = started - last_snapshot >= settings.foundation.snapshot_interval_seconds
            try:
                summary = await cycles.run(snapshot=snapshot)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduled transform failed; retrying next interval")
            else:
                if snapshot:
                    last_snapshot = started
                if summary.status == "failed":
                    log.warning("scheduled transform: models failed: %s", ", ".join(summary.failed))
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(settings.foundation.transform_interval_seconds - elapsed, 1.0))
    finally:
        cycles.close()


# -- inside the cycle process ---------------------------------------------------------------
_ENGINES: dict[str, Any] = {}


def _start_cycle_process(parent: int, niceness: int) -> None:
    """The cycle process: lower its priority, end with its web process."""
    from lifelong.processes import exit_with_parent

    os.nice(niceness)
    exit_with_parent(parent)


def _cycle(settings: Settings, snapshot: bool) -> CycleSummary:
    """One cycle, with engines the process keeps from cycle to cycle."""
    from lifelong.db.engine import engine_from_settings
    from lifelong.foundation.service import run_cycle
    from lifelong.records.store import make_store_engine

    if not _ENGINES:
        _ENGINES["operational"] = engine_from_settings(settings)
        _ENGINES["statements"] = make_store_engine(settings)
    report = run_cycle(
        settings,
        operational=_ENGINES["operational"] if snapshot else None,
        statements=_ENGINES["statements"],
    )
    run = report.run
    failed = tuple(o.name for o in run.outcomes if o.status == "failed") if run else ()
    return CycleSummary(run.status if run else None, failed, os.getpid(), os.nice(0))
