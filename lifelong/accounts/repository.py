"""SQL for branches, users, tokens and audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifelong.accounts.models import ApiToken, AuditEvent, Branch, Role, User


def branch_by_code(session: Session, code: str) -> Branch | None:
    """The branch with this code."""
    return session.scalar(select(Branch).where(Branch.code == code))


def list_branches(session: Session) -> Sequence[Branch]:
    """All branches, headquarters first."""
    return session.scalars(
        select(Branch).order_by(Branch.kind != "headquarters", Branch.code)
    ).all()


def user_by_username(session: Session, username: str) -> User | None:
    """The user with this username."""
    return session.scalar(select(User).where(User.username == username))


def users_in(
    session: Session, *, branch_id: int | None, role: Role | None, limit: int, offset: int
) -> Sequence[User]:
    """Users, optionally of one branch and one role, newest first."""
    query = select(User).order_by(User.id.desc()).limit(limit).offset(offset)
    if branch_id is not None:
        query = query.where(User.branch_id == branch_id)
    if role is not None:
        query = query.where(User.role == role)
    return session.scalars(query).all()


def count_users(session: Session, *, branch_id: int | None = None, role: Role | None = None) -> int:
    """How many users match."""
    query = select(func.count(User.id))
    if branch_id is not None:
        query = query.where(User.branch_id == branch_id)
    if role is not None:
        query = query.where(User.role == role)
    return session.scalar(query) or 0


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    """The API token with this SHA-256."""
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def count_events(
    session: Session,
    *,
    kind: str,
    since: datetime,
    subject: str | None = None,
    ip: str | None = None,
) -> int:
    """How many audit events of ``kind`` since ``since`` for a subject or an address."""
    query = select(func.count(AuditEvent.id)).where(AuditEvent.kind == kind, AuditEvent.at >= since)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    if ip is not None:
        query = query.where(AuditEvent.ip == ip)
    return session.scalar(query) or 0


def recent_events(session: Session, *, branch_id: int | None, limit: int) -> Sequence[AuditEvent]:
    """The newest audit events, optionally of one branch."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if branch_id is not None:
        query = query.where(AuditEvent.branch_id == branch_id)
    return session.scalars(query).all()
