"""State resource over HTTP (xAPI 1.0.3 Part Three 2.3; xAPI 2.0 section 4.1.6.2)."""

from __future__ import annotations

import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.records.xapi_helpers import ACTIVITY, agent_param, lrs_headers

URL = "/xapi/activities/state"


def params(**extra: str) -> dict[str, str]:
    """activityId + agent, plus ``extra``."""
    return {"activityId": ACTIVITY, "agent": agent_param(), **extra}


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_single_document_round_trip(client: TestClient, db: Session, version: str) -> None:
    """PUT 204, GET 200 with the content, its type, a quoted SHA-1 ETag and Last-Modified."""
    headers = lrs_headers(db, "state", version)
    body = b'{"bookmark": "page-3"}'
    put = client.put(
        URL,
        params=params(stateId="resume"),
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert put.status_code == 204, put.text
    got = client.get(URL, params=params(stateId="resume"), headers=headers)
    assert got.status_code == 200
    assert got.content == body
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["etag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert "GMT" in got.headers["last-modified"]
    assert got.headers["x-experience-api-version"] == version


def test_missing_document_is_404_and_delete_is_204(client: TestClient, db: Session) -> None:
    """GET of an unknown stateId is 404; DELETE of one is still 204."""
    headers = lrs_headers(db, "state")
    assert client.get(URL, params=params(stateId="none"), headers=headers).status_code == 404
    assert client.delete(URL, params=params(stateId="none"), headers=headers).status_code == 204


def test_post_merges_json(client: TestClient, db: Session) -> None:
    """2.2.s7: POST of application/json onto application/json merges top-level keys."""
    headers = {**lrs_headers(db, "state"), "Content-Type": "application/json"}
    query = params(stateId="vars")
    assert (
        client.post(
            URL, params=query, content=b'{"x":"foo","y":"bar"}', headers=headers
        ).status_code
        == 204
    )
    assert (
        client.post(
            URL, params=query, content=b'{"x":"bash","z":"faz"}', headers=headers
        ).status_code
        == 204
    )
    got = client.get(URL, params=query, headers=headers)
    assert got.json() == {"x": "bash", "y": "bar", "z": "faz"}


def test_post_malformed_json_is_400_naming_the_rule(client: TestClient, db: Session) -> None:
    """2.2.s8.b1: a POSTed application/json body that is not a JSON object is a 400."""
    headers = {**lrs_headers(db, "state"), "Content-Type": "application/json"}
    response = client.post(URL, params=params(stateId="v"), content=b"{oops", headers=headers)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    assert client.get(URL, params=params(stateId="v"), headers=headers).status_code == 404


def test_multiple_get_since_and_delete(client: TestClient, db: Session) -> None:
    """2.3.s4/s5: ids of the context; since filters; DELETE without stateId clears all."""
    headers = {**lrs_headers(db, "state"), "Content-Type": "text/plain"}
    registration = "0f9e6b54-7a6c-4b8e-9a57-2f5d7a0b1c3d"
    client.put(URL, params=params(stateId="a"), content=b"1", headers=headers)
    client.put(
        URL, params=params(stateId="b", registration=registration), content=b"2", headers=headers
    )
    listed = client.get(URL, params=params(), headers=headers)
    assert listed.status_code == 200 and sorted(listed.json()) == ["a", "b"]
    assert "last-modified" in listed.headers and "etag" in listed.headers
    only = client.get(URL, params=params(registration=registration), headers=headers)
    assert only.json() == ["b"]
    later = client.get(URL, params=params(since="2999-01-01T00:00:00Z"), headers=headers)
    assert later.json() == []
    bad_since = client.get(URL, params=params(since="yesterday"), headers=headers)
    assert bad_since.status_code == 400 and "since" in bad_since.json()["error"]
    assert client.delete(URL, params=params(), headers=headers).status_code == 204
    assert client.get(URL, params=params(), headers=headers).json() == []


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ({"agent": agent_param(), "stateId": "s"}, "activityId"),
        ({"activityId": ACTIVITY, "stateId": "s"}, "agent"),
        ({"activityId": "no scheme", "agent": agent_param(), "stateId": "s"}, "IRI"),
        ({"activityId": ACTIVITY, "agent": '{"name": "x"}', "stateId": "s"}, "identifier"),
        (
            {"activityId": ACTIVITY, "agent": agent_param(), "stateId": "s", "registration": "1"},
            "UUID",
        ),
    ],
)
def test_bad_parameters_are_400(
    client: TestClient, db: Session, query: dict[str, str], needle: str
) -> None:
    """Missing or malformed parameters: 400 naming the parameter; nothing stored."""
    headers = lrs_headers(db, "state")
    for method in ("GET", "PUT", "POST", "DELETE"):
        response = client.request(method, URL, params=query, content=b"{}", headers=headers)
        assert response.status_code == 400, (method, response.text)
        assert needle in response.json()["error"]


def test_put_and_post_need_state_id(client: TestClient, db: Session) -> None:
    """stateId is required to store a document."""
    headers = lrs_headers(db, "state")
    response = client.put(URL, params=params(), content=b"x", headers=headers)
    assert response.status_code == 400 and "stateId" in response.json()["error"]


def test_scopes(client: TestClient, db: Session) -> None:
    """state scope reads and writes; all/read only reads; statements/write gets 403."""
    reader = lrs_headers(db, "all/read")
    writer = lrs_headers(db, "statements/write")
    query = params(stateId="s")
    assert client.get(URL, params=query, headers=reader).status_code == 404
    assert client.put(URL, params=query, content=b"x", headers=reader).status_code == 403
    assert client.get(URL, params=query, headers=writer).status_code == 403
    assert (
        client.get(URL, params=query, headers={"X-Experience-API-Version": "1.0.3"}).status_code
        == 401
    )


def test_document_size_limit(client: TestClient, db: Session) -> None:
    """Documents above lrs_documents.max_document_bytes are refused with 413."""
    headers = lrs_headers(db, "state")
    big = b"x" * (1024 * 1024 + 1)
    response = client.put(URL, params=params(stateId="big"), content=big, headers=headers)
    assert response.status_code == 413
    assert client.get(URL, params=params(stateId="big"), headers=headers).status_code == 404


def test_json_state_document_round_trips_unicode(client: TestClient, db: Session) -> None:
    """Chinese text in a JSON document is stored byte for byte."""
    headers = {**lrs_headers(db, "state"), "Content-Type": "application/json; charset=utf-8"}
    body = json.dumps({"笔记": "终身学习"}, ensure_ascii=False).encode()
    client.put(URL, params=params(stateId="zh"), content=body, headers=headers)
    assert client.get(URL, params=params(stateId="zh"), headers=headers).content == body
