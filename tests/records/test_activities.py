"""Activities resource and canonical definitions (xAPI 1.0.3 Part Three 2.5, Part Two 2.4.4.1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.records.activities import full_activity, merge_definition, record_definitions
from tests.records.xapi_helpers import ACTIVITY, lrs_headers


def test_record_definitions_merges_language_maps(db: Session) -> None:
    """Later definitions add languages and replace other properties."""
    record_definitions(
        db,
        [
            {
                "id": ACTIVITY,
                "definition": {"name": {"zh-CN": "数据分析"}, "type": "http://x/course"},
            }
        ],
    )
    record_definitions(
        db,
        [
            {"id": ACTIVITY, "definition": {"name": {"en-US": "Data analysis"}}},
            {"id": "https://lifelong.example.org/resources/2", "objectType": "Activity"},
        ],
    )
    db.commit()
    assert full_activity(db, ACTIVITY) == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"zh-CN": "数据分析", "en-US": "Data analysis"},
            "type": "http://x/course",
        },
    }
    assert full_activity(db, "https://lifelong.example.org/resources/2") == {
        "objectType": "Activity",
        "id": "https://lifelong.example.org/resources/2",
    }


def test_without_define_scope_ids_are_kept_but_not_definitions(db: Session) -> None:
    """Scope ``define`` missing: the Activity is known, its definition is not taken."""
    record_definitions(db, [{"id": ACTIVITY, "definition": {"name": {"en-US": "A"}}}])
    record_definitions(
        db,
        [
            {"id": ACTIVITY, "definition": {"name": {"en-US": "Hijacked"}}},
            {"id": "https://lifelong.example.org/resources/3", "definition": {"type": "x:y"}},
        ],
        define=False,
    )
    assert full_activity(db, ACTIVITY)["definition"] == {"name": {"en-US": "A"}}
    assert "definition" not in full_activity(db, "https://lifelong.example.org/resources/3")


def test_interaction_components_merge_by_id() -> None:
    """Choices with the same id keep every language of their description."""
    old = {"choices": [{"id": "a", "description": {"en-US": "A"}}]}
    new = {"choices": [{"id": "a", "description": {"zh-CN": "甲"}}, {"id": "b"}]}
    assert merge_definition(old, new)["choices"] == [
        {"id": "a", "description": {"en-US": "A", "zh-CN": "甲"}},
        {"id": "b"},
    ]


def test_get_activity(client: TestClient, db: Session) -> None:
    """GET /xapi/activities returns the canonical object, or a bare one when unknown."""
    record_definitions(db, [{"id": ACTIVITY, "definition": {"name": {"en-US": "Course"}}}])
    db.commit()
    headers = lrs_headers(db, "all/read")
    known = client.get("/xapi/activities", params={"activityId": ACTIVITY}, headers=headers)
    assert known.status_code == 200
    assert known.json()["definition"]["name"] == {"en-US": "Course"}
    unknown = client.get(
        "/xapi/activities", params={"activityId": "http://unknown.example/a"}, headers=headers
    )
    assert unknown.json() == {"objectType": "Activity", "id": "http://unknown.example/a"}


def test_get_activity_bad_input_and_scope(client: TestClient, db: Session) -> None:
    """Missing/invalid activityId is 400; a write-only credential is 403."""
    headers = lrs_headers(db, "profile")
    missing = client.get("/xapi/activities", headers=headers)
    assert missing.status_code == 400 and "activityId" in missing.json()["error"]
    bad = client.get("/xapi/activities", params={"activityId": "foo bar"}, headers=headers)
    assert bad.status_code == 400 and "IRI" in bad.json()["error"]
    writer = lrs_headers(db, "statements/write")
    denied = client.get("/xapi/activities", params={"activityId": ACTIVITY}, headers=writer)
    assert denied.status_code == 403
