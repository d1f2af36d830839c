"""Plain factory functions for test data."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, BranchKind, Role, User
from lifelong.accounts.passwords import hash_password

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)
_hash = hash_password(PASSWORD)


def make_branch(
    session: Session, code: str | None = None, *, kind: BranchKind = BranchKind.provincial
) -> Branch:
    """A branch (headquarters when ``kind`` says so)."""
    code = code or f"B{next(_counter)}"
    branch = Branch(
        code=code,
        name_zh=f"{code}分部",
        name_en=f"{code} Branch",
        kind=kind,
        region="North China",
        province="北京",
    )
    session.add(branch)
    session.flush()
    return branch


def make_user(
    session: Session,
    role: Role = Role.learner,
    *,
    branch: Branch | None = None,
    username: str | None = None,
) -> User:
    """A user with password ``PASSWORD``."""
    branch = branch or make_branch(session)
    user = User(
        username=username or f"user{next(_counter)}",
        display_name="测试 用户",
        password_hash=_hash,
        role=role,
        branch_id=branch.id,
    )
    session.add(user)
    session.flush()
    return user


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for a bearer token."""
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the page form (with its CSRF token)."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
