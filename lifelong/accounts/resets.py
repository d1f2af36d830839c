"""Password reset by e-mailed link, with no user enumeration (no HTTP here).

Whatever is asked for — an unknown name, an account without e-mail, a deactivated account
— the requester sees the same answer; only an existing, active account with an address
gets a message. Links are single-use, expire (``password_reset_max_age``), are stored as
SHA-256 only, and a successful reset revokes every bearer token and every session signed
in before it (OWASP Forgot Password Cheat Sheet).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifelong import mail
from lifelong.accounts import repository
from lifelong.accounts.models import ApiToken, PasswordReset, User
from lifelong.accounts.passwords import hash_password
from lifelong.accounts.service import record
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, TooManyRequests
from lifelong.i18n import N_

REQUESTED = N_(
    "If an account with that username or e-mail address exists and has an e-mail address, "
    "a link to choose a new password is on its way. The link works once and only for a limited "
    "time."
)
INVALID_LINK = N_("This password-reset link is invalid, used or expired. Ask for a new one.")
TOO_MANY = N_("Too many password-reset requests. Try again later.")
SUBJECT = N_("Choose a new Lifelong password")
BODY = N_(
    "Someone (hopefully you) asked to reset the password of the Lifelong account "
    "%(username)s.\n\nChoose a new password here (the link works once, for %(minutes)s "
    "minutes):\n%(link)s\n\nIf it was not you, ignore this message: your password is unchanged."
)
MIN_PASSWORD = 8


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _find(session: Session, identifier: str) -> User | None:
    """The account named by a username or an e-mail address."""
    user = repository.user_by_username(session, identifier)
    if user is None and "@" in identifier:
        user = session.scalar(select(User).where(User.email == identifier).limit(1))
    return user


def request_reset(
    session: Session,
    settings: Settings,
    *,
    identifier: str,
    ip: str | None,
    translate: Callable[[str], str],
) -> str:
    """Send a reset link if the account can receive one; the same answer either way.

    ``translate`` renders the message in the requester's language (the web layer's).
    """
    identifier = identifier.strip()[:254]
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    per_subject = repository.count_events(
        session, kind="password_reset_requested", since=since, subject=identifier
    )
    per_ip = (
        repository.count_events(session, kind="password_reset_requested", since=since, ip=ip)
        if ip
        else 0
    )
    if per_subject >= settings.login_max_failures or per_ip >= settings.login_max_failures * 4:
        raise TooManyRequests(TOO_MANY, retry_after=settings.login_window_seconds)
    user = _find(session, identifier) if identifier else None
    record(session, "password_reset_requested", subject=identifier, ip=ip, sent=False)
    if user is None or not user.is_active or user.erased_at is not None or not user.email:
        return REQUESTED
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_hash=_sha256(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.password_reset_max_age),
        )
    )
    session.flush()
    link = f"{settings.public_url.rstrip('/')}/password/reset/{token}"
    mail.send(
        settings,
        to=user.email,
        subject=translate(SUBJECT),
        body=translate(BODY)
        % {
            "username": user.username,
            "minutes": settings.password_reset_max_age // 60,
            "link": link,
        },
    )
    return REQUESTED


def _valid(session: Session, token: str) -> PasswordReset | None:
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _sha256(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return reset


def check_link(session: Session, token: str) -> None:
    """400 unless the link can still be used."""
    if _valid(session, token) is None:
        raise BadRequest(INVALID_LINK)


def reset_password(session: Session, *, token: str, new_password: str, ip: str | None) -> User:
    """Set the new password, use up the link, end every session and token of the account."""
    reset = _valid(session, token)
    if reset is None:
        raise BadRequest(INVALID_LINK)
    if len(new_password) < MIN_PASSWORD:
        raise BadRequest(N_("Password must be at least 8 characters."))
    user = session.get(User, reset.user_id)
    assert user is not None  # checked by _valid
    now = utcnow()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    reset.used_at = now
    # Every other outstanding link of the account dies with this one.
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    record(session, "password_reset", actor=user, subject=user.username, ip=ip)
    return user
