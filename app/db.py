"""Database plumbing: the engine, the session factory and the MetaData naming convention."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, Table, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app.settings import get_settings

# Named constraints let Alembic's batch mode alter SQLite tables and keep names equal on Postgres.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table, for Core statements (DeclarativeBase types __table__ as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # WAL lets the web app read while an ingest writes; the busy timeout waits out a writer's lock.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_engine(url: str) -> Engine:
    sa_url = make_url(url)
    settings = get_settings()
    if sa_url.get_backend_name() == "sqlite":
        in_memory = sa_url.database in (None, "", ":memory:")
        pool = {} if in_memory else {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
                                     "pool_timeout": settings.db_pool_timeout}
        engine = sa_create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Sized for the worker's handler threads (settings.web_threads): a burst waits for a connection at most
    # db_pool_timeout, then answers 503; an unreachable server fails after db_connect_timeout.
    return sa_create_engine(url, pool_pre_ping=True, pool_size=settings.db_pool_size,
                            max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout,
                            connect_args={"connect_timeout": settings.db_connect_timeout})


@lru_cache
def get_engine() -> Engine:
    return create_engine(get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
