"""The journey's pages in both languages, with markup in descriptions always escaped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.accounts.models import LearnerProfile, Role
from lifelong.learning.models import ResourceType
from tests.factories import login, make_user
from tests.learning.catalog.factories import make_provider, make_resource, make_subject
from tests.learning.journey.factories import world

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_new_page_escapes_markup_in_both_languages(
    client: TestClient, db: Session, locale: str
) -> None:
    made = world(db)
    evil = make_resource(
        db,
        made["video"].provider,
        made["video"].subject,
        f"Evil {SCRIPT}",
        type=ResourceType.document,
        description=SCRIPT,
        content={"body": SCRIPT},
        created_by_id=made["teacher"].id,
    )
    db.commit()
    client.cookies.set("lifelong_locale", locale)
    login(client, "learner1")
    page = client.get(f"/resources/{evil.id}")
    token = _csrf(page.text)
    enrolled = client.post(
        f"/resources/{evil.id}/enrol", data={"csrf_token": token}, follow_redirects=False
    )
    assert enrolled.status_code == 303 and enrolled.headers["location"] == f"/learn/{evil.id}"
    client.post(
        f"/api/v1/enrolments/{evil.id}/progress",
        json={"read_fraction": 1},
        headers={"Accept": "application/json"},
    )
    cert = client.get("/api/v1/certificates").json()[0]["id"]
    pages = [
        f"/resources/{evil.id}",
        f"/learn/{evil.id}",
        "/my",
        "/account",
        "/account/transcript",
        f"/certificates/{cert}",
        f"/verify/{cert}",
    ]
    words = {"zh_CN": "我的学习", "en": "My learning"}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text, path
        assert "<img src=x" not in response.text, path
    assert "&lt;script&gt;" in client.get(f"/learn/{evil.id}").text
    assert words[locale] in client.get("/my").text
    client.cookies.clear()
    login(client, "teacher1")
    teacher_page = client.get("/teach/learners")
    assert teacher_page.status_code == 200
    assert "<script>alert" not in teacher_page.text
    assert "&lt;script&gt;" in teacher_page.text


def test_players_per_type_render_and_hide_the_answer_key(client: TestClient, db: Session) -> None:
    made = world(db)
    login(client, "learner1")
    for key in ("video", "document", "assessment", "live", "course"):
        rid = made[key].id
        token = _csrf(client.get(f"/resources/{rid}").text)
        client.post(f"/resources/{rid}/enrol", data={"csrf_token": token})
        page = client.get(f"/learn/{rid}")
        assert page.status_code == 200, key
        assert 'id="player"' in page.text
    assessment = client.get(f"/learn/{made['assessment'].id}").text
    assert "终身教育是什么" in assessment and '"answer"' not in assessment
    token = _csrf(assessment)
    result = client.post(
        f"/learn/{made['assessment'].id}/attempt",
        data={"csrf_token": token, "q0": "1", "q1": "1", "q2": "0"},
    )
    assert 'id="result"' in result.text and "100%" in result.text


def test_the_player_sends_non_enrolled_visitors_to_the_resource_page(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    login(client, "learner1")
    response = client.get(f"/learn/{made['video'].id}", follow_redirects=False)
    assert response.headers["location"] == f"/resources/{made['video'].id}"
    assert client.get("/learn/999999").status_code == 404


def test_teachers_see_only_their_own_resources_learners(client: TestClient, db: Session) -> None:
    made = world(db)
    other_teacher = make_user(db, Role.teacher, branch=made["branch"], username="teacher2")
    subject = make_subject(db, "CS")
    provider = make_provider(db, "P2")
    theirs = make_resource(db, provider, subject, "Other course", created_by_id=other_teacher.id)
    db.commit()
    login(client, "learner1")
    for rid in (made["video"].id, theirs.id):
        client.post(
            "/api/v1/enrolments", json={"resource_id": rid}, headers={"Accept": "application/json"}
        )
    client.cookies.clear()
    login(client, "teacher1")
    rows = client.get("/api/v1/teach/learners").json()
    assert [r["resource_title"] for r in rows] == ["终身教育视频"]
    assert client.get("/api/v1/teach/learners", params={"resource_id": theirs.id}).json() == []


def test_branch_admins_see_only_their_branchs_learners(client: TestClient, db: Session) -> None:
    from tests.factories import make_branch

    made = world(db)
    elsewhere = make_branch(db, "SH")
    make_user(db, Role.learner, branch=elsewhere, username="shanghai")
    make_user(db, Role.branch_admin, branch=elsewhere, username="sh_admin")
    make_user(db, Role.branch_admin, branch=made["branch"], username="bj_admin1")
    db.commit()
    for username in ("learner1", "shanghai"):
        client.cookies.clear()
        login(client, username)
        client.post(
            "/api/v1/enrolments",
            json={"resource_id": made["video"].id},
            headers={"Accept": "application/json"},
        )
    for admin, learner in (("sh_admin", "SH"), ("bj_admin1", "BJ")):
        client.cookies.clear()
        login(client, admin)
        rows = client.get("/api/v1/teach/learners").json()
        assert [r["branch_code"] for r in rows] == [learner]
    client.cookies.clear()
    login(client, "learner1")
    assert client.get("/api/v1/teach/learners").status_code == 403


def test_the_learner_home_shows_the_dashboard_figures(client: TestClient, db: Session) -> None:
    made = world(db)
    client.cookies.set("lifelong_locale", "en")
    login(client, "learner1")
    rid = made["document"].id
    client.post(
        "/api/v1/enrolments", json={"resource_id": rid}, headers={"Accept": "application/json"}
    )
    client.post(
        f"/api/v1/enrolments/{rid}/progress",
        json={"read_fraction": 1, "seconds": 300},
        headers={"Accept": "application/json"},
    )
    home = client.get("/").text
    for label in ("Enrolled", "Completed", "Certificates", "Hours", "Credits"):
        assert f'<span class="figure-label">{label}</span>' in home
    assert '<span class="figure-value">2</span><span class="figure-label">Credits</span>' in home
    assert 'href="/my"' in home


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("zh_CN", ["出生年份", "工厂工人", "高中", "教育学"]),
        ("en", ["Year of birth", "Female", "Factory worker", "Senior secondary", "EDU subject"]),
    ],
)
def test_the_account_page_names_profile_values_in_the_page_language(
    client: TestClient, db: Session, locale: str, shown: list[str]
) -> None:
    made = world(db)
    db.add(
        LearnerProfile(
            user_id=made["learner"].id,
            birth_year=1976,
            gender="female",
            occupation="factory_worker",
            education="senior_secondary",
            province="北京",
            # A subject's code is named as the subject; anything else as the learner gave it.
            interests=["EDU", "摄影"],
        )
    )
    db.commit()
    client.cookies.set("lifelong_locale", locale)
    login(client, "learner1")
    page = client.get("/account").text
    for text in [*shown, "1976", "北京", "摄影"]:
        assert text in page, text
    for text in ("factory_worker", "senior_secondary", ">EDU<", ">female<"):
        assert text not in page, text


def test_learners_progress_comes_a_page_at_a_time_and_by_status(
    client: TestClient, db: Session
) -> None:
    from lifelong.learning.models import EnrolmentStatus
    from tests.personalize.factories import enrol

    made = world(db)
    for n in range(120):
        someone = make_user(db, Role.learner, branch=made["branch"], username=f"many{n}")
        status = EnrolmentStatus.completed if n % 4 == 0 else EnrolmentStatus.active
        enrol(db, someone, made["video"], status=status)
    db.commit()
    client.cookies.set("lifelong_locale", "en")
    login(client, "teacher1")
    first = client.get("/teach/learners").text
    assert first.count("<tr>") == 1 + 50  # the head and one page
    assert "1-50 of 120" in first and "?page=2" in first and "Previous" not in first
    last = client.get("/teach/learners", params={"page": 3}).text
    assert last.count("<tr>") == 1 + 20 and "101-120 of 120" in last and "?page=4" not in last
    done = client.get("/teach/learners", params={"status": "completed"}).text
    assert "1-30 of 30" in done and done.count("<td>Completed</td>") == 30
    assert "<td>Active</td>" not in done
    # The API pages the same rows, and keeps one status.
    api = "/api/v1/teach/learners"
    page = client.get(api, params={"offset": 100, "limit": 50}).json()
    assert len(page) == 20
    completed = client.get(api, params={"status": "completed"}).json()
    assert len(completed) == 30 and {r["status"] for r in completed} == {"completed"}
    # Bad input: a clear 400 naming what is allowed, nothing listed.
    for path, params in ((api, {"status": "graduated"}), ("/teach/learners", {"status": "x"})):
        refused = client.get(path, params=params, headers={"Accept": "application/json"})
        assert refused.status_code == 400
        assert "active, completed, withdrawn" in refused.text
    assert client.get(api, params={"limit": 5000}).status_code == 400
    assert client.get("/teach/learners", params={"page": 0}).status_code == 400


def test_a_profile_value_that_is_no_code_shows_as_typed_and_escaped(
    client: TestClient, db: Session
) -> None:
    made = world(db)
    typed = '100% <b onclick="x()">remote</b>'
    db.add(LearnerProfile(user_id=made["learner"].id, occupation=typed, interests=[]))
    db.commit()
    login(client, "learner1")
    page = client.get("/account")
    assert page.status_code == 200
    assert "100% &lt;b onclick=&#34;x()&#34;&gt;remote&lt;/b&gt;" in page.text
