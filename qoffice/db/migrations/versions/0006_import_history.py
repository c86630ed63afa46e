"""import history (导入记录): who ran each import, its unchanged and skipped rows, its backup

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00

import_batch gets operator (the 填报人 setting, else the OS user), unchanged and skipped (so the
history shows every count the import reported) and backup (the file name of the backup made before
it, so the backup list can name the import's file and kind). Existing batches: 0 and NULL.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch') as batch:
        batch.add_column(sa.Column('operator', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('unchanged', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch.add_column(sa.Column('skipped', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch.add_column(sa.Column('backup', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_batch') as batch:
        batch.drop_column('backup')
        batch.drop_column('skipped')
        batch.drop_column('unchanged')
        batch.drop_column('operator')
