"""Issue 13, the web half: every defect found by probing as an attacker, one test each, on both databases.

Bursts and proxies are tested against a real uvicorn server (in a thread, on this test's database); the rest
through Starlette's test client.
"""
from __future__ import annotations

import concurrent.futures
import re
import socket
import threading
import time

import httpx2 as httpx
import pytest
import uvicorn
from sqlalchemy import func, select, text

from app import security
from app.editing import create_user
from app.models import SignInThrottle, Statement
from app.web import auth, create_app, server_options
from factories import add_statement

PASSWORD = "correct horse battery"


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def _sign_in(client, username="erin", password=PASSWORD):
    token = _csrf(client.get("/signin").text)
    return client.post("/signin", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


@pytest.fixture
def editor(session):
    return create_user(session, "erin", PASSWORD)


@pytest.fixture
def statement(session):
    s = add_statement(session, "FR", "support", "2025-02-01")
    session.commit()
    return s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app, **options):
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    **options))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=15)


# --- no request can stall the others ----------------------------------------------------------------------------

def test_a_burst_of_100_sign_ins_is_answered_while_readers_are_served(engine, editor, statement):
    with LiveServer(create_app(engine), **server_options()) as base:
        with httpx.Client(base_url=base, timeout=120) as c:
            token = _csrf(c.get("/signin").text)
            cookies = dict(c.cookies)

        def attempt(i: int) -> int:
            with httpx.Client(base_url=base, cookies=cookies, timeout=120) as c:
                return c.post("/signin", data={"username": "erin", "password": f"wrong password {i}",
                                               "csrf_token": token}).status_code

        stop = threading.Event()
        reader_statuses: list[int] = []

        def read() -> None:
            with httpx.Client(base_url=base, timeout=120) as c:
                while not stop.is_set():
                    for path in ("/healthz", "/api/positions?as_of=2025-03-01", "/statements"):
                        reader_statuses.append(c.get(path).status_code)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for r in readers:
            r.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
            statuses = list(pool.map(attempt, range(100)))
        stop.set()
        for r in readers:
            r.join()
    assert len(statuses) == 100
    assert set(statuses) <= {401, 429}, statuses
    assert 401 in statuses and 429 in statuses
    assert reader_statuses and set(reader_statuses) == {200}


def test_sign_ins_past_the_per_worker_limit_are_answered_429_at_once(client, session, editor):
    slots = auth._sign_in_slots()
    held = 0
    while slots.acquire(blocking=False):  # every slot busy, as in a burst
        held += 1
    try:
        r = _sign_in(client)
        assert r.status_code == 429 and r.headers["retry-after"] == "2" and "Many sign-ins" in r.text
        assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 0  # no database work
    finally:
        for _ in range(held):
            slots.release()
    assert _sign_in(client).status_code == 303


def test_sign_in_and_editor_handlers_are_plain_functions():
    """FastAPI runs plain def handlers in its thread pool; async def ones run on the event loop."""
    import inspect

    from fastapi.routing import APIRoute

    from app.web import api, editor, pages

    routes = [r for m in (api, editor, pages) for r in m.router.routes if isinstance(r, APIRoute)]
    assert len([r for r in routes if "POST" in r.methods]) >= 10
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []


def test_the_pool_is_sized_for_the_threads(engine):
    from app.settings import get_settings

    settings = get_settings()
    if engine.dialect.name == "postgresql" or engine.url.database not in (None, "", ":memory:"):
        assert engine.pool.size() + settings.db_max_overflow >= settings.web_threads


# --- every input validated at the edge --------------------------------------------------------------------------

BIG_IDS = ["2147483648", "9223372036854775808", "9" * 5000, "0", "-1", "1e3", "abc", "١٢"]


@pytest.mark.parametrize("raw", BIG_IDS)
def test_ids_out_of_range_are_404(client, raw):
    r = client.get(f"/statements/{raw}")
    assert r.status_code == 404 and "There is no page" in r.text


