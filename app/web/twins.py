"""Web: the JSON twins of the reader pages, as Datasette gives every page a .json: a country's timeline
(/countries/XX.json), one statement (/statements/{id}.json) and one article (/articles/{id}.json), each record with
the trust fields the API uses (origin, review_status, confidence, trust). Unknown or malformed ids answer a JSON
404, never a server error. Thin: reads from app.queries, shapes from app.web.api's models."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app import clock, queries
from app.inputs import MAX_DB_INT
from app.settings import get_settings
from app.web.api import PositionOut, StatementOut
from app.web.deps import SessionDep
from app.web.labels import trust_of

router = APIRouter(tags=["pages as JSON"])
Trust = Literal["verified", "editor", "unreviewed", "dismissed"]


class NotFound(BaseModel):
    detail: str


class StatementTwin(StatementOut):
    trust: Trust = Field(description="verified by an editor, entered by an editor, machine-found and not reviewed, "
                                     "or dismissed by an editor (then it does not count)")
    counts: bool = Field(description="Dated and not dismissed: part of the country's position history")
    article_id: int | None = Field(description="The article it was found in (its page is /articles/{id})")
    quote_start: int | None = Field(None, description="Where the evidence sentence starts in the article's text")
    quote_end: int | None = None
    rules_version: str | None = Field(None, description="The extraction rules that found it (machine statements)")
    html: str = Field(description="The statement's page")


class TimelineStatement(StatementTwin):
    changed: bool = Field(description="The country's position changed here (its first position, or a new stance)")
    previous_stance: str | None = Field(description="The stance before, where the position changed")


class PositionChangeOut(BaseModel):
    stated_on: dt.date
    date_precision: str
    stance: str
    previous_stance: str | None = Field(description="null: the country's first position")
    statement_id: int


class CountryOut(BaseModel):
    iso2: str
    iso3: str
    name: str
    eu: bool
    nato: bool


class CountryTwin(BaseModel):
    country: CountryOut
    as_of: dt.date = Field(description="Today: the date of `position`")
    reading: Literal["all", "verified"] = Field(description="verified when the site keeps unreviewed machine "
                                                            "findings off the map (MACHINE_ON_MAP=false)")
    position: PositionOut | None = Field(description="The position today, as /api/positions gives it")
    position_verified: PositionOut | None = Field(description="The position counting only verified and "
                                                              "editor-entered statements")
    changes: list[PositionChangeOut] = Field(description="Every change of position, newest first")
    statements: list[TimelineStatement] = Field(description="Every statement (not deleted) by date, undated last")
    html: str
    feed: str = Field(description="The Atom feed of the country's position changes")


class ArticleTwin(BaseModel):
    id: int
    title: str | None
    source: str | None
    url: str | None
    published_on: dt.date | None
    date_precision: str
    file_name: str | None = Field(description="The ingested file's name")
    file_line: int | None
    ingested_at: dt.datetime
    text: str = Field(description="The stored text; statements' quote_start and quote_end index into it")
    statements: list[StatementTwin] = Field(description="Its statements (not deleted) in the order of the text")
    html: str


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": NotFound, "description": "No such page"}}


def _not_found(message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=404)


def _id(raw: str) -> int | None:
    """A row id from the path: digits only, inside the database's integer range; anything else is no page."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or not 1 <= int(text) <= MAX_DB_INT:
        return None
    return int(text)


def _statement(s, **extra) -> dict:
    record = queries.statement_record(s)
    return {**record, "trust": trust_of(s.origin, s.review_status),
            "counts": s.stated_on is not None and s.review_status != "dismissed", "article_id": s.article_id,
            "quote_start": s.quote_start, "quote_end": s.quote_end, "rules_version": s.rules_version,
            "html": f"/statements/{s.id}", **extra}


def _position(p, as_of: dt.date) -> dict | None:
    if p is None:
        return None
    return {"country": p.country, "country_name": p.country_name, "stance": p.stance, "stated_on": p.stated_on,
            "date_precision": p.date_precision, "quote": p.quote, "speaker": p.speaker, "source": p.source,
            "url": p.url, "statement_id": p.statement_id, "origin": p.origin, "review_status": p.review_status,
            "confidence": p.confidence, "trust": p.trust, "since": p.since or p.stated_on,
            "since_precision": p.since_precision, "last_restated": p.stated_on, "sources": p.sources,
            "articles": p.articles, "stale": (as_of - p.stated_on).days > get_settings().stale_after_days}


@router.get("/countries/{iso2}.json", response_model=CountryTwin, responses=NOT_FOUND)
def country_json(session: SessionDep,
                 iso2: Annotated[str, Path(description="ISO 3166-1 alpha-2 code, e.g. FR")]):
    """A country's page as JSON: its position today (both readings), every change and every statement."""
    country = queries.get_country(session, iso2)
    if country is None:
        return _not_found(f"'{iso2[:40]}' is not an ISO 3166-1 alpha-2 country code we know")
    today = clock.today()
    reading = queries.effective_reading(None)
    current = next(iter(queries.positions_as_of(session, today, country=country.iso2, reading=reading)), None)
    verified = next(iter(queries.positions_as_of(session, today, country=country.iso2, reading="verified")), None)
    changes, _ = queries.country_changes(session, country.iso2, reading=reading)
    changed = {c.statement_id: c.previous for c in changes}
    statements = [_statement(s, changed=s.id in changed, previous_stance=changed.get(s.id))
                  for s in queries.country_statement_list(session, country.iso2)]
    return CountryTwin(
        country=CountryOut(iso2=country.iso2, iso3=country.iso3, name=country.name, eu=country.eu, nato=country.nato),
        as_of=today, reading=reading, position=_position(current, today), position_verified=_position(verified, today),
        changes=[PositionChangeOut(stated_on=c.stated_on, date_precision=c.date_precision, stance=c.stance,
                                   previous_stance=c.previous, statement_id=c.statement_id) for c in changes],
        statements=statements, html=f"/countries/{country.iso2}", feed=f"/countries/{country.iso2}.atom")


@router.get("/statements/{statement_id}.json", response_model=StatementTwin, responses=NOT_FOUND)
def statement_json(session: SessionDep,
                   statement_id: Annotated[str, Path(description="The statement's id, a positive whole number")]):
    """A statement's page as JSON: the statement, its source and how sure it is."""
    sid = _id(statement_id)
    statement = queries.get_statement(session, sid) if sid is not None else None
    if statement is None or statement.deleted_at is not None:
        return _not_found(f"There is no statement {statement_id[:40]}")
    return StatementTwin(**_statement(statement))


@router.get("/articles/{article_id}.json", response_model=ArticleTwin, responses=NOT_FOUND)
def article_json(session: SessionDep,
                 article_id: Annotated[str, Path(description="The article's id, a positive whole number")]):
    """An article's page as JSON: its text, where it came from, and its statements with their offsets."""
    aid = _id(article_id)
    article = queries.get_article(session, aid) if aid is not None else None
    if article is None:
        return _not_found(f"There is no article {article_id[:40]}")
    statements = queries.article_evidence(session, article.id)
    return ArticleTwin(id=article.id, title=article.title, source=article.source, url=article.url,
                       published_on=article.published_on, date_precision=article.date_precision,
                       file_name=article.file_name, file_line=article.file_line,
                       ingested_at=queries.aware(article.ingested_at), text=article.body,
                       statements=[_statement(s) for s in statements], html=f"/articles/{article.id}")
