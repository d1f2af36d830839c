"""Concurrency at the storage level (xAPI 1.0.3 Part Three 3.1: no lost updates)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from lifelong.db.base import utcnow
from lifelong.records.documents import repository, service
from lifelong.records.documents.models import DocumentKind, LrsDocument
from lifelong.records.documents.service import Preconditions
from tests.records.xapi_helpers import ACTIVITY

LIMIT = 1024 * 1024


def address() -> service.Address:
    """An Activity Profile address."""
    return service.address_from(
        DocumentKind.activity_profile,
        {"activityId": ACTIVITY, "profileId": "race"},
        document_id_required=True,
    )


def test_compare_and_set_refuses_a_stale_writer(session_factory: sessionmaker[Session]) -> None:
    """Two readers of one version: the first write wins, the second finds the ETag moved."""
    with session_factory() as setup:
        service.put_document(
            setup, address(), b"v1", "text/plain", Preconditions(), max_bytes=LIMIT
        )
        setup.commit()
    first, second = session_factory(), session_factory()
    try:
        mine = repository.find(first, address().key_hash)
        theirs = repository.find(second, address().key_hash)
        assert mine is not None and theirs is not None
        stale_etag = theirs.etag
        assert repository.compare_and_set(
            first,
            mine,
            expected_etag=mine.etag,
            content=b"v2",
            content_type="text/plain",
            etag=service.etag_of(b"v2"),
            updated=utcnow(),
        )
        first.commit()
        assert not repository.compare_and_set(
            second,
            theirs,
            expected_etag=stale_etag,
            content=b"v3",
            content_type="text/plain",
            etag=service.etag_of(b"v3"),
            updated=utcnow(),
        )
        second.commit()
    finally:
        first.close()
        second.close()
    with session_factory() as check:
        assert service.get_document(check, address()).content == b"v2"


def test_duplicate_insert_is_reported_and_session_stays_usable(
    session_factory: sessionmaker[Session],
) -> None:
    """A create that loses the race raises DocumentExists; the unit of work continues."""
    with session_factory() as setup:
        service.put_document(
            setup, address(), b"v1", "text/plain", Preconditions(), max_bytes=LIMIT
        )
        setup.commit()
    with session_factory() as late:
        target = address()
        row = LrsDocument(
            kind=target.kind,
            key_hash=target.key_hash,
            context_hash=target.context_hash,
            activity_id=target.activity_id,
            document_id="race",
            content=b"late",
            content_type="text/plain",
            etag=service.etag_of(b"late"),
            updated=utcnow(),
        )
        with pytest.raises(repository.DocumentExists):
            repository.insert(late, row)
        assert service.get_document(late, address()).content == b"v1"
