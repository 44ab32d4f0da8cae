"""Every read: positions on a date, filtered statement lists, timelines, counts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.models import Article, Country, Statement


@dataclass(frozen=True)
class StatementFilters:
    """The filters readers use; every field optional. Dates are inclusive."""

    country: str | None = None  # ISO alpha-2
    stance: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # also what --as-of means for export
    origin: str | None = None
    review_status: str | None = None
    text: str | None = None
    include_dismissed: bool = True


def statements_select(filters: StatementFilters) -> Select:
    q = select(Statement).where(Statement.deleted_at.is_(None))
    if filters.country:
        q = q.where(Statement.country_iso2 == filters.country.upper())
    if filters.stance:
        q = q.where(Statement.stance == filters.stance)
    if filters.date_from:
        q = q.where(Statement.stated_on >= filters.date_from)
    if filters.date_to:
        q = q.where(Statement.stated_on <= filters.date_to)
    if filters.origin:
        q = q.where(Statement.origin == filters.origin)
    if filters.review_status:
        q = q.where(Statement.review_status == filters.review_status)
    elif not filters.include_dismissed:
        q = q.where(Statement.review_status != "dismissed")
    if filters.text:
        like = f"%{filters.text}%"
        q = q.where(Statement.quote.ilike(like) | Statement.speaker.ilike(like) | Statement.conditions.ilike(like))
    return q


def statement_record(s: Statement) -> dict:
    """The flat form of a statement used by every export (CLI, CSV/JSON downloads, API)."""
    article = s.article
    return {
        "id": s.id,
        "country": s.country_iso2,
        "country_name": s.country.name,
        "stance": s.stance,
        "stated_on": s.stated_on.isoformat() if s.stated_on else None,
        "date_precision": s.date_precision,
        "quote": s.quote,
        "speaker": s.speaker,
        "conditions": s.conditions,
        "confidence": s.confidence,
        "origin": s.origin,
        "review_status": s.review_status,
        "article": article.file_name if article else None,
        "source": article.source if article else None,
        "url": s.source_url or (article.url if article else None),
    }


def statement_records(session: Session, filters: StatementFilters, batch: int = 1000) -> Iterator[dict]:
    """Every matching statement in (country, date, id) order, streamed in batches without a row cap."""
    q = (statements_select(filters)
         .options(selectinload(Statement.article), selectinload(Statement.country))
         .order_by(Statement.country_iso2, Statement.stated_on, Statement.id))
    for s in session.scalars(q.execution_options(yield_per=batch)):
        yield statement_record(s)
