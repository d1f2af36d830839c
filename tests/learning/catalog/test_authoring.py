"""Authoring: who may create and edit resources and programmes, via the API and the forms."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.accounts.models import Role
from lifelong.learning.models import Resource
from tests.factories import login, make_branch, make_user, token_for
from tests.learning.catalog.factories import make_provider, make_subject

RESOURCE = {
    "provider": "OU",
    "title": "视频：终身学习的方法",
    "description": "How adults keep learning.",
    "language": "zh",
    "type": "video",
    "level": "community",
    "format": "video",
    "subject": "EDU",
    "duration_minutes": 12,
    "credits": 0.5,
    "tags": ["方法"],
    "content": {"length_seconds": 720, "url": "https://media.example.org/1.mp4"},
}


def _people(db: Session) -> dict[str, Any]:
    make_subject(db, "EDU")
    make_provider(db, "OU")
    north, south = make_branch(db, "N1"), make_branch(db, "S1")
    people = {
        "teacher": make_user(db, Role.teacher, branch=north, username="t_north"),
        "teacher2": make_user(db, Role.teacher, branch=north, username="t_north2"),
        "admin": make_user(db, Role.branch_admin, branch=north, username="a_north"),
        "admin_south": make_user(db, Role.branch_admin, branch=south, username="a_south"),
        "hq": make_user(db, Role.hq_admin, branch=north, username="hq"),
        "learner": make_user(db, Role.learner, branch=north, username="l_north"),
    }
    db.commit()
    return people


def test_teacher_creates_a_draft_then_publishes_it_into_search(
    client: TestClient, db: Session
) -> None:
    _people(db)
    auth = token_for(client, "t_north")
    created = client.post("/api/v1/resources", json=RESOURCE, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft" and body["content"]["length_seconds"] == 720
    rid = body["id"]
    assert client.get("/api/v1/resources", params={"q": "终身学习"}).json()["total"] == 0
    assert client.get(f"/api/v1/resources/{rid}").status_code == 404  # drafts are private
    assert client.get(f"/api/v1/resources/{rid}", headers=auth).status_code == 200
    published = client.post(
        f"/api/v1/resources/{rid}/status", json={"status": "published"}, headers=auth
    )
    assert published.status_code == 200 and published.json()["published_at"]
    found = client.get("/api/v1/resources", params={"q": "终身学习"}).json()
    assert [r["id"] for r in found["results"]] == [rid]
    client.patch(
        f"/api/v1/resources/{rid}", json={"title": "Lifelong learning methods"}, headers=auth
    )
    assert client.get("/api/v1/resources", params={"q": "methods"}).json()["total"] == 1
    assert client.get("/api/v1/resources", params={"q": "终身学习"}).json()["total"] == 0
    client.post(f"/api/v1/resources/{rid}/status", json={"status": "retired"}, headers=auth)
    assert client.get("/api/v1/resources", params={"q": "methods"}).json()["total"] == 0


def test_who_may_edit(client: TestClient, db: Session) -> None:
    _people(db)
    rid = client.post(
        "/api/v1/resources", json=RESOURCE, headers=token_for(client, "t_north")
    ).json()["id"]
    change = {"title": "Changed"}
    for username, status in (
        ("t_north2", 403),  # another teacher, same branch
        ("a_south", 403),  # another branch's admin
        ("l_north", 403),  # learners never author
        ("a_north", 200),  # the branch's admin
        ("hq", 200),
        ("t_north", 200),
    ):
        response = client.patch(
            f"/api/v1/resources/{rid}", json=change, headers=token_for(client, username)
        )
        assert response.status_code == status, (username, response.text)
    assert (
        client.post(
            "/api/v1/resources", json=RESOURCE, headers=token_for(client, "l_north")
        ).status_code
        == 403
    )
    assert (
        client.patch(
            "/api/v1/resources/999999", json=change, headers=token_for(client, "hq")
        ).status_code
        == 404
    )
    mine = client.get("/api/v1/resources/mine", headers=token_for(client, "t_north2")).json()
    assert mine == []
    assert (
        len(client.get("/api/v1/resources/mine", headers=token_for(client, "a_north")).json()) == 1
    )


def test_invalid_fields_are_400_naming_the_field(client: TestClient, db: Session) -> None:
    _people(db)
    auth = token_for(client, "t_north")
    for change, word in (
        ({"type": "podcast"}, "type"),
        ({"subject": "NOPE"}, "subject"),
        ({"provider": "NOPE"}, "provider"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"credits": 120}, "credits"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"language": "fr"}, "language"),
        ({"prerequisites": [424242]}, "prerequisite"),
        (
            {
                "type": "assessment",
                "content": {"questions": [{"prompt": "?", "choices": ["a"], "answer": 0}]},
            },
            "choices",
        ),
    ):
        response = client.post("/api/v1/resources", json={**RESOURCE, **change}, headers=auth)
        assert response.status_code == 400, change
        assert word in response.json()["error"], response.json()


def test_prerequisites_and_programmes(client: TestClient, db: Session) -> None:
    _people(db)
    auth = token_for(client, "t_north")
    first = client.post(
        "/api/v1/resources", json={**RESOURCE, "status": "published"}, headers=auth
    ).json()
    second = client.post(
        "/api/v1/resources",
        json={
            **RESOURCE,
            "title": "Part two",
            "prerequisites": [first["id"]],
            "status": "published",
        },
        headers=auth,
    ).json()
    assert second["prerequisites"] == [first["id"]]
    own = client.patch(
        f"/api/v1/resources/{first['id']}", json={"prerequisites": [first["id"]]}, headers=auth
    )
    assert own.status_code == 400
    programme = client.post(
        "/api/v1/programmes",
        json={
            "code": "P-1",
            "title": "终身学习证书",
            "credential": "Certificate in Lifelong Learning",
            "level": "community",
            "items": [first["id"], second["id"]],
        },
        headers=auth,
    )
    assert programme.status_code == 201, programme.text
    pid = programme.json()["id"]
    assert [i["resource"]["id"] for i in programme.json()["items"]] == [first["id"], second["id"]]
    assert programme.json()["total_credits"] == 1.0
    reordered = client.patch(
        f"/api/v1/programmes/{pid}", json={"items": [second["id"], first["id"]]}, headers=auth
    )
    assert [i["resource"]["id"] for i in reordered.json()["items"]] == [second["id"], first["id"]]
    assert (
        client.patch(
            f"/api/v1/programmes/{pid}", json={"title": "x"}, headers=token_for(client, "a_south")
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/programmes/{pid}").json()["code"] == "P-1"
    assert client.get("/api/v1/programmes").json()[0]["id"] == pid
    assert client.get("/api/v1/programmes/999").status_code == 404
    duplicate = client.post(
        "/api/v1/programmes",
        json={"code": "P-1", "title": "t", "credential": "c", "level": "community"},
        headers=auth,
    )
    assert duplicate.status_code == 400


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_authoring_forms(client: TestClient, db: Session) -> None:
    _people(db)
    login(client, "t_north")
    form = client.get("/teach/resources/new")
    assert form.status_code == 200
    data = {
        "csrf_token": _csrf(form.text),
        "title": "评估：成人学习",
        "description": "小测验",
        "provider": "OU",
        "language": "zh",
        "type": "assessment",
        "level": "community",
        "format": "interactive",
        "subject": "EDU",
        "status": "published",
        "tags": "测验, 成人",
        "assessment_questions": (
            "终身教育是什么？\n- 小学教育\n* 贯穿一生的教育\n\nPick two\n* yes\n- no"
        ),
        "pass_mark": "60",
        "max_attempts": "3",
    }
    created = client.post("/teach/resources/new", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    rid = int(created.headers["location"].split("/")[3])
    resource = db.get(Resource, rid)
    assert resource is not None
    assert resource.content == {
        "questions": [
            {"prompt": "终身教育是什么？", "choices": ["小学教育", "贯穿一生的教育"], "answer": 1},
            {"prompt": "Pick two", "choices": ["yes", "no"], "answer": 0},
        ],
        "pass_mark": 0.6,
        "max_attempts": 3,
    }
    edit = client.get(f"/teach/resources/{rid}/edit")
    assert "* 贯穿一生的教育" in edit.text
    bad = client.post(
        f"/teach/resources/{rid}/edit", data={**data, "assessment_questions": "No choices"}
    )
    assert bad.status_code == 400 and "第 1 题需要题干" in bad.text  # zh_CN, the default
    live = {
        **data,
        "type": "live_session",
        "format": "live",
        "live_starts_at": "2026-12-01T10:00",
        "live_ends_at": "2026-12-01T11:30",
        "live_room": "Room 5",
    }
    assert (
        client.post(f"/teach/resources/{rid}/edit", data=live, follow_redirects=False).status_code
        == 303
    )
    db.expire_all()
    assert db.get(Resource, rid).content == {  # type: ignore[union-attr]
        "schedule": {
            "starts_at": "2026-12-01T10:00:00+00:00",
            "ends_at": "2026-12-01T11:30:00+00:00",
            "room": "Room 5",
        }
    }
    listing = client.get("/teach/resources")
    assert "评估：成人学习" in listing.text and "/teach/learners" in listing.text
    no_csrf = client.post("/teach/resources/new", data={**data, "csrf_token": "forged"})
    assert no_csrf.status_code == 403


def test_learners_cannot_open_authoring_pages(client: TestClient, db: Session) -> None:
    _people(db)
    login(client, "l_north")
    assert client.get("/teach/resources/new").status_code == 403
    assert client.get("/teach/resources").status_code == 403
    assert client.get("/teach/import").status_code == 403


def test_form_errors_are_shown_in_the_readers_language(client: TestClient, db: Session) -> None:
    _people(db)
    login(client, "t_north")
    data = {
        "title": "x" * 301,
        "provider": "OU",
        "language": "zh",
        "type": "assessment",
        "level": "community",
        "format": "interactive",
        "subject": "EDU",
        "assessment_questions": "终身教育是什么？\n- 小学教育\n* 贯穿一生的教育",
    }

    def error_in(locale: str, change: dict[str, str]) -> str:
        client.get(f"/lang/{locale}?next=/teach/resources/new")
        token = _csrf(client.get("/teach/resources/new").text)
        page = client.post("/teach/resources/new", data={**data, **change, "csrf_token": token})
        assert page.status_code == 400, page.text
        return page.text.split('role="alert">', 1)[1].split("</p>", 1)[0]

    assert error_in("zh_CN", {}) == "标题不能超过 300 个字符（当前 301 个）。"
    assert error_in("en", {}) == "title is longer than 300 characters (301)."
    ok_title = {"title": "测验"}
    assert error_in("zh_CN", {**ok_title, "pass_mark": "abc"}) == (
        "及格线须为数字，不能是 &#39;abc&#39;。"
    )
    assert error_in("zh_CN", {**ok_title, "type": "podcast"}).startswith(
        "未知的类型 &#39;podcast&#39;，可选值：course, "
    )
    assert error_in("zh_CN", {**ok_title, "subject": "NOPE"}) == "未知的学科代码 &#39;NOPE&#39;。"
    # The API keeps its English messages whatever the reader's language.
    response = client.post(
        "/api/v1/resources",
        json={**RESOURCE, "title": "x" * 301},
        headers={**token_for(client, "t_north"), "Accept-Language": "zh-CN"},
    )
    assert response.json()["error"] == "title is longer than 300 characters (301)."


def test_programme_form_errors_are_translated(client: TestClient, db: Session) -> None:
    _people(db)
    login(client, "t_north")
    client.get("/lang/zh_CN?next=/teach/programmes/new")
    token = _csrf(client.get("/teach/programmes/new").text)
    page = client.post(
        "/teach/programmes/new",
        data={
            "csrf_token": token,
            "code": "P1",
            "title": "专业",
            "credential": "证书",
            "level": "bachelor",
            "items": "424242",
        },
    )
    assert page.status_code == 400
    assert "资源列表中的资源 424242 不存在。" in page.text
