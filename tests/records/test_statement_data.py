"""The Data part's MUSTs, one case per rule: valid statements stored, invalid ones 400.

Organised by section of xAPI 1.0.3 Data (and IEEE 9274.1.1 for 2.0-only rules). Every
rejection must name the rule (section) and store nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.records.conftest import ACTIVITY, VERB, HeadersFor, statement

AGENT = {"mbox": "mailto:a@example.org"}
GROUP = {"objectType": "Group", "member": [AGENT]}
SCORE_OK = {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}


def nested(levels: int) -> Any:
    """A JSON value that nests arrays (and one object) ``levels`` deep."""
    value: Any = "leaf"
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


VALID: dict[str, dict[str, Any]] = {
    "2.4.2.1 agent by account": statement(
        actor={"account": {"homePage": "https://lifelong.example.org", "name": "42"}}
    ),
    "2.4.2.1 agent by mbox_sha1sum": statement(actor={"mbox_sha1sum": "a" * 40}),
    "2.4.2.1 agent by openid": statement(actor={"openid": "http://openid.example.org/x"}),
    "2.4.2.2 anonymous group": statement(actor=GROUP),
    "2.4.2.2 identified group": statement(actor={"objectType": "Group", "mbox": "mailto:g@x.org"}),
    "2.4.4 agent object": statement(object={"objectType": "Agent", "mbox": "mailto:b@x.org"}),
    "2.4.4.3 statement ref": statement(
        object={"objectType": "StatementRef", "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11"}
    ),
    "2.4.4.3 substatement": statement(
        object={
            "objectType": "SubStatement",
            "actor": AGENT,
            "verb": {"id": VERB},
            "object": {"id": ACTIVITY},
        }
    ),
    "2.4.4.1 choice interaction": statement(
        object={
            "id": ACTIVITY,
            "definition": {
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}],
            },
        }
    ),
    "2.4.5 result": statement(
        result={
            "score": SCORE_OK,
            "success": True,
            "completion": False,
            "response": "x",
            "duration": "PT1H2M3.5S",
            "extensions": {"http://x.org/e": None},
        }
    ),
    "2.4.6 context": statement(
        context={
            "registration": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11",
            "instructor": AGENT,
            "team": GROUP,
            "contextActivities": {"parent": {"id": ACTIVITY}},
            "revision": "1",
            "platform": "p",
            "language": "zh-Hans-CN",
            "statement": {
                "objectType": "StatementRef",
                "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11",
            },
        }
    ),
    "4.1 extension value nested 128 deep (this LRS's limit)": statement(
        result={"extensions": {"http://x.org/e": nested(128)}}
    ),
    "2.4.7 timestamp with offset": statement(timestamp="2026-03-01T08:00:00.123+08:00"),
    "2.4.7 timestamp without offset (1.0.3: UTC)": statement(timestamp="2026-03-01T08:00:00"),
    "2.4.10 version 1.0.1": statement(version="1.0.1"),
    "2.3.2 voiding a missing statement": statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a12"},
    ),
}

INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "2.2 unknown top-level property": (statement(foo=1), "unknown property"),
    "2.2 null value": ({**statement(), "result": None}, "must not be null"),
    "2.4 missing verb": (statement(verb=None), "'verb' is required"),
    "2.4.1 id not a UUID": (statement(id="not-a-uuid"), "Data 2.4.1"),
    "2.4.2.1 agent without IFI": (statement(actor={"name": "x"}), "exactly one of"),
    "2.4.2.1 agent with two IFIs": (
        statement(actor={"mbox": "mailto:a@b.c", "openid": "http://o.org"}),
        "exactly one of",
    ),
    "2.4.2.3 mbox not mailto": (statement(actor={"mbox": "a@b.c"}), "mailto"),
    "2.4.2.3 bad sha1": (statement(actor={"mbox_sha1sum": "xyz"}), "SHA-1"),
    "2.4.2.4 account without homePage": (statement(actor={"account": {"name": "1"}}), "homePage"),
    "2.4.2.4 account homePage not IRI": (
        statement(actor={"account": {"homePage": "ab=c://x", "name": "1"}}),
        "IRI",
    ),
    "2.4.2.2 anonymous group without members": (
        statement(actor={"objectType": "Group"}),
        "anonymous Group",
    ),
    "2.4.2.2 group member is a group": (
        statement(actor={"objectType": "Group", "member": [GROUP]}),
        "must be Agents",
    ),
    "2.4.2.1 wrong actor objectType": (
        statement(actor={"objectType": "Person", "mbox": "mailto:a@b.c"}),
        "objectType",
    ),
    "2.4.3 verb id not IRI": (statement(verb={"id": "ab=c://should.fail.com"}), "IRI"),
    "4.2 bad language tag": (
        statement(verb={"id": VERB, "display": {"a12345": "attended"}}),
        "RFC 5646",
    ),
    "4.2 language map value not a string": (
        statement(verb={"id": VERB, "display": {"en-US": 1}}),
        "must be a string",
    ),
    "2.4.4 unknown objectType": (
        statement(object={"objectType": "Thing", "id": ACTIVITY}),
        "objectType",
    ),
    "2.4.4.1 activity without id": (statement(object={"objectType": "Activity"}), "needs an id"),
    "2.4.4.1 unknown interaction type": (
        statement(object={"id": ACTIVITY, "definition": {"interactionType": "essay"}}),
        "interaction type",
    ),
    "2.4.4.1.1 components not allowed for type": (
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"interactionType": "true-false", "choices": [{"id": "a"}]},
            }
        ),
        "not allowed",
    ),
    "2.4.4.1.2 duplicate component ids": (
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "unique",
    ),
    "2.4.4.3 statementref without uuid": (
        statement(object={"objectType": "StatementRef", "id": "x"}),
        "UUID",
    ),
    "2.4.4.3 nested substatement": (
        statement(
            object={
                "objectType": "SubStatement",
                "actor": AGENT,
                "verb": {"id": VERB},
                "object": {
                    "objectType": "SubStatement",
                    "actor": AGENT,
                    "verb": {"id": VERB},
                    "object": {"id": ACTIVITY},
                },
            }
        ),
        "must not contain a SubStatement",
    ),
    "2.4.4.3 substatement with id": (
        statement(
            object={
                "objectType": "SubStatement",
                "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11",
                "actor": AGENT,
                "verb": {"id": VERB},
                "object": {"id": ACTIVITY},
            }
        ),
        "must not have 'id'",
    ),
    "2.4.5.1 scaled out of range": (
        statement(result={"score": {"scaled": 1.5}}),
        "between -1 and 1",
    ),
    "2.4.5.1 raw above max": (statement(result={"score": {"raw": 11, "min": 0, "max": 10}}), "raw"),
    "2.4.5.1 min not below max": (statement(result={"score": {"min": 5, "max": 5}}), "min must be"),
    "2.4.5 success not boolean": (statement(result={"success": "yes"}), "true or false"),
    "4.6 bad duration": (statement(result={"duration": "1 hour"}), "duration"),
    "4.1 extension key not IRI": (statement(result={"extensions": {"progress": 1}}), "IRI"),
    "2.4.6 registration not UUID": (statement(context={"registration": "abc"}), "UUID"),
    "4.1 extension value nested past this LRS's limit": (
        statement(context={"extensions": {"http://x.org/e": nested(129)}}),
        "more than 128 deep",
    ),
    "4.1 extension value nested 300 deep (was a 500)": (
        statement(
            object={"id": ACTIVITY, "definition": {"extensions": {"http://x.org/e": nested(300)}}}
        ),
        "more than 128 deep",
    ),
    "2.4.6 team not a group": (statement(context={"team": AGENT}), "must be a Group"),
    "2.4.6 revision with agent object": (
        statement(
            object={"objectType": "Agent", "mbox": "mailto:b@x.org"}, context={"revision": "1"}
        ),
        "must not be used",
    ),
    "2.4.6 context language bad": (statement(context={"language": "english!"}), "RFC 5646"),
    "2.4.6 contextAgents are 2.0 only": (
        statement(context={"contextAgents": [{"objectType": "contextAgent", "agent": AGENT}]}),
        "unknown property",
    ),
    "2.4.7 timestamp not ISO 8601": (statement(timestamp="yesterday"), "ISO 8601"),
    "2.4.7 timestamp -00:00 offset": (statement(timestamp="2026-03-01T08:00:00-00:00"), "-00:00"),
    "2.4.10 version 2.0.0 under 1.0.3": (statement(version="2.0.0"), "Data 2.4.10"),
    "2.4.9 authority group of three": (
        statement(authority={"objectType": "Group", "member": [AGENT, AGENT, AGENT]}),
        "exactly two members",
    ),
    "2.4.11 attachment missing sha2": (
        statement(
            attachments=[
                {
                    "usageType": "http://x.org/u",
                    "display": {"en-US": "a"},
                    "contentType": "text/plain",
                    "length": 1,
                }
            ]
        ),
        "sha2",
    ),
    "2.3.2 voiding statement object not StatementRef": (
        statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "StatementRef",
    ),
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_statement_is_stored(name: str, client: TestClient, xapi: dict[str, str]) -> None:
    """A statement following the rules is stored and can be read back."""
    response = client.post("/xapi/statements", json=VALID[name], headers=xapi)
    assert response.status_code == 200, response.text
    (statement_id,) = response.json()
    stored = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    assert stored.status_code == 200
    assert stored.json()["id"] == statement_id


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_statement_is_rejected(name: str, client: TestClient, xapi: dict[str, str]) -> None:
    """A statement breaking a MUST gets a 400 naming the rule; nothing is stored."""
    body, expected = INVALID[name]
    response = client.post("/xapi/statements", json=[statement(), body], headers=xapi)
    assert response.status_code == 400, response.text
    message = response.json()["error"]
    assert expected in message
    assert "xAPI" in message  # every rejection cites the specification
    assert client.get("/xapi/statements", headers=xapi).json()["statements"] == []


def test_v2_context_agents_and_groups(client: TestClient, headers_for: HeadersFor) -> None:
    """2.0 (9274.1.1 5.2.7): contextAgents/contextGroups accepted, checked, and indexed."""
    v2 = headers_for(version="2.0.0")
    ok = statement(
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:t@x.org"},
                    "relevantTypes": ["http://x.org/types/tutor"],
                }
            ],
            "contextGroups": [{"objectType": "contextGroup", "group": GROUP}],
        }
    )
    response = client.post("/xapi/statements", json=ok, headers=v2)
    assert response.status_code == 200, response.text
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    found = client.get(
        "/xapi/statements",
        params={"agent": '{"mbox": "mailto:t@x.org"}', "related_agents": "true"},
        headers=v2,
    )
    assert [s["id"] for s in found.json()["statements"]] == response.json()
    bad = statement(context={"contextAgents": [{"objectType": "agent", "agent": AGENT}]})
    assert client.post("/xapi/statements", json=bad, headers=v2).status_code == 400


def test_v2_requires_timestamp_offset(client: TestClient, headers_for: HeadersFor) -> None:
    """2.0 timestamps follow RFC 3339, which requires an offset."""
    v2 = headers_for(version="2.0")
    response = client.post(
        "/xapi/statements", json=statement(timestamp="2026-03-01T08:00:00"), headers=v2
    )
    assert response.status_code == 400
    assert "offset" in response.json()["error"]


def test_stored_statement_gets_lrs_properties(client: TestClient, xapi: dict[str, str]) -> None:
    """Data 2.4.8-2.4.10: the LRS sets stored, authority, version and a default timestamp."""
    (statement_id,) = client.post("/xapi/statements", json=statement(), headers=xapi).json()
    stored = client.get("/xapi/statements", params={"statementId": statement_id}, headers=xapi)
    body = stored.json()
    assert body["version"] == "1.0.0"
    assert body["authority"]["account"]["homePage"].endswith("/xapi/clients")
    assert body["timestamp"] == body["stored"]
    assert stored.headers["Last-Modified"].endswith("GMT")


def test_context_activities_single_object_returned_as_array(
    client: TestClient, xapi: dict[str, str]
) -> None:
    """Data 2.4.6.2: a single contextActivities object is stored as an array."""
    body = statement(context={"contextActivities": {"grouping": {"id": ACTIVITY}}})
    (statement_id,) = client.post("/xapi/statements", json=body, headers=xapi).json()
    stored = client.get(
        "/xapi/statements", params={"statementId": statement_id}, headers=xapi
    ).json()
    assert stored["context"]["contextActivities"]["grouping"] == [{"id": ACTIVITY}]
