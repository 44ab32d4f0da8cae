"""Writes by a person: validation, create/update/review/delete/restore/revert, each audited; stale saves refused."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app import editing, queries
from app.editing import EditError, StaleEdit, ValidationFailed, validate_statement
from app.models import Article, AuditEvent, Statement
from factories import add_statement

GOOD = {"country_iso2": "France (FR)", "stance": "support", "stated_on": "2025-02-17", "date_precision": "day",
        "quote": "France is ready to send troops.", "speaker": "Emmanuel Macron", "conditions": "",
        "source_url": "https://news.example/france"}


@pytest.fixture
def editor(session):
    return editing.create_user(session, "erin", "correct horse battery")


@pytest.fixture
def admin(session):
    return editing.create_user(session, "ada", "correct horse battery", role="admin")


def _valid(session, **changes):
    return validate_statement(session, GOOD | changes)  # ValidationFailed (a message per field) otherwise


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


# --- validation -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("country", ["France (FR)", "FR", "fr", "France", "france"])
def test_country_by_name_code_or_picker_label(session, country):
    assert _valid(session, country_iso2=country).country_iso2 == "FR"


@pytest.mark.parametrize("changes, field, message", [
    ({"country_iso2": "Atlantis"}, "country_iso2", "not a country we know"),
    ({"country_iso2": ""}, "country_iso2", "Pick a country"),
    ({"stance": "maybe"}, "stance", "not a stance"),
    ({"stance": ""}, "stance", "Choose one of"),
    ({"stated_on": "17/02/2025"}, "stated_on", "not a date"),
    ({"stated_on": "2025-02-30"}, "stated_on", "not a real date"),
    ({"stated_on": "2999-01-01"}, "stated_on", "in the future"),
    ({"stated_on": ""}, "stated_on", "Give the date"),
    ({"stated_on": "2025-02"}, "stated_on", "no day"),
    ({"stated_on": "2025-02-17", "date_precision": "unknown"}, "stated_on", "clear the date"),
    ({"date_precision": "week"}, "date_precision", "not a precision"),
    ({"quote": "   "}, "quote", "Quote is empty"),
    ({"quote": "x" * 5001}, "quote", "the limit is 5000"),
    ({"speaker": "s" * 301}, "speaker", "the limit is 300"),
    ({"conditions": "c" * 2001}, "conditions", "the limit is 2000"),
    ({"source_url": "not a url"}, "source_url", "not a web address"),
    ({"source_url": "javascript:alert(1)"}, "source_url", "not a web address"),
    ({"source_url": "ftp://news.example/x"}, "source_url", "not a web address"),
])
def test_bad_input_gets_a_message_at_its_field(session, changes, field, message):
    with pytest.raises(ValidationFailed) as failed:
        validate_statement(session, GOOD | changes)
    errors = failed.value.errors
    assert message in errors[field]
    assert set(errors) == {field}


@pytest.mark.parametrize("precision, typed, stored", [
    ("month", "2025-02", dt.date(2025, 2, 1)), ("month", "2025-02-17", dt.date(2025, 2, 1)),
    ("year", "2024", dt.date(2024, 1, 1)), ("day", "2025-02-17", dt.date(2025, 2, 17)), ("unknown", "", None)])
def test_date_keeps_only_its_precision(session, precision, typed, stored):
    data = _valid(session, date_precision=precision, stated_on=typed)
    assert data.stated_on == stored and data.date_precision == precision


def test_today_is_not_the_future(session):
    today = dt.datetime.now(dt.UTC).date()
    assert _valid(session, stated_on=today.isoformat()).stated_on == today


def test_empty_optional_fields_are_stored_as_none(session):
    data = _valid(session, speaker="  ", conditions="", source_url="")
    assert data.speaker is None and data.conditions is None and data.source_url is None


# --- writes and their audit rows --------------------------------------------------------------------------------

def test_create_is_an_editor_statement_and_audited(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    assert (s.origin, s.review_status, s.country_iso2, s.stance) == ("editor", "verified", "FR", "support")
    [event] = queries.statement_history(session, s.id)
    assert (event.action, event.user_id, event.before) == ("create", editor.id, None)
    assert event.after["quote"] == GOOD["quote"] and event.after["stated_on"] == "2025-02-17"
    assert event.at is not None


def test_update_records_before_and_after(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    editing.update_statement(session, editor, s.id, _valid(session, stance="undecided"), s.version)
    events = queries.statement_history(session, s.id)
    assert [e.action for e in events] == ["create", "update"]
    assert editing.changed_fields(events[1]) == [("stance", "support", "undecided")]
    assert s.version == 2


def test_saving_unchanged_values_writes_nothing(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    editing.update_statement(session, editor, s.id, _valid(session), s.version)
    assert len(queries.statement_history(session, s.id)) == 1 and s.version == 1


def test_a_stale_version_is_refused_with_what_changed(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    opened = s.version
    editing.update_statement(session, editor, s.id, _valid(session, stance="reject"), opened)
    with pytest.raises(StaleEdit) as caught:
        editing.update_statement(session, editor, s.id, _valid(session, stance="undecided", speaker="Macron"), opened)
    stale = caught.value
    assert stale.version == opened + 1
    assert ("stance", "undecided", "reject") in stale.changes
    assert ("speaker", "Macron", "Emmanuel Macron") in stale.changes
    session.expire_all()
    assert session.get(Statement, s.id).stance == "reject"
    assert len(queries.statement_history(session, s.id)) == 2


def test_a_concurrent_save_from_another_session_is_stale(engine, session, editor):
    """Two workers load version 1; the second to commit is refused by the version column, not overwritten."""
    from app.db import session_factory

    s = editing.create_statement(session, editor, _valid(session))
    other = session_factory(engine)()
    try:
        mine = queries.get_statement(session, s.id)
        theirs = queries.get_statement(other, s.id)
        theirs.stance = "reject"
        other.commit()
        with pytest.raises(StaleEdit):
            # The check passes on the stale copy in this session's identity map; the UPDATE's version
            # condition then matches no row.
            editing.update_statement(session, editor, mine.id, _valid(session, stance="undecided"), 1)
    finally:
        other.close()
    session.expire_all()
    assert session.get(Statement, s.id).stance == "reject"


def test_review_verify_and_dismiss(session, editor):
    a = add_statement(session, "PL", "support", "2025-02-01", origin="machine")
    b = add_statement(session, "DE", "reject", "2025-02-02", origin="machine")
    session.commit()
    editing.review_statement(session, editor, a.id, "verify", a.version)
    editing.review_statement(session, editor, b.id, "dismiss", b.version)
    assert (a.review_status, b.review_status) == ("verified", "dismissed")
    assert [e.action for e in queries.statement_history(session, b.id)] == ["dismiss"]
    rows, total = queries.review_queue(session)
    assert total == 0 and rows == []
    with pytest.raises(EditError):
        editing.review_statement(session, editor, a.id, "approve")


def test_dismissed_statements_stop_counting_on_the_map(session, editor):
    s = add_statement(session, "PL", "support", "2025-02-01", origin="machine")
    session.commit()
    assert [p.country for p in queries.positions_as_of(session, dt.date(2025, 3, 1))] == ["PL"]
    editing.review_statement(session, editor, s.id, "dismiss")
    assert queries.positions_as_of(session, dt.date(2025, 3, 1)) == []


def test_reviewed_statements_survive_reextraction(session, editor):
    from app.ingest.reextract import reextract_article
    from app.ingest.store import ingest_text

    body = ("Warsaw, 3 March 2025. Poland is ready to send troops to Ukraine, Prime Minister Donald Tusk said. "
            "Germany will not send soldiers, Chancellor Olaf Scholz said.")
    result = ingest_text(session, body=body, title="t", published_on=dt.date(2025, 3, 3))
    found = queries.article_statements(session, result.article_id)
    assert len(found) >= 2
    verified, corrected = found[0], found[1]
    editing.review_statement(session, editor, verified.id, "verify")
    editing.update_statement(session, editor, corrected.id,
                             _valid(session, country_iso2=corrected.country_iso2, quote=corrected.quote,
                                    stance="undecided"), corrected.version, action="correct")
    reextract_article(session, result.article_id)
    session.commit()
    session.expire_all()
    kept = {s.id: s for s in queries.article_statements(session, result.article_id)}
    assert kept[verified.id].review_status == "verified"
    assert kept[corrected.id].stance == "undecided" and kept[corrected.id].review_status == "verified"


def test_delete_is_soft_and_restorable(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    editing.delete_statement(session, editor, s.id, s.version)
    assert s.deleted_at is not None and session.get(Statement, s.id) is not None
    assert queries.positions_as_of(session, dt.date(2025, 3, 1)) == []
    with pytest.raises(EditError, match="already deleted"):
        editing.delete_statement(session, editor, s.id)
    editing.restore_statement(session, editor, s.id)
    assert s.deleted_at is None
    assert [p.country for p in queries.positions_as_of(session, dt.date(2025, 3, 1))] == ["FR"]
    assert [e.action for e in queries.statement_history(session, s.id)] == ["create", "delete", "restore"]


def test_admin_reverts_one_change_and_the_revert_is_audited(session, editor, admin):
    s = editing.create_statement(session, editor, _valid(session))
    editing.update_statement(session, editor, s.id, _valid(session, stance="reject"), s.version)
    editing.update_statement(session, editor, s.id, _valid(session, stance="reject", speaker="Someone"), s.version)
    stance_change = queries.statement_history(session, s.id)[1]
    editing.revert_event(session, admin, stance_change.id)
    # Only the reverted change's field goes back; the later speaker edit stays.
    assert (s.stance, s.speaker) == ("support", "Someone")
    last = queries.statement_history(session, s.id)[-1]
    assert (last.action, last.user_id, last.after["reverted_event"]) == ("revert", admin.id, stance_change.id)
    assert last.before["stance"] == "reject" and last.after["stance"] == "support"
    with pytest.raises(EditError, match="Nothing to revert"):
        editing.revert_event(session, admin, stance_change.id)


def test_reverting_a_creation_deletes_softly(session, editor, admin):
    s = editing.create_statement(session, editor, _valid(session))
    created = queries.statement_history(session, s.id)[0]
    editing.revert_event(session, admin, created.id)
    assert s.deleted_at is not None


def test_editors_cannot_revert(session, editor):
    s = editing.create_statement(session, editor, _valid(session))
    with pytest.raises(EditError, match="Only an admin"):
        editing.revert_event(session, editor, queries.statement_history(session, s.id)[0].id)


def test_add_article_runs_the_extraction_and_fills_the_review_queue(session, editor):
    data = editing.validate_article({  # ValidationFailed otherwise
        "body": "Paris, 3 March 2025. France is ready to send troops to Ukraine after a ceasefire, "
                "President Emmanuel Macron said.", "title": "France ready", "source": "Example News",
        "url": "https://news.example/fr", "published_on": "2025-03-03"})
    result = editing.add_article(session, editor, data)
    assert result.status == "added" and result.statements_added >= 1
    rows, total = queries.review_queue(session)
    assert total == result.statements_added and rows[0].country_iso2 == "FR"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "add_article"))
    assert event.user_id == editor.id and event.after["article_id"] == result.article_id
    again = editing.add_article(session, editor, data)
    assert again.status == "already stored" and _count(session, Article) == 1


@pytest.mark.parametrize("raw, field", [({"body": "  "}, "body"), ({"body": "x", "url": "nope"}, "url"),
                                        ({"body": "x", "published_on": "3 March"}, "published_on"),
                                        ({"body": "x", "published_on": "2999-01-01"}, "published_on"),
                                        ({"body": "x", "title": "t" * 1001}, "title")])
def test_add_article_validation(raw, field):
    with pytest.raises(ValidationFailed) as failed:
        editing.validate_article(raw)
    assert field in failed.value.errors


def test_review_queue_is_machine_unreviewed_newest_first(session, editor):
    old = add_statement(session, "PL", "support", "2025-02-01", origin="machine",
                        created_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    new = add_statement(session, "DE", "reject", "2025-01-01", origin="machine",
                        created_at=dt.datetime(2025, 3, 2, tzinfo=dt.UTC))
    add_statement(session, "FR", "support", "2025-02-01", origin="editor")
    add_statement(session, "IT", "support", "2025-02-01", origin="machine", review_status="verified")
    add_statement(session, "ES", "support", "2025-02-01", origin="machine",
                  deleted_at=dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    session.commit()
    rows, total = queries.review_queue(session)
    assert [r.id for r in rows] == [new.id, old.id] and total == 2


def test_add_article_refuses_text_over_the_ingest_limit(monkeypatch):
    from app.settings import get_settings

    monkeypatch.setenv("MAX_ARTICLE_BYTES", "100")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValidationFailed) as failed:
            editing.validate_article({"body": "x" * 101})
    finally:
        monkeypatch.delenv("MAX_ARTICLE_BYTES")
        get_settings.cache_clear()
    assert "the limit is 100" in failed.value.errors["body"]
