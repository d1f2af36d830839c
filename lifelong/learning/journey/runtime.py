"""The outbox's delivery task inside the web process (started in the app's lifespan)."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import FastAPI

from lifelong.config import Settings
from lifelong.learning.journey.outbox import deliver_forever


def start(app: FastAPI, settings: Settings) -> asyncio.Task[None] | None:
    """Start delivering the outbox to the in-process LRS (``app.state.lrs``)."""
    if not settings.journey.outbox_enabled:
        return None
    return asyncio.create_task(
        deliver_forever(app.state.session_factory, app.state.lrs, settings), name="xapi-outbox"
    )


async def stop(task: asyncio.Task[None] | None) -> None:
    """Stop delivering (entries not yet sent stay in the outbox for the next start)."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
