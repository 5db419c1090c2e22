"""demand statistics roll-ups: monthly figures by field and region, and the sponsors and respondents present

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 03:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demand_stat_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('demands_filed', sa.Integer(), nullable=False),
    sa.Column('demands_approved', sa.Integer(), nullable=False),
    sa.Column('demands_published', sa.Integer(), nullable=False),
    sa.Column('intended_investment', sa.BigInteger(), nullable=False),
    sa.Column('solutions', sa.Integer(), nullable=False),
    sa.Column('matches', sa.Integer(), nullable=False),
    sa.Column('deals', sa.Integer(), nullable=False),
    sa.Column('contract_value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'field', 'region', name=op.f('pk_demand_stat_month'))
    )
    op.create_table('demand_stat_presence',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('dim', sa.String(length=8), nullable=False),
    sa.Column('bucket', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('refs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'grain', 'dim', 'bucket', 'value', 'organization_id', name=op.f('pk_demand_stat_presence'))
    )
    # Fill both from the rows already there.
    from arena.demands import rebuild_rollups as rebuild

    rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table('demand_stat_presence')
    op.drop_table('demand_stat_month')
