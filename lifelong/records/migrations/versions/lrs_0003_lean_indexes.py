"""lean indexes: partial indexes for sparse columns, no stored index (seq bounds instead)

Revision ID: lrs_0003
Revises: lrs_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "lrs_0003"
down_revision: str | Sequence[str] | None = "lrs_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    "ix_lrs_statements_object": (["object_ifi", "verb_id", "seq"], "object_ifi IS NOT NULL"),
    "ix_lrs_statements_registration": (["registration", "seq"], "registration IS NOT NULL"),
    "ix_lrs_statements_voids": (["voids"], "voids IS NOT NULL"),
}


def upgrade() -> None:
    with op.batch_alter_table("lrs_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_lrs_statements_stored")
        for name in PARTIAL:
            batch_op.drop_index(name)
    for name, (columns, where) in PARTIAL.items():
        op.create_index(
            name,
            "lrs_statements",
            columns,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name in PARTIAL:
        op.drop_index(name, table_name="lrs_statements")
    with op.batch_alter_table("lrs_statements", schema=None) as batch_op:
        batch_op.create_index("ix_lrs_statements_stored", ["stored"], unique=False)
        for name, (columns, _where) in PARTIAL.items():
            batch_op.create_index(name, columns, unique=False)
