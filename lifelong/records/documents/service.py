"""The State, Activity Profile and Agent Profile resources, without HTTP.

xAPI 1.0.3 Part Three sections 2.2 (documents, JSON merge), 2.3 (State), 2.6 (Agent
Profile), 2.7 (Activity Profile) and 3.1 (Concurrency); xAPI 2.0 (IEEE 9274.1.1) section
4.1.6 keeps the same semantics. ETags are the quoted SHA-1 of the content (1.0.3
3.1.s4.b2) and preconditions follow RFC 7232 section 3 (If-Match, If-None-Match).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Conflict, LifelongError, NotFound, PreconditionFailed
from lifelong.records.agents import ifi_key, parse_agent_parameter
from lifelong.records.documents import repository
from lifelong.records.documents.models import DocumentKind, LrsDocument
from lifelong.records.params import optional_timestamp, optional_uuid, require_iri, require_text

ID_PARAMETER = {
    DocumentKind.state: "stateId",
    DocumentKind.activity_profile: "profileId",
    DocumentKind.agent_profile: "profileId",
}
JSON_TYPE = "application/json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# How often a write is retried when a concurrent writer changed the document in between
# and the client gave no precondition (so "last writer wins" is the correct outcome).
WRITE_ATTEMPTS = 5


class PayloadTooLarge(LifelongError):
    """The document is larger than the configured limit (413)."""

    status_code = 413


@dataclass(frozen=True)
class Address:
    """Where a document lives: resource, Activity, Agent, registration and document id."""

    kind: DocumentKind
    activity_id: str | None
    agent: dict[str, Any] | None
    registration: str | None
    document_id: str | None

    @property
    def agent_key(self) -> str | None:
        """The canonical IFI key of the Agent, if the resource has one."""
        return ifi_key(self.agent) if self.agent is not None else None

    @property
    def context_hash(self) -> str:
        """Digest of the set of documents a multiple GET/DELETE addresses."""
        parts = (self.kind.value, self.activity_id or "", self.agent_key or "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def key_hash(self) -> str:
        """Digest of one document's full address."""
        if self.document_id is None:
            raise ValueError("a single-document address needs a document id")
        parts = (self.context_hash, self.registration or "", self.document_id)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Preconditions:
    """The request's If-Match / If-None-Match header values (RFC 7232 section 3)."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def present(self) -> bool:
        """Whether the client sent either header."""
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class StoredDocument:
    """A document as returned to the client."""

    document_id: str
    content: bytes
    content_type: str
    etag: str
    updated: datetime

    @property
    def quoted_etag(self) -> str:
        """The ETag header value: the SHA-1 in quotes (1.0.3 Part Three 3.1.s4.b4)."""
        return f'"{self.etag}"'


def address_from(
    kind: DocumentKind, params: Mapping[str, str | None], *, document_id_required: bool
) -> Address:
    """Parse and validate a document request's parameters; 400 naming the first bad one."""
    activity_id = agent = registration = None
    if kind in (DocumentKind.state, DocumentKind.activity_profile):
        activity_id = require_iri(params.get("activityId"), "activityId")
    if kind in (DocumentKind.state, DocumentKind.agent_profile):
        agent = parse_agent_parameter(params.get("agent"))
    if kind is DocumentKind.state:
        registration = optional_uuid(params.get("registration"), "registration")
    name = ID_PARAMETER[kind]
    raw_id = params.get(name)
    document_id = require_text(raw_id, name) if document_id_required or raw_id is not None else None
    return Address(kind, activity_id, agent, registration, document_id)


def etag_of(content: bytes) -> str:
    """The SHA-1 hex digest of the content (xAPI 1.0.3 Part Three 3.1.s4.b2)."""
    return hashlib.sha1(content).hexdigest()


def _tags(header: str) -> list[str]:
    """Entity tags of an If-Match / If-None-Match list, without quotes."""
    out = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        out.append(tag.strip('"'))
    return [tag for tag in out if tag]


