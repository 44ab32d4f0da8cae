"""Editors' HTML routes: sign-in, statement forms, the review queue, adding articles, history and revert."""
from __future__ import annotations


from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from markupsafe import Markup, escape

from app import clock
from app import editing, queries
from app.ingest.extract import ExtractionTooComplex
from app.editing import EDITABLE, LABELS, EditError, StaleEdit, ValidationFailed
from app.models import PRECISIONS, STANCES, Statement
from app.inputs import control_character, parse_id
from app.settings import get_settings
from app.web.auth import (CurrentAdmin, CurrentEditor, FormDep, OptionalUser, client_address, csrf_valid,
                          end_session, safe_next, sign_in, start_session)
from app.web.deps import DbId, SessionDep, parse_int
from app.web.errors import Conflict, NotFound
from app.web.responses import is_htmx, redirect, render_fragment, render_page, see_other, templates

router = APIRouter(include_in_schema=False)
REVIEW_PAGE_SIZE = 25
FORM_FIELDS = EDITABLE
ARTICLE_FIELDS = ("body", "title", "source", "url", "published_on")
ACTION_LABELS = {"create": "created", "update": "edited", "correct": "corrected", "verify": "verified",
                 "dismiss": "dismissed", "delete": "deleted", "restore": "restored", "revert": "reverted",
                 "undo": "decision undone", "accept_suggestion": "reader suggestion accepted",
                 "decline_suggestion": "reader suggestion declined"}


