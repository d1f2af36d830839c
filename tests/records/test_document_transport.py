"""CORS, HEAD and the alternate request syntax on the document resources.

xAPI 1.0.3 Part Three 1.3 (alternate request syntax, CORS); xAPI 2.0 removed the
alternate syntax (IEEE 9274.1.1 section 4.1.1), so a 2.0 request using it is a 400.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.records.xapi_helpers import ACTIVITY, agent_param, lrs_headers

URL = "/xapi/activities/state"


def test_preflight_allows_xapi_headers(client: TestClient) -> None:
    """A browser preflight gets the methods and headers the document resources use."""
    response = client.options(
        URL,
        headers={
            "Origin": "https://content.example.org",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,if-match,x-experience-api-version",
        },
    )
    assert response.status_code in (200, 204)
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("if-match", "if-none-match", "x-experience-api-version", "authorization"):
        assert header in allowed
    assert "PUT" in response.headers["access-control-allow-methods"]


def test_cors_exposes_etag_and_last_modified(client: TestClient, db: Session) -> None:
    """A cross-origin GET can read ETag, Last-Modified and the version header."""
    headers = {**lrs_headers(db, "state"), "Origin": "https://content.example.org"}
    query = {"activityId": ACTIVITY, "agent": agent_param(), "stateId": "c"}
    client.put(URL, params=query, content=b"x", headers=headers)
    response = client.get(URL, params=query, headers=headers)
    exposed = response.headers["access-control-expose-headers"].lower()
    for header in (
        "etag",
        "last-modified",
        "x-experience-api-version",
        "x-experience-api-consistent-through",
    ):
        assert header in exposed
    assert response.headers["access-control-allow-origin"] == "https://content.example.org"


def test_alternate_request_syntax_put_and_get(client: TestClient, db: Session) -> None:
    """1.0.3 Part Three 1.3: POST ?method=PUT with headers and content as form fields."""
    headers = lrs_headers(db, "state", "1.0.3")
    form = {
        "Authorization": headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "activityId": ACTIVITY,
        "agent": agent_param(),
        "stateId": "alt",
        "content": '{"page": 7}',
    }
    put = client.post(
        URL + "?method=PUT",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert put.status_code == 204, put.text
    form_get = {k: v for k, v in form.items() if k not in ("content", "Content-Type")}
    got = client.post(
        URL + "?method=GET",
        content=urlencode(form_get),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert got.status_code == 200 and got.json() == {"page": 7}


def test_alternate_request_syntax_refused_in_2_0(client: TestClient, db: Session) -> None:
    """xAPI 2.0 has no alternate request syntax: a 400 saying so, nothing stored."""
    headers = lrs_headers(db, "state", "2.0.0")
    form = {
        "Authorization": headers["Authorization"],
        "X-Experience-API-Version": "2.0.0",
        "activityId": ACTIVITY,
        "agent": agent_param(),
        "stateId": "alt2",
        "content": "x",
    }
    response = client.post(
        URL + "?method=PUT",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "2.0" in response.json()["error"]
    query = {"activityId": ACTIVITY, "agent": agent_param(), "stateId": "alt2"}
    assert client.get(URL, params=query, headers=headers).status_code == 404
