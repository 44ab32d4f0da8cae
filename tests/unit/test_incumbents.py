"""An undated article's date bounded by the terms of the office-holders it names with their title."""
from __future__ import annotations

import datetime as dt

from app.ingest.dates import DateValue
from app.ingest.extract import RuleExtractor
from app.ingest.incumbents import office_bounds
from app.ingest.lexicon import load_lexicon
from app.ingest.types import ArticleInput

def bounds(text):
    return office_bounds(text, load_lexicon())


def test_a_titled_office_holder_bounds_the_date_by_their_term():
    lo, hi = bounds("German Chancellor Olaf Scholz said the debate was premature.")
    assert hi < dt.date(2025, 6, 1) and lo < dt.date(2022, 1, 1)


def test_several_office_holders_intersect():
    lo, hi = bounds("Chancellor Olaf Scholz and Prime Minister Keir Starmer spoke.")
    assert lo == dt.date(2024, 7, 5) and hi < dt.date(2025, 6, 1)


def test_an_elect_title_is_the_weeks_before_the_term():
    lo, hi = bounds("President-elect Donald Trump met Macron.")
    assert dt.date(2024, 10, 1) < lo < dt.date(2024, 11, 1) and hi == dt.date(2025, 1, 19)


def test_former_then_and_untitled_names_say_nothing():
    assert bounds("Former Chancellor Olaf Scholz spoke.") is None
    assert bounds("Then-Chancellor Olaf Scholz spoke.") is None
    assert bounds("Scholz spoke.") is None
    assert bounds("No one was named.") is None


def test_the_extractor_dates_an_undated_article_from_its_office_holders():
    body = ("Spanish Foreign Minister José Manuel Albares said on Monday (Feb 17) that it was too early to talk "
            "about troops. British Prime Minister Keir Starmer said on Sunday he was ready to send troops.")
    ex = RuleExtractor()
    article = ArticleInput(body=body)
    assert ex.date(article) == DateValue(dt.date(2025, 2, 17), "day")
    dated = {c.country: c.stated_on for c in ex.extract(article)}
    assert dated == {"ES": dt.date(2025, 2, 17), "GB": dt.date(2025, 2, 16)}


def test_an_undated_article_dates_the_same_on_any_day_the_ingest_runs(monkeypatch):
    """Open terms end on the day people.csv was checked, not today: freeze the clock on two days."""
    from app import clock

    body = "Prime Minister Keir Starmer said on Monday (Feb 17) that Britain was ready to send troops."
    article = ArticleInput(body=body)
    dates = []
    for day in (dt.date(2026, 1, 5), dt.date(2031, 6, 1)):
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        monkeypatch.setattr(clock, "utcnow", lambda day=day: dt.datetime(day.year, day.month, day.day,
                                                                         tzinfo=dt.UTC))
        extractor = RuleExtractor()
        dates.append((extractor.date(article), [(c.stated_on, c.date_precision) for c in extractor.extract(article)]))
    assert dates[0] == dates[1]
    assert dates[0][0] == DateValue(dt.date(2025, 2, 17), "day")
