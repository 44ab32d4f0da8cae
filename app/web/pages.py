"""HTML routes: parse parameters, call queries, render a whole page or, for htmx, the block that changes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import clock
from app import queries
from app.export import csv_chunks, json_chunks
from app.models import ORIGINS, REVIEW_STATUSES, STANCES
from app.queries import GROUPS, StatementFilters
from app.web import RETRY_AFTER_SECONDS
from app.web.deps import (ParamError, SessionDep, is_htmx, parse_choice, parse_country, parse_date, parse_int,
                          parse_text, query_string, templates)

router = APIRouter()

# Pages that answer htmx requests with a fragment from the same URL: caches must key on this header.
VARY = {"Vary": "HX-Request"}
PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # keeps the offset inside every database's integer range
SORTS = ("country", "-country", "stance", "-stance", "date", "-date")
GROUP_LABELS = {"eu": "EU members", "nato": "NATO members", "others": "Neither EU nor NATO"}


def _today() -> dt.date:
    return clock.today()


def _render(request: Request, name: str, context: dict, *, blocks: list[str], status_code: int = 200,
            push_url: str | None = None):
    """The whole page, or for an htmx request (not a history restore) only `blocks`. `push_url` is the
    canonical URL of the view (no empty parameters) that htmx puts in the address bar."""
    if is_htmx(request):
        headers = {**VARY, "HX-Push-Url": push_url} if push_url else VARY
        return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers,
                                          block_names=blocks)
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=VARY)


def _qs(params: dict) -> str:
    q = query_string(params)
    return "" if q == "?" else q


def _stream_download(request: Request, fmt: str, records_of, filename: str) -> StreamingResponse:
    """Stream records as CSV or JSON from a session of its own: the request's session closes before the body
    is sent, and a whole-dataset download must not be held in memory."""
    factory = request.app.state.session_factory

    def chunks() -> Iterator[str]:
        session = factory()
        try:
            records = records_of(session)
            yield from (csv_chunks(records) if fmt == "csv" else json_chunks(records))
        finally:
            session.close()

    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(chunks(), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


# --- the map ----------------------------------------------------------------------------------------------------

def _map_params(request: Request, session) -> tuple[dict, dict, dict[str, str]]:
    """Raw values (kept in the form as typed), parsed values, and messages for the bad ones."""
    raw = {k: request.query_params.get(k, "") for k in ("as_of", "stance", "group", "sort", "country")}
    parsed: dict = {"as_of": None, "stance": None, "group": None, "sort": "country", "country": None}
    errors: dict[str, str] = {}
    parsers = {
        "as_of": lambda v: parse_date(v, "as_of"),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "group": lambda v: parse_choice(v, GROUPS, "group"),
        "sort": lambda v: parse_choice(v, SORTS, "sort") or "country",
        "country": lambda v: parse_country(session, v),
    }
    for key, parse in parsers.items():
        try:
            parsed[key] = parse(raw[key])
        except ParamError as e:
            errors[key] = e.message
    return raw, parsed, errors


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep):
    from app.web.svgmap import MapEntry, render_map

    raw, p, errors = _map_params(request, session)
    summary = queries.data_summary(session)
    today = _today()
    as_of = p["as_of"] or today
    all_in_group = queries.positions_as_of(session, as_of, group=p["group"])
    positions = [x for x in all_in_group if not p["stance"] or x.stance == p["stance"]]
    positions = queries.sort_positions(positions, p["sort"])
    counts = queries.stance_counts(all_in_group)
    entries = {x.country: MapEntry(iso2=x.country, name=x.country_name, stance=x.stance,
                                   stated_on=x.stated_on.isoformat(), quote=x.quote) for x in positions}
    # The slider spans the data (and a date asked for outside it); it moves in days, ticks mark the days a
    # position changed. Today is usually past the last statement: the slider's end then shows the same map.
    start = min(summary.first_stated_on or today, as_of)
    end = max(summary.last_stated_on or today, p["as_of"] or start, start + dt.timedelta(days=1))
    context = {
        "raw": raw, "errors": errors, "as_of": as_of, "is_today": as_of == today, "stance": p["stance"],
        "group": p["group"], "sort": p["sort"], "highlight": p["country"],
        "highlight_name": queries.get_country(session, p["country"]).name if p["country"] else None,
        "positions": positions, "counts": counts, "total_in_group": len(all_in_group), "summary": summary,
        "map_svg": render_map(entries, highlight=p["country"]),
        "slider": {"start": start, "end": end, "days": (end - start).days, "value": min((as_of - start).days, (end - start).days),
                   "ticks": [(d - start).days for d in summary.change_dates if start <= d <= end]},
        "state": {"as_of": raw["as_of"] if errors.get("as_of") else (p["as_of"] or ""), "stance": p["stance"],
                  "group": p["group"], "sort": p["sort"] if p["sort"] != "country" else None,
                  "country": p["country"]},
        "stances": STANCES, "groups": GROUPS, "group_labels": GROUP_LABELS,
    }
    return _render(request, "index.html", context, blocks=["view", "form_state"],
                   status_code=422 if errors else 200, push_url="/" + _qs(context["state"]))


@router.get("/positions.{fmt}", include_in_schema=False)
def positions_download(fmt: str, request: Request, session: SessionDep):
    """The map's table exactly as filtered and sorted, as statement records."""
    if fmt not in ("csv", "json"):
        return _error_page(request, 404, "Not found", "Downloads come as .csv or .json.")
    raw, p, errors = _map_params(request, session)
    if errors:
        return _error_page(request, 422, "Bad download parameters", "; ".join(f"{k}: {v}" for k, v in errors.items()))
    as_of = p["as_of"] or _today()
    positions = queries.sort_positions(queries.positions_as_of(session, as_of, stance=p["stance"], group=p["group"]),
                                       p["sort"])
    ids = [x.statement_id for x in positions]
    return _stream_download(request, fmt,
                            lambda s: (queries.statement_record(st) for st in queries.statements_by_ids(s, ids)),
                            f"positions-{as_of.isoformat()}")


