"""Tables of the journey: the xAPI outbox and the units an enrolment has done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifelong.db.base import Base, utcnow


class OutboxEntry(Base):
    """An xAPI statement waiting to reach the LRS (transactional outbox).

    Written in the same transaction as the learning action it records, so the action and
    its statement are committed together or not at all; a background task delivers the
    entries in ``id`` order and stamps ``delivered_at``.
    """

    __tablename__ = "learning_outbox"
    __table_args__ = (Index("ix_learning_outbox_pending", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)


class EnrolmentUnit(Base):
    """One unit of an enrolment that is done: a course unit, or a 10-second video segment.

    Keeping what was done (not only a percentage) is what makes the rules honest: watching
    the same minute twice, or seeking to the end, does not add up to 90 % of a video.
    """

    __tablename__ = "enrolment_units"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[int] = mapped_column(primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateCredential(Base):
    """The signed Open Badges 3.0 credential of a certificate, as it was issued.

    Kept apart from ``certificates`` so that rows inserted without one (the demo generator)
    get theirs signed on first request, and the certificate table's shape stays the same.
    """

    __tablename__ = "certificate_credentials"

    certificate_id: Mapped[str] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True
    )
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    key_id: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
