"""Tables of the statement store (its own metadata: by default it lives in ``lrs.db``).

Every statement filter of xAPI 1.0.3 section 7.2.3 (2.0 section 4.1.6.1) has an index
``(seg, key..., seq)`` on 64-bit keys of the IRIs and IFIs (``records.index_key``).
``seg`` is ``seq >> SEGMENT_BITS``: statements are stored in segments of 8 192, and
leading every filter index with the segment keeps each commit's new entries inside the
newest segment's small stretch of every index. Without it a new statement dirtied a
random leaf page of each of seven indexes (docs/decisions.md has the figures). A filtered
query asks the segments newest first in
growing windows (``query``), so a page is still index range scans in stored order.
``stored`` is non-decreasing in ``seq`` (one writer assigns both), so since/until become
``seq`` bounds found by binary search on the primary key and need no index of their own.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from lifelong.db.base import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)
SEQ = BigInteger().with_variant(Integer(), "sqlite")
SEGMENT_BITS = 13  # seg = seq >> SEGMENT_BITS: 8 192 statements a segment

statements = Table(
    "lrs_statements",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("seg", Integer, nullable=False),
    # The id's text is what statements and the lake carry; its 128 bits as two signed
    # 64-bit halves are what the unique index holds (lrs_0005): a random UUID lands on a
    # random leaf page, and 18-byte entries dirty far fewer pages than 36-byte texts.
    Column("statement_id", String(36), nullable=False),
    Column("id_hi", BigInteger, nullable=False),
    Column("id_lo", BigInteger, nullable=False),
    Column("stored", String(32), nullable=False),
    Column("timestamp", String(32), nullable=False),
    Column("verb_id", String(2048), nullable=False),
    Column("actor_ifi", String(2048), nullable=False),
    Column("object_ifi", String(2048)),
    Column("object_type", String(16), nullable=False),
    Column("activity_id", String(2048)),
    Column("registration", String(36)),
    Column("authority_ifi", String(2048), nullable=False),
    Column("voided", Boolean, nullable=False, default=False),
    Column("voids", String(36)),
    Column("client", String(100), nullable=False),
    Column("branch_code", String(16)),
    Column("version", String(8), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("attachments", Boolean, nullable=False, default=False),
    Column("statement", Text, nullable=False),
    # 64-bit keys of the texts above (records.index_key): what the filter indexes hold.
    Column("actor_key", BigInteger),
    Column("verb_key", BigInteger),
    Column("object_key", BigInteger),
    Column("activity_key", BigInteger),
    Column("registration_key", BigInteger),
    Column("authority_key", BigInteger),
    # The id's unique index on PostgreSQL; on SQLite the id lives in a segment-led index
    # and in lrs_statement_ids (lrs_0006, ``repository``: random ids stay out of a
    # per-commit B-tree over the whole store).
    UniqueConstraint("id_hi", "id_lo", name="uq_lrs_statements_id").ddl_if(dialect="postgresql"),
    Index("ix_lrs_statements_id", "seg", "id_hi", "id_lo").ddl_if(dialect="sqlite"),
    Index("ix_lrs_statements_actor", "seg", "actor_key", "verb_key", "seq"),
    Index(
        "ix_lrs_statements_object",
        "seg",
        "object_key",
        "verb_key",
        "seq",
        sqlite_where=text("object_key IS NOT NULL"),
        postgresql_where=text("object_key IS NOT NULL"),
    ),
    Index("ix_lrs_statements_verb", "seg", "verb_key", "seq"),
    Index("ix_lrs_statements_activity", "seg", "activity_key", "seq"),
    Index(
        "ix_lrs_statements_registration",
        "seg",
        "registration_key",
        "seq",
        sqlite_where=text("registration_key IS NOT NULL"),
        postgresql_where=text("registration_key IS NOT NULL"),
    ),
    Index("ix_lrs_statements_authority", "seg", "authority_key", "seq"),
    Index("ix_lrs_statements_branch", "seg", "branch_code", "seq"),
    Index(
        "ix_lrs_statements_voids",
        "voids",
        sqlite_where=text("voids IS NOT NULL"),
        postgresql_where=text("voids IS NOT NULL"),
    ),
)

# SQLite: the id of every statement up to lrs_id_merge.merged_seq, merged from the segment
# index in sorted runs of whole segments (``repository.StatementRepository.merge_ids``).
statement_ids = Table(
    "lrs_statement_ids",
    metadata,
    Column("id_hi", BigInteger, primary_key=True),
    Column("id_lo", BigInteger, primary_key=True),
    Column("seq", SEQ, nullable=False),
    sqlite_with_rowid=False,
)
id_merge = Table("lrs_id_merge", metadata, Column("merged_seq", SEQ, nullable=False))

# Agents a statement mentions besides actor/object/authority (team, instructor,
# SubStatement actor/object): what related_agents=true also searches (7.2.3).
statement_agents = Table(
    "lrs_statement_agents",
    metadata,
    Column("seq", SEQ, nullable=False),
    Column("seg", Integer, nullable=False),
    Column("ifi", String(2048), nullable=False),
    Index("ix_lrs_statement_agents_ifi", "seg", "ifi", "seq"),
    Index("ix_lrs_statement_agents_seq", "seq"),
)

# Activities in context.contextActivities and in a SubStatement's object: what
# related_activities=true also searches (7.2.3).
statement_activities = Table(
    "lrs_statement_activities",
    metadata,
    Column("seq", SEQ, nullable=False),
    Column("seg", Integer, nullable=False),
    Column("activity_id", String(2048), nullable=False),
    Index("ix_lrs_statement_activities_activity", "seg", "activity_id", "seq"),
    Index("ix_lrs_statement_activities_seq", "seq"),
)

# Attachment payloads by SHA-2 (1.0.3 section 2.4.11): stored once, shared by statements.
attachments = Table(
    "lrs_attachments",
    metadata,
    Column("sha2", String(128), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# Requests the statement resource refused, with the reason (for the operations page).
rejections = Table(
    "lrs_rejections",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False, index=True),
    Column("client", String(100), nullable=False),
    Column("version", String(8), nullable=False),
    Column("status", Integer, nullable=False),
    Column("reason", Text, nullable=False),
)
