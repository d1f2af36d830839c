"""Sign-in, tokens, throttling and the audit log, through the API and the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import AuditEvent, BranchKind, Role
from tests.factories import PASSWORD, login, make_branch, make_user, token_for


def test_token_then_me(client: TestClient, db: Session) -> None:
    user = make_user(db, Role.teacher, username="wang")
    db.commit()
    headers = token_for(client, "wang")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "wang"
    assert me.json()["role"] == "teacher"
    assert me.json()["branch"]["code"] == user.branch.code
    assert "password" not in me.text


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient, db: Session) -> None:
    make_user(db, username="li")
    db.commit()
    wrong = client.post("/api/v1/auth/token", data={"username": "li", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "Incorrect username or password."


def test_repeated_failures_are_throttled_even_with_the_right_password(
    client: TestClient, db: Session
) -> None:
    make_user(db, username="zhao")
    db.commit()
    statuses = [
        client.post(
            "/api/v1/auth/token", data={"username": "zhao", "password": f"bad{i}"}
        ).status_code
        for i in range(10)
    ]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    right = client.post("/api/v1/auth/token", data={"username": "zhao", "password": PASSWORD})
    assert right.status_code == 429
    assert "Retry-After" in right.headers
    failures = db.scalars(select(AuditEvent).where(AuditEvent.kind == "login_failed")).all()
    assert len(failures) == 5


def test_me_without_or_with_bad_token_is_401(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert response.json()["error"]


def test_page_login_logout_and_audit(client: TestClient, db: Session) -> None:
    make_user(db, Role.learner, username="chen")
    db.commit()
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    login(client, "chen")
    home = client.get("/")
    assert home.status_code == 200
    assert "测试 用户" in home.text
    token = home.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/", follow_redirects=False).status_code == 303
    kinds = [e.kind for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert kinds == ["login", "logout"]


def test_page_login_without_csrf_is_refused(client: TestClient, db: Session) -> None:
    make_user(db, username="sun")
    db.commit()
    client.get("/login")
    response = client.post("/login", data={"username": "sun", "password": PASSWORD})
    assert response.status_code == 403


def test_page_login_failure_shows_generic_message(client: TestClient, db: Session) -> None:
    make_user(db, username="zhou")
    db.commit()
    client.cookies.set("lifelong_locale", "en")
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"username": "zhou", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Incorrect username or password." in response.text


def test_next_cannot_redirect_off_site(client: TestClient, db: Session) -> None:
    make_user(db, username="wu")
    db.commit()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={
            "username": "wu",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_admin_creates_users_within_reach(client: TestClient, db: Session) -> None:
    hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
    bj = make_branch(db, "BJ")
    make_branch(db, "SH")
    make_user(db, Role.branch_admin, branch=bj, username="bj_admin")
    make_user(db, Role.hq_admin, branch=hq, username="boss")
    db.commit()
    headers = token_for(client, "bj_admin")
    body = {"username": "new1", "password": "longenough", "role": "teacher", "branch": "BJ"}
    assert client.post("/api/v1/users", json=body, headers=headers).status_code == 201
    other = client.post(
        "/api/v1/users", json={**body, "username": "new2", "branch": "SH"}, headers=headers
    )
    assert other.status_code == 403
    bad_role = client.post(
        "/api/v1/users", json={**body, "username": "new3", "role": "king"}, headers=headers
    )
    assert bad_role.status_code == 400
    assert "king" in bad_role.json()["error"]
    bad_branch = client.post(
        "/api/v1/users",
        json={**body, "username": "new4", "branch": "XX"},
        headers=token_for(client, "boss"),
    )
    assert bad_branch.status_code == 400
    assert "XX" in bad_branch.json()["error"]
    unknown_field = client.post(
        "/api/v1/users", json={**body, "username": "n5", "admin": True}, headers=headers
    )
    assert unknown_field.status_code == 400
