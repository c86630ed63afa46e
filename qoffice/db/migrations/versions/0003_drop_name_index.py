"""drop ix_enterprise_name: ix_enterprise_live_search starts with name and serves every live list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:45:00

With both indexes present SQLite costs them alike for a page in name order and picks whichever
was created first — and create_all's index order follows Python's set order, so some databases
walked ix_enterprise_name, looking up every row for deleted_at (a rare search took seconds).
The recycle bin (deleted rows, few) has ix_enterprise_in_bin.
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_name')


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_name', ['name'], unique=False)
