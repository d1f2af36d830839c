"""The statement service: validate, identify, store, and answer what was stored.

Parsing, validating and building the rows of a statement batch is pure CPU work in Python,
and writing them is the store's serial section. By default both run in the ingest process
beside the web process (``records.ingest``, ``LIFELONG_LRS__INGEST_PROCESS``), which keeps
the single writer off the web process's GIL; with it off, a request's batch is prepared
in the web process and written by a writer thread there. The rules are the same code
either way.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.errors import BadRequest, Conflict
from lifelong.learning.xapi import extension
from lifelong.records import typed
from lifelong.records.credentials import XapiClient
from lifelong.records.ingest import IngestProcess
from lifelong.records.records import StatementRecord, build_record, ifi_key
from lifelong.records.repository import Batch, BatchOutcome, StatementRepository
from lifelong.records.validation import SIGNATURE_USAGE, check_statements
from lifelong.records.writer import StatementWriter

log = logging.getLogger("lifelong.records.service")


@dataclass
class LrsStore:
    """The statement store as the web process uses it: reads here, writes where they run.

    ``engine`` serves the reads; the ingest process opens its own engine on the same
    store from ``settings`` (so an engine built with other options writes only with
    ``lrs.ingest_process`` off).
    """

    settings: Settings
    engine: Engine
    repository: StatementRepository = field(init=False)
    # Exactly one of the two writes: the ingest process, or a writer thread here.
    ingest: IngestProcess | None = field(init=False, default=None)
    writer: StatementWriter | None = field(init=False, default=None)
    branch_extension: str = field(init=False)

    def __post_init__(self) -> None:
        """Create the repository and the writer (the ingest process starts on first use)."""
        self.repository = StatementRepository(self.engine)
        self.branch_extension = extension(self.settings.iri_base, "branch")
        in_memory = self.engine.url.database in (None, "", ":memory:")
        if self.settings.lrs.ingest_process and (self.repository.postgres or not in_memory):
            self.ingest = IngestProcess(self.settings)
        else:
            self.writer = StatementWriter(self.repository)

    def submit(self, batch: Batch) -> Future[BatchOutcome]:
        """Queue a prepared batch; the future resolves once it is committed (or refused)."""
        if self.ingest is not None:
            return self.ingest.submit_batch(batch)
        assert self.writer is not None
        return self.writer.submit(batch)

    async def write(self, batch: Batch) -> BatchOutcome:
        """Queue a prepared batch and wait for its commit without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(batch))

    def close(self) -> None:
        """Stop the writer, finishing (and answering) queued batches."""
        if self.ingest is not None:
            self.ingest.close()
            self.repository.close()
        elif self.writer is not None:
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
    """``prepare_batch`` without the store (what the ingest's preparing process runs)."""
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
    return _batch(records, client, version, attachments)


def _batch(
    records: list[StatementRecord],
    client: XapiClient,
    version: str,
    attachments: dict[str, tuple[str, bytes]] | None = None,
) -> Batch:
    """The batch of ``records``, stored as ``client``."""
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
    """Parse, validate and identify a POST/PUT body: the batch the writer stores.

    A POST of JSON statements of the common shapes is decoded into typed structs
    (``records.typed``); anything else, or anything that path does not vouch for, is
    parsed and checked by hand (``prepare_payload``), which names what is wrong.
    """
    if statement_id is None and content_type.lower().startswith("application/json"):
        statements = typed.decode(body, version)
        if statements is not None:
            records = typed.build_records(statements, client, version, branch_extension)
            if records is not None:
                return _batch(records, client, version)
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
    if store.ingest is not None:
        future = store.ingest.submit_body(body, content_type, client, version, statement_id)
        outcome = await asyncio.wrap_future(future)
    else:
        batch = prepare_body(
            body, content_type, client, version, store.branch_extension, statement_id
        )
        outcome = await store.write(batch)
    if outcome.conflict:
        raise Conflict(outcome.conflict)
    return outcome
