"""Operational tables of the LRS: the HTTP Basic credentials its clients use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lifelong.db.base import Base, utcnow


class LrsCredential(Base):
    """A client of the LRS (the platform, a branch, an outside system) and its scopes.

    Only the SHA-256 of the 32-byte random secret is kept: the secret has full entropy,
    so a slow hash adds nothing and would cost ~50 ms on every request.
    """

    __tablename__ = "lrs_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
