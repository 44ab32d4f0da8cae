"""The review queue at scale (by article, filtered, prioritised, cursor-paged; decisions on a whole article and
undo), the editors' side of reader suggestions, and confirmation pages for delete and revert."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from markupsafe import escape
from sqlalchemy import select

from app import clock, editing, queries
from app.editing import EditError, StaleEdit, ValidationFailed
from app.evidence import evidence_pieces, shortened
from app.inputs import parse_id
from app.models import STANCES, Statement
from app.queries import ReviewFilters
from app.web.auth import CurrentAdmin, CurrentEditor
from app.web.deps import (DbId, SessionDep, parse_choice, parse_country, parse_date, parse_fields, parse_int,
                          path_with)
from app.web.errors import Conflict, NotFound
from app.web.forms import country_label, form_context, queue_url, raw_from, with_outcome
from app.web.responses import fragment_html, fragments, is_htmx, render_page, see_other

router = APIRouter(include_in_schema=False)
ARTICLES_PER_PAGE = 5
CONFIDENCE_CHOICES = ("0.5", "0.6", "0.7", "0.8", "0.9")
FILTER_KEYS = ("country", "stance", "source", "max_confidence", "date_from", "date_to", "article")
SUGGESTIONS_PER_PAGE = 25


# --- the queue --------------------------------------------------------------------------------------------------

def _review_params(request: Request, session) -> tuple[dict, ReviewFilters, tuple | None, dict[str, str]]:
    raw = {k: request.query_params.get(k, "") for k in FILTER_KEYS + ("after",)}
    values, errors = parse_fields(raw, {
        "country": lambda v: parse_country(session, v),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "source": lambda v: v.strip()[:500] or None,
        "max_confidence": _max_confidence,
        "date_from": lambda v: parse_date(v, "date_from"),
        "date_to": lambda v: parse_date(v, "date_to"),
        "article": lambda v: parse_int(v, "article", default=0, minimum=1, maximum=2**62) or None,
    })
    after = None
    if raw["after"]:
        after = queries.parse_cursor(raw["after"])
        if after is None:
            errors["after"] = "is not a place in the queue; start from the top"
    values["article_id"] = values.pop("article")
    return raw, ReviewFilters(**values), after, errors


def _max_confidence(raw: str) -> float | None:
    choice = parse_choice(raw, CONFIDENCE_CHOICES, "max_confidence")
    return float(choice) if choice else None


def _pieces(group) -> list:
    if group.article is None:
        return []
    return shortened(evidence_pieces(group.article.body,
                                     [(s.quote_start, s.quote_end, s.id) for s in group.statements]))


@router.get("/editor/review")
def review_queue(request: Request, session: SessionDep, user: CurrentEditor):
    kind = "suggestions" if request.query_params.get("kind") == "suggestions" else "statements"
    raw, filters, after, errors = _review_params(request, session)
    state = {k: raw[k] for k in FILTER_KEYS if raw[k] and k not in errors}
    back = request.url.path + ("?" + request.url.query if request.url.query else "")
    context = form_context(session, kind=kind, raw=raw, errors=errors, state=state, filtered=bool(state),
                            back=with_outcome(back), suggestions_total=queries.suggestion_count(session),
                            confidence_choices=CONFIDENCE_CHOICES, sources=queries.review_sources(session))
    if kind == "suggestions":
        after_id = request.query_params.get("after_id", "")
        rows, waiting = queries.pending_suggestions(session, limit=SUGGESTIONS_PER_PAGE,
                                                    after_id=parse_id(after_id))  # not an id: from the top
        context |= {"suggestions": rows, "total": queries.review_queue(session, limit=0)[1],
                    "suggestions_next": rows[-1].id if len(rows) == SUGGESTIONS_PER_PAGE else None}
        return render_page(request, "editor/review.html", context)
    page = queries.review_page(session, filters if not errors else ReviewFilters(), today=clock.today(),
                               after=after, articles=ARTICLES_PER_PAGE)
    context |= {
        "groups": page.groups, "pieces_of": {g.key: _pieces(g) for g in page.groups}, "total": page.total,
        "article_count": page.articles, "next_cursor": page.next_cursor, "after": raw["after"] if after else "",
        "earlier": page.earlier,
        "countries_waiting": [c for c in context["countries"]
                              if c.iso2 in _queue_countries(session) or c.iso2 == filters.country],
    }
    return render_page(request, "editor/review.html", context, blocks=["queue"], status_code=422 if errors else 200,
                       push_url=path_with("/editor/review", state), vary=True)


def _queue_countries(session) -> set[str]:
    return set(session.scalars(select(Statement.country_iso2).where(queries._review_filter()).distinct()))


def _row(request, session, statement, **extra):
    context = form_context(session, s=statement, correcting=False, raw={}, errors={}, stale=None,
                            queue_total=None, deciding=False, undo=None, done=None, oob=False,
                            back=extra.pop("back", "/editor/review"))
    return fragment_html(request, "partials/_editor_review_row.html", {**context, **extra})


def _group_actions(request, **context) -> str:
    return fragment_html(request, "partials/_editor_group_actions.html", context)


@router.post("/editor/review/bulk")
def review_bulk(request: Request, session: SessionDep, user: CurrentEditor,
                decision: Annotated[str, Form()] = "", ids: Annotated[list[str], Form()] = [],  # noqa: B006
                article: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    back = queue_url(next)
    wanted = [int(i) for i in ids if i.isdigit()]
    try:
        events = editing.review_many(session, user, wanted, decision)
    except EditError:
        if is_htmx(request):
            return fragments(f'<div class="flash flash-error" id="group-actions-{int(article or 0)}" '
                              'hx-swap-oob="true" role="alert">Nothing was changed: someone reviewed these statements '
                              f'meanwhile. <a href="{back}">Reload the queue</a>.</div>')
        return see_other(with_outcome(back, problem="reviewed"))
    if not is_htmx(request):
        return see_other(with_outcome(back, done=decision, n=len(events), undo=[e.id for e in events]))
    done = {e.statement_id for e in events}
    rows = [_row(request, session, queries.get_statement(session, sid), done=decision, oob=True, back=back)
            for sid in wanted if sid in done]
    bar = _group_actions(request, aid=int(article) if article.isdigit() else 0, ids=[], bulk_done=decision,
                         bulk_undo=[e.id for e in events], oob=True, back=back)
    count = f'<strong id="queue-count" hx-swap-oob="true">{queries.review_queue(session, limit=0)[1]}</strong>'
    return fragments(*rows, bar, count)


@router.post("/editor/review/undo")
def review_undo(request: Request, session: SessionDep, user: CurrentEditor,
                events: Annotated[list[str], Form()] = [],  # noqa: B006
                article: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    back = queue_url(next)
    ids = [int(e) for e in events if e.isdigit()]
    try:
        undone = editing.undo_review(session, user, ids)
    except EditError as e:
        if is_htmx(request):
            return fragments(f'<div class="flash flash-error" id="undo-problem" hx-swap-oob="true" role="alert">'
                              f'{escape(str(e))}</div>')
        return see_other(with_outcome(back, problem="undo"))
    if not is_htmx(request):
        return see_other(with_outcome(back, done="undo", n=len(undone)))
    today = clock.today()
    deciding = {sid for _, sid in session.execute(queries.position_ids_select(today)) if sid is not None}
    parts = []
    for statement in undone:
        if statement.review_status == "unreviewed":
            parts.append(_row(request, session, statement, oob=True, back=back, deciding=statement.id in deciding))
        else:  # an undone correction of a statement that had been verified before: no longer in the queue
            parts.append(_row(request, session, statement, oob=True, back=back, done="verify"))
    if article.isdigit():
        parts.append(_group_actions(request, aid=int(article), ids=[s.id for s in undone], oob=True, back=back))
    parts.append(f'<strong id="queue-count" hx-swap-oob="true">{queries.review_queue(session, limit=0)[1]}</strong>')
    parts.append('<div id="undo-problem" hx-swap-oob="true"></div>')
    return fragments(*parts)


# --- reader suggestions, the editors' side -----------------------------------------------------------------------

def _suggested_raw(suggestion) -> dict[str, str]:
    """The statement form as the suggestion would have it: the statement's values (if about one) with the
    reader's stance, date and source put in."""
    statement = suggestion.statement
    raw = raw_from(statement) if statement is not None else {
        "country_iso2": country_label(suggestion.country), "stance": "", "stated_on": "", "date_precision": "day",
        "quote": "", "speaker": "", "conditions": "", "source_url": ""}
    if suggestion.stance:
        raw["stance"] = suggestion.stance
    if suggestion.stated_on:
        precision = suggestion.date_precision or "day"
        raw["date_precision"] = precision
        raw["stated_on"] = {"day": suggestion.stated_on.isoformat(), "month": suggestion.stated_on.isoformat()[:7],
                            "year": str(suggestion.stated_on.year)}.get(precision, suggestion.stated_on.isoformat())
    if suggestion.source_url:
        raw["source_url"] = suggestion.source_url
    return raw


