"""Web: position changes. The /changes page (filters, pages, htmx), its JSON twin, and the Atom feeds of the same
changes for every country (/changes.atom) and for one (/countries/XX.atom). Reads app.queries; thin."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app import queries
from app.inputs import MIN_DATE
from app.models import STANCES
from app.queries import ChangeFilters
from app.settings import get_settings
from app.web.atom import ATOM_TYPE, FEED_SIZE, changes_feed
from app.web.deps import SessionDep, date_label, parse_choice, parse_country, parse_date, parse_fields, parse_int, \
    path_with
from app.web.errors import BadParameters, NotFound
from app.web.labels import REVIEWED, TRUST_WORDS
from app.web.pages import _country_choices
from app.web.responses import VARY_HTMX, render_page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_PAGE = 100_000
EPOCH = dt.datetime(MIN_DATE.year, MIN_DATE.month, MIN_DATE.day, tzinfo=dt.UTC)  # an empty feed's date
KEYS = ("country", "stance", "date_from", "date_to", "reviewed")


def _change_params(request: Request, session, *, country: str | None = None):
    """(raw values as typed, filters, page, messages for the bad ones). `country` fixes the country (a
    country's feed)."""
    raw = {k: request.query_params.get(k, "") for k in (*KEYS, "page")}
    if country:
        raw["country"] = country
    values, errors = parse_fields(raw, {
        "country": lambda v: parse_country(session, v),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "date_from": lambda v: parse_date(v, "date_from"),
        "date_to": lambda v: parse_date(v, "date_to"),
        "reviewed": lambda v: parse_choice(v, REVIEWED, "reviewed") or "all",
        "page": lambda v: parse_int(v, "page", default=1, minimum=1, maximum=MAX_PAGE),
    }, fallback={"page": 1, "reviewed": "all"})
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors["date_to"] = "the end date is before the start date"
    filters = ChangeFilters(country=values["country"], stance=values["stance"], date_from=values["date_from"],
                            date_to=values["date_to"], reading=queries.effective_reading(values["reviewed"]))
    # The canonical query of the view: what links, feeds and the address bar carry (no empty values).
    state = {"country": values["country"], "stance": values["stance"],
             "date_from": values["date_from"].isoformat() if values["date_from"] else None,
             "date_to": values["date_to"].isoformat() if values["date_to"] else None,
             "reviewed": "verified" if values["reviewed"] == "verified" else None}
    state = {k: v for k, v in state.items() if v and k not in errors}
    return raw, filters, values["page"], state, errors


def _description(filters: ChangeFilters, country_name: str | None) -> str:
    """The filters in words, e.g. 'to support, from 1 Jan 2025, verified or editor-entered statements only'."""
    parts = []
    if country_name:
        parts.append(country_name)
    if filters.stance:
        parts.append(f"to {filters.stance}")
    if filters.date_from:
        parts.append(f"from {date_label(filters.date_from)}")
    if filters.date_to:
        parts.append(f"through {date_label(filters.date_to)}")
    if filters.reading == "verified":
        parts.append("verified or editor-entered statements only")
    return ", ".join(parts)


def change_record(c: queries.ChangeEntry) -> dict:
    """A change in the JSON twin: the change, the statement behind it and how sure it is."""
    return {"country": c.country, "country_name": c.country_name, "stated_on": c.stated_on.isoformat(),
            "date_precision": c.date_precision, "previous_stance": c.previous, "stance": c.stance,
            "statement_id": c.statement_id, "quote": c.quote, "speaker": c.speaker, "conditions": c.conditions,
            "source": c.source, "url": c.url, "article_id": c.article_id, "origin": c.origin,
            "review_status": c.review_status, "confidence": c.confidence, "trust": c.trust,
            "sources": c.sources, "articles": c.articles, "revised_at": c.revised_at.isoformat()}


@router.get("/changes")
def changes_page(request: Request, session: SessionDep):
    raw, filters, page, state, errors = _change_params(request, session)
    rows, total = [], 0
    if not errors:
        total = queries.count_changes(session, filters)
        rows = queries.position_change_entries(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    country_name = queries.country_name(session, filters.country)
    return render_page(request, "changes.html", {
        "raw": raw, "errors": errors, "rows": rows, "total": total, "page": page, "pages": pages,
        "state": state, "filtered": bool(state), "filters": filters, "country_name": country_name,
        "described": _description(filters, country_name), "countries": _country_choices(session, filters.country),
        "stances": STANCES, "machine_on_map": get_settings().machine_on_map, "trust_words": TRUST_WORDS,
        "feed_url": path_with("/changes.atom", state),
        "country_feed_url": path_with(f"/countries/{filters.country}.atom", state, country=None)
        if filters.country else None,
    }, blocks=["results"], status_code=422 if errors else 200, vary=True,
        push_url=path_with("/changes", state, page=page if page > 1 else None))


@router.get("/changes.json")
def changes_json(request: Request, session: SessionDep):
    """The /changes page as JSON: one page of changes, newest first, with the total and the next page."""
    _, filters, page, state, errors = _change_params(request, session)
    if errors:
        raise BadParameters(errors, json=True)
    total = queries.count_changes(session, filters)
    rows = queries.position_change_entries(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    more = page * PAGE_SIZE < total
    return JSONResponse({
        "total": total, "page": page, "page_size": PAGE_SIZE, "reading": filters.reading,
        "next": path_with("/changes.json", state, page=page + 1) if more else None,
        "feed": path_with("/changes.atom", state), "items": [change_record(c) for c in rows]}, headers=VARY_HTMX)


def _feed(request: Request, session, filters: ChangeFilters, state: dict, *, country=None) -> Response:
    entries = queries.position_change_entries(session, filters, limit=FEED_SIZE)
    summary = queries.data_summary(session, filters.reading)
    described = _description(filters, None)
    if country is not None:
        self_path, html_path = path_with(f"/countries/{country.iso2}.atom", state, country=None), \
            f"/countries/{country.iso2}"
        title = f"stancemap: {country.name}'s position changes"
        feed_id = "changes:" + path_with(country.iso2, state, country=None)
    else:
        self_path, html_path = path_with("/changes.atom", state), path_with("/changes", state)
        title = "stancemap: position changes" + (f" ({described})" if described else "")
        feed_id = path_with("changes", state)
    subtitle = ("Each entry is a change of a country's position on a multinational force in Ukraine: the old and "
                "the new stance, the evidence, its source and how sure it is (verified by an editor, entered by "
                "an editor, or machine-found and not reviewed). The newest "
                f"{FEED_SIZE} changes by date" + (f"; {described}" if described and country is not None else "") + ".")
    body = changes_feed(request, entries, title=title, subtitle=subtitle, feed_id=feed_id, self_path=self_path,
                        html_path=html_path, reading=filters.reading,
                        empty_updated=queries.aware(summary.last_ingested_at) or EPOCH)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/changes.atom")
def changes_atom(request: Request, session: SessionDep):
    _, filters, _, state, errors = _change_params(request, session)
    errors.pop("page", None)
    if errors:
        raise BadParameters(errors)
    return _feed(request, session, filters, state)


@router.get("/countries/{iso2}.atom")
def country_atom(iso2: str, request: Request, session: SessionDep):
    country = queries.get_country(session, iso2)
    if country is None:
        raise NotFound(f"'{iso2[:40]}' is not an ISO 3166-1 alpha-2 country code we know.", title="No such country")
    if country.iso2 != iso2:
        return RedirectResponse(path_with(f"/countries/{country.iso2}.atom", dict(request.query_params)),
                                status_code=308)
    _, filters, _, state, errors = _change_params(request, session, country=country.iso2)
    errors.pop("page", None)
    if errors:
        raise BadParameters(errors)
    return _feed(request, session, filters, state, country=country)
