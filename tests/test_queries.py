"""Reads against a real database: positions on a date, change dates, timelines, filtered pages."""
from __future__ import annotations

import datetime as dt

from factories import add_article, add_statement
from sqlalchemy import update

from app import queries
from app.positions import refresh_countries
from app.models import Statement
from app.queries import StatementFilters

D = dt.date.fromisoformat


def _codes(positions):
    return {p.country: p.stance for p in positions}


def test_position_is_latest_statement_on_or_before_the_date(session):
    add_statement(session, "FR", "undecided", "2024-11-01")
    add_statement(session, "FR", "support", "2025-02-17")
    add_statement(session, "DE", "reject", "2025-02-18")
    session.commit()
    assert _codes(queries.positions_as_of(session, D("2024-10-31"))) == {}
    assert _codes(queries.positions_as_of(session, D("2024-11-01"))) == {"FR": "undecided"}
    assert _codes(queries.positions_as_of(session, D("2025-02-17"))) == {"FR": "support"}
    assert _codes(queries.positions_as_of(session, D("2025-12-31"))) == {"FR": "support", "DE": "reject"}


def test_dismissed_deleted_and_undated_statements_never_count(session):
    add_statement(session, "PL", "reject", "2025-01-10")
    add_statement(session, "PL", "support", "2025-02-01", review_status="dismissed")
    add_statement(session, "PL", "undecided", "2025-02-02",
                  deleted_at=dt.datetime(2025, 2, 3, tzinfo=dt.UTC))
    add_statement(session, "IT", "support", None)
    session.commit()
    assert _codes(queries.positions_as_of(session, D("2025-06-01"))) == {"PL": "reject"}


def test_same_day_tie_goes_to_the_statement_recorded_last(session):
    add_statement(session, "SE", "undecided", "2025-03-03")
    last = add_statement(session, "SE", "support", "2025-03-03")
    session.commit()
    [p] = queries.positions_as_of(session, D("2025-03-03"))
    assert (p.stance, p.statement_id) == ("support", last.id)


def test_position_carries_source_and_url(session):
    art = add_article(session, source="Reuters", url="https://reuters.example/a")
    add_statement(session, "GB", "support", "2025-02-16", article=art, speaker="Keir Starmer")
    add_statement(session, "NL", "undecided", "2025-02-20", article=art, source_url="https://gov.example/nl")
    session.commit()
    by = {p.country: p for p in queries.positions_as_of(session, D("2025-03-01"))}
    assert (by["GB"].source, by["GB"].url, by["GB"].speaker) == ("Reuters", "https://reuters.example/a", "Keir Starmer")
    assert by["NL"].url == "https://gov.example/nl"  # the statement's own URL wins over the article's


def test_stance_and_group_filters(session):
    add_statement(session, "FR", "support", "2025-01-01")  # EU + NATO
    add_statement(session, "GB", "support", "2025-01-01")  # NATO only
    add_statement(session, "AT", "reject", "2025-01-01")   # EU only
    add_statement(session, "AU", "undecided", "2025-01-01")  # neither
    session.commit()
    day = D("2025-02-01")
    assert set(_codes(queries.positions_as_of(session, day, group="eu"))) == {"FR", "AT"}
    assert set(_codes(queries.positions_as_of(session, day, group="nato"))) == {"FR", "GB"}
    assert set(_codes(queries.positions_as_of(session, day, group="others"))) == {"AU"}
    assert set(_codes(queries.positions_as_of(session, day, stance="support"))) == {"FR", "GB"}
    # The stance filter applies to the position, not to any statement: France's old "reject" does not match.
    add_statement(session, "FR", "reject", "2024-12-01")
    session.commit()
    assert "FR" not in _codes(queries.positions_as_of(session, day, stance="reject"))


def test_sort_positions_and_counts(session):
    add_statement(session, "FR", "support", "2025-01-05")
    add_statement(session, "AT", "reject", "2025-01-09")
    add_statement(session, "BE", "undecided", "2025-01-01")
    session.commit()
    ps = queries.positions_as_of(session, D("2025-02-01"))
    assert [p.country for p in ps] == ["AT", "BE", "FR"]  # by name
    assert [p.country for p in queries.sort_positions(ps, "-date")] == ["AT", "FR", "BE"]
    assert [p.country for p in queries.sort_positions(ps, "stance")] == ["FR", "AT", "BE"]
    assert queries.stance_counts(ps) == {"support": 1, "reject": 1, "undecided": 1}


def test_change_dates_mark_first_positions_and_switches_only(session):
    add_statement(session, "FR", "undecided", "2024-11-01")
    add_statement(session, "FR", "undecided", "2024-12-01")  # same stance again: no change
    add_statement(session, "FR", "support", "2025-02-17")
    add_statement(session, "DE", "reject", "2025-01-05")
    add_statement(session, "DE", "support", "2025-03-01", review_status="dismissed")  # does not count
    session.commit()
    assert queries.change_dates(session) == (D("2024-11-01"), D("2025-01-05"), D("2025-02-17"))


