"""Editors' sign-in on the web: the session cookie, CSRF tokens, the throttle's answers, and the editor
dependencies. Passwords, session rows and the throttle's counting live in app/security.py.

The cookie (Starlette's signed SessionMiddleware) holds one random value: {"sid": token} for a signed-in
session (only its SHA-256 is stored, in web_sessions) or {"anon": seed} for a visitor who opened a form. The CSRF
token is derived from that value with SECRET_KEY, so the cookie carries no user name, role or token.
"""
from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import queries, security
from app.clock import utcnow
from app.inputs import control_character
from app.models import User
from app.settings import get_settings
from app.web.deps import SessionDep
from app.web.errors import Forbidden, error_response
from app.web.responses import htmx, see_other, templates

SESSION_COOKIE = "stancemap_session"
SESSION_MAX_AGE = int(security.SESSION_LIFETIME.total_seconds())
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FAILURES_PER_ADDRESS = security.MAX_FAILURES_PER_ADDRESS


# --- sessions ---------------------------------------------------------------------------------------------------

class SchemeAwareSessions:
    """Starlette's signed cookie (it carries only the session's random token; the session itself is a database
    row, so every worker reads every session), with the Secure flag on when the request came over https (the
    scheme comes from X-Forwarded-Proto only for TRUSTED_PROXIES)."""

    def __init__(self, app: ASGIApp, secret_key: str):
        self.plain = SessionMiddleware(app, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=False)
        self.secure = SessionMiddleware(app, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                                        max_age=SESSION_MAX_AGE, same_site="lax", https_only=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        middleware = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await middleware(scope, receive, send)


def _secret(request: Request) -> str:
    secret: str = request.app.state.secret_key
    return secret


def csrf_token(request: Request) -> str:
    """This session's CSRF token: derived from the signed-in session's token, or from an anonymous seed made on
    first use (the sign-in form)."""
    seed = request.session.get("sid") or request.session.get("anon")
    if not isinstance(seed, str) or not seed:
        seed = security.new_token()
        request.session["anon"] = seed
    return security.csrf_for(_secret(request), seed)


def request_user(request: Request) -> User | None:
    """The signed-in user found for this request (by optional_user or current_editor); None for readers."""
    return getattr(request.state, "user", None)


def signed_in_name(request: Request) -> str | None:
    user = request_user(request)
    return user.username if user is not None else None


def is_admin_session(request: Request) -> bool:
    user = request_user(request)
    return user is not None and user.role == "admin"


templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["signed_in_name"] = signed_in_name
templates.env.globals["is_admin_session"] = is_admin_session


def start_session(request: Request, session: Session, user: User) -> None:
    """A new server-side session, and a new cookie value (so a token planted before sign-in is worthless)."""
    token = security.start_session(session, user)
    request.session.clear()
    request.session["sid"] = token
    request.state.user = user


def end_session(request: Request, session: Session) -> None:
    """Signs out: the session's row is deleted, so a copy of the cookie no longer opens anything."""
    token = request.session.get("sid")
    if isinstance(token, str):
        security.end_session(session, token)
    request.session.clear()
    request.state.user = None


async def read_form(request: Request) -> FormData:
    """The request's form (empty for GET), read on the event loop so the handlers using it can be plain def."""
    if request.method in SAFE_METHODS:
        return FormData()
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def csrf_valid(request: Request, form: FormData) -> bool:
    if "session" not in request.scope or not (request.session.get("sid") or request.session.get("anon")):
        return False
    expected = csrf_token(request)
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), expected.encode())


# --- who is asking ----------------------------------------------------------------------------------------------

class NotSignedIn(Exception):
    """A reader reached an editing page or endpoint."""


def session_user(request: Request, session: Session) -> User | None:
    """The signed-in, still active user of an unexpired, unrevoked session; None for readers."""
    if "session" not in request.scope:
        return None
    if hasattr(request.state, "user"):
        known: User | None = request.state.user  # found earlier in this request
        return known
    token = request.session.get("sid")
    user = None
    if isinstance(token, str) and token:
        user = queries.user_for_session(session, security.token_digest(token), utcnow())
        if user is None:  # signed out elsewhere, expired, password changed or deactivated: now a reader
            request.session.clear()
    request.state.user = user
    return user


