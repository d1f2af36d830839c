"""Per-type completion rules through the API: video 90 %, document end, assessment pass,
live attendance, course units; progress never goes backwards; one certificate only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifelong.learning.models import Certificate
from tests.factories import token_for
from tests.learning.journey.factories import world


def _enrol(client: TestClient, auth: dict[str, str], rid: int) -> None:
    assert client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth).is_success


def _play(client: TestClient, auth: dict[str, str], rid: int, start: int, end: int) -> dict:
    response = client.post(
        f"/api/v1/enrolments/{rid}/progress",
        json={"played_from": start, "played_to": end},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_video_completes_at_90_percent_watched_not_by_seeking(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["video"].id  # 100 s: ten segments
    _enrol(client, auth, rid)
    seek = _play(client, auth, rid, 0, 100)  # one report covers at most 30 s
    assert seek["progress"] == 0.3 and seek["completed_at"] is None
    replay = _play(client, auth, rid, 0, 30)
    assert replay["progress"] == 0.3
    _play(client, auth, rid, 30, 60)
    almost = _play(client, auth, rid, 60, 80)
    assert almost["progress"] == 0.8 and almost["completed_at"] is None
    assert almost["position_seconds"] == 80  # where the learner resumes
    done = _play(client, auth, rid, 80, 90)
    assert done["progress"] == 1.0
    assert done["status"] == "completed"
    assert done["certificate_id"]


def test_video_position_is_kept_but_progress_never_goes_backwards(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["video"].id
    _enrol(client, auth, rid)
    _play(client, auth, rid, 0, 30)
    back = _play(client, auth, rid, 0, 10)
    assert back["progress"] == 0.3
    assert back["position_seconds"] == 10
    launched = client.post(f"/api/v1/enrolments/{rid}/launch", headers=auth).json()
    assert launched["position_seconds"] == 10


def test_document_completes_when_read_to_the_end(client: TestClient, db: Session) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["document"].id
    _enrol(client, auth, rid)
    url = f"/api/v1/enrolments/{rid}/progress"
    half = client.post(url, json={"read_fraction": 0.5, "seconds": 40}, headers=auth).json()
    assert half["progress"] == 0.5 and half["completed_at"] is None
    lower = client.post(url, json={"read_fraction": 0.2}, headers=auth).json()
    assert lower["progress"] == 0.5
    end = client.post(url, json={"read_fraction": 1, "seconds": 20}, headers=auth).json()
    assert end["status"] == "completed"
    assert end["seconds_spent"] == 60


def test_assessment_is_scored_on_the_server_and_attempts_are_limited(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["assessment"].id  # pass mark 0.6, two attempts
    _enrol(client, auth, rid)
    shown = client.get(f"/api/v1/enrolments/{rid}/questions", headers=auth).json()
    assert len(shown) == 3 and all("answer" not in q for q in shown)
    url = f"/api/v1/enrolments/{rid}/attempts"
    failed = client.post(url, json={"answers": [0, 0, 1]}, headers=auth).json()
    assert failed["passed"] is False and failed["correct"] == 0
    assert failed["enrolment"]["attempts_left"] == 1
    # A client cannot send its own score: the body only takes answers.
    forged = client.post(url, json={"answers": [1, 1, 0], "score": 1.0}, headers=auth)
    assert forged.status_code == 400
    passed = client.post(url, json={"answers": [1, 1, 1]}, headers=auth).json()
    assert passed["correct"] == 2 and passed["passed"] is True
    assert passed["enrolment"]["status"] == "completed"
    assert passed["enrolment"]["best_score"] == 2 / 3
    over = client.post(url, json={"answers": [1, 1, 0]}, headers=auth)
    assert over.status_code == 409
    assert "attempts" in over.json()["error"].lower()


def test_assessment_out_of_attempts_without_passing_is_not_complete(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["assessment"].id
    _enrol(client, auth, rid)
    url = f"/api/v1/enrolments/{rid}/attempts"
    for _ in range(2):
        assert client.post(url, json={"answers": [0, 0, 1]}, headers=auth).json()["passed"] is False
    assert client.post(url, json={"answers": [1, 1, 0]}, headers=auth).status_code == 409
    state = client.get(f"/api/v1/enrolments/{rid}", headers=auth).json()
    assert state["status"] == "active" and state["certificate_id"] is None
    bad = client.post(url, json={"answers": [1]}, headers=auth)
    assert bad.status_code == 409  # no attempts left is checked first


def test_live_session_attendance_inside_and_outside_the_window(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    now_id, past_id = made["live"].id, made["past_live"].id
    _enrol(client, auth, now_id)
    _enrol(client, auth, past_id)
    ok = client.post(f"/api/v1/enrolments/{now_id}/attendance", headers=auth)
    assert ok.json()["status"] == "completed"
    late = client.post(f"/api/v1/enrolments/{past_id}/attendance", headers=auth)
    assert late.status_code == 409
    teacher = token_for(client, "teacher1")
    marked = client.post(
        f"/api/v1/teach/resources/{past_id}/attendance",
        json={"user_id": made["learner"].id},
        headers=teacher,
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "completed"
    other = client.post(
        f"/api/v1/teach/resources/{past_id}/attendance",
        json={"user_id": made["learner"].id},
        headers=auth,
    )
    assert other.status_code == 403


def test_course_completes_when_every_unit_is_done_with_one_certificate(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    auth = token_for(client, "learner1")
    rid = made["course"].id
    _enrol(client, auth, rid)
    url = f"/api/v1/enrolments/{rid}/progress"
    one = client.post(url, json={"unit": 1}, headers=auth).json()
    assert one["progress"] == 0.5
    assert client.post(url, json={"unit": 7}, headers=auth).status_code == 400
    done = client.post(url, json={"unit": 0}, headers=auth).json()
    assert done["status"] == "completed"
    client.post(url, json={"unit": 0}, headers=auth)
    client.delete(f"/api/v1/enrolments/{rid}", headers=auth)
    client.post("/api/v1/enrolments", json={"resource_id": rid}, headers=auth)
    client.post(url, json={"unit": 1}, headers=auth)
    count = db.scalar(select(func.count(Certificate.id)).where(Certificate.resource_id == rid))
    assert count == 1
    board = client.get("/api/v1/dashboard", headers=auth).json()
    assert board["credits"] == 2.0 and len(board["certificates"]) == 1


def test_the_resource_api_hides_the_answer_key_from_learners(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    rid = made["assessment"].id
    anonymous = client.get(f"/api/v1/resources/{rid}").json()
    assert all("answer" not in q for q in anonymous["content"]["questions"])
    teacher = client.get(f"/api/v1/resources/{rid}", headers=token_for(client, "teacher1")).json()
    assert [q["answer"] for q in teacher["content"]["questions"]] == [1, 1, 0]
