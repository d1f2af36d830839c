"""The LRS inside the web process: the store, its writer, the lakehouse exporter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from fastapi import FastAPI

from lifelong.config import Settings
from lifelong.records.service import LrsStore
from lifelong.records.store import open_store

log = logging.getLogger("lifelong.records")


@dataclass
class LrsRuntime:
    """What the lifespan opened for the LRS, closed again on shutdown."""

    store: LrsStore
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def start(app: FastAPI, settings: Settings) -> LrsRuntime:
    """Open (and migrate) the statement store; start the writer and the exporter."""
    engine = await asyncio.to_thread(open_store, settings)
    store = LrsStore(settings, engine)
    app.state.lrs_engine = engine
    app.state.lrs = store
    runtime = LrsRuntime(store=store)
    if settings.lrs.export_enabled:
        from lifelong.records.export import export_forever

        runtime.tasks.append(asyncio.create_task(export_forever(settings, engine)))
    return runtime


async def stop(app: FastAPI, runtime: LrsRuntime) -> None:
    """Stop background work, finish queued writes and close the store."""
    for task in runtime.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await asyncio.to_thread(runtime.store.close)
    runtime.store.engine.dispose()
