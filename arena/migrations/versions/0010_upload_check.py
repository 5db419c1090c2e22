"""track targets

Tracks gain ``targets``: what each predictions column may hold (a label set, a number type and range, or
ranked lists of known labels), checked when a result file is uploaded and when a hidden key is imported.

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-03 16:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('targets', sa.JSON(), server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.drop_column('targets')
