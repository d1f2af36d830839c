"""Enrolling and leaving through the API: 404 for a missing resource, 409 when not enrolled."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.learning.journey.models import OutboxEntry
from lifelong.learning.models import Enrolment
from tests.factories import token_for
from tests.learning.journey.factories import world


def test_enrolling_in_a_missing_resource_is_404_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    world(db)
    auth = token_for(client, "learner1")
    response = client.post("/api/v1/enrolments", json={"resource_id": 999_999}, headers=auth)
    assert response.status_code == 404
    assert response.json()["error"]
    assert db.scalar(select(func.count(Enrolment.id))) == 0
    assert db.scalar(select(func.count(OutboxEntry.id))) == 0


def test_progress_without_enrolment_is_409(client: TestClient, db: Session) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    response = client.post(
        f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 0.5}, headers=auth
    )
    assert response.status_code == 409
    assert "enrol" in response.json()["error"].lower()
    missing = client.post(
        "/api/v1/enrolments/999999/progress", json={"read_fraction": 0.5}, headers=auth
    )
    assert missing.status_code == 404


def test_enrol_is_idempotent_and_leaving_keeps_history(client: TestClient, db: Session) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    first = client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    assert first.status_code == 201
    again = client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    assert again.status_code == 200
    assert again.json()["registration"] == first.json()["registration"]
    client.post(f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 0.4}, headers=auth)
    left = client.delete(f"/api/v1/enrolments/{rid}", headers=auth)
    assert left.json()["status"] == "withdrawn"
    assert left.json()["progress"] == 0.4
    blocked = client.post(
        f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 0.6}, headers=auth
    )
    assert blocked.status_code == 409
    back = client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    assert back.status_code == 201
    assert back.json()["status"] == "active"
    assert back.json()["progress"] == 0.4
    assert back.json()["registration"] == first.json()["registration"]


def test_bad_progress_input_is_400_naming_the_field(client: TestClient, db: Session) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    response = client.post(
        f"/api/v1/enrolments/{rid}/progress", json={"read_fraction": 3}, headers=auth
    )
    assert response.status_code == 400
    assert "read_fraction" in response.json()["error"]
    unknown = client.post(f"/api/v1/enrolments/{rid}/progress", json={"score": 1}, headers=auth)
    assert unknown.status_code == 400


def test_signed_out_callers_cannot_enrol(client: TestClient, db: Session) -> None:
    made = world(db)
    response = client.post("/api/v1/enrolments", json={"resource_id": made["video"].id})
    assert response.status_code == 401


def test_the_journey_api_is_described_in_openapi(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/enrolments",
        "/api/v1/enrolments/{resource_id}/progress",
        "/api/v1/enrolments/{resource_id}/attempts",
        "/api/v1/certificates/{certificate_id}/verify",
        "/api/v1/credentials/verify",
        "/api/v1/account/export",
        "/api/v1/account/erasure",
        "/api/v1/teach/learners",
    ):
        assert path in paths, path
    assert not any(p.startswith("/learn/") or p.startswith("/verify/") for p in paths)


def test_a_commit_that_fails_is_the_answer_not_a_success_sent_before_it(
    settings: Settings, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request's unit of work commits before the response leaves: a client told
    "enrolled" (or redirected to the player) finds the enrolment there, and a commit that
    fails is answered as the error it is."""
    made = world(db)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        auth = token_for(client, "learner1")

        def refuse(self: Session) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        monkeypatch.setattr(Session, "commit", refuse)
        response = client.post(
            "/api/v1/enrolments", json={"resource_id": made["document"].id}, headers=auth
        )
        monkeypatch.undo()
    assert response.status_code == 500
    assert db.scalar(select(func.count(Enrolment.id))) == 0
