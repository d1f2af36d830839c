"""The lifelong learning account: a complete export, and an erasure that keeps the counts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifelong.accounts.models import AuditEvent, User
from lifelong.learning.models import Certificate, Enrolment, EnrolmentStatus
from tests.factories import make_branch, make_user, token_for
from tests.learning.journey.factories import world


def _learn(client: TestClient, db: Session) -> tuple[dict, dict[str, str]]:
    made = world(db)
    auth = token_for(client, "learner1")
    for key in ("document", "video"):
        client.post("/api/v1/enrolments", json={"resource_id": made[key].id}, headers=auth)
    client.post(
        f"/api/v1/enrolments/{made['document'].id}/progress",
        json={"read_fraction": 1, "seconds": 120},
        headers=auth,
    )
    return made, auth


def test_the_export_holds_everything_across_branches(client: TestClient, db: Session) -> None:
    made, auth = _learn(client, db)
    # An enrolment made through another branch belongs to the same lifelong account.
    other = make_branch(db, "SH")
    db.add(
        Enrolment(
            user_id=made["learner"].id,
            resource_id=made["course"].id,
            branch_id=other.id,
            registration="11111111-1111-4111-8111-111111111111",
        )
    )
    db.commit()
    record = client.get("/api/v1/account/export", headers=auth)
    assert "attachment" in record.headers["content-disposition"]
    data = record.json()
    assert data["account"]["username"] == "learner1"
    assert {e["title"] for e in data["enrolments"]} == {
        "Lifelong learning reader",
        "终身教育视频",
        "课程",
    }
    assert {e["branch_id"] for e in data["enrolments"]} == {made["branch"].id, other.id}
    assert len(data["certificates"]) == 1
    assert data["certificates"][0]["credential"]["proof"]["type"] == "DataIntegrityProof"
    assert data["credits"] == 2.0
    assert data["seconds_spent"] == 120
    assert [s["kind"] for s in data["sign_ins"]] == ["token_issued", "login"]


def test_erasure_removes_identity_and_keeps_counts(client: TestClient, db: Session) -> None:
    made, auth = _learn(client, db)
    before = (
        db.scalar(select(func.count(Enrolment.id))),
        db.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.status == EnrolmentStatus.completed)
        ),
        db.scalar(select(func.count(Certificate.id))),
    )
    cert_id = db.scalar(select(Certificate.id))
    wrong = client.post("/api/v1/account/erasure", json={"confirm_username": "x"}, headers=auth)
    assert wrong.status_code == 400
    done = client.post(
        "/api/v1/account/erasure", json={"confirm_username": "learner1"}, headers=auth
    )
    assert done.status_code == 202
    db.expire_all()
    user = db.get(User, made["learner"].id)
    assert user is not None
    assert user.erased_at is not None and not user.is_active
    assert user.username != "learner1" and user.display_name == "Erased learner"
    assert user.email is None
    after = (
        db.scalar(select(func.count(Enrolment.id))),
        db.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.status == EnrolmentStatus.completed)
        ),
        db.scalar(select(func.count(Certificate.id))),
    )
    assert after == before
    assert db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.subject == "learner1")) == 0
    assert db.scalar(select(AuditEvent.kind).where(AuditEvent.kind == "account_erased"))
    # The old token no longer works and the password no longer signs in.
    assert client.get("/api/v1/me", headers=auth).status_code == 401
    login = client.post("/api/v1/auth/token", data={"username": "learner1", "password": "x"})
    assert login.status_code == 401
    # Certificates still verify, without the name.
    verdict = client.get(f"/api/v1/certificates/{cert_id}/verify").json()
    assert verdict["status"] == "valid" and verdict["holder"] is None


def test_staff_cannot_erase_themselves_here(client: TestClient, db: Session) -> None:
    from lifelong.accounts.models import Role

    make_user(db, Role.teacher, username="t9")
    db.commit()
    auth = token_for(client, "t9")
    response = client.post("/api/v1/account/erasure", json={"confirm_username": "t9"}, headers=auth)
    assert response.status_code == 403
