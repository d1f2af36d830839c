"""The LRS inside the web process: the store engine, the writer, the lakehouse exporter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.records.store import open_store

log = logging.getLogger("lifelong.records")


@dataclass
class LrsRuntime:
    """What the lifespan opened for the LRS, closed again on shutdown."""

    engine: Engine
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def start(app: FastAPI, settings: Settings) -> LrsRuntime:
    """Open (and migrate) the statement store; start background work."""
    engine = await asyncio.to_thread(open_store, settings)
    app.state.lrs_engine = engine
    return LrsRuntime(engine=engine)


async def stop(app: FastAPI, runtime: LrsRuntime) -> None:
    """Stop background work and close the store."""
    for task in runtime.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    runtime.engine.dispose()
