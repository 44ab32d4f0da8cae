"""The app serves its base page, static files and a health check against the real database."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import Country
from app.settings import DEV_SECRET_KEY, Settings


def test_healthz_reports_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["countries"] >= 250


def test_healthz_503_when_database_gone(tmp_path):
    from fastapi.testclient import TestClient

    from app.db import create_engine
    from app.web import create_app

    # A database with no schema: the check fails and says so instead of raising.
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(engine)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "error"


def test_base_page_has_navigation(client):
    r = client.get("/")
    assert r.status_code == 200
    assert 'href="/statements"' in r.text and "stancemap" in r.text
    assert client.get("/static/app.css").status_code == 200


def test_countries_loaded_with_memberships(session):
    assert session.scalar(select(func.count()).select_from(Country)) == 250
    assert session.get(Country, "XK").name == "Kosovo"
    assert session.scalar(select(func.count()).where(Country.eu.is_(True))) == 27
    assert session.scalar(select(func.count()).where(Country.nato.is_(True))) == 32
    pl = session.get(Country, "PL")
    assert (pl.iso3, pl.numeric, pl.eu, pl.nato) == ("POL", "616", True, True)


def test_production_refuses_default_secret(monkeypatch):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEV_SECRET_KEY)
    assert Settings(environment="production", secret_key="s3cret-value").environment == "production"


def test_default_secret_warns_in_development(caplog):
    with caplog.at_level("WARNING", logger="stancemap"):
        Settings(environment="development", secret_key=DEV_SECRET_KEY)
    assert "SECRET_KEY" in caplog.text


def test_sqlite_runs_in_wal_with_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_cli_migrate_is_idempotent(settings_env):
    runner = CliRunner()
    r = runner.invoke(cli, ["migrate"])
    assert r.exit_code == 0, r.output
    assert "0 countries added or updated" in r.output


def test_cli_help_lists_commands():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    for name in ("migrate", "ingest", "export", "serve", "create-editor"):
        assert name in r.output
