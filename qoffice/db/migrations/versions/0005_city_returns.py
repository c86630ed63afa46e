"""the city office: received county returns, their rows and findings (city.md)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00

A city-level office receives the counties' yearly returns: city_return keeps each accepted file
(its bytes, original name, SHA-256, cover fields, whether it is current, 退回), city_return_row its
rows as data, city_finding what receiving it found. New tables only: nothing existing changes.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'city_return',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('county', sa.String(length=100), nullable=False),
        sa.Column('file_name', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('filled_date', sa.Date(), nullable=True),
        sa.Column('office', sa.String(length=200), nullable=True),
        sa.Column('operator', sa.String(length=200), nullable=True),
        sa.Column('phone', sa.String(length=200), nullable=True),
        sa.Column('software_version', sa.String(length=100), nullable=True),
        sa.Column('current', sa.Boolean(), nullable=False),
        sa.Column('replaced_previous', sa.Boolean(), nullable=False),
        sa.Column('superseded_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=True),
        sa.Column('summary_json', sa.Text(), nullable=False),
        sa.Column('warnings', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_city_return')),
    )
    with op.batch_alter_table('city_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_return_year'), ['year'], unique=False)
        batch_op.create_index('ix_city_return_year_county', ['year', 'county'], unique=False)
    for table, extra in (
        ('city_return_row', (sa.Column('sheet', sa.String(length=20), nullable=False),
                             sa.Column('row', sa.Integer(), nullable=False),
                             sa.Column('data', sa.Text(), nullable=False))),
        ('city_finding', (sa.Column('level', sa.String(length=10), nullable=False),
                          sa.Column('sheet', sa.String(length=50), nullable=True),
                          sa.Column('row', sa.Integer(), nullable=True),
                          sa.Column('message', sa.Text(), nullable=False))),
    ):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('return_id', sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(['return_id'], ['city_return.id'],
                                    name=op.f(f'fk_{table}_return_id_city_return'), ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_return_id'), ['return_id'], unique=False)


def downgrade() -> None:
    for table in ('city_finding', 'city_return_row'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_return_id'))
        op.drop_table(table)
    with op.batch_alter_table('city_return', schema=None) as batch_op:
        batch_op.drop_index('ix_city_return_year_county')
        batch_op.drop_index(batch_op.f('ix_city_return_year'))
    op.drop_table('city_return')
