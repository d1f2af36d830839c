"""The rejection log: every statement the LRS refused, with the rule it broke."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifelong.db.base import Base, utcnow


class LrsRejection(Base):
    """One refused statement (or request): who sent it, when, and why."""

    __tablename__ = "lrs_rejections"
    __table_args__ = (Index("ix_lrs_rejections_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    client: Mapped[str | None] = mapped_column(String(100))
    branch_code: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[int] = mapped_column(default=400)
    reason: Mapped[str] = mapped_column(Text)
    statement_id: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(255))