@pytest.mark.parametrize("raw", ["2147483648", "9" * 5000])
def test_ids_out_of_range_are_404_for_editors_too(client, editor, raw):
    _sign_in(client)
    token = _csrf(client.get("/editor/review").text)
    assert client.get(f"/editor/statements/{raw}/edit").status_code == 404
    assert client.post(f"/editor/review/{raw}/verify", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/editor/audit/{raw}/revert", data={"csrf_token": token}).status_code in (403, 404)


def test_a_nul_in_the_sign_in_name_is_a_422_message(client, editor):
    r = _sign_in(client, "er\x00in")
    assert r.status_code == 422 and "control character (U+0000)" in r.text
    assert 'id="f-username"' in r.text


@pytest.mark.parametrize("field", ["country_iso2", "quote", "speaker", "conditions", "source_url", "stance",
                                   "stated_on"])
def test_a_nul_in_any_statement_field_is_a_422_message_and_the_form_keeps_the_rest(client, session, editor, field):
    _sign_in(client)
    token = _csrf(client.get("/editor/statements/new").text)
    data = {"csrf_token": token, "country_iso2": "France (FR)", "stance": "support", "date_precision": "day",
            "stated_on": "2025-02-01", "quote": "France will send troops.", "speaker": "Macron",
            "conditions": "", "source_url": "https://news.example/a"}
    data[field] = data[field][:3] + "\x00" + data[field][3:] if data[field] else "\x00"
    r = client.post("/editor/statements/new", data=data)
    assert r.status_code == 422 and "control character (U+0000)" in r.text
    assert "Macron" in r.text or field == "speaker"
    assert session.scalar(select(func.count()).select_from(Statement)) == 0


@pytest.mark.parametrize("path, status", [("/editor/statements/new?country=x%00y", 200),
                                          ("/?country=F%00", 422), ("/statements?country=%00", 422),
                                          ("/api/statements?country=F%00", 422), ("/statements?q=a%00b", 422)])
def test_a_nul_in_a_query_parameter_is_no_server_error(client, editor, path, status):
    _sign_in(client)
    assert client.get(path).status_code == status


def test_other_control_characters_are_refused_too(client, editor):
    _sign_in(client)
    token = _csrf(client.get("/editor/articles/new").text)
    r = client.post("/editor/articles/new", data={"csrf_token": token, "body": "Text \x1b[31m here.",
                                                   "title": "A title\x07"})
    assert r.status_code == 422
    assert "U+001B" in r.text and "U+0007" in r.text


def test_a_nul_in_the_edit_and_correct_forms_is_refused(client, session, editor, statement):
    _sign_in(client)
    token = _csrf(client.get(f"/editor/statements/{statement.id}/edit").text)
    data = {"csrf_token": token, "country_iso2": "FR\x00", "stance": "support", "date_precision": "day",
            "stated_on": "2025-02-01", "quote": "Quote", "version": "1"}
    assert client.post(f"/editor/statements/{statement.id}/edit", data=data).status_code == 422
    assert client.post(f"/editor/review/{statement.id}/correct", data=data).status_code == 422
    data = {**data, "country_iso2": "FR", "version": "\x00"}
    assert client.post(f"/editor/review/{statement.id}/verify", data={"csrf_token": token, "version": "²"}
                       ).status_code in (200, 303)


@pytest.mark.parametrize("page", [str(10**21), "1" * 5000, "²"])
def test_page_numbers_are_bounded(client, editor, page):
    _sign_in(client)
    # the review queue pages by cursor: a cursor that names no place is refused, a suggestion id ignored
    assert client.get("/editor/review", params={"after": page}).status_code == 422
    assert client.get("/editor/review", params={"kind": "suggestions", "after_id": page}).status_code == 200
    assert client.get("/statements", params={"page": page}).status_code == 422


@pytest.mark.parametrize("published_on, message", [
    ("0001-01-15", "before 1991-01-01"), ("9999-12-31", "in the future"), ("2025-1-5", "use YYYY-MM-DD"),
    ("1740787200", "use YYYY-MM-DD")])
def test_the_article_form_refuses_dates_outside_the_bounds(client, session, editor, published_on, message):
    _sign_in(client)
    token = _csrf(client.get("/editor/articles/new").text)
    body = "Last month, France said it was ready to send troops to a reassurance force in Ukraine."
    r = client.post("/editor/articles/new", data={"csrf_token": token, "body": body, "published_on": published_on})
    assert r.status_code == 422 and message in r.text
    assert body in r.text  # the form keeps what was typed
    assert session.scalar(select(func.count()).select_from(Statement)) == 0


@pytest.mark.parametrize("value", ["1740787200", "0", "2025-03-01T00:00:00", "0001-01-15", "9999-12-31",
                                   "2025-3-1", " "])
def test_the_api_parses_dates_like_the_pages(client, value):
    api = client.get("/api/positions", params={"as_of": value})
    page = client.get("/", params={"as_of": value})
    if not value.strip():
        assert api.status_code == 200 and page.status_code == 200
        return
    assert api.status_code == 422, api.text
    assert page.status_code == 422
    assert client.get("/api/statements", params={"date_from": value}).status_code == 422


def test_the_api_and_the_pages_accept_a_plain_date(client, statement):
    assert client.get("/api/positions", params={"as_of": "2025-03-01"}).json()[0]["country"] == "FR"
    assert client.get("/", params={"as_of": "2025-03-01"}).status_code == 200


def test_a_500_keeps_the_connection_usable(engine):
    """An unhandled error answers the 500 page and the same keep-alive connection serves the next request."""
    app = create_app(engine)

    @app.get("/test-only-boom")
    def boom():
        raise RuntimeError("a bug")

    with LiveServer(app, **server_options()) as base:
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as sock:
            f = sock.makefile("rb")

            def ask(path: str) -> tuple[int, bytes]:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                status = int(f.readline().split()[1])
                length = 0
                while (line := f.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                return status, f.read(length)

            status, body = ask("/test-only-boom")
            assert status == 500 and b"Something went wrong" in body and b"Traceback" not in body
            assert ask("/healthz")[0] == 200  # the same connection


# --- headers ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/statements", "/about", "/signin", "/api/countries", "/docs",
                                  "/no-such-page", "/static/app.css"])
