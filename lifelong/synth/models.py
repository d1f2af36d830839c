"""Checkpoints of generator runs: one row per run, one per committed chunk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lifelong.db.base import Base, utcnow


class SynthRun(Base):
    """A ``lifelong generate`` run and the parameters it must be resumed with."""

    __tablename__ = "synth_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scale: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column()
    as_of: Mapped[str] = mapped_column(String(10))
    chunks: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class SynthChunk(Base):
    """A stage's chunk whose rows (and statements) are all committed."""

    __tablename__ = "synth_chunks"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("synth_runs.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    chunk: Mapped[int] = mapped_column(primary_key=True)
    rows: Mapped[int] = mapped_column(default=0)
    statements: Mapped[int] = mapped_column(default=0)
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
