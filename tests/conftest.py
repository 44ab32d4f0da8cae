"""Test fixtures: a real, freshly migrated database per test (SQLite, or Postgres with TEST_DATABASE_URL).

The schema is built once by running the Alembic migrations into a template; each test then gets its own copy
(a file copy on SQLite, CREATE DATABASE ... TEMPLATE on Postgres), so tests never see each other's rows and
servers in other threads or processes can use the same database.
"""
from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import create_engine, get_engine, session_scope
from app.schema import sync_countries, upgrade
from app.settings import get_settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Starlette's test client sends "Host: testserver"; the app answers only TRUSTED_HOSTS.
os.environ.setdefault("TRUSTED_HOSTS", "127.0.0.1,localhost,::1,testserver")
ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()


def _admin_engine(url: str):
    return create_engine(url).execution_options(isolation_level="AUTOCOMMIT")


def _migrate_and_load(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    with session_scope(engine) as session:
        sync_countries(session)
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A migrated database holding the reference countries; what every test's database is copied from."""
    if TEST_DATABASE_URL:
        base = make_url(TEST_DATABASE_URL)
        name = f"stancemap_tpl_{uuid.uuid4().hex[:8]}"
        admin = _admin_engine(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        _migrate_and_load(url)
        yield ("postgres", name, base)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _migrate_and_load(f"sqlite:///{path}")
        yield ("sqlite", path, None)


@pytest.fixture
def db_url(template_db, tmp_path):
    """The URL of a fresh database for this test."""
    kind, source, base = template_db
    if kind == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    name = f"stancemap_t_{os.getpid()}_{next(_counter)}"
    admin = _admin_engine(TEST_DATABASE_URL)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url):
    eng = create_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    from app.db import session_factory

    s = session_factory(engine)()
    yield s
    s.close()


@pytest.fixture
def settings_env(db_url, monkeypatch):
    """Point the app's own settings (what the CLI and a served app read) at this test's database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db_url
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def app(engine):
    from app.web import create_app

    return create_app(engine)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def token(client, session):
    """The test client signed in as the editor "erin": the session's CSRF token (tests/signin.py)."""
    from signin import sign_in

    return sign_in(client, session)
