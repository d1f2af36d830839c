"""The ingest processes: statement batches are prepared and durably written beside the web process.

Every statement the web process takes (POST, PUT, the platform's own outbox) crosses to
two spawned processes: a preparing process parses, validates and identifies it, and
hands the batch to a writing process, where the store's single writer thread
(``records.writer``) commits it in a group and the answer goes straight back to the web
process, only after the commit that made it durable (a 200 still means durable).

Why two, and why not the web process: the writer's serial section (the multi-row insert
and the commit) limits ingest, and the Python between its SQLite calls needs the GIL. In
the web process it queued for the GIL behind request handling; sharing one process with
the preparing work it waited for each of its ~10 SQLite calls a group, up to a switch
interval each (measured: 10 of a group's 18 ms). In a process of its own the writer
thread shares the GIL only with the thread that receives prepared batches.

Messages are pickled over one-way pipes: ``(ticket, kind, payload)`` to the preparing
process, kind ``"body"`` (a request body) or ``"batch"`` (a prepared batch, passed on),
``(ticket, batch)`` from it to the writing process, and ``(ticket, kind, value)`` back to
the web process, kind ``"done"`` (a ``BatchOutcome``, from the writing process),
``"error"`` (a user error as class name, message and status, from the preparing one) or
``"failed"`` (an unexpected failure). If either process dies, the other is stopped,
every request still waiting gets a 503, and the next request starts both again: a batch
whose commit happened before the death is stored once, and a client that retries it gets
a 200 (same id and content: Communication 2.1.1).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import wait
from typing import Any, cast

from lifelong import errors
from lifelong.config import Settings
from lifelong.errors import LifelongError
from lifelong.records.repository import Batch, BatchOutcome

log = logging.getLogger("lifelong.records.ingest")
START_SECONDS = 120.0  # how long a request waits for the process to come up
_STOP = None


class IngestUnavailable(LifelongError):
    """The ingest process ended before it answered (the request may be retried)."""

    status_code = 503


@dataclass
class _Generation:
    """One started pair of processes and the web process's ends of their pipes."""

    preparing: Any
    writing: Any
    requests: Any  # to the preparing process
    replies: list[Any]  # from the writing process, from the preparing process
    outbox: queue.SimpleQueue[Any]
    pending: dict[int, Future[BatchOutcome]]
    alive: bool = True


class IngestProcess:
    """The web process's handle on its ingest processes (started on first use)."""

    def __init__(self, settings: Settings) -> None:
        """Remember how to start the processes; nothing runs yet."""
        self.settings = settings
        self._lock = threading.Lock()
        self._tickets = itertools.count()
        self._current: _Generation | None = None
        self._closed = False

    # -- submitting ----------------------------------------------------------------------
    def submit_body(
        self,
        body: bytes,
        content_type: str,
        client: Any,
        version: str,
        statement_id: str | None = None,
    ) -> Future[BatchOutcome]:
        """Prepare and store a request body there; resolves once durable (or refused)."""
        return self._submit("body", (body, content_type, client, version, statement_id))

    def submit_batch(self, batch: Batch) -> Future[BatchOutcome]:
        """Store an already prepared batch there; resolves once durable."""
        return self._submit("batch", batch)

    def _submit(self, kind: str, payload: Any) -> Future[BatchOutcome]:
        """Queue a message for the processes (started if needed); its future."""
        future: Future[BatchOutcome] = Future()
        # Running from the start: a caller that gives up (asyncio cancels the wrapping
        # future) cannot cancel it, so the answer arriving later is simply not awaited.
        future.set_running_or_notify_cancel()
        with self._lock:
            if self._closed:
                raise IngestUnavailable("the statement store is shutting down; retry shortly")
            generation = self._current
            if generation is None or not generation.alive:
                generation = self._current = self._start()
            ticket = next(self._tickets)
            generation.pending[ticket] = future
        generation.outbox.put((ticket, kind, payload))
        return future

    # -- the processes -------------------------------------------------------------------
    def _start(self) -> _Generation:
        """Spawn both processes and the two threads that talk to them (under ``_lock``)."""
        context = multiprocessing.get_context("spawn")  # the web process runs threads
        requests_in, requests_out = context.Pipe(duplex=False)
        batches_in, batches_out = context.Pipe(duplex=False)
        written_in, written_out = context.Pipe(duplex=False)
        refused_in, refused_out = context.Pipe(duplex=False)
        parent = os.getpid()
        writing = context.Process(
            target=write_batches,
            args=(self.settings, batches_in, written_out, parent),
            name="lifelong-ingest-write",
            daemon=True,
        )
        preparing = context.Process(
            target=prepare_batches,
            args=(self.settings, requests_in, batches_out, refused_out, parent),
            name="lifelong-ingest-prepare",
            daemon=True,
        )
        writing.start()
        preparing.start()
        for end in (requests_in, batches_in, batches_out, written_out, refused_out):
            end.close()
        generation = _Generation(
            preparing, writing, requests_out, [written_in, refused_in], queue.SimpleQueue(), {}
        )
        threading.Thread(
            target=self._send, args=(generation,), name="lrs-ingest-send", daemon=True
        ).start()
        threading.Thread(
            target=self._receive, args=(generation,), name="lrs-ingest-receive", daemon=True
        ).start()
        return generation

    def _send(self, generation: _Generation) -> None:
        """Pickle and send queued messages in order (off the event loop)."""
        while True:
            message = generation.outbox.get()
            try:
                generation.requests.send(message)
            except (OSError, ValueError):
                if message is not _STOP:
                    self._fail(generation, [message[0]])
                return
            if message is _STOP:
                return

    def _receive(self, generation: _Generation) -> None:
        """Resolve each request's future with its answer, until the writing process ends.

        The preparing process ending (stopped, or dead) stops new work going to this pair;
        the writing process still commits and answers what it already has, then ends
        too. The writing process ending first (dead) leaves nothing to answer the rest:
        the preparing process is stopped and every request still waiting gets a 503.
        """
        written, refused = generation.replies
        open_ends = [written, refused]
        while written in open_ends:
            for end in wait(open_ends):
                try:
                    ticket, kind, value = cast(Any, end).recv()
                except (EOFError, OSError):
                    open_ends.remove(end)
                    with self._lock:
                        generation.alive = False
                    if end is written and refused in open_ends:
                        generation.preparing.terminate()
                    continue
                with self._lock:
                    future = generation.pending.pop(ticket, None)
                if future is None:
                    continue
                if kind == "done":
                    future.set_result(value)
                elif kind == "error":
                    name, message, status = value
                    error_type = getattr(errors, name, LifelongError)
                    future.set_exception(error_type(message, status))
                else:
                    future.set_exception(IngestUnavailable(f"the statement write failed: {value}"))
        with self._lock:
            waiting = list(generation.pending)
        if waiting:
            log.error("the ingest processes ended with %d requests unanswered", len(waiting))
        self._fail(generation, waiting)
        for end in generation.replies:
            end.close()

    def _fail(self, generation: _Generation, tickets: list[int]) -> None:
        """Answer ``tickets`` with a 503: their process ended before answering."""
        for ticket in tickets:
            with self._lock:
                future = generation.pending.pop(ticket, None)
            if future is not None and not future.done():
                future.set_exception(
                    IngestUnavailable(
                        "the statement writer stopped before answering; statements are "
                        "stored at most once, so the request can be sent again"
                    )
                )

    def close(self, timeout: float = 60.0) -> None:
        """Let the processes finish what they were sent (answering it), then stop them."""
        with self._lock:
            self._closed = True
            generation, self._current = self._current, None
        if generation is None:
            return
        generation.outbox.put(_STOP)
        for process in (generation.preparing, generation.writing):
            process.join(timeout)
            if process.is_alive():
                log.error("%s did not stop in %.0f s; terminating it", process.name, timeout)
                process.terminate()
                process.join(5)
        generation.requests.close()


