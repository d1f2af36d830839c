"""Document resources without HTTP (xAPI 1.0.3 Part Three 2.2, 2.3, 3.1)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from lifelong.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from lifelong.records.documents import service
from lifelong.records.documents.models import DocumentKind
from lifelong.records.documents.service import Preconditions
from tests.records.xapi_helpers import ACTIVITY, agent_param

LIMIT = 1024 * 1024
NONE = Preconditions()


def state(state_id: str | None = "s1", registration: str | None = None) -> service.Address:
    """A State address for the test Agent and Activity."""
    params = {"activityId": ACTIVITY, "agent": agent_param(), "stateId": state_id}
    if registration:
        params["registration"] = registration
    return service.address_from(DocumentKind.state, params, document_id_required=False)


def profile(profile_id: str = "p1") -> service.Address:
    """An Activity Profile address."""
    return service.address_from(
        DocumentKind.activity_profile,
        {"activityId": ACTIVITY, "profileId": profile_id},
        document_id_required=True,
    )


def test_put_then_get_keeps_content_type_and_etag_is_sha1(db: Session) -> None:
    """2.2 + 3.1.s4.b2: content and Content-Type kept; ETag = SHA-1 hex of the content."""
    stored = service.put_document(
        db, state(), b"\x00\x01binary", "image/png", NONE, max_bytes=LIMIT
    )
    got = service.get_document(db, state())
    assert got.content == b"\x00\x01binary" and got.content_type == "image/png"
    assert got.etag == stored.etag == hashlib.sha1(b"\x00\x01binary").hexdigest()
    assert got.quoted_etag == f'"{got.etag}"'


def test_post_merges_top_level_properties(db: Session) -> None:
    """2.2.s7: POSTed JSON object merges into the stored one, top level only."""
    service.post_document(
        db, state(), b'{"x": "foo", "y": {"a": 1}}', "application/json", NONE, max_bytes=LIMIT
    )
    service.post_document(
        db,
        state(),
        b'{"x": "bash", "z": "faz", "y": {"b": 2}}',
        "application/json; charset=utf-8",
        NONE,
        max_bytes=LIMIT,
    )
    merged = json.loads(service.get_document(db, state()).content)
    assert merged == {"x": "bash", "y": {"b": 2}, "z": "faz"}


@pytest.mark.parametrize(
    ("first", "first_type", "second", "second_type", "rule"),
    [
        (b'{"a": 1}', "application/json", b"text", "text/plain", "application/json objects"),
        (b"text", "text/plain", b'{"a": 1}', "application/json", "application/json objects"),
        (b'{"a": 1}', "application/json", b"[1, 2]", "application/json", "not a JSON object"),
        (b'{"a": 1}', "application/json", b"{not json", "application/json", "not valid JSON"),
    ],
)
def test_post_merge_refuses_non_json_objects(
    db: Session, first: bytes, first_type: str, second: bytes, second_type: str, rule: str
) -> None:
    """2.2.s8.b1: 400 when either document is not a JSON object; nothing changes."""
    service.post_document(db, state(), first, first_type, NONE, max_bytes=LIMIT)
    with pytest.raises(BadRequest, match=rule):
        service.post_document(db, state(), second, second_type, NONE, max_bytes=LIMIT)
    assert service.get_document(db, state()).content == first


def test_if_match_and_if_none_match(db: Session) -> None:
    """3.1.s4.b5-b10: a stale If-Match and If-None-Match: * on an existing doc are 412."""
    first = service.put_document(db, profile(), b"one", "text/plain", NONE, max_bytes=LIMIT)
    with pytest.raises(PreconditionFailed):
        service.put_document(
            db, profile(), b"two", "text/plain", Preconditions(if_match='"0000"'), max_bytes=LIMIT
        )
    with pytest.raises(PreconditionFailed):
        service.put_document(
            db, profile(), b"two", "text/plain", Preconditions(if_none_match="*"), max_bytes=LIMIT
        )
    assert service.get_document(db, profile()).content == b"one"
    second = service.put_document(
        db,
        profile(),
        b"two",
        "text/plain",
        Preconditions(if_match=first.quoted_etag),
        max_bytes=LIMIT,
    )
    assert second.etag != first.etag
    with pytest.raises(PreconditionFailed):
        service.delete_document(db, profile(), Preconditions(if_match=first.quoted_etag))
    service.delete_document(db, profile(), Preconditions(if_match=second.quoted_etag))
    with pytest.raises(NotFound):
        service.get_document(db, profile())


def test_if_match_on_missing_document_fails(db: Session) -> None:
    """RFC 7232 3.1: If-Match (even *) fails when there is no current representation."""
    with pytest.raises(PreconditionFailed):
        service.put_document(
            db, profile(), b"x", "text/plain", Preconditions(if_match="*"), max_bytes=LIMIT
        )


def test_put_over_existing_profile_needs_a_precondition(db: Session) -> None:
    """3.1.s4.b13-b15: 409 for a bare PUT over an existing profile; State is exempt."""
    service.put_document(db, profile(), b"one", "text/plain", NONE, max_bytes=LIMIT)
    with pytest.raises(Conflict, match="If-Match"):
        service.put_document(db, profile(), b"two", "text/plain", NONE, max_bytes=LIMIT)
    assert service.get_document(db, profile()).content == b"one"
    service.put_document(db, state(), b"one", "text/plain", NONE, max_bytes=LIMIT)
    service.put_document(db, state(), b"two", "text/plain", NONE, max_bytes=LIMIT)
    assert service.get_document(db, state()).content == b"two"


def test_registration_scopes_state_and_multiple_get_since(db: Session) -> None:
    """2.3.s3-s5: registration is part of the address; since is exclusive; DELETE many."""
    reg = "9D1F3C2A-1B2C-4D5E-8F90-123456789ABC"
    service.put_document(db, state("a"), b"1", "text/plain", NONE, max_bytes=LIMIT)
    service.put_document(db, state("b", reg), b"2", "text/plain", NONE, max_bytes=LIMIT)
    with pytest.raises(NotFound):
        service.get_document(db, state("b"))
    assert service.get_document(db, state("b", reg.lower())).content == b"2"
    ids, newest = service.list_ids(db, state(None))
    assert sorted(ids) == ["a", "b"] and newest is not None
    assert service.list_ids(db, state(None, reg))[0] == ["b"]
    assert service.list_ids(db, state(None), since=newest)[0] == []
    assert sorted(service.list_ids(db, state(None), since=newest - timedelta(hours=1))[0]) == [
        "a",
        "b",
    ]
    service.delete_documents(db, state(None, reg))
    assert service.list_ids(db, state(None))[0] == ["a"]
    service.delete_documents(db, state(None))
    assert service.list_ids(db, state(None))[0] == []


@pytest.mark.parametrize(
    ("params", "rule"),
    [
        ({"agent": agent_param(), "stateId": "s"}, "'activityId' parameter is required"),
        ({"activityId": "not an iri", "agent": agent_param()}, "absolute IRI"),
        ({"activityId": ACTIVITY}, "'agent' parameter is required"),
        ({"activityId": ACTIVITY, "agent": "{bad json"}, "JSON Agent object"),
        (
            {"activityId": ACTIVITY, "agent": '{"mbox": "a@b.org"}'},
            "mailto IRI",
        ),
        (
            {"activityId": ACTIVITY, "agent": '{"objectType": "Group", "mbox": "mailto:a@b.c"}'},
            "must be an Agent",
        ),
        (
            {"activityId": ACTIVITY, "agent": '{"mbox": "mailto:a@b.c", "openid": "http://x"}'},
            "exactly one inverse functional identifier",
        ),
        (
            {"activityId": ACTIVITY, "agent": agent_param(), "registration": "nope"},
            "must be a UUID",
        ),
    ],
)
def test_bad_parameters_name_the_rule(params: dict[str, str], rule: str) -> None:
    """Bad input is a 400 that names the parameter and rule."""
    with pytest.raises(BadRequest, match=rule):
        service.address_from(DocumentKind.state, params, document_id_required=False)


def test_size_limit(db: Session) -> None:
    """A document above the configured limit is refused (413) and not stored."""
    with pytest.raises(service.PayloadTooLarge):
        service.put_document(db, state(), b"x" * 11, "text/plain", NONE, max_bytes=10)
    with pytest.raises(NotFound):
        service.get_document(db, state())
