"""position_countries.version: the data version of the refresh that last wrote a country's kept rows, so readers
keeping a copy of every country's position changes (the chart view) read again only the countries that moved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('position_countries') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('position_countries') as batch:
        batch.drop_column('version')
