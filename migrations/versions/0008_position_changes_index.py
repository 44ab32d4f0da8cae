"""position_days: an index for the changes of every country, newest first (the /changes list and the feeds)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:00:00
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('position_days', schema=None) as batch_op:
        batch_op.create_index('ix_position_days_changes', ['reading', 'changed', 'stated_on', 'country_iso2', 'stance'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('position_days', schema=None) as batch_op:
        batch_op.drop_index('ix_position_days_changes')
