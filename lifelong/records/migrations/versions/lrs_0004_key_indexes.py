"""filter indexes on 64-bit keys of the IRIs and IFIs instead of on the texts

Revision ID: lrs_0004
Revises: lrs_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lifelong.records.records import index_key

revision: str = "lrs_0004"
down_revision: str | Sequence[str] | None = "lrs_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# key column <- text column it keys
KEYS = {
    "actor_key": "actor_ifi",
    "verb_key": "verb_id",
    "object_key": "object_ifi",
    "activity_key": "activity_id",
    "registration_key": "registration",
    "authority_key": "authority_ifi",
}
# index name -> (old text columns, new key columns, partial condition on the new columns)
INDEXES = {
    "ix_lrs_statements_actor": (["actor_ifi", "verb_id", "seq"], ["actor_key", "verb_key", "seq"], None),
    "ix_lrs_statements_object": (
        ["object_ifi", "verb_id", "seq"],
        ["object_key", "verb_key", "seq"],
        "object_key IS NOT NULL",
    ),
    "ix_lrs_statements_verb": (["verb_id", "seq"], ["verb_key", "seq"], None),
    "ix_lrs_statements_activity": (["activity_id", "seq"], ["activity_key", "seq"], None),
    "ix_lrs_statements_registration": (
        ["registration", "seq"],
        ["registration_key", "seq"],
        "registration_key IS NOT NULL",
    ),
    "ix_lrs_statements_authority": (["authority_ifi", "seq"], ["authority_key", "seq"], None),
}
OLD_PARTIAL = {
    "ix_lrs_statements_object": "object_ifi IS NOT NULL",
    "ix_lrs_statements_registration": "registration IS NOT NULL",
}


def _fill_keys() -> None:
    """Compute the keys of the statements already stored, in the database itself."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        expression = "('x' || left(md5({0}), 16))::bit(64)::bigint"
    else:
        raw = bind.connection.driver_connection
        raw.create_function("lifelong_index_key", 1, index_key, deterministic=True)
        expression = "lifelong_index_key({0})"
    assignments = ", ".join(f"{key} = {expression.format(text)}" for key, text in KEYS.items())
    op.execute(f"UPDATE lrs_statements SET {assignments}")


def _replace_index(name: str, columns: list[str], where: str | None) -> None:
    """Drop index ``name`` and create it again on ``columns`` (partial when ``where``)."""
    op.drop_index(name, table_name="lrs_statements")
    condition = sa.text(where) if where else None
    op.create_index(
        name, "lrs_statements", columns, sqlite_where=condition, postgresql_where=condition
    )


def upgrade() -> None:
    for key in KEYS:
        op.add_column("lrs_statements", sa.Column(key, sa.BigInteger(), nullable=True))
    _fill_keys()
    for name, (_old, new, where) in INDEXES.items():
        _replace_index(name, new, where)


def downgrade() -> None:
    for name, (old, _new, _where) in INDEXES.items():
        _replace_index(name, old, OLD_PARTIAL.get(name))
    with op.batch_alter_table("lrs_statements", schema=None) as batch_op:
        for key in KEYS:
            batch_op.drop_column(key)
