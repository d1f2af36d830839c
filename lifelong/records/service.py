"""The statement service: validate, identify, store, and answer what was stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.errors import BadRequest, Conflict
from lifelong.learning.xapi import extension
from lifelong.records.credentials import XapiClient
from lifelong.records.records import StatementRecord, build_record, ifi_key
from lifelong.records.repository import Batch, BatchOutcome, StatementRepository
from lifelong.records.validation import SIGNATURE_USAGE, check_statements
from lifelong.records.writer import StatementWriter


@dataclass
class LrsStore:
    """The statement store as the web process and the bulk path use it."""

    settings: Settings
    engine: Engine
    repository: StatementRepository = field(init=False)
    writer: StatementWriter = field(init=False)
    branch_extension: str = field(init=False)

    def __post_init__(self) -> None:
        """Create the repository and start the writer thread."""
        self.repository = StatementRepository(self.engine)
        self.writer = StatementWriter(self.repository)
        self.branch_extension = extension(self.settings.iri_base, "branch")

    def close(self) -> None:
        """Stop the writer (finishing queued batches)."""
        self.writer.close()


def prepare_batch(
    store: LrsStore,
    statements: list[dict[str, Any]],
    client: XapiClient,
    version: str,
    attachments: dict[str, tuple[str, bytes]] | None = None,
) -> Batch:
    """Turn validated statements into a batch; 400 on ids repeated inside the batch."""
    records: list[StatementRecord] = []
    seen: set[str] = set()
    for stmt in statements:
        record = build_record(stmt, client, version, store.branch_extension)
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


async def store_statements(
    store: LrsStore,
    payload: Any,
    client: XapiClient,
    version: str,
    *,
    statement_id: str | None = None,
    parts: dict[str, tuple[str, bytes]] | None = None,
) -> BatchOutcome:
    """Validate and durably store a POST/PUT body; 409 when an id is reused differently."""
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
    batch = prepare_batch(store, statements, client, version, parts)
    outcome = await store.writer.write(batch)
    if outcome.conflict:
        raise Conflict(outcome.conflict)
    return outcome
