"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 13:53:51.457226
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_initials', sa.String(length=200), nullable=False),
    sa.Column('county', sa.String(length=50), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('legal_rep', sa.String(length=50), nullable=True),
    sa.Column('contact', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('industry_group', sa.String(length=20), nullable=True),
    sa.Column('trade', sa.String(length=50), nullable=True),
    sa.Column('high_energy', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_year', sa.Integer(), nullable=True),
    sa.Column('cqo_name', sa.String(length=50), nullable=True),
    sa.Column('cqo_post', sa.String(length=50), nullable=True),
    sa.Column('cqo_phone', sa.String(length=50), nullable=True),
    sa.Column('cqo_appointed', sa.Date(), nullable=True),
    sa.Column('excellence_year', sa.Integer(), nullable=True),
    sa.Column('benchmark', sa.Boolean(), nullable=False),
    sa.Column('benchmark_since', sa.Integer(), nullable=True),
    sa.Column('research_centre', sa.Boolean(), nullable=False),
    sa.Column('incentive_fund', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('uscc', name=op.f('uq_enterprise_uscc'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_county', ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_enterprise_group', ['industry_group'], unique=False)
        batch_op.create_index('ix_enterprise_initials', ['name_initials'], unique=False)
        batch_op.create_index('ix_enterprise_name', ['name'], unique=False)
        batch_op.create_index('ix_enterprise_status', ['status'], unique=False)

    op.create_table('forum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=True),
    sa.Column('organiser', sa.String(length=200), nullable=True),
    sa.Column('topic', sa.String(length=300), nullable=True),
    sa.Column('speakers', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('people_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum')),
    sa.UniqueConstraint('title', 'date', name=op.f('uq_forum_title_date'))
    )
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.create_index('ix_forum_date', ['date'], unique=False)

    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=True),
    sa.Column('organiser', sa.String(length=200), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('year', name=op.f('uq_meeting_year'))
    )
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_initials', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_name'))
    )
    op.create_table('return_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('copy_path', sa.String(length=1000), nullable=True),
    sa.Column('indicators_json', sa.Text(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_submission'))
    )
    with op.batch_alter_table('return_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_submission_year'), ['year'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('os_user', sa.String(length=100), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('table_name', sa.String(length=30), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=50), nullable=True),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_audit_log_batch_id_import_batch'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_audit_log_record', ['table_name', 'record_id'], unique=False)

    op.create_table('award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('award', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_award_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award')),
    sa.UniqueConstraint('enterprise_id', 'award', 'year', name=op.f('uq_award_enterprise_id_award_year'))
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index('ix_award_year', ['year'], unique=False)

    op.create_table('forum_attendance',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_forum_attendance_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_attendance_forum_id_forum'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', 'enterprise_id', name=op.f('pk_forum_attendance'))
    )
    op.create_table('meeting_partner',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_partner_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_meeting_partner_partner_id_partner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'partner_id', name=op.f('pk_meeting_partner'))
    )
    op.create_table('signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.Text(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('waitlist_seq', sa.Integer(), nullable=True),
    sa.Column('signed_up_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_signup_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_signup_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_signup_partner_id_partner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup')),
    sa.UniqueConstraint('meeting_id', 'enterprise_id', name=op.f('uq_signup_meeting_id_enterprise_id'))
    )
    op.create_table('year_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('loss_rate_e4', sa.Integer(), nullable=True),
    sa.Column('checked', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Integer(), nullable=True),
    sa.Column('benefit_yuan', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_year_figures_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_figures')),
    sa.UniqueConstraint('enterprise_id', 'year', name=op.f('uq_year_figures_enterprise_id_year'))
    )
    with op.batch_alter_table('year_figures', schema=None) as batch_op:
        batch_op.create_index('ix_year_figures_year', ['year'], unique=False)

    op.create_table('attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('post', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_attendee_signup_id_signup'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendee'))
    )
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('investment_yuan', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('benefit_yuan', sa.Integer(), nullable=True),
    sa.Column('signup_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_project_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_project_partner_id_partner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_project_signup_id_signup'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('enterprise_id', 'year', 'title', name=op.f('uq_project_enterprise_id_year_title'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_year', ['year'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_year')

    op.drop_table('project')
    op.drop_table('attendee')
    with op.batch_alter_table('year_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_year_figures_year')

    op.drop_table('year_figures')
    op.drop_table('signup')
    op.drop_table('meeting_partner')
    op.drop_table('forum_attendance')
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index('ix_award_year')

    op.drop_table('award')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_record')
        batch_op.drop_index(batch_op.f('ix_audit_log_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_batch_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    op.drop_table('setting')
    with op.batch_alter_table('return_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_submission_year'))

    op.drop_table('return_submission')
    op.drop_table('partner')
    op.drop_table('meeting')
    op.drop_table('import_batch')
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_date')

    op.drop_table('forum')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_status')
        batch_op.drop_index('ix_enterprise_name')
        batch_op.drop_index('ix_enterprise_initials')
        batch_op.drop_index('ix_enterprise_group')
        batch_op.drop_index(batch_op.f('ix_enterprise_deleted_at'))
        batch_op.drop_index('ix_enterprise_county')

    op.drop_table('enterprise')

