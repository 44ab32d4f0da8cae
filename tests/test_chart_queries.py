"""The reads behind the chart and compare views on a real database: runs from the kept change rows (kept per
data version, read again only for the countries a write touched), counts over time, and two dates compared."""
from __future__ import annotations

import datetime as dt

import pytest
from factories import add_statement

from app import editing, queries

D = dt.date


@pytest.fixture
def editor(session):
    return editing.create_user(session, "erin", "correct horse battery")


@pytest.fixture
def seeded(session):
    add_statement(session, "FR", "undecided", "2024-11-01")
    add_statement(session, "FR", "support", "2025-02-17")
    add_statement(session, "FR", "support", "2025-03-01")  # restated: no change
    add_statement(session, "DE", "reject", "2025-02-17")
    add_statement(session, "GB", "support", "2025-02-16", review_status="verified")
    add_statement(session, "IT", "reject", None)  # undated: never a run
    add_statement(session, "PL", "support", "2025-02-18", review_status="dismissed")
    session.commit()


def shape(runs) -> dict:
    return {c.country: [(r.start, r.stance, r.end, r.previous, r.trust) for r in c.runs] for c in runs}


def fresh(session, reading="all"):
    queries._runs_cache.clear()
    return queries.position_runs(session, reading)


def test_runs_are_the_changes_of_each_country(session, seeded):
    assert shape(queries.position_runs(session)) == {
        "FR": [(D(2024, 11, 1), "undecided", D(2025, 2, 17), None, "unreviewed"),
               (D(2025, 2, 17), "support", None, "undecided", "unreviewed")],
        "DE": [(D(2025, 2, 17), "reject", None, None, "unreviewed")],
        "GB": [(D(2025, 2, 16), "support", None, None, "verified")],
    }
    assert [c.name for c in queries.position_runs(session)] == ["France", "Germany", "United Kingdom"]
    assert shape(queries.position_runs(session, "verified")) == {
        "GB": [(D(2025, 2, 16), "support", None, None, "verified")]}


def test_counts_over_time_agree_with_the_positions_on_every_day(session, seeded):
    totals = queries.group_totals(session)
    for day in (D(2024, 10, 1), D(2024, 11, 1), D(2025, 2, 16), D(2025, 2, 17), D(2025, 3, 10)):
        expected = queries.stance_counts(queries.positions_as_of(session, day))
        on = queries.totals_on(totals, day)
        assert {"support": on.support, "reject": on.reject, "undecided": on.undecided} == expected
    eu = queries.totals_on(queries.group_totals(session, group="eu"), D(2025, 3, 10))
    assert (eu.support, eu.reject, eu.undecided) == (1, 1, 0)  # FR, DE; not GB


def test_a_write_reads_again_only_the_countries_it_touched(session, seeded, editor):
    before = {c.country: c for c in queries.position_runs(session)}
    data = editing.validate_statement(session, {"country_iso2": "FR", "stance": "reject",
                                                "stated_on": "2025-03-05", "quote": "France now says no."})
    editing.create_statement(session, editor, data)
    after = {c.country: c for c in queries.position_runs(session)}
    assert after["DE"] is before["DE"] and after["GB"] is before["GB"]  # kept, not read again
    assert after["FR"] is not before["FR"]
    assert [(r.stance, r.trust) for r in after["FR"].runs] == [("undecided", "unreviewed"),
                                                              ("support", "unreviewed"), ("reject", "editor")]
    assert shape(after.values()) == shape(fresh(session))  # the same as reading everything again


def test_counts_over_time_kept_up_to_date_equal_counting_afresh(session, seeded, editor):
    groups = (None, "eu", "nato", "others")
    for g in groups:
        queries.group_totals(session, group=g)
    for raw in ({"country_iso2": "FR", "stance": "reject", "stated_on": "2025-03-05"},
                {"country_iso2": "AU", "stance": "undecided", "stated_on": "2024-12-01"},
                {"country_iso2": "DE", "stance": "reject", "stated_on": "2025-02-17"}):
        data = editing.validate_statement(session, raw | {"quote": "A later statement."})
        editing.create_statement(session, editor, data)
        queries.group_totals(session, group="eu")  # brought up to date after each write, not only at the end
    fr = next(c for c in queries.position_runs(session) if c.country == "FR")
    editing.delete_statement(session, editor, fr.runs[0].statement_id)  # FR's first position goes
    kept = {g: queries.group_totals(session, group=g) for g in groups}
    runs = fresh(session)
    for g in groups:
        assert kept[g] == queries.stance_totals(c for c in runs if queries.in_group(c, g)), g
    assert queries.totals_on(kept[None], D(2025, 3, 10)).changes == 1  # FR to reject on 5 Mar


def test_reviews_and_deletions_reach_the_runs(session, seeded, editor):
    queries.position_runs(session)
    de = next(c for c in queries.position_runs(session) if c.country == "DE").runs[0]
    editing.review_statement(session, editor, de.statement_id, "verify")
    assert shape(queries.position_runs(session))["DE"] == [(D(2025, 2, 17), "reject", None, None, "verified")]
    assert "DE" in shape(queries.position_runs(session, "verified"))
    editing.delete_statement(session, editor, de.statement_id)
    assert "DE" not in shape(queries.position_runs(session))
    assert shape(queries.position_runs(session)) == shape(fresh(session))


def test_compare_two_dates(session, seeded):
    c = queries.compare_positions(session, D(2025, 1, 1), D(2025, 3, 10))
    assert [(x.country, x.before.stance if x.before else None, x.after.stance, x.changes) for x in c.changes] == [
        ("FR", "undecided", "support", 1), ("DE", None, "reject", 1), ("GB", None, "support", 1)]
    assert c.counts() == {"support": 2, "reject": 1, "undecided": 0}
    assert [x.run.start for x in c.changes] == [D(2025, 2, 17), D(2025, 2, 17), D(2025, 2, 16)]
    assert c.unchanged == [] and c.back_again == []
    c = queries.compare_positions(session, D(2025, 2, 17), D(2025, 3, 10))
    assert c.changes == [] and [p.country for p in c.unchanged] == ["FR", "DE", "GB"]
    c = queries.compare_positions(session, D(2025, 1, 1), D(2025, 3, 10), group="nato", reading="verified")
    assert [x.country for x in c.changes] == ["GB"]
