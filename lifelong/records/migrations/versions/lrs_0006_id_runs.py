"""SQLite: statement ids leave the table's unique index for a merged id table

A random client id (version 4) landed on a random leaf page of the unique ``(id_hi,
id_lo)`` index, so every commit rewrote about one 16 KiB page of it a statement: most
of what a commit wrote to the WAL, and more as the store grew. On SQLite the id now lives
in two places that are cheap to write (``records.repository``):

- ``ix_lrs_statements_id (seg, id_hi, id_lo)``: like the filter indexes it leads with the
  segment, so a commit's new entries share a few pages;
- ``lrs_statement_ids``: every id up to ``lrs_id_merge.merged_seq``, keyed by the id, filled
  in large sorted merges of whole segments.

Uniqueness is the writer's check under the store's write lock, as it always was for a
repeated id (a duplicate is answered, not inserted). PostgreSQL keeps its unique index.

Revision ID: lrs_0006
Revises: lrs_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "lrs_0006"
down_revision: str | Sequence[str] | None = "lrs_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _saved_indexes() -> list[tuple[str, str]]:
    """The statements table's indexes (name, CREATE text), dropped for the rebuild."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'lrs_statements' AND sql IS NOT NULL"
    )
    return [(name, sql) for name, sql in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "lrs_statement_ids",
        sa.Column("id_hi", sa.BigInteger(), primary_key=True),
        sa.Column("id_lo", sa.BigInteger(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO lrs_statement_ids (id_hi, id_lo, seq) "
        "SELECT id_hi, id_lo, seq FROM lrs_statements ORDER BY id_hi, id_lo"
    )
    op.create_table("lrs_id_merge", sa.Column("merged_seq", sa.Integer(), nullable=False))
    op.execute("INSERT INTO lrs_id_merge (merged_seq) SELECT coalesce(max(seq), 0) FROM lrs_statements")
    # SQLite cannot drop a table's UNIQUE in place: the table is rebuilt once, with its
    # other indexes dropped first and created again from their own text afterwards.
    saved = _saved_indexes()
    for name, _sql in saved:
        op.drop_index(name, table_name="lrs_statements")
    with op.batch_alter_table("lrs_statements", recreate="always") as batch:
        batch.drop_constraint("uq_lrs_statements_id", type_="unique")
    for _name, sql in saved:
        op.execute(sql)
    op.create_index("ix_lrs_statements_id", "lrs_statements", ["seg", "id_hi", "id_lo"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_lrs_statements_id", table_name="lrs_statements")
    saved = _saved_indexes()
    for name, _sql in saved:
        op.drop_index(name, table_name="lrs_statements")
    with op.batch_alter_table("lrs_statements", recreate="always") as batch:
        batch.create_unique_constraint("uq_lrs_statements_id", ["id_hi", "id_lo"])
    for _name, sql in saved:
        op.execute(sql)
    op.drop_table("lrs_id_merge")
    op.drop_table("lrs_statement_ids")