def _accept_page(request, session, suggestion, raw, errors, *, stale=None, status_code=200):
    statement = suggestion.statement
    return render_page(request, "editor/suggestion_accept.html", form_context(
        session, g=suggestion, raw=raw, errors=errors, stale=stale, statement=statement,
        version=(stale.version if stale else (statement.version if statement else None))),
        status_code=status_code)


@router.get("/editor/suggestions/{suggestion_id}/accept")
def accept_form(suggestion_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    suggestion = queries.get_suggestion(session, suggestion_id)
    if suggestion is None:
        raise NotFound(f"There is no suggestion {suggestion_id}.")
    return _accept_page(request, session, suggestion, _suggested_raw(suggestion), {})


@router.post("/editor/suggestions/{suggestion_id}/accept")
def accept_submit(suggestion_id: DbId, request: Request, session: SessionDep, user: CurrentEditor,
                  country_iso2: Annotated[str, Form()] = "", stance: Annotated[str, Form()] = "",
                  stated_on: Annotated[str, Form()] = "", date_precision: Annotated[str, Form()] = "",
                  quote: Annotated[str, Form()] = "", speaker: Annotated[str, Form()] = "",
                  conditions: Annotated[str, Form()] = "", source_url: Annotated[str, Form()] = "",
                  version: Annotated[str, Form()] = ""):
    suggestion = queries.get_suggestion(session, suggestion_id)
    if suggestion is None:
        raise NotFound(f"There is no suggestion {suggestion_id}.")
    raw = {"country_iso2": country_iso2, "stance": stance, "stated_on": stated_on, "date_precision": date_precision,
           "quote": quote, "speaker": speaker, "conditions": conditions, "source_url": source_url}
    try:
        data = editing.validate_statement(session, raw)
    except ValidationFailed as e:
        return _accept_page(request, session, suggestion, raw, e.errors, status_code=422)
    try:
        statement = editing.accept_suggestion(session, user, suggestion_id, data,
                                              parse_id(version))
    except StaleEdit as stale:
        suggestion = queries.get_suggestion(session, suggestion_id)
        return _accept_page(request, session, suggestion, stale.merged or raw, {}, stale=stale, status_code=409)
    except EditError as e:
        raise Conflict(str(e)) from None
    return see_other(f"/statements/{statement.id}?saved=suggestion")


@router.post("/editor/suggestions/{suggestion_id}/decline")
def decline(suggestion_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    try:
        editing.decline_suggestion(session, user, suggestion_id)
    except EditError as e:
        raise (Conflict if queries.get_suggestion(session, suggestion_id) else NotFound)(str(e)) from None
    if is_htmx(request):
        return fragments(f'<article class="card suggestion is-done" id="suggestion-{suggestion_id}" role="status">'
                          f'Suggestion #{suggestion_id} declined.</article>',
                          f'<span id="suggestion-count" hx-swap-oob="true">{queries.suggestion_count(session)}</span>')
    return see_other("/editor/review?kind=suggestions&done=declined")


# --- confirmations for delete and revert --------------------------------------------------------------------------

@router.get("/editor/statements/{statement_id}/delete")
def confirm_delete(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    return render_page(request, "editor/confirm.html", {"what": "delete", "s": statement})


@router.get("/editor/audit/{event_id}/revert")
def confirm_revert(event_id: DbId, request: Request, session: SessionDep, admin: CurrentAdmin):
    event = queries.get_audit_event(session, event_id) if 0 < event_id < 2**63 else None
    if event is None or event.statement_id is None:
        raise NotFound(f"There is no statement change #{event_id}.")
    statement = queries.get_statement(session, event.statement_id)
    return render_page(request, "editor/confirm.html", {
        "what": "revert", "s": statement, "event": event, "changes": editing.changed_fields(event),
        "labels": editing.LABELS, "revertible": event.action not in editing.NOT_REVERTIBLE})
