"""SQL for the document resources: find, insert, compare-and-set, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifelong.records.documents.models import LrsDocument


class DocumentExists(Exception):
    """Another request created the same document first."""


def find(session: Session, key_hash: str) -> LrsDocument | None:
    """The document at this address, if any."""
    return session.scalars(select(LrsDocument).where(LrsDocument.key_hash == key_hash)).first()


def find_many(
    session: Session,
    context_hash: str,
    *,
    registration: str | None = None,
    since: datetime | None = None,
) -> Sequence[LrsDocument]:
    """Documents of one context (optionally one registration), updated after ``since``."""
    query = select(LrsDocument).where(LrsDocument.context_hash == context_hash)
    if registration is not None:
        query = query.where(LrsDocument.registration == registration)
    if since is not None:
        query = query.where(LrsDocument.updated > since)
    return session.scalars(query.order_by(LrsDocument.updated, LrsDocument.id)).all()


def insert(session: Session, document: LrsDocument) -> LrsDocument:
    """Add a new document; ``DocumentExists`` when a concurrent request won the race."""
    savepoint = session.begin_nested()
    try:
        session.add(document)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise DocumentExists from None
    savepoint.commit()
    return document


def compare_and_set(
    session: Session,
    document: LrsDocument,
    *,
    expected_etag: str,
    content: bytes,
    content_type: str,
    etag: str,
    updated: datetime,
) -> bool:
    """Replace the content only if nobody changed it since it was read (optimistic lock)."""
    result = session.execute(
        update(LrsDocument)
        .where(LrsDocument.id == document.id, LrsDocument.etag == expected_etag)
        .values(content=content, content_type=content_type, etag=etag, updated=updated)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.expire(document)
    return True


def delete_one(session: Session, document: LrsDocument, *, expected_etag: str) -> bool:
    """Delete the document if it is still the version that was read."""
    result = session.execute(
        delete(LrsDocument)
        .where(LrsDocument.id == document.id, LrsDocument.etag == expected_etag)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def delete_many(session: Session, context_hash: str, *, registration: str | None) -> int:
    """Delete every document of one context (optionally one registration)."""
    query = delete(LrsDocument).where(LrsDocument.context_hash == context_hash)
    if registration is not None:
        query = query.where(LrsDocument.registration == registration)
    result = session.execute(query.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
