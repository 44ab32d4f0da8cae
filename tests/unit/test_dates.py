"""Article dates (header, dateline, inferred) and time expressions resolved against them."""
from __future__ import annotations

import datetime as dt

import pytest

from app.ingest.dates import DateValue, article_date, find_dateline, infer_date, resolve, time_expressions

D = dt.date


@pytest.mark.parametrize("line, expected", [
    ("9:05 PM CET, March 4, 2025", D(2025, 3, 4)),
    ("March 4, 2025", D(2025, 3, 4)),
    ("4 March 2025", D(2025, 3, 4)),
    ("Tuesday, 4 March 2025, 10:15", D(2025, 3, 4)),
])
def test_dateline_on_its_own_line(line, expected):
    assert find_dateline(f"Headline\n{line}\nBody text.") == DateValue(expected, "day")


def test_a_date_inside_prose_is_not_a_dateline():
    assert find_dateline("The talks on March 4, 2025 ended without agreement.") is None


def test_header_date_wins_over_the_body():
    assert article_date(D(2025, 1, 2), "7:00 AM EST, March 4, 2025\nText") == DateValue(D(2025, 1, 2), "day")


def test_mentioned_dates_bound_the_date_from_below_only():
    # written in November 2023 or later, in 2023 (a month without a year is written in the year it means)
    body = "Talks resumed in October 2023. A summit is planned on 14 November."
    assert infer_date(body) == DateValue(D(2023, 1, 1), "year")
    # "In May ... Back in June ..." says June or later, never June itself
    bounds = (D(2025, 3, 1), D(2025, 8, 31))
    assert infer_date("In May the talks stalled. Back in June, leaders met again.", bounds) == \
        DateValue(D(2025, 1, 1), "year")
    assert infer_date("In May the talks stalled. Back in June, leaders met again.", (D(2025, 3, 1), D(2025, 6, 30))) \
        == DateValue(D(2025, 6, 1), "month")  # only when the upper bound closes the span in June


def test_a_year_written_alone_is_only_a_lower_bound():
    assert infer_date("The alliance was founded in 2019 and grew.") == DateValue.unknown()


def test_a_year_written_alone_does_not_date_months_without_a_year():
    body = "Hayashi said on September 4 that Japan would not send troops. Russia invaded Ukraine in 2022."
    assert infer_date(body) == DateValue.unknown()
    # with the month written out in that year, the yearless date is read in it
    assert infer_date("In August 2025 talks began. On September 4 leaders met.") == DateValue(D(2025, 1, 1), "year")
    assert infer_date("In August 2025 talks began. On September 4 leaders met.", (D(2025, 1, 1), D(2025, 9, 30))) \
        == DateValue(D(2025, 9, 1), "month")


def test_no_dates_means_unknown():
    assert article_date(None, "No date is mentioned here at all.") == DateValue.unknown()


def test_may_the_verb_is_not_a_month():
    assert time_expressions("Officials may send troops.") == []
    assert [e.month for e in time_expressions("Officials met in May.")] == [5]


REF = DateValue(D(2025, 3, 12), "day")


@pytest.mark.parametrize("text, expected", [
    ("on 3 March", DateValue(D(2025, 3, 3), "day")),
    ("on March 3", DateValue(D(2025, 3, 3), "day")),
    ("in February", DateValue(D(2025, 2, 1), "month")),
    ("in December", DateValue(D(2024, 12, 1), "month")),  # later than March: last year's December
    ("in June 2023", DateValue(D(2023, 6, 1), "month")),
    ("last month", DateValue(D(2025, 2, 1), "month")),
    ("last year", DateValue(D(2024, 1, 1), "year")),
    ("yesterday", DateValue(D(2025, 3, 11), "day")),
    ("on Monday", DateValue(D(2025, 3, 10), "day")),
    ("on 20 March", DateValue(D(2024, 3, 20), "day")),  # after the article's date: the previous year
])
def test_resolve_against_the_article_date(text, expected):
    [expr] = time_expressions(text)
    assert resolve(expr, REF) == expected


def test_future_dates_are_clamped_to_the_article():
    [expr] = time_expressions("in March 2026")
    assert resolve(expr, REF) == REF


def test_relative_dates_without_an_article_date_are_unknown():
    [expr] = time_expressions("last month")
    assert resolve(expr, DateValue.unknown()) == DateValue.unknown()


def test_month_precision_article_keeps_last_week_to_the_month():
    [expr] = time_expressions("last week")
    assert resolve(expr, DateValue(D(2024, 12, 1), "month")) == DateValue(D(2024, 12, 1), "month")


BOUNDS = (D(2024, 7, 5), D(2026, 11, 24))  # e.g. "Prime Minister Keir Starmer", written up to today


def test_a_weekday_agreeing_with_one_year_in_the_bounds_pins_the_day():
    body = "Albares said on Monday (Feb 17) that it was too early to talk about troops."
    assert infer_date(body, BOUNDS) == DateValue(D(2025, 2, 17), "day")
    assert infer_date(body) == DateValue.unknown()  # without bounds nothing says which year


def test_yearless_months_in_one_year_of_the_bounds_give_the_month():
    assert infer_date("The leaders met in Paris on December 7.", (D(2024, 10, 12), D(2025, 1, 19))) == \
        DateValue(D(2024, 12, 1), "month")
    # two years fit: unknown rather than a guess
    assert infer_date("The leaders met in Paris on December 7.", BOUNDS) == DateValue.unknown()


def test_bounds_within_one_calendar_year_give_the_year():
    assert infer_date("Officials met on Tuesday.", (D(2025, 2, 1), D(2025, 5, 6))) == DateValue(D(2025, 1, 1), "year")
    assert infer_date("Officials met on Tuesday.", BOUNDS) == DateValue.unknown()


def test_a_header_or_a_year_in_the_text_wins_over_bounds():
    assert article_date(D(2023, 1, 2), "On Monday (Feb 17) they met.", bounds=BOUNDS) == DateValue(D(2023, 1, 2), "day")
    # a year in the text raises the lower bound; the span still crosses years, so the date stays unknown
    assert infer_date("In March 2025 talks began.", BOUNDS) == DateValue.unknown()
    assert infer_date("In March 2025 talks began.", (D(2024, 7, 5), D(2025, 3, 20))) == DateValue(D(2025, 3, 1), "month")
