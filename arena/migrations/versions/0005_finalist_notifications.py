"""notifications: the in-app inbox, with each message's mail status

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import arena.db


revision = '0005'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', arena.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', arena.db.UTCDateTime(), nullable=True),
    sa.Column('mail_status', sa.String(length=16), nullable=False),
    sa.Column('mail_attempts', sa.Integer(), nullable=False),
    sa.Column('mailed_at', arena.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_notification_recipient_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_recipient_read', ['recipient_id', 'read_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_recipient_read')
    op.drop_table('notification')