def check_preconditions(document: LrsDocument | None, pre: Preconditions) -> None:
    """RFC 7232 section 3.1 / 3.2 evaluation for a write; 412 when one fails."""
    if pre.if_match is not None:
        if document is None:
            raise PreconditionFailed("If-Match was sent but the document does not exist.")
        tags = _tags(pre.if_match)
        if "*" not in tags and document.etag not in tags:
            raise PreconditionFailed(
                "If-Match does not match the document's current ETag: it changed since you "
                "last read it."
            )
    if pre.if_none_match is not None and document is not None:
        tags = _tags(pre.if_none_match)
        if "*" in tags or document.etag in tags:
            raise PreconditionFailed("If-None-Match failed: the document already exists.")


def _require_precondition_on_put(
    address: Address, document: LrsDocument | None, pre: Preconditions
) -> None:
    """409 for a PUT over an existing profile document without either header.

    xAPI 1.0.3 Part Three 3.1.s4.b13-b15 and xAPI 2.0 section 4.1.6 (concurrency): the
    State resource is exempt (3.1.s3), the Activity and Agent Profile resources are not.
    """
    if address.kind is DocumentKind.state or document is None or pre.present:
        return
    raise Conflict(
        "This profile document already exists. Check its current state (GET it) and send "
        'If-Match: "<its ETag>" to replace it, or If-None-Match: * to create only '
        "(xAPI concurrency rule: a PUT over an existing document needs a precondition)."
    )


def _media_type(content_type: str) -> str:
    """The bare media type of a Content-Type header, lower-case."""
    return content_type.split(";", 1)[0].strip().lower()


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    """Parse a JSON document that must be an object (Part Three 2.2.s8.b1)."""
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise BadRequest(f"The {what} is not valid JSON, so it cannot be merged.") from None
    if not isinstance(value, dict):
        raise BadRequest(f"The {what} is JSON but not a JSON object, so it cannot be merged.")
    return value


def _check_size(content: bytes, max_bytes: int) -> None:
    """Refuse documents above the configured limit."""
    if len(content) > max_bytes:
        raise PayloadTooLarge(
            f"The document is {len(content)} bytes; this LRS accepts at most {max_bytes}."
        )


def _stored(document: LrsDocument) -> StoredDocument:
    """The public view of a row."""
    return StoredDocument(
        document_id=document.document_id,
        content=document.content,
        content_type=document.content_type,
        etag=document.etag,
        updated=document.updated,
    )


def get_document(session: Session, address: Address) -> StoredDocument:
    """One document; 404 when there is none at this address."""
    document = repository.find(session, address.key_hash)
    if document is None:
        raise NotFound(f"No document with {ID_PARAMETER[address.kind]} at this address.")
    return _stored(document)


def list_ids(
    session: Session, address: Address, *, since: datetime | None = None
) -> tuple[list[str], datetime | None]:
    """Ids of the documents of a context, and when the newest of them changed.

    For the State resource without ``registration`` every registration's documents are
    listed (Part Three 2.3.s4: "Activity + Agent [+ registration if specified]").
    """
    documents = repository.find_many(
        session, address.context_hash, registration=address.registration, since=since
    )
    ids = list(dict.fromkeys(document.document_id for document in documents))
    newest = max((document.updated for document in documents), default=None)
    return ids, newest


def parse_since(value: str | None) -> datetime | None:
    """The ``since`` parameter of a multiple-document GET."""
    return optional_timestamp(value, "since")


