"""finals: schedule, formula and aggregation on the final; finalists' eligibility; judges, panels, appeals

The finals tables were unused until now (they hold no rows), so the new non-null columns need no defaults.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import arena.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('final_judge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('final_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=100), nullable=True),
    sa.Column('created_at', arena.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['final_id'], ['final.id'], name=op.f('fk_final_judge_final_id_final'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_final_judge_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_judge')),
    sa.UniqueConstraint('final_id', 'user_id', name=op.f('uq_final_judge_final_id_user_id'))
    )
    with op.batch_alter_table('final_judge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_judge_final_id'), ['final_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_final_judge_user_id'), ['user_id'], unique=False)

    op.create_table('appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finalist_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filed_at', arena.db.UTCDateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', arena.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_appeal_answered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user.id'], name=op.f('fk_appeal_filed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['finalist_id'], ['finalist.id'], name=op.f('fk_appeal_finalist_id_finalist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal'))
    )
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_finalist_id'), ['finalist_id'], unique=False)

    op.create_table('panel_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('finalist_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finalist_id'], ['finalist.id'], name=op.f('fk_panel_assignment_finalist_id_finalist'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['final_judge.id'], name=op.f('fk_panel_assignment_judge_id_final_judge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_assignment')),
    sa.UniqueConstraint('judge_id', 'finalist_id', name=op.f('uq_panel_assignment_judge_id_finalist_id'))
    )
    with op.batch_alter_table('panel_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_assignment_judge_id'), ['judge_id'], unique=False)

    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_conflict_of_interest_final_id_judge_id_team_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_conflict_of_interest_final_id_judge_id_team_id_source'), ['final_id', 'judge_id', 'team_id', 'source'])

    with op.batch_alter_table('final', schema=None) as batch_op:
        batch_op.add_column(sa.Column('materials_due_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('pitch_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('venue', sa.String(length=300), nullable=False))
        batch_op.add_column(sa.Column('source_phase_ids', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('aggregation', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('trim_min_judges', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('missing_rule', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('blind', sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column('appeal_deadline', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('tolerance', sa.Float(), nullable=False))
        batch_op.add_column(sa.Column('report_max_bytes', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('revealed_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_final_source_phase_id_phase'), type_='foreignkey')
        batch_op.drop_column('source_phase_id')
        batch_op.drop_column('held_at')

    with op.batch_alter_table('finalist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('chosen_by', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=False))
        batch_op.add_column(sa.Column('online_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('online_phase_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('real_names', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('institution', sa.String(length=200), nullable=False))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('report_sha256', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('report_size', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('report_uploaded_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('code_submission_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rerun_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reproduction_status', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('reproduction_result', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('created_at', arena.db.UTCDateTime(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_finalist_rerun_id_rerun'), 'rerun', ['rerun_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_finalist_online_phase_id_phase'), 'phase', ['online_phase_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_finalist_code_submission_id_submission'), 'submission', ['code_submission_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_finalist_confirmed_by_id_user'), 'user', ['confirmed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('packet_sha256')
        batch_op.drop_column('order')

    with op.batch_alter_table('judge_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', arena.db.UTCDateTime(), nullable=False))
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('rubric_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column('min_points', sa.Float(), nullable=False))
        batch_op.add_column(sa.Column('step', sa.Float(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('rubric_criterion', schema=None) as batch_op:
        batch_op.drop_column('step')
        batch_op.drop_column('min_points')
        batch_op.drop_column('description')

    with op.batch_alter_table('judge_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', arena.db.UTCDateTime(), nullable=False))
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('finalist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order', sa.INTEGER(), nullable=False))
        batch_op.add_column(sa.Column('packet_sha256', sa.VARCHAR(length=64), nullable=False))
        batch_op.drop_constraint(batch_op.f('fk_finalist_confirmed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_finalist_code_submission_id_submission'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_finalist_online_phase_id_phase'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_finalist_rerun_id_rerun'), type_='foreignkey')
        batch_op.drop_column('created_at')
        batch_op.drop_column('reproduction_result')
        batch_op.drop_column('reproduction_status')
        batch_op.drop_column('rerun_id')
        batch_op.drop_column('code_submission_id')
        batch_op.drop_column('report_uploaded_at')
        batch_op.drop_column('report_size')
        batch_op.drop_column('report_sha256')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('institution')
        batch_op.drop_column('real_names')
        batch_op.drop_column('position')
        batch_op.drop_column('online_phase_id')
        batch_op.drop_column('online_rank')
        batch_op.drop_column('reason')
        batch_op.drop_column('chosen_by')
        batch_op.drop_column('status')

    with op.batch_alter_table('final', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_at', arena.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('source_phase_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_final_source_phase_id_phase'), 'phase', ['source_phase_id'], ['id'])
        batch_op.drop_column('revealed_at')
        batch_op.drop_column('report_max_bytes')
        batch_op.drop_column('tolerance')
        batch_op.drop_column('appeal_deadline')
        batch_op.drop_column('blind')
        batch_op.drop_column('missing_rule')
        batch_op.drop_column('trim_min_judges')
        batch_op.drop_column('aggregation')
        batch_op.drop_column('source_phase_ids')
        batch_op.drop_column('venue')
        batch_op.drop_column('pitch_at')
        batch_op.drop_column('materials_due_at')

    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_conflict_of_interest_final_id_judge_id_team_id_source'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_conflict_of_interest_final_id_judge_id_team_id'), ['final_id', 'judge_id', 'team_id'])

    with op.batch_alter_table('panel_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_assignment_judge_id'))

    op.drop_table('panel_assignment')
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_finalist_id'))

    op.drop_table('appeal')
    with op.batch_alter_table('final_judge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_judge_user_id'))
        batch_op.drop_index(batch_op.f('ix_final_judge_final_id'))

    op.drop_table('final_judge')
