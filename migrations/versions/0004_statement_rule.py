"""statements.rule, statements.rule_reason: the extraction rule that decided a machine statement, and why

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('rule_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('rule_reason')
        batch_op.drop_column('rule')
