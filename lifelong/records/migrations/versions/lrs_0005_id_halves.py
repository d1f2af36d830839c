"""the unique id index holds the UUID's two 64-bit halves; filter indexes lead with the segment

Two changes to the statement store's write path, made in one rebuild of the table:

- the unique statement id index holds ``(id_hi, id_lo)``, the UUID's 128 bits as two
  signed 64-bit integers, instead of its 36-character text;
- every statement carries its segment, ``seg = seq >> 13``, and every filter index leads
  with it (``tables.SEGMENT_BITS``).

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

SEGMENT_BITS = 13  # tables.SEGMENT_BITS when this revision was written
TABLES = ("lrs_statements", "lrs_statement_agents", "lrs_statement_activities")
# index -> (table, columns after seg, partial condition)
FILTER_INDEXES = {
    "ix_lrs_statements_actor": ("lrs_statements", ["actor_key", "verb_key", "seq"], None),
    "ix_lrs_statements_object": (
        "lrs_statements",
        ["object_key", "verb_key", "seq"],
        "object_key IS NOT NULL",
    ),
    "ix_lrs_statements_verb": ("lrs_statements", ["verb_key", "seq"], None),
    "ix_lrs_statements_activity": ("lrs_statements", ["activity_key", "seq"], None),
    "ix_lrs_statements_registration": (
        "lrs_statements",
        ["registration_key", "seq"],
        "registration_key IS NOT NULL",
    ),
    "ix_lrs_statements_authority": ("lrs_statements", ["authority_key", "seq"], None),
    "ix_lrs_statements_branch": ("lrs_statements", ["branch_code", "seq"], None),
    "ix_lrs_statement_agents_ifi": ("lrs_statement_agents", ["ifi", "seq"], None),
    "ix_lrs_statement_activities_activity": (
        "lrs_statement_activities",
        ["activity_id", "seq"],
        None,
    ),
}
VOIDS = ("ix_lrs_statements_voids", ["voids"], "voids IS NOT NULL")


def _fill() -> None:
    """Compute the id halves and the segment of every stored row, in the database."""
    bind = op.get_bind()
    for table in TABLES:
        op.execute(f"UPDATE {table} SET seg = seq >> {SEGMENT_BITS}")
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


def _indexes(table: str) -> set[str]:
    return {index["name"] for index in sa.inspect(op.get_bind()).get_indexes(table)}


def _create(name: str, table: str, columns: list[str], where: str | None) -> None:
    condition = sa.text(where) if where else None
    op.create_index(name, table, columns, sqlite_where=condition, postgresql_where=condition)


def upgrade() -> None:
    # Which filter indexes exist (a bulk load may have deferred them: open_store builds
    # those); they are dropped before the rebuild and created again on the new columns.
    present = {name for table in TABLES for name in _indexes(table)}
    for name, (table, _columns, _where) in FILTER_INDEXES.items():
        if name in present:
            op.drop_index(name, table_name=table)
    if VOIDS[0] in present:
        op.drop_index(VOIDS[0], table_name="lrs_statements")
    for table in TABLES:
        op.add_column(table, sa.Column("seg", sa.Integer(), nullable=True))
    op.add_column("lrs_statements", sa.Column("id_hi", sa.BigInteger(), nullable=True))
    op.add_column("lrs_statements", sa.Column("id_lo", sa.BigInteger(), nullable=True))
    _fill()
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.drop_constraint("uq_lrs_statements_statement_id", "lrs_statements", type_="unique")
        for table in TABLES:
            op.alter_column(table, "seg", nullable=False)
        op.alter_column("lrs_statements", "id_hi", nullable=False)
        op.alter_column("lrs_statements", "id_lo", nullable=False)
        op.create_unique_constraint("uq_lrs_statements_id", "lrs_statements", ["id_hi", "id_lo"])
    else:
        # SQLite can neither drop a table's inline UNIQUE nor make a column NOT NULL in
        # place: each table is rebuilt once (with no index left to copy but its own).
        with op.batch_alter_table("lrs_statements", recreate="always") as batch:
            batch.drop_constraint("uq_lrs_statements_statement_id", type_="unique")
            batch.alter_column("seg", existing_type=sa.Integer(), nullable=False)
            for column in ("id_hi", "id_lo"):
                batch.alter_column(column, existing_type=sa.BigInteger(), nullable=False)
            batch.create_unique_constraint("uq_lrs_statements_id", ["id_hi", "id_lo"])
        for table in TABLES[1:]:
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.alter_column("seg", existing_type=sa.Integer(), nullable=False)
    _create(VOIDS[0], "lrs_statements", VOIDS[1], VOIDS[2])
    for name, (table, columns, where) in FILTER_INDEXES.items():
        if name in present:
            _create(name, table, ["seg", *columns], where)


def downgrade() -> None:
    present = {name for table in TABLES for name in _indexes(table)}
    for name, (table, _columns, _where) in FILTER_INDEXES.items():
        if name in present:
            op.drop_index(name, table_name=table)
    op.drop_index(VOIDS[0], table_name="lrs_statements")
    with op.batch_alter_table("lrs_statements", recreate="always") as batch:
        batch.drop_constraint("uq_lrs_statements_id", type_="unique")
        batch.create_unique_constraint("uq_lrs_statements_statement_id", ["statement_id"])
        for column in ("seg", "id_lo", "id_hi"):
            batch.drop_column(column)
    for table in TABLES[1:]:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("seg")
    _create(VOIDS[0], "lrs_statements", VOIDS[1], VOIDS[2])
    for name, (table, columns, where) in FILTER_INDEXES.items():
        if name in present:
            _create(name, table, columns, where)
