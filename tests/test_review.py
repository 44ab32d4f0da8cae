"""Issue 11, the editors' half and evidence pages, over HTTP with a real database: the review queue by article
(order, filters, cursor pages, decisions on a whole article, undo), the article page, three-way stale edits,
confirmations for delete and revert, and readers' suggestions."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import add_article, add_statement
from signin import HX, PASSWORD
from signin import csrf as _csrf
from signin import sign_in as _sign_in
from sqlalchemy import func, select

from app import editing, queries
from app.editing import Conflict, three_way
from app.evidence import Piece, date_basis, evidence_pieces, shortened
from app.models import AuditEvent, Statement, Suggestion


def _article_with(session, n, *, source="Wire", conf=0.8, country_stance=(), day=3, body=None):
    """An article whose body holds one sentence per statement, with the statements' offsets into it."""
    sentences = [f"{iso2} says {stance} number {n}-{i}." for i, (iso2, stance) in enumerate(country_stance)]
    article = add_article(session, source=source, published_on=dt.date(2025, 3, day), title=f"Story {n}")
    article.body = body or " ".join(sentences)
    made, pos = [], 0
    for (iso2, stance), sentence in zip(country_stance, sentences, strict=True):
        start = article.body.index(sentence, pos)
        made.append(add_statement(session, iso2, stance, dt.date(2025, 3, day), quote=sentence, article=article,
                                  origin="machine", confidence=conf, quote_start=start,
                                  quote_end=start + len(sentence)))
        pos = start + len(sentence)
    session.flush()
    return article, made


def _ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<article class="review-item[^"]*" id="review-(\d+)"', html)]


def _groups_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<section class="review-group card" id="article-(\d+)"', html)]


# --- pure pieces -----------------------------------------------------------------------------------------------

def test_evidence_pieces_mark_each_sentence_and_share_one_quoted_twice():
    body = "One. Two three. Four."
    pieces = evidence_pieces(body, [(5, 15, 1), (5, 15, 2), (16, 21, 3), (None, None, 4), (30, 40, 5)])
    assert pieces == [Piece("One. ", (), 0), Piece("Two three.", (1, 2), 5), Piece(" ", (), 15),
                      Piece("Four.", (3,), 16)]
    assert "".join(p.text for p in pieces) == body


def test_a_long_article_is_shortened_around_its_evidence_in_the_queue():
    body = "a" * 20_000 + " The sentence. " + "b" * 20_000
    start = body.index("The sentence.")
    pieces = shortened(evidence_pieces(body, [(start, start + 13, 7)]), context=100)
    assert [p.ids for p in pieces] == [(), (7,), ()]
    assert pieces[1].text == "The sentence."
    assert pieces[0].text == "[…] " + "a" * 99 + " " and pieces[2].text == " " + "b" * 99 + " […]"
    short = evidence_pieces("Short. Text.", [(0, 6, 1)])
    assert shortened(short) == short


def test_three_way_keeps_only_what_each_editor_changed():
    base = {"stance": "support", "speaker": "A", "quote": "q", "conditions": None}
    theirs = {"stance": "reject", "speaker": "A", "quote": "q", "conditions": "c"}
    yours = {"stance": "support", "speaker": "B", "quote": "q", "conditions": "d"}
    rows, merged = three_way(base, theirs, yours)
    assert Conflict("stance", "support", "reject", "support", "theirs") in rows
    assert Conflict("speaker", "A", "A", "B", "yours") in rows
    assert Conflict("conditions", None, "c", "d", "both") in rows
    assert (merged["stance"], merged["speaker"], merged["conditions"]) == ("reject", "B", "d")


def test_date_basis_says_how_the_date_was_found():
    assert "dateline" in date_basis(dt.date(2024, 12, 3), "day", "Title\n6:22 AM EST, December 3, 2024\n\nText.")
    # (a month is inferred only where the text closes the span: "December" written in 2024 after November 2024)
    assert "Inferred" in date_basis(dt.date(2024, 12, 1), "month",
                                    "In November 2024 leaders met. On December 3 they met again.")
    assert "Given with the article" in date_basis(dt.date(2025, 3, 27), "day", "No dates here.")
    assert "No date" in date_basis(None, "unknown", "No dates here.")


