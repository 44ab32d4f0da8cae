"""The schema is owned by the migrations: they go up and down cleanly and match the models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.db import Base, create_engine
from app.schema import downgrade, upgrade

TABLES = {"countries", "articles", "statements", "users", "audit_events"}


def _tables(url):
    eng = create_engine(url)
    try:
        return set(inspect(eng).get_table_names()) - {"alembic_version"}
    finally:
        eng.dispose()


def test_upgrade_downgrade_upgrade(db_url):
    assert _tables(db_url) >= TABLES
    downgrade(db_url, "base")
    assert _tables(db_url) == set()
    upgrade(db_url, "head")
    assert _tables(db_url) >= TABLES


def test_0003_splits_json_lines_names_into_file_and_line(db_url):
    downgrade(db_url, "0002")
    eng = create_engine(db_url)
    try:
        with eng.begin() as conn:
            for name in ("feed.jsonl:12", "plain.txt"):
                conn.execute(text("INSERT INTO articles (file_name, body, body_sha256, date_precision, ingested_at) "
                                  "VALUES (:n, 'x', :h, 'unknown', CURRENT_TIMESTAMP)"), {"n": name, "h": name})
        upgrade(db_url, "head")
        with eng.connect() as conn:
            rows = set(conn.execute(text("SELECT file_name, file_line FROM articles")).all())
        assert rows == {("feed.jsonl", 12), ("plain.txt", None)}
        downgrade(db_url, "0002")
        with eng.connect() as conn:
            assert {r[0] for r in conn.execute(text("SELECT file_name FROM articles"))} == {"feed.jsonl:12", "plain.txt"}
    finally:
        eng.dispose()
        upgrade(db_url, "head")


def test_models_match_migrations(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_statement_indexes_exist(engine):
    names = {ix["name"] for ix in inspect(engine).get_indexes("statements")}
    assert "ix_statements_country_date" in names
