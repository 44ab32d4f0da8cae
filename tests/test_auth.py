"""Accounts and sign-in: Argon2 hashes, the signed session cookie, CSRF, throttling, readers kept out, the CLI."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.editing import EditError, create_user
from app.models import SignInAttempt, User
from app.web import auth

PASSWORD = "correct horse battery"


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def _sign_in(client, username, password=PASSWORD, next="/"):
    token = _csrf(client.get("/signin").text)
    return client.post("/signin", data={"username": username, "password": password, "csrf_token": token,
                                        "next": next}, follow_redirects=False)


@pytest.fixture
def editor(session):
    return create_user(session, "erin", PASSWORD)


def test_passwords_are_argon2_hashes(editor):
    assert editor.password_hash.startswith("$argon2id$")
    assert PASSWORD not in editor.password_hash
    assert auth.verify_password(editor.password_hash, PASSWORD)
    assert not auth.verify_password(editor.password_hash, PASSWORD + "x")
    assert not auth.verify_password(None, PASSWORD)


@pytest.mark.parametrize("password, message", [
    ("", "empty"), ("   ", "empty"), ("short1", "too short"), ("aaaaaaaaaaaa", "too simple")])
def test_weak_passwords_are_refused(session, password, message):
    with pytest.raises(EditError, match=message):
        create_user(session, "weak", password)
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_in_sets_a_signed_httponly_lax_cookie(client, editor):
    r = _sign_in(client, "erin", next="/editor/review")
    assert r.status_code == 303 and r.headers["location"] == "/editor/review"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower().replace("samesite", "")
    page = client.get("/editor/review")
    assert page.status_code == 200 and "erin" in page.text and "Sign out" in page.text


def test_cookie_is_secure_over_https(app, editor):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as c:
        r = _sign_in(c, "erin")
        assert r.status_code == 303
        assert "; secure" in r.headers["set-cookie"].lower()


def test_a_tampered_cookie_is_a_reader(client, editor):
    _sign_in(client, "erin")
    value = client.cookies[auth.SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(auth.SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    r = client.get("/editor/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_sessions_need_no_server_memory(app, engine, editor):
    """Another app instance (another worker) with the same secret accepts the cookie."""
    from fastapi.testclient import TestClient

    from app.web import create_app

    with TestClient(app) as first:
        _sign_in(first, "erin")
        cookie = first.cookies[auth.SESSION_COOKIE]
    with TestClient(create_app(engine)) as second:
        second.cookies.set(auth.SESSION_COOKIE, cookie)
        assert second.get("/editor/review").status_code == 200


def test_wrong_password_fails_without_saying_which_part(client, editor):
    r = _sign_in(client, "erin", "wrong password here")
    assert r.status_code == 401
    assert "do not match" in r.text
    assert 'value="erin"' in r.text  # what was typed is kept (not the password)
    r = _sign_in(client, "nobody", "wrong password here")
    assert r.status_code == 401 and "do not match" in r.text


def test_sign_in_needs_the_csrf_token(client, editor):
    client.get("/signin")
    r = client.post("/signin", data={"username": "erin", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert auth.SESSION_COOKIE not in r.headers.get("set-cookie", "") or "uid" not in r.text


def test_next_cannot_leave_the_site(client, editor):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = _sign_in(client, "erin", next=target)
        assert r.headers["location"] == "/"
        client.cookies.clear()


def test_repeated_failures_lock_the_account_for_a_while(client, session, editor):
    for _ in range(auth.MAX_FAILURES_PER_USER):
        assert _sign_in(client, "erin", "not the password").status_code == 401
    r = _sign_in(client, "erin")  # the right password, but locked now
    assert r.status_code == 429
    assert "Too many failed sign-ins for this account" in r.text and "minute" in r.text
    # Counted in the database, so every worker process sees the same count.
    assert session.scalar(select(func.count()).select_from(SignInAttempt)
                          .where(SignInAttempt.username == "erin")) == auth.MAX_FAILURES_PER_USER
    # Once the failures are older than the window, the account opens again.
    old = dt.datetime.now(dt.timezone.utc) - auth.THROTTLE_WINDOW - dt.timedelta(minutes=1)
    for attempt in session.scalars(select(SignInAttempt)):
        attempt.at = old
    session.commit()
    assert _sign_in(client, "erin").status_code == 303
    assert session.scalar(select(func.count()).select_from(SignInAttempt)) == 0


def test_repeated_failures_from_one_address_are_slowed_too(client, session, editor):
    create_user(session, "other", PASSWORD)
    names = [f"guess{i}" for i in range(auth.MAX_FAILURES_PER_ADDRESS)]
    for name in names:
        _sign_in(client, name, "whatever password")
    r = _sign_in(client, "other")
    assert r.status_code == 429 and "this address" in r.text


def test_sign_out_ends_the_session(client, editor):
    _sign_in(client, "erin")
    page = client.get("/editor/review").text
    r = client.post("/signout", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token(client, editor):
    _sign_in(client, "erin")
    assert client.post("/signout", data={}).status_code == 403
    assert client.get("/editor/review").status_code == 200


def test_a_deactivated_user_is_signed_out(client, session, editor):
    _sign_in(client, "erin")
    editor.active = False
    session.commit()
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


def test_a_password_change_ends_other_sessions(client, session, editor):
    _sign_in(client, "erin")
    editor.password_hash = auth.hash_password("a brand new password")
    session.commit()
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


# --- readers are kept out ---------------------------------------------------------------------------------------

EDIT_PAGES = ["/editor/review", "/editor/statements/new", "/editor/articles/new", "/editor/statements/1/edit",
              "/editor/review/1/correct"]
EDIT_POSTS = ["/editor/statements/new", "/editor/statements/1/edit", "/editor/statements/1/delete",
              "/editor/statements/1/restore", "/editor/review/1/verify", "/editor/review/1/dismiss",
              "/editor/review/1/correct", "/editor/articles/new", "/editor/audit/1/revert", "/signout"]


@pytest.mark.parametrize("path", EDIT_PAGES)
def test_readers_are_sent_to_sign_in_from_pages(client, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/signin?next=")


@pytest.mark.parametrize("path", EDIT_PAGES)
def test_readers_get_403_from_htmx(client, path):
    assert client.get(path, headers={"HX-Request": "true"}).status_code == 403


@pytest.mark.parametrize("path", EDIT_POSTS)
def test_readers_get_403_from_state_changing_requests(client, path):
    r = client.post(path, data={"quote": "x"}, follow_redirects=False)
    assert r.status_code == 403


@pytest.mark.parametrize("path", EDIT_POSTS[:-1])
def test_editors_without_a_csrf_token_get_403(client, editor, path):
    _sign_in(client, "erin")
    assert client.post(path, data={"quote": "x"}).status_code == 403
    assert client.post(path, data={"quote": "x", "csrf_token": "forged"}).status_code == 403


def test_csrf_header_works_for_htmx(client, session, editor):
    from factories import add_statement

    s = add_statement(session, "FR", "support", "2025-02-01")
    session.commit()
    _sign_in(client, "erin")
    token = _csrf(client.get("/editor/review").text)
    r = client.post(f"/editor/review/{s.id}/verify", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 200


def test_signed_in_pages_carry_the_token_for_htmx(client, editor):
    assert "hx-headers" not in client.get("/").text  # readers get no token and no session cookie
    assert auth.SESSION_COOKIE not in client.cookies
    _sign_in(client, "erin")
    html = client.get("/").text
    token = _csrf(html)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in html


# --- the command line -------------------------------------------------------------------------------------------

def test_create_editor_reads_the_password_from_stdin(settings_env, session):
    r = CliRunner().invoke(cli, ["create-editor", "nina", "--admin"], input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    user = session.scalar(select(User).where(User.username == "nina"))
    assert user.role == "admin" and auth.verify_password(user.password_hash, PASSWORD)
    assert PASSWORD not in r.output


def test_create_editor_refuses_an_existing_user(settings_env, session):
    create_user(session, "nina", PASSWORD)
    r = CliRunner().invoke(cli, ["create-editor", "nina"], input=PASSWORD + "\n")
    assert r.exit_code == 1 and "already exists" in r.output


@pytest.mark.parametrize("password, message", [("", "empty"), ("abc", "too short")])
def test_create_editor_refuses_a_weak_password(settings_env, session, password, message):
    r = CliRunner().invoke(cli, ["create-editor", "nina"], input=password + "\n")
    assert r.exit_code == 1 and message in r.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_editor_takes_no_password_argument(settings_env):
    r = CliRunner().invoke(cli, ["create-editor", "nina", PASSWORD], input=PASSWORD + "\n")
    assert r.exit_code != 0
