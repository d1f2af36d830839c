"""The /admin/lrs page: who may see it, what it shows, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from lifelong.accounts.models import Role
from lifelong.records.formats import format_timestamp
from lifelong.records.tables import rejections
from tests.factories import login, make_user


def test_hq_admin_sees_operations_in_chinese(client: TestClient, db: Session) -> None:
    """Headquarters sees figures, the chart, rejections with reasons; zh-CN by default."""
    user = make_user(db, Role.hq_admin)
    db.commit()
    with client.app.state.lrs_engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            insert(rejections).values(
                at=format_timestamp(datetime.now(UTC)),
                client="gd-lms",
                version="1.0.3",
                status=400,
                reason="actor must have exactly one IFI",
            )
        )
    login(client, user.username)
    page = client.get("/admin/lrs")
    assert page.status_code == 200
    assert "学习记录存储" in page.text
    assert "actor must have exactly one IFI" in page.text
    assert 'data-figure="rejected">1<' in page.text
    assert 'href="/admin/lrs"' in page.text  # in the navigation


def test_english_and_analyst(client: TestClient, db: Session) -> None:
    """Analysts see the page too; English when chosen."""
    user = make_user(db, Role.analyst)
    db.commit()
    login(client, user.username)
    client.cookies.set("lifelong_locale", "en")
    page = client.get("/admin/lrs")
    assert page.status_code == 200
    assert "Statements per minute" in page.text and "No rejected statements." in page.text


def test_other_roles_are_refused(client: TestClient, db: Session) -> None:
    """Learners and branch admins get 403 and no nav entry; anonymous users must sign in."""
    anonymous = client.get("/admin/lrs", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    user = make_user(db, Role.branch_admin)
    db.commit()
    login(client, user.username)
    assert client.get("/admin/lrs").status_code == 403
    assert 'href="/admin/lrs"' not in client.get("/").text
