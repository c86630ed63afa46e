"""record versions (lost-update check) and the pinyin sort key of names

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 09:00:00

Every record a clerk edits gets `version` (the mappers' version_id_col, 1 for the rows there are):
a save of a record changed since its form was opened is refused instead of silently undoing the
other change. Enterprises and partners get `name_pinyin`, the full-pinyin sort key of their name
(qoffice.domain.pinyin.sort_key), filled here for the existing rows, so lists sort names as WPS and
Excel do; the live enterprise list's covering index now starts with it (the list's name order).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

VERSIONED = ('enterprise', 'year_figures', 'partner', 'project', 'award', 'forum', 'meeting', 'signup')


def _backfill(table: str) -> None:
    from qoffice.domain.pinyin import sort_key

    conn = op.get_bind()  # plain SQL with named parameters: the same on SQLite and PostgreSQL
    rows = conn.execute(sa.text(f'SELECT id, name FROM "{table}"')).fetchall()
    if rows:
        conn.execute(sa.text(f'UPDATE "{table}" SET name_pinyin = :key WHERE id = :id'),
                     [{"key": sort_key(name), "id": rid} for rid, name in rows])


def upgrade() -> None:
    for table in ('enterprise', 'partner'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_pinyin', sa.String(length=1000), server_default=sa.text("''"),
                                          nullable=False))
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    _backfill('enterprise')
    _backfill('partner')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_live_search')
        batch_op.create_index('ix_enterprise_live_search',
                              ['name_pinyin', 'id', 'name', 'uscc', 'name_initials', 'deleted_at'], unique=False,
                              sqlite_where=sa.text('deleted_at IS NULL'))
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index('ix_partner_name_pinyin', ['name_pinyin'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_name_pinyin')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_live_search')
        batch_op.create_index('ix_enterprise_live_search', ['name', 'id', 'uscc', 'name_initials', 'deleted_at'],
                              unique=False, sqlite_where=sa.text('deleted_at IS NULL'))
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
    for table in ('enterprise', 'partner'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('name_pinyin')
