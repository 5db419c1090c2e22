"""board stamps and read-time ranks

Leaderboard rows lose their stored position and rank (computed when a page is read, from ``order_key``) and
phases gain a stamp bumped by every board writer and a flag for statistics that wait to be recomputed.
Materialized rows are a cache of the scores: they are deleted here and rebuilt the first time each board is
read. On PostgreSQL, statement triggers announce committed changes to the tables a board page is made of
on the ``arena_boards`` channel, for the readers' page caches.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:52:59.717001
"""

from alembic import op
import sqlalchemy as sa
import arena.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BOARD_TABLES = ("challenge", "track", "phase", "team", "leaderboard_entry")
NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION arena_notify_boards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('arena_boards', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute("DELETE FROM leaderboard_entry")
    with op.batch_alter_table('leaderboard_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_key', sa.Float(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_leaderboard_entry_board_rank'))
        batch_op.create_index('ix_leaderboard_entry_board_order', ['phase_id', 'split', 'version', 'order_key', 'submitted_at', 'submission_id'], unique=False)
        batch_op.drop_column('rank')
        batch_op.drop_column('position')

    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_stamp', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('statistics_stale', sa.Boolean(), server_default=sa.false(), nullable=False))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        for table in BOARD_TABLES:
            op.execute(
                f"CREATE TRIGGER arena_notify_boards AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION arena_notify_boards()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in BOARD_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS arena_notify_boards ON {table}")
        op.execute("DROP FUNCTION IF EXISTS arena_notify_boards()")
    op.execute("DELETE FROM leaderboard_entry")
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_column('statistics_stale')
        batch_op.drop_column('board_stamp')

    with op.batch_alter_table('leaderboard_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.INTEGER(), nullable=False))
        batch_op.add_column(sa.Column('rank', sa.INTEGER(), nullable=False))
        batch_op.drop_index('ix_leaderboard_entry_board_order')
        batch_op.create_index(batch_op.f('ix_leaderboard_entry_board_rank'), ['phase_id', 'split', 'version', 'position'], unique=False)
        batch_op.drop_column('order_key')

