"""Kept positions: the rules (tie on one day, since, sources, readings, undated), and that after any sequence of
writes through the real writers the kept tables equal a rebuild from the statements."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app import editing, positions, queries
from app.ingest.reextract import reextract_article
from app.ingest.extract import RuleExtractor
from app.ingest.store import ingest_text, prepare, store_batch
from app.ingest.types import ArticleInput
from app.models import (Article, AuditEvent, PositionChangeDay, PositionCountry, PositionDay, Statement, User)
from factories import add_article, add_statement

D = dt.date.fromisoformat


def _position(session, iso2, as_of, reading="all"):
    found = [p for p in queries.positions_as_of(session, D(as_of), reading=reading) if p.country == iso2]
    return found[0] if found else None


def test_ties_on_one_day_prefer_verified_then_precision_then_holder_then_confidence(session):
    add_statement(session, "FR", "support", "2025-03-01", confidence=0.9, mention_start=0, cue_start=5)
    late = add_statement(session, "FR", "reject", "2025-03-01", confidence=0.5, mention_start=0, cue_start=5)
    session.commit()
    # insertion order would pick the later one; confidence picks the first
    assert _position(session, "FR", "2025-03-02").stance == "support"
    # a verified statement beats any unreviewed one on the same day
    late.review_status = "verified"
    positions.refresh_countries(session, ["FR"])
    session.commit()
    assert _position(session, "FR", "2025-03-02").stance == "reject"
    # a day-precise statement beats a month-precise one stored on the month's first day
    add_statement(session, "DE", "support", "2025-03-01", date_precision="month", confidence=0.95,
                  mention_start=0, cue_start=3)
    add_statement(session, "DE", "undecided", "2025-03-01", confidence=0.6, mention_start=0, cue_start=3)
    # a statement whose quote holds the country and the cue beats one that inherited its cue
    add_statement(session, "IT", "support", "2025-03-01", confidence=0.9)
    add_statement(session, "IT", "reject", "2025-03-01", confidence=0.7, mention_start=0, cue_start=3)
    session.commit()
    assert _position(session, "DE", "2025-03-02").stance == "undecided"
    assert _position(session, "IT", "2025-03-02").stance == "reject"


def test_since_is_the_start_of_the_run_and_last_restated_the_latest_statement(session):
    add_statement(session, "FR", "undecided", "2024-11-01")
    add_statement(session, "FR", "support", "2025-01-10")
    add_statement(session, "FR", "support", "2025-02-03")
    add_statement(session, "FR", "reject", "2025-02-10", review_status="dismissed")  # does not break the run
    add_statement(session, "FR", "support", "2025-03-20", date_precision="month")
    session.commit()
    p = _position(session, "FR", "2025-04-01")
    assert (p.stance, p.since, p.stated_on, p.date_precision, p.changed_from) == (
        "support", D("2025-01-10"), D("2025-03-20"), "month", "support")
    assert _position(session, "FR", "2025-01-09").since == D("2024-11-01")
    assert queries.change_dates(session) == (D("2024-11-01"), D("2025-01-10"))


def test_sources_count_distinct_outlets_of_the_same_stance_within_the_window(session):
    a1 = add_article(session, source="ERR")
    a2 = add_article(session, source="err ")  # the same outlet
    a3 = add_article(session, source="Reuters")
    a4 = add_article(session, source="AP")
    add_statement(session, "EE", "support", "2025-02-10", article=a1)
    add_statement(session, "EE", "support", "2025-02-12", article=a2)
    add_statement(session, "EE", "reject", "2025-02-13", article=a4)  # another stance: not corroboration
    add_statement(session, "EE", "support", "2025-02-15", article=a3)
    add_statement(session, "EE", "support", "2025-03-01", article=a4)  # the others are more than 7 days before
    session.commit()
    p = _position(session, "EE", "2025-02-16")
    assert (p.stance, p.sources, p.articles, p.since) == ("support", 2, 3, D("2025-02-15"))
    assert _position(session, "EE", "2025-03-02").sources == 1


def test_verified_reading_counts_only_verified_and_editor_statements(session, ):
    add_statement(session, "FR", "support", "2025-01-01", review_status="verified", origin="editor")
    add_statement(session, "FR", "reject", "2025-02-01")  # unreviewed machine statement
    add_statement(session, "PL", "reject", "2025-02-01")
    session.commit()
    assert _position(session, "FR", "2025-03-01").stance == "reject"
    verified = _position(session, "FR", "2025-03-01", reading="verified")
    assert (verified.stance, verified.trust) == ("support", "editor")
    assert _position(session, "PL", "2025-03-01", reading="verified") is None


def test_countries_with_only_undated_statements_are_listed(session):
    add_statement(session, "JP", "reject", None, date_precision="unknown")
    add_statement(session, "FR", "support", None, date_precision="unknown")
    add_statement(session, "FR", "support", "2025-01-01")
    session.commit()
    assert [(u.country, u.stance) for u in queries.undated_only(session, D("2025-02-01"))] == [("JP", "reject")]
    # before France's first dated statement it too has only an undated one
    assert [u.country for u in queries.undated_only(session, D("2024-12-01"))] == ["FR", "JP"]


def test_rebuild_command_reproduces_the_tables(settings_env, session):
    from typer.testing import CliRunner

    from app.cli import app as cli

    add_statement(session, "FR", "support", "2025-01-01")
    add_statement(session, "FR", "reject", "2025-02-01")
    session.commit()
    before = positions.snapshot(session)
    session.execute(delete(PositionDay))
    session.commit()
    result = CliRunner().invoke(cli, ["rebuild-positions"])
    assert result.exit_code == 0, result.output
    session.rollback()
    assert positions.snapshot(session) == before and before["position_days"]


def test_every_write_raises_the_data_version(session):
    user = editing.create_user(session, "erin", "correct horse battery")
    v0 = positions.current_version(session)
    data = editing.validate_statement(session, {"country_iso2": "FR", "stance": "support",
                                                "stated_on": "2025-01-01", "quote": "q"})
    s = editing.create_statement(session, user, data)
    v1 = positions.current_version(session)
    editing.review_statement(session, user, s.id, "dismiss")
    v2 = positions.current_version(session)
    ingest_text(session, body="Norway is ready to send troops to Ukraine.", published_on=D("2025-01-02"))
    v3 = positions.current_version(session)
    assert v0 < v1 < v2 < v3


# --- property: any sequence of writes, then a rebuild, changes nothing ---------------------------------------

NAMES = {"DK": "Denmark", "EE": "Estonia", "LV": "Latvia", "NO": "Norway"}
SENTENCES = {"support": "{} is ready to send troops to Ukraine.", "reject": "{} will not send troops to Ukraine.",
             "undecided": "{} does not rule out sending soldiers."}
DAYS = [D("2025-01-01") + dt.timedelta(days=n) for n in (0, 0, 2, 5, 9, 20, 31, 40)]
STANCE_S = st.sampled_from(sorted(SENTENCES))
COUNTRY_S = st.sampled_from(sorted(NAMES))

ingest_op = st.tuples(st.just("ingest"), st.lists(st.tuples(COUNTRY_S, STANCE_S), min_size=1, max_size=3),
                      st.sampled_from(DAYS + [None]), st.sampled_from(["ERR", "Reuters", None]))
create_op = st.tuples(st.just("create"), COUNTRY_S, STANCE_S, st.sampled_from(DAYS + [None]),
                      st.sampled_from(["day", "month"]))
update_op = st.tuples(st.just("update"), st.integers(0, 50), COUNTRY_S, STANCE_S, st.sampled_from(DAYS))
review_op = st.tuples(st.just("review"), st.integers(0, 50), st.sampled_from(["verify", "dismiss"]))
delete_op = st.tuples(st.just("delete"), st.integers(0, 50))
restore_op = st.tuples(st.just("restore"), st.integers(0, 50))
revert_op = st.tuples(st.just("revert"), st.integers(0, 50))
reextract_op = st.tuples(st.just("reextract"), st.integers(0, 50))
# the review queue's bulk decisions ("verify all remaining in this article") and their undo
bulk_op = st.tuples(st.just("bulk"), st.lists(st.integers(0, 50), min_size=1, max_size=4),
                    st.sampled_from(["verify", "dismiss"]))
undo_op = st.tuples(st.just("undo"), st.integers(0, 50))
# an ingest run's batch (several articles in one transaction, the kept positions held by the run's keeper between
# its batches, while the editors' writes above come in between); "rolled back": the batch's transaction fails
# after its writes, so what the keeper computed for it must not be believed
article_s = st.tuples(st.lists(st.tuples(COUNTRY_S, STANCE_S), min_size=1, max_size=3), st.sampled_from(DAYS + [None]),
                      st.sampled_from(["ERR", "Reuters", None]))
batch_op = st.tuples(st.just("batch"), st.lists(article_s, min_size=1, max_size=5), st.sampled_from(["commit", "rolled back"]))
OPS = st.lists(st.one_of(ingest_op, create_op, update_op, review_op, delete_op, restore_op, revert_op,
                         reextract_op, bulk_op, undo_op, batch_op), min_size=1, max_size=14)
# mostly one ingest run's batches, with now and then another writer between them
RUN_OPS = st.lists(st.one_of(batch_op, batch_op, batch_op, batch_op, ingest_op, create_op, review_op, delete_op),
                   min_size=2, max_size=12)
EXTRACTOR = RuleExtractor()


def _pick(session, model, n):
    ids = list(session.scalars(select(model.id).order_by(model.id)))
    return ids[n % len(ids)] if ids else None


def _apply(session, admin, op, keeper) -> None:
    kind = op[0]
    try:
        if kind == "batch":
            _, articles, end = op
            batch = [prepare(ArticleInput(body=" ".join(SENTENCES[stance].format(NAMES[c]) for c, stance in pairs),
                                          source=source, published_on=day, date_precision="day" if day else "unknown"),
                             EXTRACTOR) for pairs, day, source in articles]
            store_batch(session, batch, keeper, commit=end == "commit")
            if end != "commit":
                session.rollback()
        elif kind == "ingest":
            _, pairs, day, source = op
            body = " ".join(SENTENCES[stance].format(NAMES[c]) for c, stance in pairs)
            ingest_text(session, body=body, published_on=day, source=source)
        elif kind == "create":
            _, country, stance, day, precision = op
            raw = {"country_iso2": country, "stance": stance, "quote": f"{country} said {stance}.",
                   "date_precision": precision if day else "unknown",
                   "stated_on": (day.isoformat()[:7] if precision == "month" else day.isoformat()) if day else ""}
            editing.create_statement(session, admin, editing.validate_statement(session, raw))
        elif kind == "update":
            _, n, country, stance, day = op
            sid = _pick(session, Statement, n)
            if sid is None:
                return
            s = queries.get_statement(session, sid)
            data = editing.validate_statement(session, {
                "country_iso2": country, "stance": stance, "stated_on": day.isoformat(), "date_precision": "day",
                "quote": s.quote, "speaker": s.speaker, "conditions": s.conditions, "source_url": s.source_url})
            editing.update_statement(session, admin, sid, data, s.version)
        elif kind == "review":
            sid = _pick(session, Statement, op[1])
            if sid is not None:
                editing.review_statement(session, admin, sid, op[2])
        elif kind == "delete":
            sid = _pick(session, Statement, op[1])
            if sid is not None:
                editing.delete_statement(session, admin, sid)
        elif kind == "restore":
            sid = _pick(session, Statement, op[1])
            if sid is not None:
                editing.restore_statement(session, admin, sid)
        elif kind == "revert":
            eid = _pick(session, AuditEvent, op[1])
            if eid is not None:
                editing.revert_event(session, admin, eid)
        elif kind == "bulk":
            ids = [sid for n in op[1] if (sid := _pick(session, Statement, n)) is not None]
            editing.review_many(session, admin, ids, op[2])
        elif kind == "undo":
            eid = _pick(session, AuditEvent, op[1])
            if eid is not None:
                editing.undo_review(session, admin, [eid])
        elif kind == "reextract":
            aid = _pick(session, Article, op[1])
            if aid is not None:
                reextract_article(session, aid)
    except editing.EditError:
        session.rollback()  # e.g. deleting a deleted statement: refused, nothing written


@pytest.fixture
def clean(session):
    def wipe():
        session.rollback()
        for model in (AuditEvent, Statement, Article, PositionDay, PositionChangeDay, PositionCountry):
            session.execute(delete(model))
        session.commit()

    admin = session.scalar(select(User).where(User.username == "ada")) or editing.create_user(
        session, "ada", "correct horse battery", role="admin")
    return admin, wipe


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_rebuilding_after_any_writes_changes_nothing(session, clean, ops):
    admin, wipe = clean
    wipe()
    keeper = positions.PositionKeeper()
    for op in ops:
        _apply(session, admin, op, keeper)
    session.rollback()
    kept = positions.snapshot(session)
    positions.rebuild_positions(session)
    session.commit()
    assert positions.snapshot(session) == kept


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=RUN_OPS)
def test_an_ingest_runs_batches_among_other_writes_keep_positions_as_a_rebuild(session, clean, ops):
    admin, wipe = clean
    wipe()
    keeper = positions.PositionKeeper()
    for op in ops:
        _apply(session, admin, op, keeper)
    session.rollback()
    kept = positions.snapshot(session)
    positions.rebuild_positions(session)
    session.commit()
    assert positions.snapshot(session) == kept


def _batch(session, keeper, *articles, commit=True):
    return store_batch(session, [prepare(ArticleInput(body=text, published_on=D(day), date_precision="day"), EXTRACTOR)
                                 for text, day in articles], keeper, commit=commit)


def _as_rebuilt(session) -> bool:
    kept = positions.snapshot(session)
    positions.rebuild_positions(session)
    session.commit()
    return positions.snapshot(session) == kept


def test_a_keeper_reads_again_after_another_writer(session):
    keeper = positions.PositionKeeper()
    _batch(session, keeper, ("Norway is ready to send troops to Ukraine.", "2025-01-01"))
    # another writer changes Norway between two of the run's batches: what the keeper holds is out of date
    ingest_text(session, body="Norway will not send troops to Ukraine.", published_on=D("2025-01-03"))
    _batch(session, keeper, ("Norway does not rule out sending soldiers.", "2025-01-05"))
    assert _as_rebuilt(session)


def test_a_keeper_forgets_a_batch_that_was_rolled_back(session):
    keeper = positions.PositionKeeper()
    _batch(session, keeper, ("Norway is ready to send troops to Ukraine.", "2025-01-01"))
    # the transaction fails after its writes (say, at the commit): what the keeper computed for it is not kept
    _batch(session, keeper, ("Norway will not send troops to Ukraine.", "2025-01-03"), commit=False)
    session.rollback()
    _batch(session, keeper, ("Norway does not rule out sending soldiers.", "2025-01-05"))
    assert _as_rebuilt(session)
    assert [p.stance for p in queries.positions_as_of(session, D("2025-01-04"))] == ["support"]


def test_a_keeper_drops_the_least_recently_touched_countries_beyond_its_limit(session):
    keeper = positions.PositionKeeper(max_rows=2)
    _batch(session, keeper, ("Norway is ready to send troops to Ukraine.", "2025-01-01"),
           ("Denmark is ready to send troops to Ukraine.", "2025-01-02"))
    _batch(session, keeper, ("Estonia will not send troops to Ukraine.", "2025-01-03"),
           ("Norway will not send troops to Ukraine.", "2025-01-04"))
    assert list(keeper._held) == ["NO"]  # Denmark and Estonia were touched before Norway's second statement
    _batch(session, keeper, ("Denmark will not send troops to Ukraine.", "2025-01-05"))
    assert _as_rebuilt(session)

