"""Properties of date resolution over any text and any article date (hypothesis): nothing raises, a resolved date
is never later than the article's, precision is one of the four, and inference stays inside its bounds."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.dates import ORDER, DateValue, infer_date, resolve, time_expressions

WORDS = st.sampled_from(["on", "in", "last", "this", "week", "month", "year", "yesterday", "today", "Monday",
                         "Friday", "(Feb", "17)", "3", "December", "May", "June", "2024", "2025", "1999", "31",
                         "Sept.", "mid-March", "early", "late", "the", ",", ".", "\n", "9999", "0"])
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=40).map(" ".join))
DAY = st.dates(min_value=dt.date(1991, 1, 1), max_value=dt.date(2035, 12, 31))
REF = st.one_of(st.just(DateValue.unknown()),
                st.builds(DateValue, DAY, st.sampled_from(["day", "month", "year"])))


def _first_day(v: DateValue) -> dt.date:
    return v.date


@settings(max_examples=300, deadline=None)
@given(text=TEXT, ref=REF)
def test_resolving_any_expression_never_passes_the_article_date(text, ref):
    for expr in time_expressions(text):
        value = resolve(expr, ref)
        assert value.precision in ORDER
        if value.known and ref.known:
            # a date that stands for a period starts no later than the article's own period ends
            assert _first_day(value) <= ref.last_day()


@settings(max_examples=300, deadline=None)
@given(text=TEXT, lo=DAY, span=st.integers(0, 4000))
def test_an_inferred_date_lies_within_its_bounds(text, lo, span):
    hi = lo + dt.timedelta(days=span)
    value = infer_date(text, (lo, hi))
    assert value.precision in ORDER
    if value.known:
        assert value.last_day() >= lo and value.date <= hi


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_without_bounds_inference_never_raises(text):
    assert infer_date(text).precision in ORDER