def _write(
    session: Session,
    address: Address,
    pre: Preconditions,
    new_content: Any,
    *,
    is_put: bool,
) -> StoredDocument:
    """Shared write loop: read, check preconditions, then insert or compare-and-set.

    ``new_content(existing)`` returns ``(content, content_type)`` for the existing row
    (or None). The loop retries only when a concurrent writer got in between and the
    client sent no precondition; with one, the change of ETag is a 412.
    """
    for _attempt in range(WRITE_ATTEMPTS):
        document = repository.find(session, address.key_hash)
        check_preconditions(document, pre)
        if is_put:
            _require_precondition_on_put(address, document, pre)
        content, content_type = new_content(document)
        etag, now = etag_of(content), utcnow()
        if document is None:
            row = LrsDocument(
                kind=address.kind,
                key_hash=address.key_hash,
                context_hash=address.context_hash,
                activity_id=address.activity_id,
                agent_key=address.agent_key,
                agent=address.agent,
                registration=address.registration,
                document_id=address.document_id,
                content=content,
                content_type=content_type,
                etag=etag,
                updated=now,
            )
            try:
                repository.insert(session, row)
            except repository.DocumentExists:
                continue
            return _stored(row)
        if repository.compare_and_set(
            session,
            document,
            expected_etag=document.etag,
            content=content,
            content_type=content_type,
            etag=etag,
            updated=now,
        ):
            return StoredDocument(address.document_id or "", content, content_type, etag, now)
        if pre.present:
            raise PreconditionFailed("The document changed while this request was applied.")
    raise Conflict("The document is being changed by others at the same time; retry.")


def put_document(
    session: Session,
    address: Address,
    content: bytes,
    content_type: str | None,
    pre: Preconditions,
    *,
    max_bytes: int,
) -> StoredDocument:
    """Store or replace a document (PUT, Part Three sections 2.3.s3, 2.6.s3, 2.7.s3)."""
    _check_size(content, max_bytes)
    kept_type = (content_type or DEFAULT_CONTENT_TYPE).strip()[:255]
    return _write(session, address, pre, lambda _existing: (content, kept_type), is_put=True)


def post_document(
    session: Session,
    address: Address,
    content: bytes,
    content_type: str | None,
    pre: Preconditions,
    *,
    max_bytes: int,
) -> StoredDocument:
    """Store a new document, or merge JSON objects into an existing one (Part Three 2.2.s7).

    Both documents must be ``application/json`` objects; only top-level properties merge.
    Anything else is a 400 and leaves the stored document unchanged (2.2.s8.b1).
    """
    _check_size(content, max_bytes)
    kept_type = (content_type or DEFAULT_CONTENT_TYPE).strip()[:255]
    posted_is_json = _media_type(kept_type) == JSON_TYPE
    posted = _json_object(content, "posted document") if posted_is_json else None

    def merged(existing: LrsDocument | None) -> tuple[bytes, str]:
        if existing is None:
            return content, kept_type
        if posted is None or _media_type(existing.content_type) != JSON_TYPE:
            raise BadRequest(
                "POST merges only when both the posted and the stored document are "
                "application/json objects (xAPI 1.0.3 Part Three 2.2.s8); use PUT to replace."
            )
        current = _json_object(existing.content, "stored document")
        result = orjson.dumps({**current, **posted})
        _check_size(result, max_bytes)
        return result, JSON_TYPE

    return _write(session, address, pre, merged, is_put=False)


def delete_document(session: Session, address: Address, pre: Preconditions) -> None:
    """Delete one document (a missing one is not an error: 204 either way)."""
    for _attempt in range(WRITE_ATTEMPTS):
        document = repository.find(session, address.key_hash)
        check_preconditions(document, pre)
        if document is None:
            return
        if repository.delete_one(session, document, expected_etag=document.etag):
            return
        if pre.present:
            raise PreconditionFailed("The document changed while this request was applied.")
    raise Conflict("The document is being changed by others at the same time; retry.")


def delete_documents(session: Session, address: Address) -> int:
    """Delete every State document of an Activity + Agent [+ registration] (2.3.s5)."""
    if address.kind is not DocumentKind.state:
        raise BadRequest(
            f"{ID_PARAMETER[address.kind]} is required: only the State resource deletes "
            "several documents at once."
        )
    return repository.delete_many(session, address.context_hash, registration=address.registration)
