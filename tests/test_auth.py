"""Accounts and sign-in: Argon2 hashes, the signed session cookie, CSRF, throttling, readers kept out, the CLI."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app import security
from app.editing import EditError, create_user, set_active, set_password
from app.models import SignInThrottle, User, WebSession
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
    assert security.verify_password(editor.password_hash, PASSWORD)
    assert not security.verify_password(editor.password_hash, PASSWORD + "x")
    assert not security.verify_password(None, PASSWORD)


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


def _throttle(session, key):
    session.expire_all()
    return session.get(SignInThrottle, key)


def test_repeated_failures_slow_the_account_down_without_locking_it(client, session, editor):
    for _ in range(security.FREE_FAILURES_PER_USER):
        assert _sign_in(client, "erin", "not the password").status_code == 401
    r = _sign_in(client, "erin", "not the password")
    assert r.status_code == 401 and "next attempt for this account waits 2 seconds" in r.text
    r = _sign_in(client, "erin")  # the right password, but too soon
    assert r.status_code == 429 and r.headers["retry-after"] in ("1", "2")
    assert "Too many sign-in attempts for this account" in r.text and "second" in r.text
    # Counted in the database, so every worker process sees the same count; the refused attempt checked no
    # password and does not count, so hammering cannot lengthen the owner's wait.
    assert _throttle(session, "user:erin").failures == security.FREE_FAILURES_PER_USER + 1
    # Once the delay has passed, the owner signs in; the account's count is cleared.
    row = _throttle(session, "user:erin")
    row.blocked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    assert _sign_in(client, "erin").status_code == 303
    assert _throttle(session, "user:erin") is None


def test_the_delay_grows_but_never_past_a_minute(session, editor):
    for n in range(1, 30):
        assert security.delay_after(n) <= security.MAX_DELAY
    assert [security.delay_after(n).total_seconds() for n in range(3, 9)] == [0, 2, 4, 8, 16, 32]
    # Hammering the account: each refused attempt does not push the owner's wait further.
    for _ in range(12):
        if security.claim_attempt(session, "erin", "203.0.113.9") is None:
            security.attempt_failed(session, "erin")
        row = _throttle(session, "user:erin")
        row.blocked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.commit()
    security.claim_attempt(session, "erin", "203.0.113.10")
    wait = security.attempt_failed(session, "erin")
    assert wait == security.MAX_DELAY.total_seconds()


def test_an_attempt_in_flight_holds_the_account(session, editor):
    """The count and the check are one statement: a second attempt while the first is being checked is refused,
    so concurrent attempts cannot overshoot."""
    assert security.claim_attempt(session, "erin", "203.0.113.1") is None
    refusal = security.claim_attempt(session, "erin", "203.0.113.2")
    assert refusal is not None and refusal.reason == "account"
    security.attempt_failed(session, "erin")
    assert security.claim_attempt(session, "erin", "203.0.113.2") is None


def test_the_address_budget_is_exact(session):
    for i in range(security.MAX_FAILURES_PER_ADDRESS):
        assert security.claim_attempt(session, f"guess{i}", "198.51.100.7") is None
    refusal = security.claim_attempt(session, "another", "198.51.100.7")
    assert refusal is not None and refusal.reason == "address" and refusal.wait_seconds > 60
    assert _throttle(session, "addr:198.51.100.7").failures == security.MAX_FAILURES_PER_ADDRESS


def test_repeated_failures_from_one_address_are_slowed_too(client, session, editor):
    create_user(session, "other", PASSWORD)
    names = [f"guess{i}" for i in range(security.MAX_FAILURES_PER_ADDRESS)]
    for name in names:
        _sign_in(client, name, "whatever password")
    r = _sign_in(client, "other")
    assert r.status_code == 429 and "this address" in r.text and "minutes" in r.text


def test_sign_out_ends_the_session(client, editor):
    _sign_in(client, "erin")
    page = client.get("/editor/review").text
    r = client.post("/signout", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


def test_a_cookie_copied_before_sign_out_is_worthless_after(app, session, editor):
    from fastapi.testclient import TestClient

    with TestClient(app) as browser, TestClient(app) as thief:
        _sign_in(browser, "erin")
        thief.cookies.set(auth.SESSION_COOKIE, browser.cookies[auth.SESSION_COOKIE])
        assert thief.get("/editor/review").status_code == 200
        token = _csrf(browser.get("/editor/review").text)
        assert browser.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert thief.get("/editor/review", follow_redirects=False).status_code == 303
    assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_the_cookie_carries_no_name_role_or_token(client, session, editor):
    import base64
    import json

    _sign_in(client, "erin")
    value = client.cookies[auth.SESSION_COOKIE]
    payload = json.loads(base64.b64decode(value.split(".")[0] + "=="))
    assert list(payload) == ["sid"]
    token = _csrf(client.get("/editor/review").text)
    assert "erin" not in value and "editor" not in json.dumps(payload) and token not in json.dumps(payload)
    # Only the token's digest is stored.
    assert session.scalar(select(WebSession.token_sha256)) == security.token_digest(payload["sid"])


def test_sign_out_needs_the_csrf_token(client, editor):
    _sign_in(client, "erin")
    assert client.post("/signout", data={}).status_code == 403
    assert client.get("/editor/review").status_code == 200


def test_a_deactivated_user_is_signed_out(client, session, editor):
    _sign_in(client, "erin")
    editor.active = False  # even set directly in the database
    session.commit()
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


def test_deactivation_revokes_the_sessions(client, session, editor):
    _sign_in(client, "erin")
    set_active(session, editor, False)
    assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    set_active(session, editor, True)  # reactivated: the old cookie still opens nothing
    assert client.get("/editor/review", follow_redirects=False).status_code == 303


def test_a_password_change_ends_the_sessions(client, session, editor):
    _sign_in(client, "erin")
    set_password(session, editor, "a brand new password")
    assert client.get("/editor/review", follow_redirects=False).status_code == 303
    assert _sign_in(client, "erin", "a brand new password").status_code == 303


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
    assert user.role == "admin" and security.verify_password(user.password_hash, PASSWORD)
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


def test_set_password_and_deactivate_from_the_command_line_end_sessions(settings_env, app, session):
    from fastapi.testclient import TestClient

    create_user(session, "nina", PASSWORD)
    with TestClient(app) as c:
        _sign_in(c, "nina")
        r = CliRunner().invoke(cli, ["set-password", "nina"], input="another long password\n")
        assert r.exit_code == 0, r.output
        assert c.get("/editor/review", follow_redirects=False).status_code == 303
        assert _sign_in(c, "nina", "another long password").status_code == 303
        r = CliRunner().invoke(cli, ["deactivate-editor", "nina"])
        assert r.exit_code == 0 and "deactivated" in r.output
        assert c.get("/editor/review", follow_redirects=False).status_code == 303
        assert _sign_in(c, "nina", "another long password").status_code == 401
    assert CliRunner().invoke(cli, ["set-password", "nobody"], input="x\n").exit_code == 1
    assert CliRunner().invoke(cli, ["set-password", "nina"], input="short\n").exit_code == 1