def test_every_answer_has_the_security_headers(client, path):
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_templates_hold_no_inline_script_or_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    for path in root.rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "hx-on" not in html and "javascript:" not in html.replace('"javascript:"', ""), path


def test_an_embed_can_opt_in_to_framing(engine):
    from fastapi.testclient import TestClient
    from starlette.responses import HTMLResponse

    from app.web.headers import allow_framing

    app = create_app(engine)

    @app.get("/test-only-embed")
    def embed():
        return allow_framing(HTMLResponse("<p>map</p>"), "https://partner.example")

    with TestClient(app) as c:
        r = c.get("/test-only-embed")
        assert "frame-ancestors https://partner.example" in r.headers["content-security-policy"]
        assert "x-frame-options" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff"
        assert c.get("/").headers["x-frame-options"] == "DENY"


def test_asset_urls_never_come_from_the_host_header(client):
    html = client.get("/", headers={"Host": "localhost"}).text
    # paths on this site (under content-hashed names), never an absolute URL built from the Host header
    assert re.search(r'href="/static/app\.[0-9a-f]{12}\.css"', html)
    assert re.search(r'src="/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js"', html)
    # Only the share control's link and embed code are absolute (they are pasted elsewhere): built from PUBLIC_URL,
    # else from the Host that TRUSTED_HOSTS let in (tests/test_share.py).
    outside_share = re.sub(r'<details class="share".*?</details>', "", html, flags=re.S)
    assert "localhost" not in outside_share and "testserver" not in outside_share


def test_an_untrusted_host_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_a_configured_asset_base_url_is_used_and_allowed(engine, monkeypatch):
    from fastapi.testclient import TestClient

    from app.settings import get_settings

    monkeypatch.setenv("ASSET_BASE_URL", "https://assets.example/sm")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(engine)) as c:
            r = c.get("/")
            assert re.search(r'href="https://assets\.example/sm/static/app\.[0-9a-f]{12}\.css"', r.text)
            assert "script-src 'self' https://assets.example" in r.headers["content-security-policy"]
    finally:
        get_settings.cache_clear()