# --- the queue --------------------------------------------------------------------------------------------------

def test_the_queue_puts_what_decides_the_map_first_then_the_least_sure(client, session, token):
    sure, _ = _article_with(session, 1, conf=0.9, country_stance=[("FR", "support")], day=1)
    unsure, _ = _article_with(session, 2, conf=0.4, country_stance=[("FR", "reject")], day=2)
    # Germany's only statement is the German position on the map today: this article comes first though sure.
    deciding, _ = _article_with(session, 3, conf=0.95, country_stance=[("DE", "reject")], day=1)
    # France's position today is its latest statement: article 4's (the 5th of March), not article 1 or 2.
    latest, _ = _article_with(session, 4, conf=0.7, country_stance=[("FR", "undecided")], day=5)
    session.commit()
    html = client.get("/editor/review").text
    assert _groups_on(html) == [latest.id, deciding.id, unsure.id, sure.id]
    assert html.count("on the map today") >= 2


def test_the_queue_groups_statements_by_article_with_the_text_marked(client, session, token):
    article, made = _article_with(session, 1, country_stance=[("FR", "support"), ("DE", "reject")])
    session.commit()
    html = client.get("/editor/review").text
    assert _groups_on(html) == [article.id]
    group = html[html.index(f'id="article-{article.id}"'):]
    assert f'data-ids="{made[0].id}"' in group and f'data-ids="{made[1].id}"' in group
    assert 'Verify all remaining in this article' in group and 'Dismiss all' in group
    assert f'href="/articles/{article.id}"' in group


@pytest.mark.parametrize("query, expected", [
    ("country=DE", {"DE"}), ("stance=support", {"FR"}), ("source=Agency", {"IT"}),
    ("max_confidence=0.5", {"IT"}), ("date_from=2025-03-04", {"IT"}), ("date_to=2025-03-03", {"FR", "DE"}),
])
def test_filters(client, session, token, query, expected):
    _article_with(session, 1, conf=0.8, country_stance=[("FR", "support"), ("DE", "reject")])
    _article_with(session, 2, conf=0.45, source="Agency", country_stance=[("IT", "undecided")], day=6)
    session.commit()
    html = client.get(f"/editor/review?{query}").text
    shown = {session.get(Statement, i).country_iso2 for i in _ids_on(html)}
    assert shown == expected


def test_a_bad_filter_says_what_is_wrong(client, session, token):
    r = client.get("/editor/review?stance=maybe&date_from=yesterday&after=nonsense")
    assert r.status_code == 422
    assert "is not one of" in r.text and "is not a date" in r.text and "not a place in the queue" in r.text
    assert 'value="yesterday"' in r.text  # the form keeps what was typed


def test_the_cursor_never_skips_items_when_items_leave_the_queue(client, session, token):
    articles = [_article_with(session, n, conf=0.5 + n / 100, country_stance=[("FR", "support"), ("DE", "reject")],
                              day=1)[0] for n in range(7)]
    session.commit()
    first = client.get("/editor/review").text
    assert len(_groups_on(first)) == 5
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    # The editor verifies everything on the first page, then follows "Next articles": with an offset the two
    # remaining articles would now be on page 1 and page 2 would skip them.
    for sid in _ids_on(first):
        client.post(f"/editor/review/{sid}/verify", data={"csrf_token": token}, headers=HX)
    second = client.get(next_link).text
    assert sorted(_groups_on(first) + _groups_on(second)) == [a.id for a in articles]
    assert "rel=\"next\"" not in second


