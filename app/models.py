"""The domain tables: countries, articles, statements, users and their audit trail."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.db import Base

# The vocabulary, defined here once: the columns' CHECK constraints, the forms, the API's enums, the map, the
# extractor's data files and the pages' scripts (through a data attribute) all take it from these.
class Stance(StrEnum):
    SUPPORT = "support"
    REJECT = "reject"
    UNDECIDED = "undecided"


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class Origin(StrEnum):
    MACHINE = "machine"  # found by the extractor
    EDITOR = "editor"  # entered by an editor


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    VERIFIED = "verified"
    DISMISSED = "dismissed"


class Trust(StrEnum):
    """How sure a position is, as readers are told: from its origin and review status."""

    VERIFIED = "verified"  # verified by an editor
    EDITOR = "editor"  # entered by an editor
    UNREVIEWED = "unreviewed"  # found by the machine, not reviewed


STANCES: tuple[str, ...] = tuple(s.value for s in Stance)
PRECISIONS: tuple[str, ...] = tuple(p.value for p in Precision)
ORIGINS: tuple[str, ...] = tuple(o.value for o in Origin)
REVIEW_STATUSES: tuple[str, ...] = tuple(r.value for r in ReviewStatus)
TRUSTS: tuple[str, ...] = tuple(t.value for t in Trust)
ROLES = ("editor", "admin")


def trust_of(origin: str, review_status: str) -> str:
    """A statement's trust ('verified', 'editor' or 'unreviewed'), or 'dismissed' when an editor dismissed it."""
    if review_status == ReviewStatus.DISMISSED:
        return "dismissed"
    if origin == Origin.EDITOR:
        return Trust.EDITOR.value
    return Trust.VERIFIED.value if review_status == ReviewStatus.VERIFIED else Trust.UNREVIEWED.value


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Country(Base):
    __tablename__ = "countries"

    iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    numeric: Mapped[str | None] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(100))
    eu: Mapped[bool] = mapped_column(Boolean, default=False)
    nato: Mapped[bool] = mapped_column(Boolean, default=False)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str | None] = mapped_column(String(500))
    file_line: Mapped[int | None] = mapped_column(Integer)  # the line of a JSON Lines file that held the article
    title: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(10), default="unknown")
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    statements: Mapped[list[Statement]] = relationship(back_populates="article")

    __table_args__ = (
        CheckConstraint(_one_of("date_precision", PRECISIONS), name="date_precision"),
        Index("ix_articles_ingested_at", "ingested_at"),
    )


class Statement(Base):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_iso2: Mapped[str] = mapped_column(String(2), ForeignKey("countries.iso2"))
    stance: Mapped[str] = mapped_column(String(10))
    stated_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(10), default="day")
    quote: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(300))
    conditions: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    origin: Mapped[str] = mapped_column(String(10), default="machine")
    review_status: Mapped[str] = mapped_column(String(12), default="unreviewed")
    confidence: Mapped[float | None] = mapped_column(Float)
    # Where the evidence sits: the sentence's offsets in the article body; the country reference's and the
    # deciding cue's offsets within the quote (what the review screen highlights).
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    mention_start: Mapped[int | None] = mapped_column(Integer)
    mention_end: Mapped[int | None] = mapped_column(Integer)
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)
    rules_version: Mapped[str | None] = mapped_column(String(40))
    # the extraction rule that decided a machine statement, and its reason in words (what an editor checks)
    rule: Mapped[str | None] = mapped_column(String(80))
    rule_reason: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    country: Mapped[Country] = relationship()
    article: Mapped[Article | None] = relationship(back_populates="statements")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_one_of("stance", STANCES), name="stance"),
        CheckConstraint(_one_of("date_precision", PRECISIONS), name="date_precision"),
        CheckConstraint(_one_of("origin", ORIGINS), name="origin"),
        CheckConstraint(_one_of("review_status", REVIEW_STATUSES), name="review_status"),
        # "latest statement per country on or before a date": one index range scan per country.
        Index("ix_statements_country_date", "country_iso2", "stated_on", "id"),
        Index("ix_statements_stated_on", "stated_on"),
        Index("ix_statements_review", "review_status", "origin", "created_at"),
        Index("ix_statements_stance", "stance"),
        Index("ix_statements_article_id", "article_id"),
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10), default="editor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    action: Mapped[str] = mapped_column(String(20))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_audit_events_statement", "statement_id", "at"),
        Index("ix_audit_events_at", "at"),
    )


