"""Agents resource: the Person object (xAPI 1.0.3 Part Three 2.4; 2.0 section 4.1.6.3)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.records.agents import ifi_key, record_agents
from tests.records.xapi_helpers import lrs_headers

ACCOUNT = {"account": {"homePage": "https://lifelong.example.org", "name": "42"}}


def test_ifi_keys_follow_contract_c1() -> None:
    """Canonical IFI keys are the ones the lakehouse uses."""
    assert ifi_key(ACCOUNT) == "account::https://lifelong.example.org::42"
    assert ifi_key({"mbox": "mailto:a@b.c"}) == "mbox::mailto:a@b.c"
    assert ifi_key({"mbox_sha1sum": "AB" * 20}) == "mbox_sha1sum::" + "ab" * 20
    assert ifi_key({"openid": "http://id.example/x"}) == "openid::http://id.example/x"


def test_person_for_unknown_agent(client: TestClient, db: Session) -> None:
    """2.4.s3.b3: an unknown Agent still gets a Person built from the request."""
    headers = lrs_headers(db, "all/read")
    response = client.get(
        "/xapi/agents", params={"agent": json.dumps({"mbox": "mailto:x@y.org"})}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {"objectType": "Person", "mbox": ["mailto:x@y.org"]}


def test_person_lists_names_seen(client: TestClient, db: Session) -> None:
    """Names recorded from statements appear once each in the Person's name array."""
    assert record_agents(db, [{**ACCOUNT, "name": "王芳"}, {**ACCOUNT, "name": "Wang Fang"}]) == 2
    assert record_agents(db, [{**ACCOUNT, "name": "王芳"}, {"objectType": "Group"}]) == 0
    db.commit()
    headers = lrs_headers(db, "all/read")
    response = client.get("/xapi/agents", params={"agent": json.dumps(ACCOUNT)}, headers=headers)
    person = response.json()
    assert person["objectType"] == "Person"
    assert person["name"] == ["王芳", "Wang Fang"]
    assert person["account"] == [ACCOUNT["account"]]


def test_agents_bad_input(client: TestClient, db: Session) -> None:
    """A Group, two IFIs or unknown properties in ``agent`` are 400s naming the rule."""
    headers = lrs_headers(db, "all/read")
    for agent, needle in [
        ({"objectType": "Group", "mbox": "mailto:a@b.c"}, "Group"),
        ({"mbox": "mailto:a@b.c", "openid": "http://o.example"}, "exactly one"),
        ({"mbox": "mailto:a@b.c", "age": 3}, "age"),
        ({"account": {"homePage": "https://x.example"}}, "homePage' and 'name'"),
    ]:
        response = client.get("/xapi/agents", params={"agent": json.dumps(agent)}, headers=headers)
        assert response.status_code == 400, agent
        assert needle in response.json()["error"]
    assert client.get("/xapi/agents", headers=headers).status_code == 400
