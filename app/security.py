"""Passwords, session tokens and the sign-in throttle: the security primitives below both the web layer and the
write layer (app/editing.py and app/web/auth.py import from here; this module imports neither).

- Passwords are Argon2id hashes (argon2-cffi). At most `password_checks_at_once` hashes run at once per process
  (each takes ~64 MB and a core), so a burst of sign-ins queues here instead of exhausting memory.
- A signed-in session is a random token in the (signed) cookie and its SHA-256 in `web_sessions`; deleting the
  row ends the session everywhere.
- The throttle counts in `sign_in_throttle`, one INSERT ... ON CONFLICT DO UPDATE ... RETURNING per key and
  attempt, so concurrent attempts in several workers can neither skip the count nor overshoot a limit. An account
  is slowed down (growing delays, at most MAX_DELAY) rather than locked; an address gets a fixed budget per window.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.models import SignInThrottle, User, WebSession
from app.settings import get_settings

MIN_PASSWORD_LENGTH = 10
SESSION_LIFETIME = dt.timedelta(days=14)

THROTTLE_WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES_PER_USER = 3  # failures for one account before each next attempt waits
MAX_DELAY = dt.timedelta(seconds=60)  # the longest an account's owner ever waits
IN_FLIGHT = dt.timedelta(seconds=10)  # one password check per account at a time (released when it finishes)
MAX_FAILURES_PER_ADDRESS = 20  # attempts from one address per window (an office shares one address)

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _hash_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, get_settings().password_checks_at_once))
        return _slots


# --- passwords --------------------------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    with _hash_slots():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    with _hash_slots():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if not password or not password.strip():
        return "the password is empty"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password is too short; use at least {MIN_PASSWORD_LENGTH} characters"
    if len(set(password)) < 4:
        return "the password is too simple; use more different characters"
    return None


# --- session tokens ---------------------------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(secret_key: str, seed: str) -> str:
    """The CSRF token of a session: derived from its (secret) token, so the cookie carries nothing else."""
    mac = hmac.new(secret_key.encode(), b"csrf:" + seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def start_session(session: Session, user: User) -> str:
    """A new server-side session for the user; returns the token for the cookie. Expired rows are cleared."""
    now = utcnow()
    token = new_token()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(WebSession(token_sha256=token_digest(token), user_id=user.id, created_at=now,
                           expires_at=now + SESSION_LIFETIME))
    session.commit()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_sha256 == token_digest(token)))
    session.commit()


def end_user_sessions(session: Session, user_id: int) -> None:
    """Ends every session of a user (password change, deactivation); the caller commits."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


# --- the throttle -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """An attempt refused before any password was checked: why, and how many seconds to wait."""

    reason: str  # "account" | "address"
    wait_seconds: int


def user_key(username: str) -> str:
    return "user:" + username[:80]


def address_key(address: str) -> str:
    return "addr:" + address[:64]


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT in the session's dialect (both spell it the same)."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(SignInThrottle)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite: naive UTC


def delay_after(failures: int) -> dt.timedelta:
    """How long an account waits after `failures` failures in the window: 0 for the first few, then doubling."""
    if failures <= FREE_FAILURES_PER_USER:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (failures - FREE_FAILURES_PER_USER)), MAX_DELAY)


def _wait(session: Session, key: str, now: dt.datetime, *, until_window_end: bool) -> int:
    row = session.get(SignInThrottle, key, populate_existing=True)
    if row is None:
        return 1
    end = _aware(row.window_start) + THROTTLE_WINDOW if until_window_end else _aware(row.blocked_until or now)
    return max(1, int(-(-(end - now).total_seconds() // 1)))


def claim_attempt(session: Session, username: str, address: str) -> Refusal | None:
    """Count one sign-in attempt for the address and the account before any password is checked. None: go on
    and check the password (then call attempt_failed or attempt_succeeded); a Refusal: answer 429 at once.
    Each count is one atomic statement, committed before the (slow) password check."""
    T = SignInThrottle.__table__
    now = utcnow()
    since = now - THROTTLE_WINDOW
    expired = T.c.window_start < since
    ins = _insert(session)
    addr = (ins.values(key=address_key(address), failures=1, window_start=now, blocked_until=None)
            .on_conflict_do_update(
                index_elements=[T.c.key],
                set_={"failures": case((expired, 1), else_=T.c.failures + 1),
                      "window_start": case((expired, now), else_=T.c.window_start)},
                where=or_(expired, T.c.failures < MAX_FAILURES_PER_ADDRESS))
            .returning(T.c.failures))
    if session.execute(addr).first() is None:
        session.commit()
        return Refusal("address", _wait(session, address_key(address), now, until_window_end=True))
    acct = (ins.values(key=user_key(username), failures=1, window_start=now, blocked_until=now + IN_FLIGHT)
            .on_conflict_do_update(
                index_elements=[T.c.key],
                set_={"failures": case((expired, 1), else_=T.c.failures + 1),
                      "window_start": case((expired, now), else_=T.c.window_start),
                      "blocked_until": now + IN_FLIGHT},
                where=or_(expired, T.c.blocked_until.is_(None), T.c.blocked_until <= now))
            .returning(T.c.failures))
    claimed = session.execute(acct).first()
    session.commit()
    if claimed is None:
        return Refusal("account", _wait(session, user_key(username), now, until_window_end=False))
    return None


def attempt_failed(session: Session, username: str) -> int:
    """The password did not match: the account's next attempt waits delay_after(failures). Returns the delay in
    seconds."""
    row = session.get(SignInThrottle, user_key(username), populate_existing=True)
    failures = row.failures if row is not None else 1
    delay = delay_after(failures)
    session.execute(update(SignInThrottle).where(SignInThrottle.key == user_key(username))
                    .values(blocked_until=utcnow() + delay))
    session.commit()
    return int(delay.total_seconds())


def attempt_succeeded(session: Session, username: str, address: str) -> None:
    """Signed in: the account's count is cleared and this attempt no longer counts against the address."""
    T = SignInThrottle
    now = utcnow()
    session.execute(delete(T).where(T.key == user_key(username)))
    session.execute(update(T).where(T.key == address_key(address), T.failures > 0)
                    .values(failures=T.failures - 1))
    session.execute(delete(T).where(T.window_start < now - THROTTLE_WINDOW,
                                    or_(T.blocked_until.is_(None), T.blocked_until < now)))
    session.commit()


def failures_for(session: Session, username: str) -> int:
    """Failures counted for an account in the current window (tests and messages)."""
    row = session.scalar(select(SignInThrottle).where(SignInThrottle.key == user_key(username)))
    return row.failures if row is not None else 0
