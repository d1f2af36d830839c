"""Tables of the resource matrix and the learning journey."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lifelong.accounts.models import _enum
from lifelong.db.base import Base, TimestampMixin, utcnow


class ResourceType(enum.StrEnum):
    """What kind of learning resource it is."""

    course = "course"
    micro_course = "micro_course"
    video = "video"
    ebook = "ebook"
    live_session = "live_session"
    assessment = "assessment"
    document = "document"


class ResourceLevel(enum.StrEnum):
    """Academic level: degree, vocational certificate or non-degree education."""

    bachelor = "bachelor"
    associate = "associate"
    vocational_certificate = "vocational_certificate"
    community = "community"
    elderly = "elderly"
    general_interest = "general_interest"


class ResourceFormat(enum.StrEnum):
    """How the resource is delivered."""

    video = "video"
    audio = "audio"
    text = "text"
    interactive = "interactive"
    live = "live"
    blended = "blended"


class ResourceStatus(enum.StrEnum):
    """Only published resources appear in the catalogue."""

    draft = "draft"
    published = "published"
    retired = "retired"


class ProviderKind(enum.StrEnum):
    """Who supplies resources."""

    university = "university"
    platform = "platform"
    enterprise = "enterprise"
    branch = "branch"


class EnrolmentStatus(enum.StrEnum):
    """Where a learner is with a resource."""

    active = "active"
    completed = "completed"
    withdrawn = "withdrawn"


class Subject(Base):
    """A node of the subject tree (discipline > field > topic)."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))

    parent: Mapped[Subject | None] = relationship(remote_side=[id])


class Provider(TimestampMixin, Base):
    """A university, platform, enterprise or branch that supplies resources."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ProviderKind] = mapped_column(_enum(ProviderKind, "provider_kind"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))


resource_prerequisites = Table(
    "resource_prerequisites",
    Base.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
)


class Resource(TimestampMixin, Base):
    """One cell-filling item of the resource matrix."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("provider_id", "external_id"),
        Index("ix_resources_matrix", "type", "level", "format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    type: Mapped[ResourceType] = mapped_column(_enum(ResourceType, "resource_type"))
    level: Mapped[ResourceLevel] = mapped_column(_enum(ResourceLevel, "resource_level"))
    format: Mapped[ResourceFormat] = mapped_column(_enum(ResourceFormat, "resource_format"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=0)
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Type-specific content: video length, document body, assessment questions, schedule.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ResourceStatus] = mapped_column(
        _enum(ResourceStatus, "resource_status"), default=ResourceStatus.published
    )
    # The branch that owns it, or none for resources shared across the whole university.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    enrolment_count: Mapped[int] = mapped_column(default=0)

    provider: Mapped[Provider] = relationship(lazy="joined")
    subject: Mapped[Subject] = relationship(lazy="joined")
    prerequisites: Mapped[list[Resource]] = relationship(
        secondary=resource_prerequisites,
        primaryjoin=lambda: Resource.id == resource_prerequisites.c.resource_id,
        secondaryjoin=lambda: Resource.id == resource_prerequisites.c.prerequisite_id,
    )


class Programme(TimestampMixin, Base):
    """An ordered set of resources that leads to a credential."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    credential: Mapped[str] = mapped_column(String(200))
    level: Mapped[ResourceLevel] = mapped_column(_enum(ResourceLevel, "programme_level"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    items: Mapped[list[ProgrammeItem]] = relationship(
        order_by="ProgrammeItem.position", cascade="all, delete-orphan"
    )


class ProgrammeItem(Base):
    """A resource at a position in a programme."""

    __tablename__ = "programme_items"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), primary_key=True)
    position: Mapped[int] = mapped_column()

    resource: Mapped[Resource] = relationship(lazy="joined")


class Enrolment(Base):
    """A learner taking a resource; the branch is the learner's branch when they enrolled."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "resource_id"),
        Index("ix_enrolments_branch_status", "branch_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    # xAPI registration (a UUID) tying the enrolment's statements together.
    registration: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        _enum(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.active
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    position_seconds: Mapped[int] = mapped_column(default=0)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    best_score: Mapped[float | None] = mapped_column()
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    resource: Mapped[Resource] = relationship(lazy="joined")


class Certificate(Base):
    """A credential issued on completion, verifiable by anyone at its public URL."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    title: Mapped[str] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column()
