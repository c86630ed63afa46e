"""indexes for the 100,000-enterprise list: live-name/search covering index, recycle-bin index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:00:00

ix_enterprise_deleted_at made SQLite answer "deleted_at IS NULL" (almost every row) through that
index, fetching row after row and sorting them all for one page; it is replaced by a partial
index holding only the recycle bin. The live list gets a partial index in name order that also
holds the searched columns, so a page, a search and a count read that index, not the wide table.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_deleted_at')
        batch_op.create_index('ix_enterprise_in_bin', ['deleted_at'], unique=False,
                              sqlite_where=sa.text('deleted_at IS NOT NULL'))
        batch_op.create_index('ix_enterprise_live_search', ['name', 'id', 'uscc', 'name_initials', 'deleted_at'],
                              unique=False,
                              sqlite_where=sa.text('deleted_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_live_search')
        batch_op.drop_index('ix_enterprise_in_bin')
        batch_op.create_index('ix_enterprise_deleted_at', ['deleted_at'], unique=False)