def test_leaving_statements_move_their_article_later_never_earlier(client, session, token):
    a, (low, high) = _article_with(session, 1, country_stance=[("FR", "support"), ("DE", "reject")])
    low.confidence = 0.3
    b, _ = _article_with(session, 2, conf=0.5, country_stance=[("IT", "support")])
    session.commit()
    page = queries.review_page(session, queries.ReviewFilters(), today=dt.date(2025, 1, 1))
    assert [g.article.id for g in page.groups] == [a.id, b.id]
    cursor = page.groups[0].key
    editing.review_statement(session, editing.create_user(session, "x1", PASSWORD), low.id, "dismiss")
    after = queries.review_page(session, queries.ReviewFilters(), today=dt.date(2025, 1, 1), after=cursor)
    # Article a's least key rose from 0.3 to 0.8: it moves after b, so a page starting after the old cursor still
    # shows it (nothing skipped).
    assert [g.article.id for g in after.groups] == [b.id, a.id]


def test_verify_all_remaining_in_an_article_and_undo_it(client, session, token):
    article, made = _article_with(session, 1, country_stance=[("FR", "support"), ("DE", "reject"), ("IT", "reject")])
    session.commit()
    client.post(f"/editor/review/{made[0].id}/dismiss", data={"csrf_token": token}, headers=HX)
    ids = [str(s.id) for s in made]
    r = client.post("/editor/review/bulk", data={"csrf_token": token, "decision": "verify", "ids": ids,
                                                 "article": str(article.id)}, headers=HX)
    assert r.status_code == 200
    assert r.text.count('hx-swap-oob="true"') == 4  # two rows, the article's bar, the count
    assert "2 statements verified" in r.text and "Undo all 2" in r.text
    session.expire_all()
    assert [s.review_status for s in made] == ["dismissed", "verified", "verified"]
    events = re.findall(r'name="events" value="(\d+)"', r.text)
    assert len(events) == 2
    assert [e.action for e in queries.audit_events(session, [int(e) for e in events])] == ["verify", "verify"]
    undo = client.post("/editor/review/undo", data={"csrf_token": token, "events": events,
                                                    "article": str(article.id)}, headers=HX)
    assert undo.status_code == 200
    session.expire_all()
    assert [s.review_status for s in made] == ["dismissed", "unreviewed", "unreviewed"]
    assert [e.action for e in queries.statement_history(session, made[1].id)] == ["verify", "undo"]