class SignInThrottle(Base):
    """Sign-in attempts per account ("user:NAME") and per client address ("addr:IP"), counted in one statement
    per attempt (app/security.py), so every worker process sees the same count and concurrent attempts cannot
    overshoot a limit."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # No password is checked for this key before this moment (a growing delay after failures, or an attempt
    # in flight).
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in session. The cookie holds a random token; only its SHA-256 is stored, so the table cannot be
    turned back into cookies. Deleting the row (sign-out, password change, deactivation) ends the session."""

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)


# --- kept positions (app/positions.py maintains these in the same transaction as every write) -------------------

READINGS = ("all", "verified")  # every counted statement, or only verified and editor-entered ones


class PositionDay(Base):
    """One row per reading, country and day on which the country's position was stated: the statement that holds
    the position from that day on, whether the stance changed there, since when the stance has run, and how many
    distinct sources reported the same stance in the days up to it. Derived from statements; rebuildable."""

    __tablename__ = "position_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading: Mapped[str] = mapped_column(String(10))
    country_iso2: Mapped[str] = mapped_column(String(2))
    stated_on: Mapped[dt.date] = mapped_column(Date)
    statement_id: Mapped[int] = mapped_column(Integer)
    stance: Mapped[str] = mapped_column(String(10))
    date_precision: Mapped[str] = mapped_column(String(10))
    changed: Mapped[bool] = mapped_column(Boolean)
    previous_stance: Mapped[str | None] = mapped_column(String(10))
    since_on: Mapped[dt.date] = mapped_column(Date)
    since_precision: Mapped[str] = mapped_column(String(10))
    sources: Mapped[int] = mapped_column(Integer)
    articles: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # "the row in force on a date" is one backward probe of this index per country
        Index("ix_position_days_lookup", "reading", "country_iso2", "stated_on", unique=True),
        # every country's changes newest first (/changes, the feeds): a backward walk that stops after a page;
        # the stance makes it cover the count of one stance's changes
        Index("ix_position_days_changes", "reading", "changed", "stated_on", "country_iso2", "stance"),
    )


class PositionChangeDay(Base):
    """How many countries' positions changed on a day, per reading: the slider's ticks, read without a scan."""

    __tablename__ = "position_change_days"

    reading: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    changes: Mapped[int] = mapped_column(Integer)


class PositionCountry(Base):
    """Per reading and country: the first and last dated counted statement, the best undated one (a country whose
    statements are all undated is listed under the map instead of vanishing), and how many statements it has."""

    __tablename__ = "position_countries"

    reading: Mapped[str] = mapped_column(String(10), primary_key=True)
    country_iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    first_on: Mapped[dt.date | None] = mapped_column(Date)
    last_on: Mapped[dt.date | None] = mapped_column(Date)
    undated_statement_id: Mapped[int | None] = mapped_column(Integer)
    # every not-deleted statement of the country, dismissed ones included (what the statement list counts)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    dated: Mapped[int] = mapped_column(Integer, default=0)
    # the data version of the refresh that last wrote this country's kept rows: a reader keeping a copy of them
    # (queries.position_runs) reads again only the countries whose version moved
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DataVersion(Base):
    """One row whose number every write that changes what readers see raises, in its own transaction: the key of
    every cache, ETag and rendered map. Raising it first also serialises writers that refresh positions."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


SUGGESTION_STATUSES = ("pending", "accepted", "declined")


class Suggestion(Base):
    """A reader's correction of a statement, or a position they say a country took: waits for an editor."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    address: Mapped[str] = mapped_column(String(64))  # the sender's address, for the rate limit only
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))
    country_iso2: Mapped[str] = mapped_column(String(2), ForeignKey("countries.iso2"))
    problem: Mapped[str] = mapped_column(Text)  # what the reader says is wrong
    stance: Mapped[str | None] = mapped_column(String(10))
    stated_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(10))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The statement an accepted suggestion created or corrected.
    result_statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id", ondelete="SET NULL"))

    statement: Mapped[Statement | None] = relationship(foreign_keys=[statement_id])
    country: Mapped[Country] = relationship()

    __table_args__ = (
        CheckConstraint(_one_of("status", SUGGESTION_STATUSES), name="status"),
        CheckConstraint("stance IS NULL OR " + _one_of("stance", STANCES), name="stance"),
        Index("ix_suggestions_status", "status", "created_at"),
        Index("ix_suggestions_address", "address", "created_at"),
    )