def evidence(quote: str, statement: Statement) -> Markup:
    """The quote with the country reference and the deciding cue marked (offsets within the quote)."""
    quote = quote or ""
    spans = []
    for start, end, cls in ((statement.mention_start, statement.mention_end, "m-country"),
                            (statement.cue_start, statement.cue_end, "m-cue")):
        if start is not None and end is not None and 0 <= start < end <= len(quote):
            spans.append((start, end, cls))
    out, pos = [], 0
    for start, end, cls in sorted(spans):
        if start < pos:  # overlapping marks: keep the first
            continue
        out.append(escape(quote[pos:start]))
        out.append(Markup(f'<mark class="{cls}">') + escape(quote[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(quote[pos:]))
    return Markup("").join(out)


templates.env.filters["evidence"] = evidence


def _statement_or_404(session: Session, statement_id: int) -> Statement:
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    return statement


def _country_label(statement_or_country) -> str:
    country = getattr(statement_or_country, "country", statement_or_country)
    return f"{country.name} ({country.iso2})"


def _raw_from(statement: Statement) -> dict[str, str]:
    """What the form shows for a stored statement."""
    return {"country_iso2": _country_label(statement), "stance": statement.stance,
            "stated_on": statement.stated_on.isoformat() if statement.stated_on else "",
            "date_precision": statement.date_precision or "day", "quote": statement.quote or "",
            "speaker": statement.speaker or "", "conditions": statement.conditions or "",
            "source_url": statement.source_url or ""}


def _raw_form(form, names) -> dict[str, str]:
    return {k: str(form.get(k, "")) for k in names}


def _merged_raw(statement: Statement, stale: StaleEdit, raw: dict[str, str]) -> dict[str, str]:
    """The form after a stale save: what this editor changed, the other editor's values everywhere else."""
    if not stale.merged or stale.base is None:
        return raw
    saved = _raw_from(statement)  # the statement as it is now (the other editor's version)
    out = dict(raw)
    for row in stale.rows:
        if row.kind == "theirs":
            out[row.name] = saved[row.name]
    return out


def _form_context(session, **extra) -> dict:
    return {"countries": queries.all_countries(session), "stances": STANCES, "precisions": PRECISIONS,
            "labels": LABELS, "today": clock.today().isoformat(), **extra}


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


@router.post("/editor/statements/{statement_id}/delete")
def delete_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    version = (_raw_form(form, ["version"]))["version"]
    try:
        editing.delete_statement(session, user, statement_id, parse_id(version))
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

@router.get("/editor/statements/new")
def new_statement(request: Request, session: SessionDep, user: CurrentEditor):
    raw = {k: "" for k in FORM_FIELDS} | {"date_precision": "day"}
    wanted = request.query_params.get("country", "")
    country = None if control_character(wanted) else queries.find_country(session, wanted)
    if country is not None:
        raw["country_iso2"] = _country_label(country)
    return render_page(request, "editor/statement_form.html",
                       _form_context(session, raw=raw, errors={}, statement=None))


@router.post("/editor/statements/new")
def create_statement(request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    raw = _raw_form(form, FORM_FIELDS)
    try:
        data = editing.validate_statement(session, raw)
    except ValidationFailed as e:
        return render_page(request, "editor/statement_form.html",
                           _form_context(session, raw=raw, errors=e.errors, statement=None),
                           status_code=422, blocks=["form"])
    statement = editing.create_statement(session, user, data)
    return redirect(request, f"/statements/{statement.id}?saved=created")


@router.get("/editor/statements/{statement_id}/edit")
def edit_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    return render_page(request, "editor/statement_form.html", _form_context(
        session, raw=_raw_from(statement), errors={}, statement=statement, version=statement.version))


@router.post("/editor/statements/{statement_id}/edit")
def save_statement(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    raw = _raw_form(form, FORM_FIELDS + ("version",))
    version = parse_id(raw["version"])
    context = _form_context(session, raw=raw, statement=statement, version=version)
    try:
        editing.update_statement(session, user, statement_id, editing.validate_statement(session, raw), version)
    except ValidationFailed as e:
        return render_page(request, "editor/statement_form.html", {**context, "errors": e.errors}, status_code=422,
                           blocks=["form"])
    except StaleEdit as stale:
        # The form keeps what this editor typed and now carries the newer version: saving again is a deliberate
        # choice made after seeing the other change.
        return render_page(request, "editor/statement_form.html",
                           {**context, "errors": {}, "stale": stale, "version": stale.version,
                            "raw": _merged_raw(statement, stale, raw)},
                           status_code=422 if is_htmx(request) else 409, blocks=["form"])
    return redirect(request, f"/statements/{statement_id}?saved=updated")


# --- the review queue -------------------------------------------------------------------------------------------

def _review_row(request: Request, session, statement: Statement, *, done: str | None = None,
                correcting: bool = False, raw: dict | None = None, errors: dict | None = None,
                stale: StaleEdit | None = None, status_code: int = 200, undo: list[int] | None = None,
                back: str = "/editor/review"):
    context = _form_context(session, s=statement, done=done, correcting=correcting,
                            raw=raw or _raw_from(statement), errors=errors or {}, stale=stale, undo=undo,
                            back=back, deciding=False, oob=False,
                            # After a decision the page's count of what is left is updated out of band.
                            queue_total=queries.review_queue(session, limit=0)[1] if done else None)
    return render_fragment(request, "partials/_editor_review_row.html", context, status_code=status_code)


@router.post("/editor/review/{statement_id}/verify")
def verify(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    return _decide(statement_id, "verify", request, session, user, form)


@router.post("/editor/review/{statement_id}/dismiss")
def dismiss(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    return _decide(statement_id, "dismiss", request, session, user, form)


def _decide(statement_id: int, decision: str, request: Request, session, user, form):
    fields = _raw_form(form, ["version", "next"])
    version, back = fields["version"], fields["next"]
    try:
        statement = editing.review_statement(session, user, statement_id, decision,
                                             parse_id(version))
    except EditError as e:
        raise NotFound(str(e)) from None
    except StaleEdit:
        statement = _statement_or_404(session, statement_id)
        if is_htmx(request):
            return _review_row(request, session, statement, done="stale", back=_queue_back(back))
        return see_other(_queue_back(back) + _sep(_queue_back(back)) + "stale=1")
    event = queries.latest_event(session, statement_id)
    if is_htmx(request):
        return _review_row(request, session, statement, done=decision, undo=[event.id] if event else None,
                           back=_queue_back(back))
    if back and not back.startswith("/editor/review"):  # the statement page's own Verify / Dismiss buttons
        return see_other(safe_next(back))
    target = _queue_back(back)
    return see_other(f"{target}{_sep(target)}done={decision}&id={statement_id}"
                     + (f"&undo={event.id}" if event else ""))


def _queue_back(back: str | None) -> str:
    """The queue page a decision was made on (its filters and cursor), without the last outcome's parameters."""
    from app.web.review import _queue_url, _with

    return _with(_queue_url(back or "/editor/review"))


def _sep(url: str) -> str:
    return "&" if "?" in url else "?"


@router.get("/editor/review/{statement_id}/correct")
def correct_form(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor):
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    back = _queue_back(request.query_params.get("next"))
    if is_htmx(request):
        return _review_row(request, session, statement, correcting=True, back=back)
    return render_page(request, "editor/correct.html", _form_context(
        session, s=statement, raw=_raw_from(statement), errors={}, correcting=True, done=None, stale=None,
        back=back, undo=None, deciding=False, oob=False))


@router.post("/editor/review/{statement_id}/correct")
def correct_submit(statement_id: DbId, request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    raw = _raw_form(form, FORM_FIELDS + ("version", "next"))
    back = _queue_back(raw.pop("next"))
    version = parse_id(raw["version"])
    errors: dict[str, str] = {}
    stale = None
    try:
        statement = editing.update_statement(session, user, statement_id, editing.validate_statement(session, raw),
                                             version, action="correct")
    except ValidationFailed as e:
        errors = e.errors
    except StaleEdit as e:
        stale = e
        statement = _statement_or_404(session, statement_id)
        raw = _merged_raw(statement, e, raw)
    else:
        event = queries.latest_event(session, statement_id)
        undo = [event.id] if event and event.action == "correct" else None
        if is_htmx(request):
            return _review_row(request, session, statement, done="correct", undo=undo, back=back)
        return see_other(f"{back}{_sep(back)}done=correct&id={statement_id}" + (f"&undo={undo[0]}" if undo else ""))
    status = 422 if errors or is_htmx(request) else 409
    if is_htmx(request):
        return _review_row(request, session, statement, correcting=True, raw=raw, errors=errors, stale=stale,
                           status_code=status, back=back)
    return render_page(request, "editor/correct.html", _form_context(
        session, s=statement, raw=raw, errors=errors, correcting=True, done=None, stale=stale, back=back,
        undo=None, deciding=False, oob=False), status_code=status)


# --- add an article ---------------------------------------------------------------------------------------------

@router.get("/editor/articles/new")
def new_article(request: Request, user: CurrentEditor):
    return render_page(request, "editor/article_form.html", {
        "raw": {k: "" for k in ARTICLE_FIELDS}, "errors": {}, "result": None,
        "machine_on_map": get_settings().machine_on_map})


@router.post("/editor/articles/new")
def add_article(request: Request, session: SessionDep, user: CurrentEditor, form: FormDep):
    raw = _raw_form(form, ARTICLE_FIELDS)
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


# The review queue at scale, reader suggestions (editors' side), confirmations; the article page and the
# readers' suggestion form. Their own modules; routed with the editors' routes.
from app.web import articles as _articles, review as _review  # noqa: E402

router.include_router(_review.router)
router.include_router(_articles.router)
