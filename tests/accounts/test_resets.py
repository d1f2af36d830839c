"""Password reset by e-mailed link: no enumeration, single use, expiry, sessions ended."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from lifelong.accounts.models import PasswordReset, User
from lifelong.config import Settings
from lifelong.db.base import utcnow
from tests.factories import PASSWORD, login, make_user, token_for

NEW_PASSWORD = "a-new-password-7"


def _mails(settings: Settings) -> list[email.message.Message]:
    outbox = Path(settings.data_dir) / "mail"
    if not outbox.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def _link_token(message: email.message.Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    match = re.search(r"/password/reset/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def _csrf(client: TestClient, path: str) -> str:
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _user_with_mail(db: Session, username: str = "sun") -> User:
    user = make_user(db, username=username)
    user.email = f"{username}@example.org"
    db.commit()
    return user


def test_known_and_unknown_accounts_get_the_same_answer_and_only_one_gets_mail(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _user_with_mail(db)
    make_user(db, username="nomail")
    db.commit()
    answers = [
        client.post("/api/v1/auth/password-reset", json={"identifier": who})
        for who in ("sun", "nobody", "nomail", "sun@example.org")
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    mails = _mails(settings)
    assert [m["To"] for m in mails] == ["sun@example.org", "sun@example.org"]
    assert "/password/reset/" in mails[0].get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_a_link_sets_the_password_once_and_ends_old_tokens_and_sessions(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _user_with_mail(db)
    old_token = token_for(client, "sun")
    login(client, "sun")
    assert client.get("/api/v1/me").status_code == 200
    client.post("/api/v1/auth/password-reset", json={"identifier": "sun"})
    token = _link_token(_mails(settings)[0])

    confirm = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirm.status_code == 204
    assert client.get("/api/v1/me").status_code == 401  # the old cookie session ended
    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    refused = client.post("/api/v1/auth/token", data={"username": "sun", "password": PASSWORD})
    assert refused.status_code == 401
    assert token_for(client, "sun", NEW_PASSWORD)
    again = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "another-1"}
    )
    assert again.status_code == 400
    assert "invalid, used or expired" in again.json()["error"]


def test_expired_and_forged_links_are_refused_and_change_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _user_with_mail(db)
    client.post("/api/v1/auth/password-reset", json={"identifier": "sun"})
    token = _link_token(_mails(settings)[0])
    db.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    for candidate in (token, "forged"):
        response = client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": candidate, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 400
    assert token_for(client, "sun", PASSWORD)
    short = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
    )
    assert short.status_code == 400
    unknown_field = client.post(
        "/api/v1/auth/password-reset", json={"identifier": "sun", "admin": True}
    )
    assert unknown_field.status_code == 400


def test_requests_are_throttled_per_name(client: TestClient, db: Session) -> None:
    statuses = [
        client.post("/api/v1/auth/password-reset", json={"identifier": "ghost"}).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [202] * 5
    assert statuses[5:] == [429, 429]


def test_the_pages_work_in_both_languages(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _user_with_mail(db)
    client.cookies.set("lifelong_locale", "zh_CN")
    assert "忘记密码" in client.get("/login").text
    sent = client.post(
        "/password/forgot",
        data={"identifier": "sun", "csrf_token": _csrf(client, "/password/forgot")},
    )
    assert sent.status_code == 200
    assert "链接" in sent.text
    token = _link_token(_mails(settings)[0])
    assert "设置新密码" in client.get(f"/password/reset/{token}").text

    client.cookies.set("lifelong_locale", "en")
    form = _csrf(client, f"/password/reset/{token}")
    differ = client.post(
        f"/password/reset/{token}",
        data={"password": NEW_PASSWORD, "confirm": "something-else", "csrf_token": form},
    )
    assert differ.status_code == 400
    assert "The two passwords differ." in differ.text
    done = client.post(
        f"/password/reset/{token}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": form},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Your password has been changed" in client.get(done.headers["location"]).text
    login(client, "sun", NEW_PASSWORD)
    used = client.get(f"/password/reset/{token}")
    assert used.status_code == 400
    assert "invalid, used or expired" in used.text
