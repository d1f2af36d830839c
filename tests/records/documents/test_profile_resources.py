"""Activity Profile and Agent Profile resources, and concurrency.

xAPI 1.0.3 Part Three 2.6, 2.7 and 3.1; xAPI 2.0 sections 4.1.6.4, 4.1.6.5 (concurrency
rules unchanged: preconditions handled on PUT/POST/DELETE, 409 for a bare PUT over an
existing profile document, 412 for a failed precondition).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.records.xapi_helpers import ACTIVITY, agent_param, lrs_headers

RESOURCES = [
    ("/xapi/activities/profile", {"activityId": ACTIVITY}),
    ("/xapi/agents/profile", {"agent": agent_param()}),
]


@pytest.mark.parametrize(("url", "context"), RESOURCES)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_concurrency_rules(
    client: TestClient, db: Session, url: str, context: dict[str, str], version: str
) -> None:
    """Create, 409 on a bare PUT, 412 on a stale If-Match, success with the current ETag."""
    headers = {**lrs_headers(db, "profile", version), "Content-Type": "application/json"}
    query = {**context, "profileId": "settings"}
    created = client.put(url, params=query, content=b'{"a":1}', headers=headers)
    assert created.status_code == 204
    etag = client.get(url, params=query, headers=headers).headers["etag"]

    bare = client.put(url, params=query, content=b'{"a":2}', headers=headers)
    assert bare.status_code == 409
    assert "If-Match" in bare.json()["error"]

    stale = client.put(
        url, params=query, content=b'{"a":3}', headers={**headers, "If-Match": '"' + "1" * 40 + '"'}
    )
    assert stale.status_code == 412
    create_only = client.put(
        url, params=query, content=b'{"a":4}', headers={**headers, "If-None-Match": "*"}
    )
    assert create_only.status_code == 412
    assert client.get(url, params=query, headers=headers).json() == {"a": 1}

    ok = client.put(url, params=query, content=b'{"a":5}', headers={**headers, "If-Match": etag})
    assert ok.status_code == 204
    assert client.get(url, params=query, headers=headers).json() == {"a": 5}

    stale_delete = client.delete(url, params=query, headers={**headers, "If-Match": etag})
    assert stale_delete.status_code == 412
    assert client.delete(url, params=query, headers=headers).status_code == 204
    assert client.get(url, params=query, headers=headers).status_code == 404


@pytest.mark.parametrize(("url", "context"), RESOURCES)
def test_post_merge_and_multiple_get(
    client: TestClient, db: Session, url: str, context: dict[str, str]
) -> None:
    """POST merges JSON; a GET without profileId lists the ids (since exclusive)."""
    headers = {**lrs_headers(db, "profile"), "Content-Type": "application/json"}
    client.post(url, params={**context, "profileId": "p1"}, content=b'{"x":1}', headers=headers)
    client.post(url, params={**context, "profileId": "p1"}, content=b'{"y":2}', headers=headers)
    client.post(url, params={**context, "profileId": "p2"}, content=b"{}", headers=headers)
    assert client.get(url, params={**context, "profileId": "p1"}, headers=headers).json() == {
        "x": 1,
        "y": 2,
    }
    ids = client.get(url, params=context, headers=headers)
    assert ids.status_code == 200 and sorted(ids.json()) == ["p1", "p2"]


@pytest.mark.parametrize(("url", "context"), RESOURCES)
def test_delete_needs_profile_id(
    client: TestClient, db: Session, url: str, context: dict[str, str]
) -> None:
    """Profile resources have no multiple-document DELETE: profileId is required."""
    headers = lrs_headers(db, "profile")
    response = client.delete(url, params=context, headers=headers)
    assert response.status_code == 400 and "profileId" in response.json()["error"]


def test_agent_profile_refuses_groups(client: TestClient, db: Session) -> None:
    """2.6.s3 note: the agent parameter is an Agent, not a Group."""
    headers = lrs_headers(db, "profile")
    group = '{"objectType": "Group", "mbox": "mailto:team@example.org"}'
    response = client.get("/xapi/agents/profile", params={"agent": group}, headers=headers)
    assert response.status_code == 400 and "Group" in response.json()["error"]


def test_profile_scope(client: TestClient, db: Session) -> None:
    """The profile resources need the profile scope (state is not enough)."""
    headers = lrs_headers(db, "state")
    query = {"activityId": ACTIVITY, "profileId": "p"}
    assert client.get("/xapi/activities/profile", params=query, headers=headers).status_code == 403


def test_head_and_conditional_get(client: TestClient, db: Session) -> None:
    """HEAD answers with GET's headers and no body; If-None-Match on GET gives 304."""
    headers = {**lrs_headers(db, "profile"), "Content-Type": "text/plain"}
    query = {"activityId": ACTIVITY, "profileId": "h"}
    client.put("/xapi/activities/profile", params=query, content=b"hello", headers=headers)
    got = client.get("/xapi/activities/profile", params=query, headers=headers)
    head = client.head("/xapi/activities/profile", params=query, headers=headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == "5"
    assert head.headers["last-modified"] == got.headers["last-modified"]
    cached = client.get(
        "/xapi/activities/profile",
        params=query,
        headers={**headers, "If-None-Match": got.headers["etag"]},
    )
    assert cached.status_code == 304
