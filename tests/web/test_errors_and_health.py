"""Health probes, and errors as JSON for APIs and as pages for people."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import BranchKind, Role, User
from lifelong.app import create_app
from lifelong.config import Settings
from tests.factories import login, make_branch, make_user


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"error", "detail"}


def test_unknown_page_is_translated_html_404(client: TestClient) -> None:
    response = client.get("/nothing-here", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "页面不存在" in response.text


def test_a_malformed_page_parameter_is_a_translated_400_naming_it(client: TestClient) -> None:
    zh = client.get("/catalogue?page=abc", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 400 and "text/html" in zh.headers["content-type"]
    assert "请求无效：query.page" in zh.text
    en = client.get("/catalogue?page=abc", headers={"Accept-Language": "en"})
    assert "Invalid request: query.page" in en.text


def test_malformed_json_is_400_naming_the_problem(client: TestClient, db: Session) -> None:
    make_user(db, Role.hq_admin, username="admin")
    db.commit()
    token = client.post(
        "/api/v1/auth/token", data={"username": "admin", "password": "correct-horse-9"}
    ).json()["access_token"]
    response = client.post(
        "/api/v1/users",
        content=b"{not json",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "Invalid request" in response.json()["error"]


def test_unexpected_error_is_a_500_without_a_traceback(settings: Settings) -> None:
    app = create_app(settings)
    boom = APIRouter()

    @boom.get("/api/v1/boom")
    def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["error"] == "Something went wrong on our side"


def test_admin_form_with_unknown_role_or_branch_is_400_and_saves_nothing(
    client: TestClient, db: Session
) -> None:
    hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
    make_user(db, Role.hq_admin, branch=hq, username="boss")
    db.commit()
    login(client, "boss")
    page = client.get("/admin/users")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"username": "x1", "password": "longenough", "role": "emperor", "branch": "HQ"}
    response = client.post("/admin/users", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert "emperor" in response.text
    response = client.post(
        "/admin/users", data={**form, "role": "teacher", "branch": "ZZ", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "ZZ" in response.text
    # Nothing saved. (Not read off the page: its random CSRF token may contain "x1".)
    db.expire_all()
    assert db.scalar(select(User).where(User.username == "x1")) is None
    ok = client.post(
        "/admin/users",
        data={**form, "role": "teacher", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    db.expire_all()
    assert db.scalar(select(User).where(User.username == "x1")) is not None
    assert ">x1<" in client.get("/admin/users").text


def test_learner_cannot_open_admin_pages(client: TestClient, db: Session) -> None:
    make_user(db, Role.learner, username="stu")
    db.commit()
    login(client, "stu")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
