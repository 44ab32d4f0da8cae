"""Small factories that insert articles and statements directly, for tests that need realistic rows."""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from sqlalchemy.orm import Session

from app.models import Article, Statement
from app.positions import refresh_countries

_seq = itertools.count(1)


def add_article(session: Session, *, source: str = "Example News", url: str | None = None,
                published_on: dt.date | None = None, title: str | None = None,
                ingested_at: dt.datetime | None = None) -> Article:
    n = next(_seq)
    body = f"article body {n}"
    article = Article(file_name=f"article-{n}.txt", title=title or f"Article {n}", source=source,
                      url=url or f"https://news.example/{n}", published_on=published_on,
                      date_precision="day" if published_on else "unknown", body=body,
                      body_sha256=hashlib.sha256(body.encode()).hexdigest(),
                      ingested_at=ingested_at or dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC))
    session.add(article)
    session.flush()
    return article


def add_statement(session: Session, country: str, stance: str, stated_on: dt.date | str | None, *,
                  quote: str | None = None, article: Article | None = None, **fields) -> Statement:
    if isinstance(stated_on, str):
        stated_on = dt.date.fromisoformat(stated_on)
    statement = Statement(country_iso2=country, stance=stance, stated_on=stated_on,
                          quote=quote or f"{country} statement: {stance}", article=article, **fields)
    session.add(statement)
    session.flush()
    # Rows inserted directly keep the kept positions in line the way every writer does.
    refresh_countries(session, [country])
    return statement
