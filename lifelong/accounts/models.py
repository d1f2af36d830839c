"""Tables for branches, users, learner profiles, API tokens and security events."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifelong.db.base import Base, TimestampMixin, utcnow


class BranchKind(enum.StrEnum):
    """Headquarters, a provincial open university, or a sector (industry) branch."""

    headquarters = "headquarters"
    provincial = "provincial"
    sector = "sector"


class Role(enum.StrEnum):
    """What a user may do; a branch admin's reach is their own branch."""

    learner = "learner"
    teacher = "teacher"
    branch_admin = "branch_admin"
    analyst = "analyst"
    hq_admin = "hq_admin"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its value (a CHECK on SQLite, a type on PostgreSQL)."""
    return Enum(
        cls,
        name=name,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=32,
    )


class Branch(TimestampMixin, Base):
    """A campus of the open university: headquarters or one of its branches."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[BranchKind] = mapped_column(_enum(BranchKind, "branch_kind"))
    region: Mapped[str] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(32))

    def name(self, locale: str) -> str:
        """The branch's name in the given locale."""
        return self.name_zh if locale.startswith("zh") else self.name_en


class User(TimestampMixin, Base):
    """A person with a login: one lifelong account, whichever branch they study through."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    erased_at: Mapped[datetime | None] = mapped_column()
    # Sessions signed in before this moment are no longer honoured (password reset).
    password_changed_at: Mapped[datetime | None] = mapped_column()

    branch: Mapped[Branch] = relationship(lazy="joined")
    profile: Mapped[LearnerProfile | None] = relationship(back_populates="user", uselist=False)


class LearnerProfile(Base):
    """Demographics a learner gave at registration; used for personalisation and statistics."""

    __tablename__ = "learner_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    birth_year: Mapped[int | None] = mapped_column()
    gender: Mapped[str | None] = mapped_column(String(16))
    occupation: Mapped[str | None] = mapped_column(String(32))
    education: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(32))
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User] = relationship(back_populates="profile")


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 is stored, so a leak of the table
    does not leak usable tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class PasswordReset(Base):
    """A single-use password-reset link; only the token's SHA-256 is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """A security event: login, failed login, logout, role change, token issue, erasure."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_kind_subject_at", "kind", "subject", "at"),
        Index("ix_audit_events_kind_ip_at", "kind", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The username or object the event concerns, kept even when no such user exists,
    # so that throttling also covers guessed usernames.
    subject: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
