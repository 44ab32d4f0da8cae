"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 02:43:32.199927
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=True),
    sa.Column('title', sa.String(length=1000), nullable=True),
    sa.Column('source', sa.String(length=500), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("date_precision IN ('day', 'month', 'year', 'unknown')", name=op.f('ck_articles_date_precision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('body_sha256', name=op.f('uq_articles_body_sha256'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_ingested_at', ['ingested_at'], unique=False)

    op.create_table('countries',
    sa.Column('iso2', sa.String(length=2), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('numeric', sa.String(length=3), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('eu', sa.Boolean(), nullable=False),
    sa.Column('nato', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('iso2', name=op.f('pk_countries')),
    sa.UniqueConstraint('iso3', name=op.f('uq_countries_iso3'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('editor', 'admin')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country_iso2', sa.String(length=2), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('stated_on', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('speaker', sa.String(length=300), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('review_status', sa.String(length=12), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('quote_start', sa.Integer(), nullable=True),
    sa.Column('quote_end', sa.Integer(), nullable=True),
    sa.Column('mention_start', sa.Integer(), nullable=True),
    sa.Column('mention_end', sa.Integer(), nullable=True),
    sa.Column('cue_start', sa.Integer(), nullable=True),
    sa.Column('cue_end', sa.Integer(), nullable=True),
    sa.Column('rules_version', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("date_precision IN ('day', 'month', 'year', 'unknown')", name=op.f('ck_statements_date_precision')),
    sa.CheckConstraint("origin IN ('machine', 'editor')", name=op.f('ck_statements_origin')),
    sa.CheckConstraint("review_status IN ('unreviewed', 'verified', 'dismissed')", name=op.f('ck_statements_review_status')),
    sa.CheckConstraint("stance IN ('support', 'reject', 'undecided')", name=op.f('ck_statements_stance')),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_statements_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['country_iso2'], ['countries.iso2'], name=op.f('fk_statements_country_iso2_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_article_id', ['article_id'], unique=False)
        batch_op.create_index('ix_statements_country_date', ['country_iso2', 'stated_on', 'id'], unique=False)
        batch_op.create_index('ix_statements_review', ['review_status', 'origin', 'created_at'], unique=False)
        batch_op.create_index('ix_statements_stance', ['stance'], unique=False)
        batch_op.create_index('ix_statements_stated_on', ['stated_on'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_audit_events_statement_id_statements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_events_statement', ['statement_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_statement')
        batch_op.drop_index('ix_audit_events_at')

    op.drop_table('audit_events')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_stated_on')
        batch_op.drop_index('ix_statements_stance')
        batch_op.drop_index('ix_statements_review')
        batch_op.drop_index('ix_statements_country_date')
        batch_op.drop_index('ix_statements_article_id')

    op.drop_table('statements')
    op.drop_table('users')
    op.drop_table('countries')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_ingested_at')

    op.drop_table('articles')
