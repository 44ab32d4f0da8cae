"""The editors' screens over HTTP: forms with messages, stale saves, the review queue, history and revert."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app import queries
from app.models import AuditEvent, Statement
from factories import add_article, add_statement
from signin import HX
from signin import sign_in as _sign_in

FORM = {"country_iso2": "Poland (PL)", "stance": "support", "stated_on": "2025-02-20", "date_precision": "day",
        "quote": "Poland is ready to send peacekeepers.", "speaker": "Donald Tusk", "conditions": "",
        "source_url": "https://news.example/pl"}


def _statements(session):
    session.expire_all()
    return list(session.scalars(select(Statement).order_by(Statement.id)))


# --- add --------------------------------------------------------------------------------------------------------

def test_the_form_has_a_searchable_country_picker(client, token):
    html = client.get("/editor/statements/new?country=fr").text
    assert 'list="country-list"' in html and '<datalist id="country-list">' in html
    assert html.count("<option value=") >= 250 + 4  # every country, plus the precisions
    assert 'value="France (FR)"' in html  # prefilled from ?country=


def test_adding_a_statement_shows_it_on_the_map(client, session, token):
    r = client.post("/editor/statements/new", data=FORM | {"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    [s] = _statements(session)
    assert r.headers["location"] == f"/statements/{s.id}?saved=created"
    assert (s.country_iso2, s.origin, s.review_status) == ("PL", "editor", "verified")
    page = client.get(r.headers["location"]).text
    assert "Statement added." in page and "History" in page and "created" in page and "erin" in page
    home = client.get("/?as_of=2025-03-01").text
    assert 'id="row-PL"' in home and 'data-stance="support"' in home


def test_htmx_add_redirects_with_a_header(client, session, token):
    r = client.post("/editor/statements/new", data=FORM | {"csrf_token": token}, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/statements/")


@pytest.mark.parametrize("field, value, message", [
    ("country_iso2", "Narnia", "not a country we know"),
    ("stance", "perhaps", "not a stance"),
    ("stated_on", "2025-13-45", "not a real date"),
    ("stated_on", "next week", "not a date"),
    ("stated_on", "2999-01-01", "in the future"),
    ("quote", "", "Quote is empty"),
    ("source_url", "news.example/pl", "not a web address"),
    ("speaker", "x" * 301, "the limit is 300"),
])
def test_bad_input_comes_back_with_a_message_and_what_was_typed(client, session, token, field, value, message):
    data = FORM | {field: value, "csrf_token": token}
    r = client.post("/editor/statements/new", data=data)
    assert r.status_code == 422
    assert message in r.text
    assert 'id="err-' + field + '"' in r.text and 'aria-invalid="true"' in r.text
    assert "Nothing was saved." in r.text
    # Everything typed is still in the form.
    assert "Poland is ready to send peacekeepers." in r.text or field == "quote"
    if field not in ("stance", "quote"):
        assert f'value="{value}"' in r.text
    assert _statements(session) == []


def test_htmx_errors_swap_only_the_form(client, session, token):
    r = client.post("/editor/statements/new", data=FORM | {"quote": "", "csrf_token": token}, headers=HX)
    assert r.status_code == 422
    assert r.text.lstrip().startswith("<form") and "<html" not in r.text
    assert "Quote is empty" in r.text


# --- edit -------------------------------------------------------------------------------------------------------

def _create(client, token, **changes) -> int:
    r = client.post("/editor/statements/new", data=FORM | changes | {"csrf_token": token}, follow_redirects=False)
    return int(re.search(r"/statements/(\d+)", r.headers["location"]).group(1))


def test_edit_form_carries_the_version_and_saves(client, session, token):
    sid = _create(client, token)
    html = client.get(f"/editor/statements/{sid}/edit").text
    assert 'name="version" value="1"' in html and 'value="Poland (PL)"' in html
    r = client.post(f"/editor/statements/{sid}/edit", data=FORM | {"stance": "undecided", "version": "1",
                                                                   "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    [s] = _statements(session)
    assert (s.stance, s.version) == ("undecided", 2)
    page = client.get(f"/statements/{sid}").text
    assert "edited" in page and "undecided" in page


def test_saving_over_a_newer_version_is_refused_and_shows_what_changed(client, session, token):
    sid = _create(client, token)
    client.post(f"/editor/statements/{sid}/edit", data=FORM | {"stance": "reject", "version": "1",
                                                               "csrf_token": token})
    mine = FORM | {"stance": "undecided", "conditions": "only with a US backstop", "version": "1",
                   "csrf_token": token}
    r = client.post(f"/editor/statements/{sid}/edit", data=mine)
    assert r.status_code == 409
    assert "someone else saved this statement" in r.text
    diff = re.search(r'<table class="diff three-way">.*?</table>', r.text, re.S).group(0)
    assert "Stance" in diff and "undecided" in diff and "reject" in diff and "Conditions" in diff
    assert 'value="only with a US backstop"' in r.text  # nothing typed is lost
    assert 'name="version" value="2"' in r.text  # saving again is a deliberate overwrite
    [s] = _statements(session)
    assert s.stance == "reject"
    r = client.post(f"/editor/statements/{sid}/edit", data=mine | {"version": "2"}, follow_redirects=False)
    assert r.status_code == 303
    assert _statements(session)[0].stance == "undecided"


def test_unknown_statement_is_404(client, token):
    assert client.get("/editor/statements/999/edit").status_code == 404
    assert client.get("/statements/999").status_code == 404


# --- delete, restore, history, revert ---------------------------------------------------------------------------

def test_delete_and_restore(client, session, token):
    sid = _create(client, token)
    r = client.post(f"/editor/statements/{sid}/delete", data={"csrf_token": token, "version": "1"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "Statement deleted" in client.get(r.headers["location"]).text
    assert 'id="row-PL"' not in client.get("/?as_of=2025-03-01").text
    client.post(f"/editor/statements/{sid}/restore", data={"csrf_token": token})
    assert 'id="row-PL"' in client.get("/?as_of=2025-03-01").text
    actions = [e.action for e in queries.statement_history(session, sid)]
    assert actions == ["create", "delete", "restore"]


def test_readers_see_the_statement_but_not_its_history(client, session, token):
    sid = _create(client, token)
    client.cookies.clear()
    page = client.get(f"/statements/{sid}")
    assert page.status_code == 200 and "Poland is ready" in page.text
    assert 'id="history"' not in page.text and "/edit" not in page.text


def test_deleted_statements_are_hidden_from_readers(client, session):
    s = add_statement(session, "PL", "support", "2025-02-01",
                      deleted_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    session.commit()
    assert client.get(f"/statements/{s.id}").status_code == 404


def test_admin_reverts_from_the_history(client, session):
    token = _sign_in(client, session, "ada", role="admin")
    sid = _create(client, token)
    client.post(f"/editor/statements/{sid}/edit", data=FORM | {"stance": "reject", "version": "1",
                                                               "csrf_token": token})
    page = client.get(f"/statements/{sid}").text
    assert "Revert" in page
    update = queries.statement_history(session, sid)[1]
    r = client.post(f"/editor/audit/{update.id}/revert", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert _statements(session)[0].stance == "support"
    assert "reverted" in client.get(f"/statements/{sid}").text
    r = client.post(f"/editor/audit/{update.id}/revert", data={"csrf_token": token})
    assert r.status_code == 409 and "Nothing to revert" in r.text


def test_editors_cannot_revert(client, session, token):
    sid = _create(client, token)
    assert "Revert" not in client.get(f"/statements/{sid}").text
    event = queries.statement_history(session, sid)[0]
    assert client.post(f"/editor/audit/{event.id}/revert", data={"csrf_token": token}).status_code == 403
    assert _statements(session)[0].deleted_at is None


# --- review -----------------------------------------------------------------------------------------------------

@pytest.fixture
def machine(session):
    article = add_article(session, source="Wire", published_on=dt.date(2025, 3, 3), title="Wire story")
    quote = "Poland is ready to send troops, Tusk said."
    s = add_statement(session, "PL", "support", "2025-03-03", quote=quote, article=article, origin="machine",
                      mention_start=0, mention_end=6, cue_start=10, cue_end=31, confidence=0.8)
    session.commit()
    return s


def test_the_queue_marks_the_country_and_the_cue(client, machine, token):
    html = client.get("/editor/review").text
    assert '<mark class="m-country">Poland</mark>' in html
    assert '<mark class="m-cue">ready to send troops,</mark>' in html
    assert "Wire story" in html and ">1</strong> statement to review" in html


def test_marks_escape_the_quote(client, session, token):
    add_statement(session, "DE", "reject", "2025-03-03", quote="<b>Germany</b> won't", origin="machine",
                  mention_start=3, mention_end=10)
    session.commit()
    html = client.get("/editor/review").text
    assert '&lt;b&gt;<mark class="m-country">Germany</mark>&lt;/b&gt; won&#39;t' in html


def test_verify_with_htmx_swaps_the_row(client, session, machine, token):
    r = client.post(f"/editor/review/{machine.id}/verify", data={"csrf_token": token, "version": "1"}, headers=HX)
    assert r.status_code == 200
    assert r.text.lstrip().startswith("<article") and f'id="review-{machine.id}"' in r.text
    assert "Verified" in r.text
    assert _statements(session)[0].review_status == "verified"
    assert f'id="review-{machine.id}"' not in client.get("/editor/review").text


def test_dismiss_without_javascript_redirects_and_the_map_forgets_it(client, session, machine, token):
    assert 'id="row-PL"' in client.get("/?as_of=2025-03-10").text
    r = client.post(f"/editor/review/{machine.id}/dismiss", data={"csrf_token": token, "version": "1"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/editor/review?done=dismiss")
    assert "Dismissed" in client.get(r.headers["location"]).text
    assert 'id="row-PL"' not in client.get("/?as_of=2025-03-10").text
    [event] = session.scalars(select(AuditEvent)).all()
    assert (event.action, event.before["review_status"], event.after["review_status"]) == \
        ("dismiss", "unreviewed", "dismissed")


def test_correct_in_place(client, session, machine, token):
    form = client.get(f"/editor/review/{machine.id}/correct", headers=HX)
    assert form.status_code == 200 and 'class="correct-form"' in form.text and 'value="Poland (PL)"' in form.text
    data = {"country_iso2": "PL", "stance": "undecided", "stated_on": "2025-03", "date_precision": "month",
            "quote": machine.quote, "version": "1", "csrf_token": token}
    bad = client.post(f"/editor/review/{machine.id}/correct", data=data | {"stance": "x"}, headers=HX)
    assert bad.status_code == 422 and "not a stance" in bad.text and 'value="2025-03"' in bad.text
    ok = client.post(f"/editor/review/{machine.id}/correct", data=data, headers=HX)
    assert ok.status_code == 200 and "Corrected" in ok.text
    [s] = _statements(session)
    assert (s.stance, s.stated_on, s.date_precision, s.review_status) == \
        ("undecided", dt.date(2025, 3, 1), "month", "verified")
    assert [e.action for e in queries.statement_history(session, s.id)] == ["correct"]


def test_correct_without_javascript(client, session, machine, token):
    page = client.get(f"/editor/review/{machine.id}/correct")
    assert page.status_code == 200 and "<html" in page.text and "Save correction" in page.text
    data = {"country_iso2": "Germany", "stance": "support", "stated_on": "2025-03-03", "date_precision": "day",
            "quote": machine.quote, "version": "1", "csrf_token": token}
    r = client.post(f"/editor/review/{machine.id}/correct", data=data, follow_redirects=False)
    assert r.status_code == 303
    assert _statements(session)[0].country_iso2 == "DE"


def test_a_stale_review_is_refused(client, session, machine, token):
    client.post(f"/editor/review/{machine.id}/verify", data={"csrf_token": token, "version": "1"})
    r = client.post(f"/editor/review/{machine.id}/dismiss", data={"csrf_token": token, "version": "1"}, headers=HX)
    assert "changed this statement meanwhile" in r.text
    assert _statements(session)[0].review_status == "verified"


# --- add an article ---------------------------------------------------------------------------------------------

ARTICLE = ("Paris, 3 March 2025. France is ready to send troops to Ukraine after a ceasefire, President Emmanuel "
           "Macron said on Monday. Germany will not send soldiers, Chancellor Olaf Scholz said.")


def test_add_an_article_shows_what_was_found(client, session, token):
    r = client.post("/editor/articles/new", data={"body": ARTICLE, "title": "Leaders meet", "source": "Wire",
                                                 "url": "https://news.example/a", "published_on": "2025-03-03",
                                                 "csrf_token": token})
    assert r.status_code == 200
    assert "Article added" in r.text and 'href="/editor/review"' in r.text
    found = _statements(session)
    assert {s.country_iso2 for s in found} >= {"FR"}
    assert all(s.origin == "machine" and s.review_status == "unreviewed" for s in found)
    assert all(f"/statements/{s.id}" in r.text for s in found)
    queue = client.get("/editor/review").text
    assert all(f'id="review-{s.id}"' in queue for s in found)


def test_add_an_article_with_bad_input(client, session, token):
    r = client.post("/editor/articles/new", data={"body": " ", "url": "nope", "title": "Kept title",
                                                 "csrf_token": token})
    assert r.status_code == 422
    assert "it is empty" in r.text and "not a web address" in r.text and 'value="Kept title"' in r.text
    assert session.scalar(select(func.count()).select_from(Statement)) == 0


def test_an_article_over_the_extraction_time_limit_is_refused_and_kept(client, session, token, monkeypatch):
    from app.ingest import store
    from app.ingest.extract import RuleExtractor
    from app.models import Article

    monkeypatch.setattr(store, "_default", RuleExtractor(time_limit=1e-9))  # a limit no article can meet
    r = client.post("/editor/articles/new", data={"body": ARTICLE, "title": "Kept title", "csrf_token": token})
    assert r.status_code == 422
    assert "too complex for the extractor" in r.text and "nothing was stored" in r.text
    assert 'value="Kept title"' in r.text and "France is ready to send troops" in r.text
    assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_add_an_article_with_htmx_swaps_the_result_in(client, session, token):
    r = client.post("/editor/articles/new", data={"body": ARTICLE, "csrf_token": token}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert 'id="article-result"' in r.text and "Article added" in r.text
    again = client.post("/editor/articles/new", data={"body": ARTICLE, "csrf_token": token}, headers=HX)
    assert "already stored" in again.text


def test_editing_the_quote_drops_the_old_highlights(client, session, machine, token):
    data = {"country_iso2": "PL", "stance": "support", "stated_on": "2025-03-03", "date_precision": "day",
            "quote": "Warsaw will send a brigade.", "version": "1", "csrf_token": token}
    client.post(f"/editor/statements/{machine.id}/edit", data=data)
    html = client.get(f"/statements/{machine.id}").text
    assert "<mark" not in html.split('id="history"')[0] and "Warsaw will send a brigade." in html


def test_a_dismissed_statement_stays_dismissed_when_edited_and_comes_back_when_verified(client, session, machine,
                                                                                       token):
    client.post(f"/editor/review/{machine.id}/dismiss", data={"csrf_token": token, "version": "1"})
    data = {"country_iso2": "PL", "stance": "support", "stated_on": "2025-03-03", "date_precision": "day",
            "quote": machine.quote, "speaker": "Tusk", "version": "2", "csrf_token": token}
    assert client.post(f"/editor/statements/{machine.id}/edit", data=data, follow_redirects=False).status_code == 303
    assert _statements(session)[0].review_status == "dismissed"
    page = client.get(f"/statements/{machine.id}").text
    assert f'action="/editor/review/{machine.id}/verify"' in page
    r = client.post(f"/editor/review/{machine.id}/verify",
                    data={"csrf_token": token, "version": "3", "next": f"/statements/{machine.id}?saved=verify"},
                    follow_redirects=False)
    assert r.headers["location"] == f"/statements/{machine.id}?saved=verify"
    assert "Verified: it counts on the map." in client.get(r.headers["location"]).text
    assert 'id="row-PL"' in client.get("/?as_of=2025-03-10").text
