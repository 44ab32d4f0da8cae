"""sign-in attempts (throttling failed sign-ins across worker processes)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempts'))
    )
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_attempts_address', ['address', 'at'], unique=False)
        batch_op.create_index('ix_sign_in_attempts_username', ['username', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_attempts_username')
        batch_op.drop_index('ix_sign_in_attempts_address')

    op.drop_table('sign_in_attempts')
