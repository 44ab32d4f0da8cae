"""Extraction on hostile text: any text gives no exception and offsets inside it; the work grows linearly with the
text (counted as the interpreter's function calls, not timed); a time limit turns a runaway article into a reported
failure while the ingest carries on."""
from __future__ import annotations

import datetime as dt
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.dates import DateValue
from app.ingest.extract import Deadline, ExtractionTooComplex, RuleExtractor, extract_candidates
from app.ingest.sentences import MAX_SENTENCE, split_sentences
from app.ingest.types import ArticleInput

REF = DateValue(dt.date(2025, 6, 18), "day")

PIECES = ["Norway", "France", "the UK", "Germany's", "Polish", "Macron", "Tusk", "Paris", "Russia", "NATO",
          "will", "not", "send", "troops", "is ready to", "rejected", "the idea", "peacekeepers", "does not rule out",
          "if", "unless", "as long as", "said", "that", "denied", "but", "while", ",", ".", ";", ":", " – ", "(", ")",
          '"', "“", "”", "'s", "/", "\u200f", "\x00", "\n", "\n\n", "among them", "such a mission", "He", "it",
          "whether", "one of the countries", "as did", "Among them are", "no", "ground", "26 allies have pledged",
          "?", "!", "...", "U.S.", "Jan.", "  "]
texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=120).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=120).map("".join),
)


def check_offsets(body: str) -> None:
    for c in extract_candidates(body, REF):
        assert 0 <= c.quote_start < c.quote_end <= len(body)
        assert body[c.quote_start:c.quote_end] == c.quote
        assert 0 <= c.mention_start < c.mention_end <= len(c.quote)
        assert 0 <= c.cue_start < c.cue_end <= len(c.quote)
        assert c.stance in ("support", "reject", "undecided") and c.rule and c.rule_reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_candidates_inside_it(body):
    check_offsets(body)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_sentences_are_bounded_ordered_and_inside_the_body(body):
    last = 0
    for s in split_sentences(body):
        assert last <= s.start < s.end <= len(body) and body[s.start:s.end] == s.text
        assert len(s.text) <= MAX_SENTENCE
        last = s.end


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\x00", "\ufeff", "\u200b"])
def test_an_invisible_mark_after_a_stop_still_ends_the_sentence(mark):
    body = f"Norway will send troops. {mark}Denmark rejects the idea of sending troops."
    assert [s.text for s in split_sentences(body)] == ["Norway will send troops.",
                                                       "Denmark rejects the idea of sending troops."]
    assert {(c.country, c.stance) for c in extract_candidates(body, REF)} == {("NO", "support"), ("DK", "reject")}


def work(body: str) -> int:
    """The function calls (Python and C) one extraction makes: a count of work that a quadratic loop inflates."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    extract_candidates("Norway is ready to send troops.", REF)  # the lexicon is loaded outside the count
    sys.setprofile(count)
    try:
        extract_candidates(body, REF)
    finally:
        sys.setprofile(None)
    return calls


SHAPES = {
    "a long list, then one cue": lambda k: "France, Germany, Italy, Spain, " * k + "are ready to send troops.",
    "a capital repeated with slashes": lambda k: "Paris/" * (5 * k) + " France will send troops.",
    "chained conditions": lambda k: "if Norway agrees, " * (2 * k) + "Sweden will send troops.",
    "nested quotes": lambda k: 'He said "' * (3 * k) + "Norway will send troops.",
    "dashes and parentheses": lambda k: "(Norway – said " * (2 * k) + "will send troops.",
    "many sentences": lambda k: "Norway said it will send troops, but Austria will not. " * k,
}


@pytest.mark.parametrize("shape", SHAPES)
def test_work_grows_linearly_on_crafted_text(shape):
    make = SHAPES[shape]
    small, large = work(make(100)), work(make(400))
    # four times the text: linear is about 4x the work, quadratic 16x; generous bounds
    assert large <= 6 * small + 5_000, (small, large)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=5, max_size=30).map(" ".join))
def test_work_grows_linearly_when_any_text_doubles(block):
    # Sizes 4,000 characters and up, doubled twice: every text is past the sentence-length cap, so each is read in
    # capped pieces (the first piece can cost less than the rest: what it carries to the next is a step, not
    # growth). Linear work adds the same for each doubling; quadratic work adds four times as much the second time.
    k = -(-4000 // max(1, len(block)))
    a, b, c = work(block * k), work(block * 2 * k), work(block * 4 * k)
    assert c - b <= 2.5 * (b - a) + 5_000, (a, b, c)


class StepClock:
    """A clock that moves one second each time it is read (a deterministic way past any limit)."""

    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def test_an_article_past_its_time_limit_raises_a_clear_error():
    body = "Norway will send troops. Austria will not. Finland is considering it."
    with pytest.raises(ExtractionTooComplex, match=r"^article too complex: extraction took longer than 2 s"):
        extract_candidates(body, REF, deadline=Deadline(2, clock=StepClock()))
    # within the limit, the same article is read
    assert extract_candidates(body, REF, deadline=Deadline(100, clock=StepClock()))


def test_no_limit_and_a_generous_limit_read_the_same():
    item = ArticleInput(body="Norway will send troops. Austria will not send soldiers.", published_on=dt.date(2025, 6, 1),
                        date_precision="day")
    assert RuleExtractor(time_limit=0).extract(item) == RuleExtractor(time_limit=60).extract(item)


def test_the_ingest_reports_a_too_complex_article_and_carries_on(session, tmp_path):
    from app.ingest.store import ingest_paths

    class Impatient(RuleExtractor):
        def extract(self, article):
            limit = 2 if "Slow" in (article.body or "") else 100
            return extract_candidates(article.body, self.date(article), self.lex, Deadline(limit, clock=StepClock()))

    (tmp_path / "a_slow.txt").write_text("Slow. Norway will send troops. Austria will not. Finland may.\n")
    (tmp_path / "b_fine.txt").write_text("Norway will send troops to Ukraine.\n")
    summary = ingest_paths(session, [tmp_path], extractor=Impatient())
    assert summary.added == 1 and summary.failed == 1
    assert "a_slow.txt" in str(summary.errors[0]) and "article too complex" in str(summary.errors[0])


def test_a_parenthesis_is_background_only_when_closed_and_long_enough():
    """The parenthesis rule reads one span per closed "(...)" with three spaces or more; an unclosed "(" before
    many words (the shape that once backtracked exponentially) is no span at all."""
    from app.ingest.clauses import find_conditions
    from app.ingest.lexicon import load_lexicon

    q = load_lexicon().question
    text = "Hayashi (and Japan also said it was ready) stated that Japan will not send troops."
    spans, _ = find_conditions(text, q)
    assert (text.index("("), text.index(")") + 1) in spans
    assert find_conditions("Merkel (CDU) said so.", q)[0] == []
    unclosed = "Norway (said that " + "it is ready to " * 60 + "send troops."
    assert find_conditions(unclosed, q)[0] == []
