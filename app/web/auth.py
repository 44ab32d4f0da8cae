"""Editors' sign-in: password hashes, signed session cookies, CSRF tokens, throttling, and the editor dependencies."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import delete
from sqlalchemy.orm import Session
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app import queries
from app.models import SignInAttempt, User, utcnow
from app.web.deps import SessionDep, templates

SESSION_COOKIE = "stancemap_session"
SESSION_MAX_AGE = 14 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Failed sign-ins inside this window count; past the limits the form refuses to check passwords until the oldest
# failure in the window ages out. Per address is looser: an office shares one address.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# --- passwords --------------------------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if not password or not password.strip():
        return "the password is empty"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password is too short; use at least {MIN_PASSWORD_LENGTH} characters"
    if len(set(password)) < 4:
        return "the password is too simple; use more different characters"
    return None


# --- sessions ---------------------------------------------------------------------------------------------------

class SchemeAwareSessions:
    """Starlette's signed-cookie sessions (nothing kept in server memory, so every worker reads every session),
    with the Secure flag on when the request came over https (uvicorn's proxy headers set the scheme)."""

    def __init__(self, app: ASGIApp, secret_key: str):
        options = {"secret_key": secret_key, "session_cookie": SESSION_COOKIE, "max_age": SESSION_MAX_AGE,
                   "same_site": "lax"}
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        middleware = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await middleware(scope, receive, send)


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def signed_in_name(request: Request) -> str | None:
    """The signed-in user's name from the session cookie, for the navigation (no database read)."""
    return request.session.get("username") if "session" in request.scope else None


def is_admin_session(request: Request) -> bool:
    return "session" in request.scope and request.session.get("role") == "admin"


templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["signed_in_name"] = signed_in_name
templates.env.globals["is_admin_session"] = is_admin_session


def password_tag(user: User) -> str:
    """A short digest of the password hash: a password change signs out every other session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def start_session(request: Request, user: User) -> None:
    # A fresh CSRF token at sign-in, so a token planted before sign-in is worthless afterwards.
    request.session.clear()
    request.session.update({"uid": user.id, "username": user.username, "role": user.role,
                            "pw": password_tag(user), "csrf": secrets.token_urlsafe(32)})


def end_session(request: Request) -> None:
    request.session.clear()


async def csrf_valid(request: Request) -> bool:
    expected = request.session.get("csrf")
    if not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    return isinstance(sent, str) and hmac.compare_digest(sent, expected)


# --- who is asking ----------------------------------------------------------------------------------------------

class NotSignedIn(Exception):
    """A reader reached an editing page or endpoint."""


class Forbidden(Exception):
    """Signed in, but not allowed (bad CSRF token, or an editor doing an admin's job)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def session_user(request: Request, session: Session) -> User | None:
    """The signed-in, still active user; None for readers or for a session whose password has since changed."""
    if "session" not in request.scope:
        return None
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = queries.get_user(session, uid)
    if user is None or not user.active or password_tag(user) != request.session.get("pw"):
        return None
    return user


async def current_editor(request: Request, session: SessionDep) -> User:
    """A signed-in editor; for anything but GET/HEAD also a valid CSRF token."""
    user = session_user(request, session)
    if user is None:
        raise NotSignedIn()
    if request.method not in SAFE_METHODS and not await csrf_valid(request):
        raise Forbidden("The form's security token is missing or out of date. Reload the page and try again.")
    return user


async def current_admin(user: Annotated[User, Depends(current_editor)]) -> User:
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
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _wants_redirect(request: Request) -> bool:
    """A person opening a page (GET, not htmx, not the API) is sent to sign in; everything else gets 403."""
    return (request.method in SAFE_METHODS and request.headers.get("HX-Request") != "true"
            and not request.url.path.startswith("/api"))


def install(app: FastAPI, secret_key: str) -> None:
    """Sessions and the answers for readers and refused requests."""
    from app.web import _error_response

    app.add_middleware(SchemeAwareSessions, secret_key=secret_key)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn):
        if _wants_redirect(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
        return _error_response(request, 403, "Sign in as an editor to do this.")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return _error_response(request, 403, exc.message)


# --- throttling -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None
    locked: bool = False


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]


def _minutes_until(oldest: dt.datetime, now: dt.datetime) -> int:
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=dt.timezone.utc)
    remaining = oldest + THROTTLE_WINDOW - now
    return max(1, -(-int(remaining.total_seconds()) // 60))


def sign_in(session: Session, username: str, password: str, address: str) -> SignInResult:
    """Check a user name and password, counting failures in the database so every worker sees them."""
    username = (username or "").strip()[:80]
    now = utcnow()
    since = now - THROTTLE_WINDOW
    per_user, oldest_user = queries.failed_sign_ins_since(session, since, username=username)
    per_address, oldest_address = queries.failed_sign_ins_since(session, since, address=address)
    if per_user >= MAX_FAILURES_PER_USER or per_address >= MAX_FAILURES_PER_ADDRESS:
        oldest = oldest_user if per_user >= MAX_FAILURES_PER_USER else oldest_address
        who = "this account" if per_user >= MAX_FAILURES_PER_USER else "this address"
        minutes = _minutes_until(oldest, now)
        return SignInResult(None, f"Too many failed sign-ins for {who}. Wait {minutes} minute"
                                  f"{'s' if minutes != 1 else ''} and try again.", locked=True)
    user = queries.user_by_username(session, username) if username else None
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        session.add(SignInAttempt(username=username, address=address, at=now))
        session.commit()
        left = MAX_FAILURES_PER_USER - per_user - 1
        hint = f" {left} more tr{'ies' if left != 1 else 'y'} before a {int(THROTTLE_WINDOW.total_seconds() // 60)}" \
               f"-minute pause." if 0 < left <= 2 else ""
        return SignInResult(None, "That user name and password do not match an active editor." + hint)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.execute(delete(SignInAttempt).where(SignInAttempt.username == username))
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < since))
    session.commit()
    return SignInResult(user)
