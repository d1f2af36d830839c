"""The statement service: validate, identify, store, and answer what was stored.

Parsing, validating and building the rows of a statement batch is pure CPU work in Python,
so in one web process it is held to one core by the GIL. Large request bodies are
therefore prepared in a small pool of processes beside the web process (``LIFELONG_LRS__
PREPARE_PROCESSES``); the web process keeps HTTP and the single writer, whose SQLite work
runs with the GIL released. The rules are the same code either way.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine

from lifelong import errors
from lifelong.config import Settings
from lifelong.errors import BadRequest, Conflict, LifelongError
from lifelong.gc_tuning import settle_garbage_collector
from lifelong.learning.xapi import extension
from lifelong.processes import exit_with_parent
from lifelong.records.credentials import XapiClient
from lifelong.records.records import StatementRecord, build_record, ifi_key
from lifelong.records.repository import Batch, BatchOutcome, StatementRepository
from lifelong.records.validation import SIGNATURE_USAGE, check_statements
from lifelong.records.writer import StatementWriter

log = logging.getLogger("lifelong.records.service")


@dataclass
class LrsStore:
    """The statement store as the web process and the bulk path use it."""

    settings: Settings
    engine: Engine
    repository: StatementRepository = field(init=False)
    writer: StatementWriter = field(init=False)
    branch_extension: str = field(init=False)

    _pool: ProcessPoolExecutor | None = field(init=False, default=None)
    _pool_lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        """Create the repository and start the writer thread."""
        self.repository = StatementRepository(self.engine)
        self.writer = StatementWriter(self.repository)
        self.branch_extension = extension(self.settings.iri_base, "branch")

    def pool(self) -> ProcessPoolExecutor | None:
        """The preparing processes, started on first use (None when configured off)."""
        if self.settings.lrs.prepare_processes == 0:
            return None
        with self._pool_lock:
            if self._pool is None:
                # spawn, not fork: the web process runs threads (writer, exporter).
                self._pool = ProcessPoolExecutor(
                    max_workers=self.settings.lrs.prepare_processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_preparing_process,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _discard_pool(self) -> None:
        """Drop a broken pool (a child died); the next large batch starts a new one."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def close(self) -> None:
        """Stop the preparing processes and the writer (finishing queued batches)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        self.writer.close()


def prepare_batch(
    store: LrsStore,
    statements: list[dict[str, Any]],
    client: XapiClient,
    version: str,
    attachments: dict[str, tuple[str, bytes]] | None = None,
) -> Batch:
    """Turn validated statements into a batch; 400 on ids repeated inside the batch."""
    return build_batch(statements, client, version, store.branch_extension, attachments)


def build_batch(
    statements: list[dict[str, Any]],
    client: XapiClient,
    version: str,
    branch_extension: str,
    attachments: dict[str, tuple[str, bytes]] | None = None,
) -> Batch:
    """``prepare_batch`` without the store (what a preparing process runs)."""
    records: list[StatementRecord] = []
    seen: set[str] = set()
    for stmt in statements:
        record = build_record(stmt, client, version, branch_extension)
        if record.statement_id in seen:
            raise BadRequest(
                f"statement id {record.statement_id} appears twice in one batch "
                "(xAPI Communication 2.1.1)"
            )
        seen.add(record.statement_id)
        records.append(record)
    return Batch(
        records=records,
        client=client.name,
        authority_ifi=ifi_key(client.authority),
        version=version,
        attachments=attachments or {},
    )


def check_attachment_parts(
    statements: list[dict[str, Any]], parts: dict[str, tuple[str, bytes]] | None
) -> None:
    """Every attachment without fileUrl needs a part, every part a declaration (Data 2.4.11)."""
    declared: set[str] = set()
    for stmt in statements:
        for holder in (stmt, stmt["object"]):
            for attachment in holder.get("attachments") or ():
                sha2 = attachment["sha2"].lower()
                declared.add(sha2)
                if "fileUrl" not in attachment and (parts is None or sha2 not in parts):
                    raise BadRequest(
                        f"attachment {sha2} has no fileUrl and no multipart/mixed part carrying "
                        "it (xAPI Communication 1.5.2)"
                    )
                if attachment["usageType"] == SIGNATURE_USAGE and parts and sha2 in parts:
                    from lifelong.records.signatures import check_signature

                    check_signature(stmt, parts[sha2][1], attachment)
    for sha2 in parts or {}:
        if sha2 not in declared:
            raise BadRequest(
                f"multipart part {sha2} matches no attachment declared by the statements "
                "(xAPI Communication 1.5.2)"
            )


def parse_body(body: bytes, content_type: str) -> tuple[Any, dict[str, tuple[str, bytes]] | None]:
    """The statements JSON and, for multipart/mixed, the attachments by hash."""
    if content_type.lower().startswith("multipart/mixed"):
        from lifelong.records import multipart

        return multipart.parse(body, content_type)
    if not content_type.lower().startswith("application/json"):
        raise BadRequest(
            f"Content-Type {content_type!r} is not accepted: send application/json or "
            "multipart/mixed (Communication 1.5)"
        )
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None


def prepare_body(
    body: bytes,
    content_type: str,
    client: XapiClient,
    version: str,
    branch_extension: str,
    statement_id: str | None = None,
) -> Batch:
    """Parse, validate and identify a POST/PUT body: the batch the writer stores."""
    payload, parts = parse_body(body, content_type)
    return prepare_payload(payload, client, version, branch_extension, statement_id, parts)


def prepare_payload(
    payload: Any,
    client: XapiClient,
    version: str,
    branch_extension: str,
    statement_id: str | None = None,
    parts: dict[str, tuple[str, bytes]] | None = None,
) -> Batch:
    """Validate and identify parsed statements (1.0.3 / 2.0 rules); 400 names the rule."""
    statements = check_statements(payload, version)
    if statement_id is not None:
        if isinstance(payload, list):
            raise BadRequest("PUT takes a single statement, not an array (Communication 2.1.1)")
        given = statements[0].get("id")
        if given is not None and given.lower() != statement_id.lower():
            raise BadRequest(
                "the statement's id does not match the statementId parameter (Communication 2.1.1)"
            )
        statements[0]["id"] = statement_id.lower()
    check_attachment_parts(statements, parts)
    return build_batch(statements, client, version, branch_extension, parts)


def _start_preparing_process(parent: int) -> None:
    """A preparing process: settle its collector and end with its web process."""
    settle_garbage_collector()
    exit_with_parent(parent)


def _prepare_in_worker(*args: Any) -> tuple[str, Any]:
    """``prepare_body`` in a preparing process; user errors come back as plain values."""
    try:
        batch = prepare_body(*args)
    except LifelongError as exc:
        return "error", (type(exc).__name__, exc.message, exc.status_code)
    for record in batch.records:
        record.statement = {}  # the writer needs only the body text and the keys
    return "batch", batch


async def _prepare(
    store: LrsStore,
    body: bytes,
    content_type: str,
    client: XapiClient,
    version: str,
    statement_id: str | None,
) -> Batch:
    """The batch of a request body: large bodies in the preparing processes."""
    args = (body, content_type, client, version, store.branch_extension, statement_id)
    pool = store.pool() if len(body) >= store.settings.lrs.prepare_min_bytes else None
    if pool is not None:
        try:
            kind, value = await asyncio.wrap_future(pool.submit(_prepare_in_worker, *args))
        except BrokenProcessPool:
            log.warning("a statement-preparing process died; preparing this batch inline")
            store._discard_pool()
        else:
            if kind == "error":
                name, message, status = value
                error_type = getattr(errors, name, LifelongError)
                raise error_type(message, status)
            batch: Batch = value
            return batch
    return prepare_body(*args)


async def store_body(
    store: LrsStore,
    body: bytes,
    content_type: str,
    client: XapiClient,
    version: str,
    *,
    statement_id: str | None = None,
) -> BatchOutcome:
    """Validate and durably store a POST/PUT body; 409 when an id is reused differently."""
    batch = await _prepare(store, body, content_type, client, version, statement_id)
    return await _write(store, batch)


async def _write(store: LrsStore, batch: Batch) -> BatchOutcome:
    """Hand the batch to the writer; 409 when an id is reused with other content."""
    outcome = await store.writer.write(batch)
    if outcome.conflict:
        raise Conflict(outcome.conflict)
    return outcome
