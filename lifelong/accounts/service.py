"""Authentication, tokens, user administration and the audit log (no HTTP here)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from lifelong.accounts import repository
from lifelong.accounts.models import ApiToken, AuditEvent, Branch, BranchKind, Role, User
from lifelong.accounts.passwords import DUMMY_HASH, hash_password, verify_password
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Forbidden, NotAuthenticated, TooManyRequests
from lifelong.i18n import N_

# One message for every failed login, whatever failed: no user enumeration.
LOGIN_FAILED = N_("Incorrect username or password.")
THROTTLED = N_("Too many failed sign-in attempts. Try again later.")
IP_FAILURE_FACTOR = 4


def record(
    session: Session,
    kind: str,
    *,
    actor: User | None = None,
    subject: str | None = None,
    ip: str | None = None,
    branch_id: int | None = None,
    **detail: Any,
) -> None:
    """Append a security event to the audit log."""
    session.add(
        AuditEvent(
            kind=kind,
            actor_id=actor.id if actor else None,
            subject=subject,
            ip=ip,
            branch_id=branch_id if branch_id is not None else (actor.branch_id if actor else None),
            detail=detail,
        )
    )


def _check_throttle(session: Session, settings: Settings, username: str, ip: str | None) -> None:
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    per_user = repository.count_events(session, kind="login_failed", since=since, subject=username)
    per_ip = repository.count_events(session, kind="login_failed", since=since, ip=ip) if ip else 0
    if (
        per_user >= settings.login_max_failures
        or per_ip >= settings.login_max_failures * IP_FAILURE_FACTOR
    ):
        raise TooManyRequests(THROTTLED, retry_after=settings.login_window_seconds)


def authenticate(
    session: Session, settings: Settings, *, username: str, password: str, ip: str | None
) -> User:
    """The user for these credentials; raises 401 (generic) or 429 when throttled.

    A failed attempt is recorded before the 401 is raised; the caller commits the session
    on that error too (``lifelong.web.deps.commit_then_raise``) so that throttling counts
    it across processes.
    """
    username = username.strip()
    _check_throttle(session, settings, username, ip)
    user = repository.user_by_username(session, username)
    if user is None:
        verify_password(DUMMY_HASH, password)
        ok = False
    else:
        ok = (
            verify_password(user.password_hash, password)
            and user.is_active
            and user.erased_at is None
        )
    if user is None or not ok:
        record(
            session,
            "login_failed",
            subject=username,
            ip=ip,
            branch_id=user.branch_id if user else None,
        )
        raise NotAuthenticated(LOGIN_FAILED)
    record(session, "login", actor=user, subject=username, ip=ip)
    return user


def issue_token(session: Session, settings: Settings, user: User, *, ip: str | None) -> str:
    """Create a bearer token for ``user``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=_sha256(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=settings.token_max_age),
        )
    )
    record(session, "token_issued", actor=user, subject=user.username, ip=ip)
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, if the token is valid and unexpired."""
    stored = repository.token_by_hash(session, _sha256(token))
    if stored is None or stored.revoked_at is not None or stored.expires_at <= utcnow():
        return None
    user = session.get(User, stored.user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return user


def user_for_session(session: Session, user_id: Any, auth_at: Any = None) -> User | None:
    """The active user a session cookie names, unless the session began before the
    account's password last changed (a reset ends every older session)."""
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    if user.password_changed_at is not None and (
        not isinstance(auth_at, int | float) or auth_at < user.password_changed_at.timestamp()
    ):
        return None
    return user


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_role(value: str) -> Role:
    """A role from a form or API value; 400 naming the value if unknown."""
    try:
        return Role(value)
    except ValueError:
        raise BadRequest(
            N_("Unknown role: %(role)s. Known roles: %(known)s."),
            params={"role": repr(value), "known": ", ".join(r.value for r in Role)},
        ) from None


def resolve_branch(session: Session, code: str) -> Branch:
    """A branch from its code; 400 naming the code if unknown."""
    branch = repository.branch_by_code(session, code)
    if branch is None:
        raise BadRequest(N_("Unknown branch: %(branch)s."), params={"branch": repr(code)})
    return branch


def can_manage(admin: User, branch: Branch) -> bool:
    """HQ admins manage every branch; a branch admin only their own."""
    if admin.role == Role.hq_admin:
        return True
    return admin.role == Role.branch_admin and admin.branch_id == branch.id


def create_user(
    session: Session,
    admin: User,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    branch_code: str,
    email: str | None = None,
    ip: str | None = None,
) -> User:
    """Create a user on behalf of an admin, within the admin's reach."""
    parsed_role = parse_role(role)
    branch = resolve_branch(session, branch_code)
    if not can_manage(admin, branch):
        raise Forbidden(N_("You may manage users of your own branch only."))
    if parsed_role in (Role.hq_admin, Role.analyst) and admin.role != Role.hq_admin:
        raise Forbidden(N_("Only headquarters administrators may grant this role."))
    if parsed_role in (Role.hq_admin, Role.analyst) and branch.kind != BranchKind.headquarters:
        raise BadRequest(N_("Headquarters roles belong to the headquarters branch."))
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise BadRequest(N_("Username must be 1-64 letters, digits, '.', '-' or '_'."))
    if len(password) < 8:
        raise BadRequest(N_("Password must be at least 8 characters."))
    if repository.user_by_username(session, username) is not None:
        raise BadRequest(N_("That username is taken."))
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=email or None,
        password_hash=hash_password(password),
        role=parsed_role,
        branch_id=branch.id,
    )
    session.add(user)
    session.flush()
    record(
        session,
        "user_created",
        actor=admin,
        subject=username,
        ip=ip,
        branch_id=branch.id,
        role=parsed_role.value,
    )
    return user


def change_role(
    session: Session, admin: User, user: User, *, role: str, ip: str | None = None
) -> User:
    """Change a user's role within the admin's reach, and audit it."""
    parsed_role = parse_role(role)
    if not can_manage(admin, user.branch):
        raise Forbidden(N_("You may manage users of your own branch only."))
    if (
        parsed_role in (Role.hq_admin, Role.analyst) or user.role in (Role.hq_admin, Role.analyst)
    ) and admin.role != Role.hq_admin:
        raise Forbidden(N_("Only headquarters administrators may grant this role."))
    old = user.role
    user.role = parsed_role
    record(
        session,
        "role_changed",
        actor=admin,
        subject=user.username,
        ip=ip,
        branch_id=user.branch_id,
        old=old.value,
        new=parsed_role.value,
    )
    return user
