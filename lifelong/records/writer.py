"""Group commit: one thread writes every pending batch in one durable transaction.

Concurrent requests each wait for their batch's commit (so a 200 still means durable),
but they share the fsync, which is what lets SQLite take tens of thousands of
statements per second with ``synchronous=FULL``.

On SQLite the WAL checkpoint (copying committed pages into the database file and
fsync'ing it) is moved off the commit path: a checkpointer thread runs a PASSIVE
checkpoint on its own connection every ``CHECKPOINT_SECONDS``, and the writer's own
automatic checkpoint only fires past ``repository.WAL_BOUND_PAGES`` (under sustained
writes the background checkpoint never reaches the newest commit, so only the writer's
can let the WAL be reset and keep it bounded). A checkpoint never changes what a commit made
durable (the WAL already holds it), so the 200 still follows the commit's fsync; measured
here, checkpoints inside COMMIT were ~40 % of the writer's time at 800 statements a group.
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
CHECKPOINT_SECONDS = 1.0
_STOP = object()


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection, off the commit path."""

    def __init__(self, repository: StatementRepository, interval: float) -> None:
        """Start the checkpointer thread."""
        self.repository = repository
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lrs-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        """Checkpoint every interval until stopped (errors are logged, never fatal)."""
        while not self._stop.wait(self.interval):
            try:
                self.repository.checkpoint()
            except Exception:
                log.exception("WAL checkpoint failed; retrying next interval")

    def close(self) -> None:
        """Stop the thread and checkpoint once more."""
        self._stop.set()
        self._thread.join(timeout=30)
        try:
            self.repository.checkpoint()
        except Exception:
            log.exception("final WAL checkpoint failed")


class StatementWriter:
    """Serialises writes to the store and commits concurrent batches together."""

    def __init__(self, repository: StatementRepository) -> None:
        """Start the writer thread."""
        self.repository = repository
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="lrs-writer", daemon=True)
        self._thread.start()
        self._checkpointer = (
            None if repository.postgres else Checkpointer(repository, CHECKPOINT_SECONDS)
        )

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
        if self._checkpointer is not None:
            self._checkpointer.close()
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
            # A waiter that gave up (its future cancelled) before its batch is written
            # is dropped; every other future is marked running, so it can no longer be
            # cancelled and always gets its answer (set_result on a cancelled future
            # raises, which would end this thread).
            pending = [p for p in pending if p[1].set_running_or_notify_cancel()]
            if not pending:
                if stop:
                    return
                continue
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
                try:
                    self.repository.merge_ids()  # after answering: no request waits on it
                except Exception:
                    log.exception("merging statement ids failed; retrying after a later group")
            if stop:
                return