# --- the throttle behind (and not behind) a proxy ---------------------------------------------------------------

def _throttle_keys(session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(SignInThrottle.key)))


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(engine, session, editor):
    assert server_options() == {"proxy_headers": False, "forwarded_allow_ips": ""}
    with LiveServer(create_app(engine), **server_options()) as base, httpx.Client(base_url=base) as c:
        token = _csrf(c.get("/signin").text)
        statuses = [c.post("/signin", headers={"X-Forwarded-For": f"10.0.{i // 250}.{i % 250}"},
                           data={"username": f"guess{i}", "password": "x" * 12, "csrf_token": token}).status_code
                    for i in range(security.MAX_FAILURES_PER_ADDRESS + 1)]
    assert statuses[-1] == 429  # the rotating header did not reset the address's budget
    assert {k for k in _throttle_keys(session) if k.startswith("addr:")} == {"addr:127.0.0.1"}


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(engine, session, editor):
    with LiveServer(create_app(engine), proxy_headers=True, forwarded_allow_ips="127.0.0.1") as base, \
            httpx.Client(base_url=base) as c:
        token = _csrf(c.get("/signin").text)
        r = c.post("/signin", headers={"X-Forwarded-For": "203.0.113.5"},
                   data={"username": "erin", "password": "wrong password", "csrf_token": token})
        assert r.status_code == 401
    assert "addr:203.0.113.5" in _throttle_keys(session)


def test_the_throttle_does_not_overshoot_under_concurrency(engine, session, editor):
    """Many workers' worth of simultaneous wrong passwords for one account: at most one is checked at a time."""
    from app.db import session_factory

    factory = session_factory(engine)
    barrier = threading.Barrier(8)

    def attempt(i: int) -> bool:
        s = factory()
        try:
            barrier.wait()
            return security.claim_attempt(s, "erin", f"192.0.2.{i}") is None
        finally:
            s.close()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        claimed = list(pool.map(attempt, range(8)))
    assert claimed.count(True) == 1
    assert security.failures_for(session, "erin") == 1


# --- outages ----------------------------------------------------------------------------------------------------

def _unreachable_engine(engine):
    from app.db import create_engine

    if engine.dialect.name == "postgresql":
        return create_engine(engine.url.set(port=1, host="127.0.0.1").render_as_string(hide_password=False))
    return create_engine("sqlite:////nonexistent-directory/stancemap.db")


@pytest.mark.parametrize("path", ["/", "/statements", "/countries/FR", "/statements/1", "/api/positions",
                                  "/api/statements", "/signin", "/editor/review"])
def test_pages_and_api_answer_503_with_retry_after_while_the_database_is_down(client, engine, editor, path):
    from fastapi.testclient import TestClient

    _sign_in(client)  # a signed-in editor's cookie: its session must be looked up
    cookie = client.cookies[auth.SESSION_COOKIE]
    down = _unreachable_engine(engine)
    try:
        with TestClient(create_app(down)) as c:
            c.cookies.set(auth.SESSION_COOKIE, cookie)
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 503, (path, r.status_code, r.text[:300])
            assert int(r.headers["retry-after"]) > 0
            assert ("application/json" in r.headers["content-type"]) == path.startswith("/api")
            health = c.get("/healthz")
            assert health.status_code == 503 and int(health.headers["retry-after"]) > 0
    finally:
        down.dispose()


def test_a_database_dropped_under_the_app_answers_503(template_db, engine):
    """Postgres: the app's own database disappears while it serves (connections terminated)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("drops a Postgres database; the SQLite outage is the test above")
    from fastapi.testclient import TestClient

    from app.db import create_engine

    name = engine.url.database
    with TestClient(create_app(engine)) as c:
        assert c.get("/api/countries").status_code == 200
        admin = create_engine(engine.url.set(database="postgres").render_as_string(hide_password=False)) \
            .execution_options(isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            for path in ("/api/countries", "/", "/statements"):
                r = c.get(path)
                assert r.status_code == 503 and "retry-after" in r.headers, (path, r.status_code)
        finally:
            with admin.connect() as conn:  # the fixture drops it again at teardown
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
