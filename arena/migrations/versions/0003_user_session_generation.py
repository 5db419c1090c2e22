"""user session generation

Users gain ``session_generation``, a number carried in every session cookie: logging out, changing the
password or an admin's "sign out everywhere" bumps it, so cookies issued before stop working.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
