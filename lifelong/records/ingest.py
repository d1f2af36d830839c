"""The ingest process: statement batches are prepared and durably written beside the web process.

Every statement the web process takes (POST, PUT, the platform's own outbox) crosses to
one spawned process that parses, validates and identifies it and hands the batch to the
store's single writer thread (``records.writer``), which lives there too. The web process
keeps HTTP and reads; the request waits for its batch's answer, which comes back only
after the group commit that made it durable, so a 200 still means durable.

Why here and not in the web process: the writer's serial section (the multi-row insert
and the commit) is what limits ingest, and in the web process its Python parts queued for
the GIL behind request handling, the lake export and the unpickling of prepared rows. In
its own process the writer shares the GIL only with the preparation of the next batches,
and prepared rows never cross a process boundary (only request bodies and outcomes do).

Messages are pickled over two one-way pipes: ``(ticket, kind, payload)`` in, where kind
is ``"body"`` (a request body to prepare) or ``"batch"`` (a prepared batch), and
``(ticket, kind, value)`` back, kind ``"done"`` (a ``BatchOutcome``), ``"error"`` (a
user error as class name, message and status) or ``"failed"`` (the write raised). If the
process dies, every request still waiting gets a 503 and the next one starts a new
process: a batch whose commit happened before the death is stored once, and a client
that retries it gets a 200 (same id and content: Communication 2.1.1).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

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
    """One started ingest process and its pipes."""

    process: Any
    requests: Any  # the web process's end of the request pipe
    replies: Any  # the web process's end of the reply pipe
    outbox: queue.SimpleQueue[Any]
    pending: dict[int, Future[BatchOutcome]]
    alive: bool = True


class IngestProcess:
    """The web process's handle on its ingest process (started on first use)."""

    def __init__(self, settings: Settings) -> None:
        """Remember how to start the process; nothing runs yet."""
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
        """Queue a message for the process (started if needed) and return its future."""
        future: Future[BatchOutcome] = Future()
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

    # -- the process ---------------------------------------------------------------------
    def _start(self) -> _Generation:
        """Spawn the process and the two threads that talk to it (under ``_lock``)."""
        context = multiprocessing.get_context("spawn")  # the web process runs threads
        requests_in, requests_out = context.Pipe(duplex=False)
        replies_in, replies_out = context.Pipe(duplex=False)
        process = context.Process(
            target=serve,
            args=(self.settings, requests_in, replies_out, os.getpid()),
            name="lifelong-ingest",
            daemon=True,
        )
        process.start()
        requests_in.close()
        replies_out.close()
        generation = _Generation(process, requests_out, replies_in, queue.SimpleQueue(), {})
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
        """Resolve each request's future with the process's answer, until it ends."""
        while True:
            try:
                ticket, kind, value = generation.replies.recv()
            except (EOFError, OSError):
                break
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
            generation.alive = False
            waiting = list(generation.pending)
        if waiting and not self._closed:
            log.error("the ingest process ended with %d requests unanswered", len(waiting))
        self._fail(generation, waiting)
        generation.replies.close()

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
        """Let the process finish what it was sent (answering it), then stop it."""
        with self._lock:
            self._closed = True
            generation, self._current = self._current, None
        if generation is None:
            return
        generation.outbox.put(_STOP)
        generation.process.join(timeout)
        if generation.process.is_alive():
            log.error("the ingest process did not stop in %.0f s; terminating it", timeout)
            generation.process.terminate()
            generation.process.join(5)
        generation.requests.close()


# -- inside the ingest process ---------------------------------------------------------------
def serve(settings: Settings, requests: Any, replies: Any, parent: int) -> None:
    """The ingest process: prepare each message's batch, write it, answer once durable."""
    from lifelong.gc_tuning import settle_garbage_collector
    from lifelong.learning.xapi import extension
    from lifelong.processes import exit_with_parent
    from lifelong.records.repository import StatementRepository
    from lifelong.records.service import prepare_body
    from lifelong.records.store import make_store_engine
    from lifelong.records.writer import StatementWriter

    settle_garbage_collector()
    exit_with_parent(parent)
    engine = make_store_engine(settings)
    writer = StatementWriter(StatementRepository(engine))
    branch_extension = extension(settings.iri_base, "branch")
    send_lock = threading.Lock()

    def answer(ticket: int, kind: str, value: Any) -> None:
        with send_lock:
            replies.send((ticket, kind, value))

    def written(ticket: int, future: Future[BatchOutcome]) -> None:
        error = future.exception()
        if error is None:
            answer(ticket, "done", future.result())
        else:
            answer(ticket, "failed", f"{type(error).__name__}: {error}")

    try:
        while True:
            try:
                message = requests.recv()
            except (EOFError, OSError):
                break  # the web process is gone: finish what was queued, then end
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
                answer(ticket, "error", (type(exc).__name__, exc.message, exc.status_code))
                continue
            except Exception as exc:
                log.exception("preparing a statement batch failed")
                answer(ticket, "failed", f"{type(exc).__name__}: {exc}")
                continue
            writer.submit(batch).add_done_callback(partial(written, ticket))
    finally:
        writer.close()  # commits and answers everything already submitted
        engine.dispose()
        replies.close()