# --- one country ------------------------------------------------------------------------------------------------

@router.get("/countries/{iso2}", include_in_schema=False)
def country_page(iso2: str, request: Request, session: SessionDep):
    country = queries.get_country(session, iso2)
    if country is None:
        return _error_page(request, 404, "No such country",
                           f"'{iso2}' is not an ISO 3166-1 alpha-2 country code we know. "
                           "Pick a country on the map or in the statements list.")
    if country.iso2 != iso2:
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/countries/{country.iso2}", status_code=308)
    timeline = queries.country_timeline(session, country.iso2)
    today = _today()
    current = next((e.statement for e in reversed(timeline) if e.counts and e.statement.stated_on <= today), None)
    changes = [e for e in timeline if e.changed]
    return templates.TemplateResponse(request, "country.html", {
        "country": country, "timeline": timeline, "current": current, "changes": changes,
    })


# --- every statement --------------------------------------------------------------------------------------------

def _statement_params(request: Request, session) -> tuple[dict, StatementFilters, int, dict[str, str]]:
    keys = ("country", "stance", "date_from", "date_to", "origin", "review_status", "q", "page")
    raw = {k: request.query_params.get(k, "") for k in keys}
    errors: dict[str, str] = {}
    values: dict = {}
    parsers = {
        "country": lambda v: parse_country(session, v),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "date_from": lambda v: parse_date(v, "date_from"),
        "date_to": lambda v: parse_date(v, "date_to"),
        "origin": lambda v: parse_choice(v, ORIGINS, "origin"),
        "review_status": lambda v: parse_choice(v, REVIEW_STATUSES, "review_status"),
        "q": lambda v: parse_text(v, "q"),
        "page": lambda v: parse_int(v, "page", default=1, minimum=1, maximum=MAX_PAGE),
    }
    for key, parse in parsers.items():
        try:
            values[key] = parse(raw[key])
        except ParamError as e:
            errors[key] = e.message
            values[key] = 1 if key == "page" else None
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors["date_to"] = "the end date is before the start date"
    filters = StatementFilters(country=values["country"], stance=values["stance"], date_from=values["date_from"],
                               date_to=values["date_to"], origin=values["origin"],
                               review_status=values["review_status"], text=values["q"])
    return raw, filters, values["page"], errors


def _country_choices(session, selected: str | None) -> list:
    """Countries with statements, plus the one in the URL when it has none, so the form shows the filter."""
    choices = queries.countries_with_statements(session)
    if selected and selected not in {c.iso2 for c in choices}:
        country = queries.get_country(session, selected)
        choices = sorted([*choices, country], key=lambda c: c.name)
    return choices


@router.get("/statements", include_in_schema=False)
def statements_page(request: Request, session: SessionDep):
    raw, filters, page, errors = _statement_params(request, session)
    rows, total = ([], 0)
    if not errors:
        rows, total = queries.statements_page(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    state = {k: v for k, v in raw.items() if k != "page" and v and k not in errors}
    return _render(request, "statements.html", {
        "raw": raw, "errors": errors, "rows": rows, "total": total, "page": page, "pages": pages,
        "page_size": PAGE_SIZE, "state": state, "filtered": bool(state),
        "countries": _country_choices(session, filters.country),
        "stances": STANCES, "origins": ORIGINS, "review_statuses": REVIEW_STATUSES,
    }, blocks=["results"], status_code=422 if errors else 200,
        push_url="/statements" + _qs({**state, "page": page if page > 1 else None}))


@router.get("/statements.{fmt}", include_in_schema=False)
def statements_download(fmt: str, request: Request, session: SessionDep):
    """The filtered list (every page), or with no filters the whole dataset, streamed without a row cap."""
    if fmt not in ("csv", "json"):
        return _error_page(request, 404, "Not found", "Downloads come as .csv or .json.")
    _, filters, _, errors = _statement_params(request, session)
    errors.pop("page", None)
    if errors:
        return _error_page(request, 422, "Bad download parameters", "; ".join(f"{k}: {v}" for k, v in errors.items()))
    return _stream_download(request, fmt, lambda s: queries.statement_records(s, filters), "statements")


# --- the rest ---------------------------------------------------------------------------------------------------

@router.get("/about", include_in_schema=False)
def about(request: Request):
    return templates.TemplateResponse(request, "about.html", {})


def _error_page(request: Request, status: int, title: str, message: str, headers: dict | None = None):
    return templates.TemplateResponse(request, "error.html", {"status": status, "title": title, "message": message},
                                      status_code=status, headers=headers)


@router.get("/healthz", tags=["health"])
def healthz(session: SessionDep) -> JSONResponse:
    """Answers 200 when the database answers, 503 when it does not."""
    try:
        session.execute(text("SELECT 1"))
        countries = session.execute(text("SELECT count(*) FROM countries")).scalar_one()
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "error", "database": "unreachable", "detail": type(exc).__name__},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return JSONResponse({"status": "ok", "database": "ok", "countries": countries})
