"""The recommender inside the web process: load the model, train in the background at
start-up when none exists and then on a schedule, never blocking start-up.

Several workers may start at once: a non-blocking ``flock`` on ``<dir>/.training``
lets one of them train and the others skip, and every worker picks the new version up
through its ``ModelHolder``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from lifelong.config import Settings
from lifelong.locks import try_lock

if TYPE_CHECKING:  # NumPy/SciPy load on first use, not while the web process starts
    from lifelong.personalize.artefacts import ModelHolder

log = logging.getLogger("lifelong.personalize")
_active: ModelHolder | None = None


def active() -> ModelHolder | None:
    """The holder of the running app (used when a caller does not pass a model)."""
    return _active


def training_lock(settings: Settings) -> AbstractContextManager[bool]:
    """Yield True if this process may train now (no other process is training)."""
    return try_lock(settings.recommender_dir / ".training")


def train_once(settings: Settings) -> str | None:
    """Train with a private engine (so app shutdown cannot pull it away); skip when
    another process is training or there is nothing to recommend."""
    from sqlalchemy import func, select

    from lifelong.db.engine import engine_from_settings, make_session_factory
    from lifelong.learning.models import Resource, ResourceStatus
    from lifelong.personalize.jobs import train

    engine = engine_from_settings(settings)
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            published = session.scalar(
                select(func.count(Resource.id)).where(Resource.status == ResourceStatus.published)
            )
        if not published:
            return None
        with training_lock(settings) as mine:
            if not mine:
                return None
            return train(settings, factory).name
    finally:
        engine.dispose()


async def _train_in_background(settings: Settings, holder: ModelHolder, *, first: bool) -> None:
    from lifelong.personalize.artefacts import current_version

    try:
        if not first or current_version(settings.recommender_dir) is None:
            version = await asyncio.to_thread(train_once, settings)
            if version:
                log.info("recommender model %s trained", version)
                holder.refresh()
    except Exception:  # a failed training must not take the web process down
        log.exception("recommender training failed")


async def _schedule(settings: Settings, holder: ModelHolder) -> None:
    if settings.recommend.train_on_startup:
        await _train_in_background(settings, holder, first=True)
    interval = settings.recommend.train_interval_seconds
    while interval > 0:
        await asyncio.sleep(interval)
        await _train_in_background(settings, holder, first=False)


def start(app: Any, settings: Settings) -> asyncio.Task[None]:
    """Attach a model holder to ``app.state.recommender`` and start the schedule."""
    from lifelong.personalize.artefacts import ModelHolder

    global _active
    holder = ModelHolder(
        settings.recommender_dir, check_seconds=settings.recommend.reload_check_seconds
    )
    app.state.recommender = holder
    _active = holder
    return asyncio.get_running_loop().create_task(_schedule(settings, holder))


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel the schedule (a training already running in its thread finishes alone)."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
