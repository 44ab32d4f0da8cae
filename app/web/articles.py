"""Readers' routes for evidence and feedback: the article page (its text with each statement's evidence sentence
marked) and the form on which anyone can suggest a correction."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request

from app import editing, queries
from app.evidence import date_basis, evidence_pieces
from app.inputs import parse_id
from app.models import STANCES
from app.web.auth import CSRF_FIELD, OptionalUser, client_address, csrf_token
from app.web.deps import DbId, SessionDep
from app.web.errors import NotFound
from app.web.responses import VARY_HTMX, is_htmx, render_fragment, render_page

router = APIRouter(include_in_schema=False)
SUGGEST_FIELDS = ("problem", "stance", "stated_on", "source_url")
HONEYPOT = "website"  # a field people never see or fill; bots that fill every field give themselves away


@router.get("/articles/{article_id:int}")
def article_page(article_id: DbId, request: Request, session: SessionDep, user: OptionalUser):
    article = queries.get_article(session, article_id)
    if article is None:
        raise NotFound(f"There is no article {article_id}. Articles are linked from each statement's source.",
                       title="No such article")
    statements = queries.article_evidence(session, article_id, include_deleted=False)
    pieces = evidence_pieces(article.body, [(s.quote_start, s.quote_end, s.id) for s in statements])
    number = {s.id: n for n, s in enumerate(statements, 1)}
    return render_page(request, "articles/article.html", {
        "a": article, "statements": statements, "pieces": pieces, "number": number, "user": user,
        "statements_by_id": {s.id: s for s in statements},
        "date_basis": date_basis(article.published_on, article.date_precision, article.body),
        "placed": sum(1 for s in statements if s.quote_start is not None),
    })


# --- a reader's correction --------------------------------------------------------------------------------------

def _subject(session, statement_id: str, country: str):
    """What a suggestion is about: (statement or None, country), or (None, None) when neither is known."""
    statement = None
    wanted = parse_id(statement_id.strip())
    if wanted is not None:
        statement = queries.get_statement(session, wanted)
        if statement is not None and statement.deleted_at is not None:
            statement = None
    if statement is not None:
        return statement, statement.country
    found = queries.get_country(session, country.strip()) if country else None
    return None, found


def _form(request, session, statement, country, raw, errors, *, status_code=200, message=None, sent=False):
    context = {"suggest": {"raw": raw, "errors": errors, "statement_id": statement.id if statement else None,
                           "country": country, "message": message, "sent": sent, "statement": statement},
               "stances": STANCES}
    # The form carries the reader's session token: never stored by a shared cache.
    headers = {"Cache-Control": "no-store", **VARY_HTMX}
    if is_htmx(request):
        return render_fragment(request, "partials/_suggest_form.html", context, status_code=status_code,
                               headers=headers)
    return render_page(request, "articles/suggest.html", context, status_code=status_code, headers=headers)


@router.get("/suggestions/new")
def suggest_page(request: Request, session: SessionDep, statement: str = "", country: str = ""):
    found, where = _subject(session, statement, country)
    if where is None:
        raise NotFound("Open a statement or a country page and use its “Suggest a correction” form.",
                       title="Nothing to correct")
    csrf_token(request)  # the reader's session gets its token now, so the form carries it
    return _form(request, session, found, where, {k: "" for k in SUGGEST_FIELDS}, {})


@router.post("/suggestions")
def suggest_submit(request: Request, session: SessionDep,
                   problem: Annotated[str, Form()] = "", stance: Annotated[str, Form()] = "",
                   stated_on: Annotated[str, Form()] = "", source_url: Annotated[str, Form()] = "",
                   statement_id: Annotated[str, Form()] = "", country: Annotated[str, Form()] = "",
                   website: Annotated[str, Form()] = "", csrf: Annotated[str, Form(alias=CSRF_FIELD)] = ""):
    raw = {"problem": problem[:5000], "stance": stance[:20], "stated_on": stated_on[:40],
           "source_url": source_url[:2100]}
    statement, where = _subject(session, statement_id, country)
    if where is None:
        return _form(request, session, None, None, raw, {"form": "This form is not about a statement or country "
                                                                 "we know; open one and suggest from its page."},
                     status_code=422)
    # the token the form's page derived for this reader's session (none: the session is gone or cookies blocked)
    seeded = "session" in request.scope and (request.session.get("sid") or request.session.get("anon"))
    expected = csrf_token(request) if seeded else None
    sent = request.headers.get("X-CSRF-Token") or csrf
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        csrf_token(request)
        return _form(request, session, statement, where, raw, {}, status_code=403,
                     message="This form had expired (or cookies are blocked for this site), so nothing was sent yet. "
                             "Your text is kept: send it again.")
    try:
        data = editing.validate_suggestion(raw)
    except editing.ValidationFailed as e:
        # Checked before the honeypot, so a form that is wrong always says so, whoever sent it.
        return _form(request, session, statement, where, raw, e.errors, status_code=422)
    if website.strip():
        # The honeypot was filled: a bot. It sees the same thank-you; nothing is stored.
        return _form(request, session, statement, where, {k: "" for k in SUGGEST_FIELDS}, {}, sent=True)
    address = client_address(request)
    wait = editing.suggestion_wait_minutes(session, address)
    if wait:
        return _form(request, session, statement, where, raw, {}, status_code=429,
                     message=f"Thank you; you have sent {editing.SUGGESTIONS_PER_HOUR} suggestions in the last hour, "
                             f"which is as many as we take from one address. Your text is kept: send it again in "
                             f"{wait} minute{'' if wait == 1 else 's'}.")
    editing.suggest(session, address, data, country_iso2=where.iso2, statement_id=statement.id if statement else None)
    return _form(request, session, statement, where, {k: "" for k in SUGGEST_FIELDS}, {}, sent=True)
