"""articles.file_line: the line of a JSON Lines file an article came from (file_name is the file's own name)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_line', sa.Integer(), nullable=True))
    # Before this revision a JSON Lines record was stored as "feed.jsonl:12"; split it into name and line.
    articles = sa.table('articles', sa.column('id', sa.Integer), sa.column('file_name', sa.String),
                        sa.column('file_line', sa.Integer))
    conn = op.get_bind()
    rows = conn.execute(sa.select(articles.c.id, articles.c.file_name)
                        .where(articles.c.file_name.like('%.jsonl:%') | articles.c.file_name.like('%.ndjson:%')))
    for id_, name in rows.fetchall():
        base, _, line = name.rpartition(':')
        if line.isdigit():
            conn.execute(articles.update().where(articles.c.id == id_).values(file_name=base, file_line=int(line)))


def downgrade() -> None:
    articles = sa.table('articles', sa.column('file_name', sa.String), sa.column('file_line', sa.Integer))
    op.get_bind().execute(articles.update().where(articles.c.file_line.is_not(None))
                          .values(file_name=articles.c.file_name + ':' + sa.cast(articles.c.file_line, sa.String)))
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('file_line')
