"""Group commit: one thread writes every pending batch in one durable transaction.

Concurrent requests each wait for their batch's commit (so a 200 still means durable),
but they share the fsync, which is what lets SQLite take tens of thousands of
statements per second with ``synchronous=FULL``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from lifelong.records.repository import Batch, BatchOutcome, StatementRepository

log = logging.getLogger("lifelong.records.writer")
MAX_GROUP_STATEMENTS = 5_000
_STOP = object()


class StatementWriter:
    """Serialises writes to the store and commits concurrent batches together."""

    def __init__(self, repository: StatementRepository) -> None:
        """Start the writer thread."""
        self.repository = repository
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="lrs-writer", daemon=True)
        self._thread.start()

    def submit(self, batch: Batch) -> Future[BatchOutcome]:
        """Queue a batch; the future resolves once it is committed (or refused)."""
        future: Future[BatchOutcome] = Future()
        self._queue.put((batch, future))
        return future

    async def write(self, batch: Batch) -> BatchOutcome:
        """Queue a batch and wait for its commit without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(batch))

    def close(self) -> None:
        """Finish queued work and stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=30)
        self.repository.close()

    def _run(self) -> None:
        """Take everything queued, write it in one transaction, answer each waiter."""
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            pending: list[tuple[Batch, Future[BatchOutcome]]] = [item]
            size = len(item[0].records)
            stop = False
            while size < MAX_GROUP_STATEMENTS:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                pending.append(more)
                size += len(more[0].records)
            batches = [p[0] for p in pending]
            try:
                outcomes = self.repository.write(batches)
            except BaseException as exc:
                log.exception("statement write failed")
                for _batch, future in pending:
                    future.set_exception(exc)
            else:
                for (_batch, future), outcome in zip(pending, outcomes, strict=True):
                    future.set_result(outcome)
            if stop:
                return
