"""reader suggestions (corrections sent from a statement or country page, waiting for an editor)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('country_iso2', sa.String(length=2), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('stated_on', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=True),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_statement_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f('ck_suggestions_status')),
    sa.CheckConstraint("stance IS NULL OR stance IN ('support', 'reject', 'undecided')",
                       name=op.f('ck_suggestions_stance')),
    sa.ForeignKeyConstraint(['country_iso2'], ['countries.iso2'], name=op.f('fk_suggestions_country_iso2_countries')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_suggestions_decided_by_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['result_statement_id'], ['statements.id'],
                            name=op.f('fk_suggestions_result_statement_id_statements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_suggestions_statement_id_statements'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_suggestions_address', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_suggestions_status', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestions_status')
        batch_op.drop_index('ix_suggestions_address')

    op.drop_table('suggestions')
