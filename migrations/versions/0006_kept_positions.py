"""kept positions: position_days, position_change_days, position_countries and the data version, filled from
the statements already stored

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('position_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reading', sa.String(length=10), nullable=False),
    sa.Column('country_iso2', sa.String(length=2), nullable=False),
    sa.Column('stated_on', sa.Date(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('date_precision', sa.String(length=10), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('previous_stance', sa.String(length=10), nullable=True),
    sa.Column('since_on', sa.Date(), nullable=False),
    sa.Column('since_precision', sa.String(length=10), nullable=False),
    sa.Column('sources', sa.Integer(), nullable=False),
    sa.Column('articles', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_days'))
    )
    with op.batch_alter_table('position_days', schema=None) as batch_op:
        batch_op.create_index('ix_position_days_lookup', ['reading', 'country_iso2', 'stated_on'], unique=True)
    op.create_table('position_change_days',
    sa.Column('reading', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('reading', 'day', name=op.f('pk_position_change_days'))
    )
    op.create_table('position_countries',
    sa.Column('reading', sa.String(length=10), nullable=False),
    sa.Column('country_iso2', sa.String(length=2), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=True),
    sa.Column('last_on', sa.Date(), nullable=True),
    sa.Column('undated_statement_id', sa.Integer(), nullable=True),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.Column('dated', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('reading', 'country_iso2', name=op.f('pk_position_countries'))
    )
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")
    # Statements stored before this revision get their kept positions now (the same code as
    # `stancemap rebuild-positions`).
    from sqlalchemy.orm import Session

    from app.positions import rebuild_positions

    session = Session(bind=op.get_bind())
    rebuild_positions(session)
    session.flush()


def downgrade() -> None:
    op.drop_table('data_version')
    op.drop_table('position_countries')
    op.drop_table('position_change_days')
    with op.batch_alter_table('position_days', schema=None) as batch_op:
        batch_op.drop_index('ix_position_days_lookup')
    op.drop_table('position_days')
