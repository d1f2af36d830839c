"""the unique statement id index holds the UUID's two 64-bit halves, not its text

Revision ID: lrs_0005
Revises: lrs_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lifelong.records.records import id_halves

revision: str = "lrs_0005"
down_revision: str | Sequence[str] | None = "lrs_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Partial indexes of lrs_statements (re-created after SQLite's table rebuild, which keeps
# an index but may not keep its WHERE clause).
PARTIAL = {
    "ix_lrs_statements_object": (["object_key", "verb_key", "seq"], "object_key IS NOT NULL"),
    "ix_lrs_statements_registration": (
        ["registration_key", "seq"],
        "registration_key IS NOT NULL",
    ),
    "ix_lrs_statements_voids": (["voids"], "voids IS NOT NULL"),
}


def _fill() -> None:
    """Compute both halves of every stored statement's id, in the database itself."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        digits = "replace(statement_id, '-', '')"
        op.execute(
            f"UPDATE lrs_statements SET "
            f"id_hi = ('x' || substr({digits}, 1, 16))::bit(64)::bigint, "
            f"id_lo = ('x' || substr({digits}, 17, 16))::bit(64)::bigint"
        )
        return
    raw = bind.connection.driver_connection
    raw.create_function("lifelong_id_hi", 1, lambda t: id_halves(t)[0], deterministic=True)
    raw.create_function("lifelong_id_lo", 1, lambda t: id_halves(t)[1], deterministic=True)
    op.execute(
        "UPDATE lrs_statements SET id_hi = lifelong_id_hi(statement_id), "
        "id_lo = lifelong_id_lo(statement_id)"
    )


def _restore_partial_indexes() -> None:
    """Make sure each partial index exists with its WHERE clause (after a rebuild)."""
    bind = op.get_bind()
    present = {index["name"]: index for index in sa.inspect(bind).get_indexes("lrs_statements")}
    for name, (columns, where) in PARTIAL.items():
        index = present.get(name)
        if index is not None and index.get("dialect_options", {}).get("sqlite_where") is not None:
            continue
        if index is not None:
            op.drop_index(name, table_name="lrs_statements")
        if index is None and name != "ix_lrs_statements_voids":
            continue  # a filter index a bulk load deferred: open_store builds it
        condition = sa.text(where)
        op.create_index(
            name, "lrs_statements", columns, sqlite_where=condition, postgresql_where=condition
        )


def upgrade() -> None:
    op.add_column("lrs_statements", sa.Column("id_hi", sa.BigInteger(), nullable=True))
    op.add_column("lrs_statements", sa.Column("id_lo", sa.BigInteger(), nullable=True))
    _fill()
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("uq_lrs_statements_statement_id", "lrs_statements", type_="unique")
        op.alter_column("lrs_statements", "id_hi", nullable=False)
        op.alter_column("lrs_statements", "id_lo", nullable=False)
        op.create_unique_constraint("uq_lrs_statements_id", "lrs_statements", ["id_hi", "id_lo"])
        return
    # SQLite cannot drop a table's UNIQUE constraint in place: the table is rebuilt.
    with op.batch_alter_table("lrs_statements", recreate="always") as batch:
        batch.drop_constraint("uq_lrs_statements_statement_id", type_="unique")
        batch.alter_column("id_hi", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("id_lo", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_lrs_statements_id", ["id_hi", "id_lo"])
    _restore_partial_indexes()


def downgrade() -> None:
    with op.batch_alter_table("lrs_statements", recreate="auto") as batch:
        batch.drop_constraint("uq_lrs_statements_id", type_="unique")
        batch.create_unique_constraint("uq_lrs_statements_statement_id", ["statement_id"])
        batch.drop_column("id_lo")
        batch.drop_column("id_hi")
    if op.get_bind().dialect.name != "postgresql":
        _restore_partial_indexes()
