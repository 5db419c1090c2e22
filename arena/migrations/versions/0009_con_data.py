"""console data: dry runs and each phase's reference submissions

Phases gain ``sample_sha256`` and ``baseline_sha256`` (the sample submission and the baseline a dry run
scores); ``dry_run`` keeps each dry run's per-phase scores and errors.

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-03 15:10:00.000000
"""

from alembic import op
import sqlalchemy as sa

from arena.db import UTCDateTime


revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sample_sha256', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('baseline_sha256', sa.String(length=64), server_default='', nullable=False))
    op.create_table(
        'dry_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('challenge_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('entries', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('dry_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dry_run_challenge_id'), ['challenge_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dry_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dry_run_challenge_id'))
    op.drop_table('dry_run')
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_column('baseline_sha256')
        batch_op.drop_column('sample_sha256')
