"""final sealed sets: hidden inputs and a key per source phase that reproduction scores against

Revision ID: 0013
Revises: 0005
Create Date: 2026-12-04 02:15:00.000000
"""

from alembic import op
import sqlalchemy as sa
import arena.db


revision = '0013'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('final_sealed_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('final_id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=False),
    sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
    sa.Column('labels_sha256', sa.String(length=64), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('provided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', arena.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['final_id'], ['final.id'], name=op.f('fk_final_sealed_set_final_id_final'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['phase.id'], name=op.f('fk_final_sealed_set_phase_id_phase'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provided_by_id'], ['user.id'], name=op.f('fk_final_sealed_set_provided_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_sealed_set')),
    sa.UniqueConstraint('final_id', 'phase_id', name=op.f('uq_final_sealed_set_final_id_phase_id'))
    )
    with op.batch_alter_table('final_sealed_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_sealed_set_final_id'), ['final_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('final_sealed_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_sealed_set_final_id'))
    op.drop_table('final_sealed_set')
