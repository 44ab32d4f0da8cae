"""JSON routes under /api: positions on a date, the statement list and the countries, with pydantic models."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from markupsafe import escape
from pydantic import BaseModel, Field

from app import clock, queries
from app.models import Origin, ReviewStatus, Stance, Trust
from app.settings import get_settings
from app.web.deps import ApiDate, SessionDep
from app.web.filters import statement_filters


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route takes, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_parameters_only(request: Request) -> None:
    """Unknown query parameters answer 422 naming them, rather than being ignored: a misspelt filter
    (`?stnace=support`) must not quietly return everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in known]
    if unknown:
        takes = ", ".join(sorted(known)) if known else "no query parameters"
        raise RequestValidationError([
            {"loc": ("query", name), "type": "extra_forbidden",
             "msg": f"unknown parameter '{name[:40]}'; {request.url.path} takes {takes}"} for name in unknown])


router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(known_parameters_only)])
docs_router = APIRouter(include_in_schema=False)
SWAGGER_UI = "vendor/swagger-ui-5.35.0"  # npm pack swagger-ui-dist@5: the docs page loads nothing from a CDN

Group = Literal["eu", "nato", "others"]
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # inside every database's integer range


class PositionOut(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2 code", examples=["FR"])
    country_name: str
    stance: Stance
    stated_on: dt.date
    date_precision: str
    quote: str
    speaker: str | None
    source: str | None = Field(description="The publication the statement was reported in")
    url: str | None
    statement_id: int
    origin: Origin = Field(description="machine (found by the extractor) or editor (entered by an editor)")
    review_status: ReviewStatus = Field(description="verified by an editor, or unreviewed machine output")
    confidence: float | None = Field(description="The extractor's confidence (null for an editor's statement)")
    trust: Trust = Field(
        description="verified by an editor, entered by an editor, or found by the machine and not yet reviewed")
    since: dt.date = Field(description="The day the current stance began: the first statement of its unbroken run")
    since_precision: str
    last_restated: dt.date = Field(description="The day of the latest statement of this stance (= stated_on)")
    sources: int = Field(description="Distinct outlets reporting this stance for the country within 7 days up to "
                                     "stated_on")
    articles: int = Field(description="Distinct articles among them")
    stale: bool = Field(description="Last stated more than STALE_AFTER_DAYS (default 180) days before as_of")


class StatementOut(BaseModel):
    id: int
    country: str
    country_name: str
    stance: Stance
    stated_on: dt.date | None
    date_precision: str
    quote: str
    speaker: str | None
    conditions: str | None
    confidence: float | None
    origin: Origin
    review_status: ReviewStatus
    rule: str | None = Field(None, description="The extraction rule that decided a machine statement "
                                               "(null for an editor's)")
    rule_reason: str | None = Field(None, description="Why that rule decided it, in words")
    article: str | None = Field(description="The ingested file's name (null for statements an editor entered)")
    article_line: int | None = Field(None, description="The line of a JSON Lines file that held the article")
    source: str | None
    url: str | None


class StatementPage(BaseModel):
    total: int = Field(description="How many statements match the filters in all")
    limit: int
    offset: int
    items: list[StatementOut]


class CountryOut(BaseModel):
    iso2: str
    iso3: str
    name: str
    eu: bool
    nato: bool
    statements: int = Field(description="How many statements (not deleted) the country has")


@router.get("/positions", response_model=list[PositionOut])
def positions(session: SessionDep,
              as_of: Annotated[ApiDate, Query(description="YYYY-MM-DD; today when left out")] = None,
              stance: Stance | None = None,
              group: Group | None = None,
              reviewed: Annotated[Literal["all", "verified"], Query(
                  description="all (default): every position; verified: only positions resting on verified or "
                              "editor-entered statements")] = "all") -> list[PositionOut]:
    """Each country's position on a date: its latest statement on or before `as_of` that is not dismissed, with
    how sure it is (origin, review status, confidence), since when, and how many sources report it."""
    as_of = as_of or clock.today()
    stale_days = get_settings().stale_after_days
    return [PositionOut(country=p.country, country_name=p.country_name, stance=p.stance, stated_on=p.stated_on,
                        date_precision=p.date_precision, quote=p.quote, speaker=p.speaker, source=p.source,
                        url=p.url, statement_id=p.statement_id, origin=p.origin, review_status=p.review_status,
                        confidence=p.confidence, trust=p.trust, since=p.since or p.stated_on,
                        since_precision=p.since_precision, last_restated=p.stated_on, sources=p.sources,
                        articles=p.articles, stale=(as_of - p.stated_on).days > stale_days)
            for p in queries.positions_as_of(session, as_of, stance=stance.value if stance else None, group=group,
                                             reading=queries.effective_reading(reviewed))]


@router.get("/statements", response_model=StatementPage)
def statements(session: SessionDep,
               country: Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code")] = None,
               stance: Stance | None = None,
               date_from: Annotated[ApiDate, Query(description="stated on or after, YYYY-MM-DD")] = None,
               date_to: Annotated[ApiDate, Query(description="stated on or before, YYYY-MM-DD")] = None,
               origin: Origin | None = None,
               review_status: ReviewStatus | None = None,
               q: Annotated[str | None, Query(max_length=200,
                                              description="text in quote, speaker or conditions")] = None,
               limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> StatementPage:
    """Statements newest first, with the same filters as the /statements page."""
    filters = statement_filters(session, {"country": country, "stance": stance, "date_from": date_from,
                                          "date_to": date_to, "origin": origin, "review_status": review_status,
                                          "q": q}).checked()
    rows, total = queries.statements_page(session, filters, limit=limit, offset=offset)
    return StatementPage(total=total, limit=limit, offset=offset,
                         items=[StatementOut(**queries.statement_record(s)) for s in rows])


@router.get("/countries", response_model=list[CountryOut])
def countries(session: SessionDep) -> list[CountryOut]:
    """Every country the tracker knows, with its EU and NATO membership and how many statements it has."""
    return [CountryOut(iso2=c.iso2, iso3=c.iso3, name=c.name, eu=c.eu, nato=c.nato, statements=n)
            for c, n in queries.countries(session)]


@docs_router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI from the vendored copy, started by a static script (no inline script: the CSP forbids it)."""
    static = request.app.url_path_for("static", path=SWAGGER_UI)
    init = request.app.url_path_for("static", path="swagger-init.js")
    overrides = request.app.url_path_for("static", path="swagger-overrides.css")
    openapi = escape(request.app.openapi_url or "/openapi.json")
    return HTMLResponse(f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>stancemap API</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="stylesheet" href="{overrides}">
<link rel="icon" href="{static}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>""")