def test_bulk_and_undo_without_javascript_redirect_to_the_same_queue_page(client, session, token):
    article, made = _article_with(session, 1, country_stance=[("FR", "support"), ("DE", "reject")])
    session.commit()
    back = "/editor/review?country=FR"
    r = client.post("/editor/review/bulk", data={"csrf_token": token, "decision": "dismiss",
                                                 "ids": [str(made[0].id)], "next": back}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/editor/review?country=FR&done=dismiss")
    page = client.get(r.headers["location"]).text
    assert "Dismissed: 1 statement" in page and "Undo" in page
    undo_events = re.findall(r'name="events" value="(\d+)"', page)
    r = client.post("/editor/review/undo", data={"csrf_token": token, "events": undo_events, "next": back},
                    follow_redirects=False)
    assert r.status_code == 303 and "done=undo" in r.headers["location"]
    session.expire_all()
    assert made[0].review_status == "unreviewed"
    # The next= of a decision never leaves the queue.
    r = client.post("/editor/review/bulk", data={"csrf_token": token, "decision": "verify",
                                                 "ids": [str(made[1].id)], "next": "https://evil.example/"},
                    follow_redirects=False)
    assert r.headers["location"].startswith("/editor/review?")


def test_a_single_decision_offers_undo_and_only_its_author_can_use_it(client, session, token):
    _, (s,) = _article_with(session, 1, country_stance=[("FR", "support")])
    session.commit()
    r = client.post(f"/editor/review/{s.id}/verify", data={"csrf_token": token, "version": "1"}, headers=HX)
    [event_id] = re.findall(r'name="events" value="(\d+)"', r.text)
    other = editing.create_user(session, "otto", PASSWORD)
    with pytest.raises(editing.EditError, match="someone else"):
        editing.undo_review(session, other, [int(event_id)])
    # After a later change the decision cannot be undone: nothing is silently reverted.
    editor = queries.user_by_username(session, "erin")
    session.expire_all()
    editing.update_statement(session, editor, s.id, editing.validate_statement(session, {
        "country_iso2": "FR", "stance": "reject", "stated_on": "2025-03-03", "quote": s.quote}), None)
    r = client.post("/editor/review/undo", data={"csrf_token": token, "events": [event_id]}, headers=HX)
    assert "changed after decision" in r.text
    session.expire_all()
    assert (s.stance, s.review_status) == ("reject", "verified")


# --- evidence pages ---------------------------------------------------------------------------------------------

def test_the_article_page_marks_each_statements_sentence_and_says_where_it_is_from(client, session):
    article, made = _article_with(session, 1, country_stance=[("FR", "support"), ("DE", "reject")])
    article.url = "https://news.example/story"
    session.commit()
    r = client.get(f"/articles/{article.id}")
    assert r.status_code == 200
    assert f'id="ev-{made[0].id}"' in r.text and f'href="/statements/{made[1].id}"' in r.text
    assert "Wire" in r.text and "https://news.example/story" in r.text
    assert "Given with the article" in r.text  # how the date was found
    assert "machine-found, not reviewed" in r.text and "confidence 0.80" in r.text
    assert client.get("/articles/999").status_code == 404
    assert client.get("/articles/0").status_code == 404


def test_every_statement_row_and_timeline_entry_links_its_statement_and_article(client, session):
    article, (s,) = _article_with(session, 1, country_stance=[("FR", "support")])
    session.commit()
    for path in ("/statements", "/countries/FR"):
        html = client.get(path).text
        assert f'href="/statements/{s.id}"' in html
        assert f'href="/articles/{article.id}#ev-{s.id}"' in html
    assert f'href="/articles/{article.id}#ev-{s.id}"' in client.get(f"/statements/{s.id}").text


def test_sources_show_the_outlet_not_the_file_name(client, session):
    article, (s,) = _article_with(session, 1, country_stance=[("FR", "support")])
    article.file_name = "internal-0042.txt"
    session.commit()
    for path in ("/statements", f"/articles/{article.id}"):
        cell = client.get(path).text
        assert "Wire" in cell
    assert "internal-0042.txt" not in client.get("/statements").text


# --- the article form, stale edits, confirmations ---------------------------------------------------------------

def test_the_article_form_says_its_statements_are_unreviewed_and_on_the_map(client, token):
    html = client.get("/editor/articles/new").text
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "not reviewed : those statements count on the map straight away, marked as machine-found" in text


FORM = {"country_iso2": "Poland (PL)", "stance": "support", "stated_on": "2025-02-20", "date_precision": "day",
        "quote": "Poland is ready to send peacekeepers.", "speaker": "Donald Tusk", "conditions": "",
        "source_url": ""}


def test_a_stale_edit_keeps_the_other_editors_changes_to_fields_you_did_not_touch(client, session, token):
    r = client.post("/editor/statements/new", data=FORM | {"csrf_token": token}, follow_redirects=False)
    sid = int(r.headers["location"].split("/")[2].split("?")[0])
    other = editing.create_user(session, "ada", PASSWORD)
    data = editing.validate_statement(session, FORM | {"stance": "reject"})
    editing.update_statement(session, other, sid, data, 1)  # the other editor changes the stance
    mine = FORM | {"speaker": "Prime Minister Donald Tusk", "version": "1", "csrf_token": token}
    r = client.post(f"/editor/statements/{sid}/edit", data=mine)
    assert r.status_code == 409
    table = re.search(r'<table class="diff three-way">.*?</table>', r.text, re.S).group(0)
    assert "You started from" in table and "The other editor saved" in table and "You typed" in table
    assert "their change: kept" in table and "your change: kept" in table
    assert 'value="Prime Minister Donald Tusk"' in r.text
    assert re.search(r'value="reject"\s+checked', r.text)  # the form now holds their stance
    again = dict(re.findall(r'name="(\w+)" value="([^"]*)"', r.text))
    assert again["version"] == "2"
    r = client.post(f"/editor/statements/{sid}/edit", data=mine | {"stance": "reject", "version": "2"},
                    follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    s = session.get(Statement, sid)
    assert (s.stance, s.speaker) == ("reject", "Prime Minister Donald Tusk")


def test_delete_and_revert_ask_first_and_the_revert_message_uses_the_history_numbers(client, session):
    token = _sign_in(client, session, "ada", role="admin")
    r = client.post("/editor/statements/new", data=FORM | {"csrf_token": token}, follow_redirects=False)
    sid = int(r.headers["location"].split("/")[2].split("?")[0])
    page = client.get(f"/statements/{sid}").text
    assert f'href="/editor/statements/{sid}/delete"' in page  # a link to a confirmation, not a one-click delete
    confirm = client.get(f"/editor/statements/{sid}/delete").text
    assert "Delete statement" in confirm and "restore it" in confirm
    client.post(f"/editor/statements/{sid}/edit", data=FORM | {"stance": "reject", "version": "1",
                                                               "csrf_token": token})
    update = queries.statement_history(session, sid)[1]
    assert f"#{update.id}" in client.get(f"/statements/{sid}").text
    confirm = client.get(f"/editor/audit/{update.id}/revert").text
    assert f"Revert change #{update.id}?" in confirm and "reject" in confirm and "support" in confirm
    r = client.post(f"/editor/audit/{update.id}/revert", data={"csrf_token": token})
    revert = queries.statement_history(session, sid)[2]
    assert f"Change #{update.id} reverted; the history records the revert as change #{revert.id}" in r.text
    assert f"#{revert.id}" in r.text and f"undid change #{update.id}" in r.text
    deleted = client.post(f"/editor/statements/{sid}/delete", data={"csrf_token": token})
    assert "Undo: restore it" in deleted.text


# --- reader suggestions -----------------------------------------------------------------------------------------

def _reader_form(client, path):
    """The reader follows the page's "Suggest a correction" link and gets the form with its token."""
    page = client.get(path)
    # The statement or country page itself starts no session (it can be cached); the form's page does.
    assert "set-cookie" not in page.headers and 'name="csrf_token"' not in page.text
    link = re.search(r'href="(/suggestions/new\?[^"]+)"', page.text).group(1)
    form = client.get(link)
    assert form.headers["cache-control"] == "no-store"
    return _csrf(form.text[form.text.index('id="suggest-form"'):])


def test_a_readers_suggestion_reaches_the_queue_and_an_editor_accepts_it(client, session):
    _, (s,) = _article_with(session, 1, country_stance=[("FR", "support")])
    session.commit()
    csrf = _reader_form(client, f"/statements/{s.id}")
    r = client.post("/suggestions", data={"csrf_token": csrf, "statement_id": str(s.id), "problem":
                                          "France said it would not send troops.", "stance": "reject",
                                          "stated_on": "2025-03", "source_url": "https://news.example/fr",
                                          "website": ""})
    assert r.status_code == 200 and "Thank you" in r.text
    [g] = session.scalars(select(Suggestion)).all()
    assert (g.status, g.stance, g.stated_on, g.date_precision) == ("pending", "reject", dt.date(2025, 3, 1), "month")
    token = _sign_in(client, session)
    queue = client.get("/editor/review?kind=suggestions").text
    assert "France said it would not send troops." in queue and "Reader suggestions (1)" in queue
    form = client.get(f"/editor/suggestions/{g.id}/accept").text
    assert 'value="2025-03"' in form and re.search(r'value="reject"\s+checked', form)
    fields = {"country_iso2": "France (FR)", "stance": "reject", "stated_on": "2025-03", "date_precision": "month",
              "quote": s.quote, "speaker": "", "conditions": "", "source_url": "https://news.example/fr",
              "version": "1", "csrf_token": token}
    r = client.post(f"/editor/suggestions/{g.id}/accept", data=fields, follow_redirects=False)
    assert r.status_code == 303
    session.expire_all()
    assert (s.stance, s.review_status, g.status, g.result_statement_id) == ("reject", "verified", "accepted", s.id)
    assert [e.action for e in queries.statement_history(session, s.id)] == ["correct", "accept_suggestion"]
    assert "Reader suggestions (0)" in client.get("/editor/review").text


def test_a_country_suggestion_accepted_creates_the_statement_and_one_declined_changes_nothing(client, session):
    csrf = _reader_form(client, "/countries/NO")
    for problem in ("Norway said it is ready to send troops.", "Spam-ish but polite."):
        client.post("/suggestions", data={"csrf_token": csrf, "country": "NO", "problem": problem})
    first, second = session.scalars(select(Suggestion).order_by(Suggestion.id)).all()
    token = _sign_in(client, session)
    fields = {"country_iso2": "Norway (NO)", "stance": "support", "stated_on": "2025-03-01", "date_precision": "day",
              "quote": "Norway is ready to send troops.", "csrf_token": token}
    r = client.post(f"/editor/suggestions/{first.id}/accept", data=fields, follow_redirects=False)
    assert r.status_code == 303
    made = session.scalar(select(Statement).where(Statement.country_iso2 == "NO"))
    assert (made.origin, made.review_status) == ("editor", "verified")
    r = client.post(f"/editor/suggestions/{second.id}/decline", data={"csrf_token": token}, headers=HX)
    assert f"Suggestion #{second.id} declined" in r.text
    session.expire_all()
    assert (first.status, second.status) == ("accepted", "declined")
    assert session.scalar(select(func.count()).select_from(Statement)) == 1
    assert client.post(f"/editor/suggestions/{second.id}/decline", data={"csrf_token": token}).status_code == 409


def test_bad_suggestions_keep_what_was_typed_and_never_show_an_error_page(client, session):
    _, (s,) = _article_with(session, 1, country_stance=[("FR", "support")])
    session.commit()
    csrf = _reader_form(client, f"/statements/{s.id}")
    base = {"csrf_token": csrf, "statement_id": str(s.id)}
    r = client.post("/suggestions", data=base | {"problem": "", "stated_on": "March", "source_url": "not a link"})
    assert r.status_code == 422 and "Suggest a correction" in r.text
    assert "Say what is wrong" in r.text and "is not a date" in r.text and "not a web address" in r.text
    assert 'value="March"' in r.text and 'value="not a link"' in r.text
    r = client.post("/suggestions", data=base | {"csrf_token": "forged", "problem": "Keep this text."})
    assert r.status_code == 403 and "Keep this text." in r.text and "send it again" in r.text
    r = client.post("/suggestions", data=base | {"problem": "", "stated_on": "yesterday", "website": "x"})
    assert r.status_code == 422 and "Say what is wrong" in r.text and "Thank you" not in r.text
    r = client.post("/suggestions", data=base | {"problem": "Buy cheap pills", "website": "http://spam.example"})
    assert r.status_code == 200 and "Thank you" in r.text
    assert session.scalar(select(func.count()).select_from(Suggestion)) == 0
    for n in range(editing.SUGGESTIONS_PER_HOUR):
        assert "Thank you" in client.post("/suggestions", data=base | {"problem": f"Problem {n}"}).text
    r = client.post("/suggestions", data=base | {"problem": "One too many."})
    assert r.status_code == 429 and "One too many." in r.text and "minute" in r.text
    assert session.scalar(select(func.count()).select_from(Suggestion)) == editing.SUGGESTIONS_PER_HOUR
    r = client.post("/suggestions", data={"csrf_token": csrf, "problem": "About nothing"})
    assert r.status_code == 422 and "not about a statement or country" in r.text
    with_htmx = client.post("/suggestions", data=base | {"problem": ""}, headers=HX)
    assert with_htmx.text.lstrip().startswith('<div class="suggest-block"')


def test_reader_suggestions_are_not_audit_changes_an_admin_can_revert(session):
    admin = editing.create_user(session, "root", PASSWORD, role="admin")
    s = add_statement(session, "FR", "support", "2025-03-01", origin="machine")
    session.commit()
    g = editing.suggest(session, "1.2.3.4", editing.validate_suggestion({"problem": "wrong"}),
                        country_iso2="FR", statement_id=s.id)
    editing.decline_suggestion(session, admin, g.id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "decline_suggestion"))
    with pytest.raises(editing.EditError, match="suggestion"):
        editing.revert_event(session, admin, event.id)