def test_data_summary_follows_new_statements(session):
    add_article(session, ingested_at=dt.datetime(2025, 3, 2, 9, 30, tzinfo=dt.UTC))
    add_statement(session, "FR", "support", "2025-02-17")
    session.commit()
    first = queries.data_summary(session)
    assert (first.first_stated_on, first.last_stated_on) == (D("2025-02-17"), D("2025-02-17"))
    assert first.last_ingested_at.replace(tzinfo=None) == dt.datetime(2025, 3, 2, 9, 30)
    add_statement(session, "DE", "reject", "2025-03-05")
    session.commit()
    second = queries.data_summary(session)
    assert second.last_stated_on == D("2025-03-05")
    assert D("2025-03-05") in second.change_dates


def test_timeline_marks_changes_and_keeps_excluded_statements(session):
    add_statement(session, "FR", "undecided", "2024-11-01")
    add_statement(session, "FR", "undecided", "2024-12-01")
    add_statement(session, "FR", "reject", "2025-01-01", review_status="dismissed")
    add_statement(session, "FR", "support", "2025-02-17")
    add_statement(session, "FR", "support", None)
    session.commit()
    tl = queries.country_timeline(session, "FR")
    assert [(str(e.statement.stated_on), e.counts, e.changed, e.previous) for e in tl] == [
        ("2024-11-01", True, True, None),
        ("2024-12-01", True, False, "undecided"),
        ("2025-01-01", False, False, "undecided"),
        ("2025-02-17", True, True, "undecided"),
        ("None", False, False, "support"),
    ]


def test_statements_page_filters_orders_and_counts(session):
    for day in range(1, 8):
        add_statement(session, "FR", "support" if day % 2 else "reject", f"2025-01-0{day}", quote=f"quote {day}")
    add_statement(session, "DE", "support", None, quote="undated one")
    session.commit()
    rows, total = queries.statements_page(session, StatementFilters(), limit=3, offset=0)
    assert total == 8 and [s.quote for s in rows] == ["quote 7", "quote 6", "quote 5"]
    rows, total = queries.statements_page(session, StatementFilters(), limit=3, offset=6)
    assert [s.quote for s in rows] == ["quote 1", "undated one"]  # undated last, on every database
    rows, _ = queries.statements_page(session, StatementFilters(), limit=3, offset=7)
    assert [s.quote for s in rows] == ["undated one"]
    assert queries.statements_page(session, StatementFilters(), limit=3, offset=8) == ([], 8)
    rows, total = queries.statements_page(session, StatementFilters(country="FR", stance="reject",
                                                                    date_from=D("2025-01-03")), limit=10, offset=0)
    assert total == 2 and [s.quote for s in rows] == ["quote 6", "quote 4"]
    rows, total = queries.statements_page(session, StatementFilters(text="UNDATED"), limit=10, offset=0)
    assert total == 1


def test_countries_count_statements(session):
    add_statement(session, "FR", "support", "2025-01-01")
    s = add_statement(session, "FR", "reject", "2025-01-02")
    session.execute(update(Statement).where(Statement.id == s.id)
                    .values(deleted_at=dt.datetime(2025, 1, 3, tzinfo=dt.UTC)))
    refresh_countries(session, ["FR"])  # what every writer does; direct SQL must too (or rebuild-positions)
    session.commit()
    counts = {c.iso2: n for c, n in queries.countries(session)}
    assert counts["FR"] == 1 and counts["DE"] == 0 and len(counts) == 250
    assert [c.iso2 for c in queries.countries_with_statements(session)] == ["FR"]


def test_cached_counts_follow_new_and_reviewed_statements(session):
    s = add_statement(session, "FR", "support", "2025-01-01")
    session.commit()
    assert queries.statements_page(session, StatementFilters(stance="support"), limit=5, offset=0)[1] == 1
    add_statement(session, "DE", "support", "2025-01-02")
    session.commit()
    assert queries.statements_page(session, StatementFilters(stance="support"), limit=5, offset=0)[1] == 2
    # Every writer refreshes the kept positions of what it touched, which raises the data version the cache
    # keys on; a change that did not is still served from the cache.
    s.stance = "reject"
    session.commit()
    assert queries.statements_page(session, StatementFilters(stance="support"), limit=5, offset=0)[1] == 2
    refresh_countries(session, ["FR"])
    session.commit()
    assert queries.statements_page(session, StatementFilters(stance="support"), limit=5, offset=0)[1] == 1


def test_text_filter_is_literal(session):
    add_statement(session, "FR", "support", "2025-01-01", quote="Support rose to 50% in the poll.")
    add_statement(session, "DE", "support", "2025-01-01", quote="Support rose to 505 in the poll.")
    add_statement(session, "IT", "support", "2025-01-01", quote="a_b and a\\b")
    session.commit()
    assert queries.statements_page(session, StatementFilters(text="50%"), limit=5, offset=0)[1] == 1
    assert queries.statements_page(session, StatementFilters(text="%"), limit=5, offset=0)[1] == 1
    assert queries.statements_page(session, StatementFilters(text="a_b"), limit=5, offset=0)[1] == 1
    assert queries.statements_page(session, StatementFilters(text="a\\b"), limit=5, offset=0)[1] == 1
    assert queries.statements_page(session, StatementFilters(text="ROSE"), limit=5, offset=0)[1] == 2
