"""Editors' HTML routes: sign-in, statement forms, the review queue, adding articles, history and revert. The
queue at scale, reader suggestions and confirmations (app/web/review.py) and the article page and readers'
suggestion form (app/web/articles.py) are routed with these."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from app import editing, queries
from app.editing import LABELS, EditError, StaleEdit, ValidationFailed
from app.ingest.extract import ExtractionTooComplex
from app.inputs import control_character
from app.models import Statement, User
from app.settings import get_settings
from app.web import articles, review
from app.web.auth import (CurrentAdmin, CurrentEditor, FormDep, OptionalUser, client_address, csrf_valid,
                          end_session, safe_next, sign_in, start_session)
from app.web.deps import DbId, SessionDep, parse_int
from app.web.errors import Conflict, NotFound
from app.web.forms import (FORM_FIELDS, country_label, form_context, merged_raw, queue_back, raw_form, raw_from,
                           statement_or_404, submitted, with_outcome)
from app.web.responses import is_htmx, redirect, render_fragment, render_page, see_other

router = APIRouter(include_in_schema=False)
ARTICLE_FIELDS = ("body", "title", "source", "url", "published_on")
ACTION_LABELS = {"create": "created", "update": "edited", "correct": "corrected", "verify": "verified",
                 "dismiss": "dismissed", "delete": "deleted", "restore": "restored", "revert": "reverted",
                 "undo": "decision undone", "accept_suggestion": "reader suggestion accepted",
                 "decline_suggestion": "reader suggestion declined"}


# --- sign-in ----------------------------------------------------------------------------------------------------

@router.get("/signin")
def signin_page(request: Request, user: OptionalUser, next: str = "/"):
    if user is not None:
        return see_other(safe_next(next))
    return render_page(request, "auth/signin.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/signin")
def signin_submit(request: Request, session: SessionDep, form: FormDep):
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    context = {"next": target, "username": username[:80]}
    if not csrf_valid(request, form):
        # Also refuses sign-in forms posted from other sites (login CSRF); usually a stale tab or blocked cookies.
        return render_page(request, "auth/signin.html", {
            **context, "error": "The sign-in form expired, or cookies are blocked for this site. "
                                "Allow cookies and try again."}, status_code=403)
    bad = control_character(username)
    if bad:
        return render_page(request, "auth/signin.html", {
            **context, "error": f"The user name contains a control character ({bad}); type it again."},
            status_code=422)
    result = sign_in(session, username, password, client_address(request))
    if result.user is None:
        headers = {"Retry-After": str(result.retry_after)} if result.retry_after else None
        return render_page(request, "auth/signin.html", {**context, "error": result.error},
                           status_code=429 if result.locked else 401, headers=headers)
    start_session(request, session, result.user)
    return see_other(target)


@router.post("/signout")
def signout(request: Request, session: SessionDep, user: CurrentEditor):
    end_session(request, session)
    return see_other("/")


# --- one statement: its page and its history --------------------------------------------------------------------

@router.get("/statements/{statement_id}")
def statement_page(statement_id: DbId, request: Request, session: SessionDep, user: OptionalUser):
    statement = queries.get_statement(session, statement_id)
    if statement is None or (statement.deleted_at is not None and user is None):
        raise NotFound(f"There is no statement {statement_id}.")
    history = queries.statement_history(session, statement_id) if user else []
    return render_page(request, "editor/statement.html", {
        "s": statement, "user": user, "history": history, "changed_fields": editing.changed_fields,
        "labels": LABELS, "action_labels": ACTION_LABELS, "saved": request.query_params.get("saved"),
        "change": parse_int(request.query_params.get("change"), "change", default=0, minimum=0),
        "as_change": parse_int(request.query_params.get("as"), "as", default=0, minimum=0),
        "not_revertible": editing.NOT_REVERTIBLE,
    })


def form_version(form: FormDep) -> int | None:
    """The version a form was opened at (None when it carries none a row could have)."""
    return submitted(form)[1]


@router.post("/editor/statements/{statement_id}/delete")
def delete_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    try:
        editing.delete_statement(session, user, statement_id, form_version(form))
    except EditError as e:
        raise NotFound(str(e)) from None
    except StaleEdit:
        return redirect(request, f"/statements/{statement_id}?saved=stale")
    return redirect(request, f"/statements/{statement_id}?saved=deleted")


@router.post("/editor/statements/{statement_id}/restore")
def restore_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    try:
        editing.restore_statement(session, user, statement_id)
    except EditError as e:
        raise NotFound(str(e)) from None
    return redirect(request, f"/statements/{statement_id}?saved=restored")


@router.post("/editor/audit/{event_id}/revert")
def revert_change(event_id: DbId, request: Request, session: SessionDep, admin: CurrentAdmin):
    event = queries.get_audit_event(session, event_id)
    try:
        statement = editing.revert_event(session, admin, event_id)
    except EditError as e:
        raise (NotFound if event is None else Conflict)(str(e), title="Cannot revert") from None
    done = queries.latest_event(session, statement.id)
    return redirect(request, f"/statements/{statement.id}?saved=reverted&change={event_id}"
                             + (f"&as={done.id}" if done else ""))


# --- add and edit -----------------------------------------------------------------------------------------------

def _save(session: Session, user: User, statement_id: int, raw: dict[str, str], version: int | None, *,
          action: str = "update") -> Statement:
    """Validate a submitted form and save it over the statement (the edit page and the queue's correction):
    ValidationFailed or StaleEdit when it cannot be saved as it is."""
    data = editing.validate_statement(session, raw)
    return editing.update_statement(session, user, statement_id, data, version, action=action)


@router.get("/editor/statements/new")
def new_statement(request: Request, session: SessionDep, user: CurrentEditor):
    raw = {k: "" for k in FORM_FIELDS} | {"date_precision": "day"}
    wanted = request.query_params.get("country", "")
    country = None if control_character(wanted) else queries.find_country(session, wanted)
    if country is not None:
        raw["country_iso2"] = country_label(country)
    return render_page(request, "editor/statement_form.html",
                       form_context(session, raw=raw, errors={}, statement=None))


@router.post("/editor/statements/new")
def create_statement(request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    raw = raw_form(form, FORM_FIELDS)
    try:
        data = editing.validate_statement(session, raw)
    except ValidationFailed as e:
        return render_page(request, "editor/statement_form.html",
                           form_context(session, raw=raw, errors=e.errors, statement=None),
                           status_code=422, blocks=["form"])
    statement = editing.create_statement(session, user, data)
    return redirect(request, f"/statements/{statement.id}?saved=created")


@router.get("/editor/statements/{statement_id}/edit")
def edit_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    statement = statement_or_404(session, statement_id)
    return render_page(request, "editor/statement_form.html", form_context(
        session, raw=raw_from(statement), errors={}, statement=statement, version=statement.version))


@router.post("/editor/statements/{statement_id}/edit")
def save_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    statement = statement_or_404(session, statement_id)
    raw, version = submitted(form)
    context = form_context(session, raw=raw, statement=statement, version=version)
    try:
        _save(session, user, statement_id, raw, version)
    except ValidationFailed as e:
        return render_page(request, "editor/statement_form.html", {**context, "errors": e.errors}, status_code=422,
                           blocks=["form"])
    except StaleEdit as stale:
        # The form keeps what this editor typed and now carries the newer version: saving again is a deliberate
        # choice made after seeing the other change.
        return render_page(request, "editor/statement_form.html",
                           {**context, "errors": {}, "stale": stale, "version": stale.version,
                            "raw": merged_raw(statement, stale, raw)},
                           status_code=422 if is_htmx(request) else 409, blocks=["form"])
    return redirect(request, f"/statements/{statement_id}?saved=updated")


# --- the review queue -------------------------------------------------------------------------------------------

def _review_row(request: Request, session: Session, statement: Statement, *, done: str | None = None,
                correcting: bool = False, raw: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                stale: StaleEdit | None = None, status_code: int = 200, undo: list[int] | None = None,
                back: str = "/editor/review") -> Response:
    context = form_context(session, s=statement, done=done, correcting=correcting,
                           raw=raw or raw_from(statement), errors=errors or {}, stale=stale, undo=undo,
                           back=back, deciding=False, oob=False,
                           # After a decision the page's count of what is left is updated out of band.
                           queue_total=queries.review_queue(session, limit=0)[1] if done else None)
    return render_fragment(request, "partials/_editor_review_row.html", context, status_code=status_code)


def _correct_page(request: Request, session: Session, statement: Statement, raw: dict[str, str], back: str, *,
                  errors: dict[str, str] | None = None, stale: StaleEdit | None = None,
                  status_code: int = 200) -> Response:
    """The correction form: in its queue row for htmx, else a page of its own."""
    if is_htmx(request):
        return _review_row(request, session, statement, correcting=True, raw=raw, errors=errors, stale=stale,
                           status_code=status_code, back=back)
    return render_page(request, "editor/correct.html", form_context(
        session, s=statement, raw=raw, errors=errors or {}, correcting=True, done=None, stale=stale, back=back,
        undo=None, deciding=False, oob=False), status_code=status_code)


@router.post("/editor/review/{statement_id}/verify")
def verify(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    return _decide(statement_id, "verify", request, session, user, form)


@router.post("/editor/review/{statement_id}/dismiss")
def dismiss(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    return _decide(statement_id, "dismiss", request, session, user, form)


def _decide(statement_id: int, decision: str, request: Request, session: Session, user: User,
            form: FormDep) -> Response:
    back = str(form.get("next", ""))
    try:
        statement = editing.review_statement(session, user, statement_id, decision, form_version(form))
    except EditError as e:
        raise NotFound(str(e)) from None
    except StaleEdit:
        statement = statement_or_404(session, statement_id)
        if is_htmx(request):
            return _review_row(request, session, statement, done="stale", back=queue_back(back))
        return see_other(with_outcome(queue_back(back), stale=1))
    event = queries.latest_event(session, statement_id)
    if is_htmx(request):
        return _review_row(request, session, statement, done=decision, undo=[event.id] if event else None,
                           back=queue_back(back))
    if back and not back.startswith("/editor/review"):  # the statement page's own Verify / Dismiss buttons
        return see_other(safe_next(back))
    return see_other(with_outcome(queue_back(back), done=decision, id=statement_id,
                                  undo=event.id if event else None))


@router.get("/editor/review/{statement_id}/correct")
def correct_form(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    statement = statement_or_404(session, statement_id)
    return _correct_page(request, session, statement, raw_from(statement),
                         queue_back(request.query_params.get("next")))


@router.post("/editor/review/{statement_id}/correct")
def correct_submit(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    statement = statement_or_404(session, statement_id)
    raw, version = submitted(form, "next")
    back = queue_back(raw.pop("next"))
    try:
        statement = _save(session, user, statement_id, raw, version, action="correct")
    except ValidationFailed as e:
        return _correct_page(request, session, statement, raw, back, errors=e.errors, status_code=422)
    except StaleEdit as e:
        statement = statement_or_404(session, statement_id)
        return _correct_page(request, session, statement, merged_raw(statement, e, raw), back, stale=e,
                             status_code=422 if is_htmx(request) else 409)
    event = queries.latest_event(session, statement_id)
    undo = [event.id] if event and event.action == "correct" else None
    if is_htmx(request):
        return _review_row(request, session, statement, done="correct", undo=undo, back=back)
    return see_other(with_outcome(back, done="correct", id=statement_id, undo=undo[0] if undo else None))


# --- add an article ---------------------------------------------------------------------------------------------

@router.get("/editor/articles/new")
def new_article(request: Request, user: CurrentEditor):
    return render_page(request, "editor/article_form.html", {
        "raw": {k: "" for k in ARTICLE_FIELDS}, "errors": {}, "result": None,
        "machine_on_map": get_settings().machine_on_map})


@router.post("/editor/articles/new")
def add_article(request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    raw = raw_form(form, ARTICLE_FIELDS)
    try:
        result = editing.add_article(session, user, editing.validate_article(raw))
    except ValidationFailed as e:
        return _article_form(request, raw, e.errors)
    except ExtractionTooComplex as e:  # over the time limit: nothing stored, the form keeps the text
        session.rollback()
        return _article_form(request, raw, {
            "body": f"This article is too complex for the extractor ({e}); nothing was stored. "
                    "Split it into shorter articles and add them one by one."})
    found = queries.article_statements(session, result.article_id) if result.article_id else []
    return render_page(request, "editor/article_form.html",
                       {"raw": {k: "" for k in ARTICLE_FIELDS}, "errors": {}, "result": result, "found": found,
                        "machine_on_map": get_settings().machine_on_map}, blocks=["form"])


def _article_form(request: Request, raw: dict[str, str], errors: dict[str, str]) -> Response:
    """The article form again, with what was typed and a message per field."""
    return render_page(request, "editor/article_form.html",
                       {"raw": raw, "errors": errors, "result": None, "machine_on_map": get_settings().machine_on_map},
                       status_code=422, blocks=["form"])


router.include_router(review.router)
router.include_router(articles.router)
