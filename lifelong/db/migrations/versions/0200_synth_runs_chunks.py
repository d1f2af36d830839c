"""synth: generator runs and chunk checkpoints

Revision ID: 0200_synth
Revises: 0001_core
Create Date: 2026-12-01 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lifelong.db.base


revision: str = '0200_synth'
down_revision: str | Sequence[str] | None = '0001_core'
branch_labels: str | Sequence[str] | None = ('synth',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('synth_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('started_at', lifelong.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', lifelong.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synth_runs'))
    )
    op.create_table('synth_chunks',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('chunk', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.Column('committed_at', lifelong.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['synth_runs.id'], name=op.f('fk_synth_chunks_run_id_synth_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'stage', 'chunk', name=op.f('pk_synth_chunks'))
    )


def downgrade() -> None:
    op.drop_table('synth_chunks')
    op.drop_table('synth_runs')