# -- inside the ingest processes ------------------------------------------------------------
def _settle(parent: int) -> None:
    """A new ingest process: settle its collector and end with its web process."""
    from lifelong.gc_tuning import settle_garbage_collector
    from lifelong.processes import exit_with_parent

    settle_garbage_collector()
    exit_with_parent(parent)


def prepare_batches(
    settings: Settings, requests: Any, batches: Any, refused: Any, parent: int
) -> None:
    """The preparing process: each request body becomes a batch for the writing process
    (or a user error straight back to the web process)."""
    from lifelong.learning.xapi import extension
    from lifelong.records.service import prepare_body

    _settle(parent)
    branch_extension = extension(settings.iri_base, "branch")
    try:
        while True:
            try:
                message = requests.recv()
            except (EOFError, OSError):
                break  # the web process is gone
            if message is _STOP:
                break
            ticket, kind, payload = message
            try:
                if kind == "body":
                    body, content_type, client, version, statement_id = payload
                    batch = prepare_body(
                        body, content_type, client, version, branch_extension, statement_id
                    )
                    for record in batch.records:
                        record.statement = {}  # the writer needs only the text and keys
                else:
                    batch = payload
            except LifelongError as exc:
                refused.send((ticket, "error", (type(exc).__name__, exc.message, exc.status_code)))
                continue
            except Exception as exc:
                log.exception("preparing a statement batch failed")
                refused.send((ticket, "failed", f"{type(exc).__name__}: {exc}"))
                continue
            batches.send((ticket, batch))
    finally:
        with suppress(OSError):
            batches.send(_STOP)  # the writing process finishes what it has, then ends
        batches.close()
        refused.close()


def write_batches(settings: Settings, batches: Any, written: Any, parent: int) -> None:
    """The writing process: commit each prepared batch in a group, answer once durable."""
    from lifelong.records.repository import StatementRepository
    from lifelong.records.store import make_store_engine
    from lifelong.records.writer import StatementWriter

    _settle(parent)
    engine = make_store_engine(settings)
    writer = StatementWriter(StatementRepository(engine))
    send_lock = threading.Lock()

    def answer(ticket: int, future: Future[BatchOutcome]) -> None:
        error = future.exception()
        reply = (
            (ticket, "done", future.result())
            if error is None
            else (ticket, "failed", f"{type(error).__name__}: {error}")
        )
        with send_lock:
            written.send(reply)

    try:
        while True:
            try:
                message = batches.recv()
            except (EOFError, OSError):
                break  # the preparing process is gone: finish what was queued, then end
            if message is _STOP:
                break
            ticket, batch = message
            writer.submit(batch).add_done_callback(partial(answer, ticket))
    finally:
        writer.close()  # commits and answers everything already submitted
        engine.dispose()
        written.close()
