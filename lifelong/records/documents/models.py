"""The table behind the three xAPI document resources (xAPI 1.0.3 Part Three section 2.2)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifelong.db.base import Base, utcnow


class DocumentKind(enum.StrEnum):
    """Which document resource a document belongs to."""

    state = "state"
    activity_profile = "activity_profile"
    agent_profile = "agent_profile"


class LrsDocument(Base):
    """One document: its address (activity, agent, registration, id), content and ETag.

    Activity ids and document ids may be long IRIs or strings, so uniqueness and lookups
    use SHA-256 digests of the address (``key_hash`` for one document, ``context_hash`` for
    the set a multiple-document GET or DELETE addresses); the plain values stay readable.
    """

    __tablename__ = "lrs_documents"
    __table_args__ = (Index("ix_lrs_documents_context_updated", "context_hash", "updated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(
        Enum(
            DocumentKind,
            name="lrs_document_kind",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            create_constraint=True,
            length=32,
        )
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    context_hash: Mapped[str] = mapped_column(String(64))
    activity_id: Mapped[str | None] = mapped_column(Text)
    agent_key: Mapped[str | None] = mapped_column(Text)
    agent: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    registration: Mapped[str | None] = mapped_column(String(36))
    document_id: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(40))
    updated: Mapped[datetime] = mapped_column(default=utcnow)