def current_editor(request: Request, session: SessionDep, form: FormDep) -> User:
    """A signed-in editor; for anything but GET/HEAD also a valid CSRF token."""
    user = session_user(request, session)
    if user is None:
        raise NotSignedIn()
    if request.method not in SAFE_METHODS and not csrf_valid(request, form):
        raise Forbidden("The form's security token is missing or out of date. Reload the page and try again.")
    return user


def current_admin(user: Annotated[User, Depends(current_editor)]) -> User:
    if user.role != "admin":
        raise Forbidden("Only an admin can do this.")
    return user


def optional_user(request: Request, session: SessionDep) -> User | None:
    return session_user(request, session)


CurrentEditor = Annotated[User, Depends(current_editor)]
CurrentAdmin = Annotated[User, Depends(current_admin)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL would make sign-in an open redirect."""
    if not target or control_character(target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _wants_redirect(request: Request) -> bool:
    """A person opening a page (GET, not htmx, not the API) is sent to sign in; everything else gets 403."""
    return (request.method in SAFE_METHODS and not htmx(request).request
            and not request.url.path.startswith("/api"))


def install(app: FastAPI, secret_key: str) -> None:
    """Sessions, and the answer for a reader who reached an editing page (refusals are app.web.errors')."""
    app.state.secret_key = secret_key
    app.add_middleware(SchemeAwareSessions, secret_key=secret_key)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_redirect(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return see_other(f"/signin?next={quote(target, safe='')}")
        return error_response(request, 403, "Sign in as an editor to do this.")


# --- signing in -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None
    locked: bool = False
    retry_after: int | None = None


def client_address(request: Request) -> str:
    """The peer's address. X-Forwarded-For is applied by uvicorn only for TRUSTED_PROXIES (app.cli serve), so
    a client cannot pick its own address."""
    return (request.client.host if request.client else "unknown")[:64]


def _seconds(n: int) -> str:
    return f"{n} second{'s' if n != 1 else ''}"


_sign_ins_lock = threading.Lock()
_sign_ins: threading.BoundedSemaphore | None = None


def _sign_in_slots() -> threading.BoundedSemaphore:
    global _sign_ins
    with _sign_ins_lock:
        if _sign_ins is None:
            _sign_ins = threading.BoundedSemaphore(max(1, get_settings().sign_ins_at_once))
        return _sign_ins


def sign_in(session: Session, username: str, password: str, address: str) -> SignInResult:
    """Check a user name and password. At most SIGN_INS_AT_ONCE run at once per worker (the rest are answered
    429 without touching the database); the attempt is counted (atomically, in the database) before the password
    is checked; an account with recent failures waits a growing delay, an address has a budget per window."""
    slots = _sign_in_slots()
    if not slots.acquire(blocking=False):
        return SignInResult(None, "Many sign-ins are being checked just now. Wait 2 seconds and try again.",
                            locked=True, retry_after=2)
    try:
        return _sign_in(session, username, password, address)
    finally:
        slots.release()


def _sign_in(session: Session, username: str, password: str, address: str) -> SignInResult:
    username = (username or "").strip()[:80]
    refusal = security.claim_attempt(session, username, address)
    if refusal is not None:
        who = "this account" if refusal.reason == "account" else "this address"
        wait = _seconds(refusal.wait_seconds) if refusal.wait_seconds < 120 else \
            f"{-(-refusal.wait_seconds // 60)} minutes"
        return SignInResult(None, f"Too many sign-in attempts for {who} just now. Wait {wait} and try again.",
                            locked=True, retry_after=refusal.wait_seconds)
    user = queries.user_by_username(session, username) if username else None
    ok = security.verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        delay = security.attempt_failed(session, username)
        hint = f" The next attempt for this account waits {_seconds(delay)}." if delay else ""
        return SignInResult(None, "That user name and password do not match an active editor." + hint)
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    security.attempt_succeeded(session, username, address)
    return SignInResult(user)
