"""Extraction: an article body -> sentences -> one frozen context per sentence -> the rules -> Candidates.

The stages live in their own modules: sentences.py (splitting), mentions.py (references to countries and the
role rules), clauses.py (cues, conditions, clauses), rules.py (the sentence rules over the frozen context),
discourse.py (what a sentence states through the ones before, and the article-level rules). This module runs
them over an article: the topic test, the carry from sentence to sentence, the best candidate per sentence."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Protocol

from app.ingest.candidate import RULES_VERSION, Candidate, Deadline, ExtractionTooComplex
from app.ingest.clauses import raw_cue_hits
from app.ingest.dates import DateValue, TimeExpr, article_date, time_expressions
from app.ingest.discourse import (_CARRY_DATE, as_previous_subject, as_quoted, back_reference,
                                  carried_candidates, proposers_considering, quote_before, sentence_speaker)
from app.ingest.incumbents import office_bounds
from app.ingest.lexicon import Cue, Lexicon, load_lexicon
from app.ingest.rules import ANAPHOR, Carry, SentenceContext, sentence_candidates
from app.ingest.sentences import Sentence, split_sentences
from app.ingest.types import ArticleInput

__all__ = ["RULES_VERSION", "Candidate", "Deadline", "ExtractionTooComplex", "Extractor", "RuleExtractor",
           "extract_candidates", "raw_cue_hits", "split_sentences"]


class Extractor(Protocol):
    """What the store needs from an extractor; a trained model can replace the rules behind it."""

    rules_version: str

    def date(self, article: ArticleInput) -> DateValue:
        """The article's own date, as the store records it and the candidates are dated against."""
        ...

    def extract(self, article: ArticleInput) -> list[Candidate]: ...


class RuleExtractor:
    """The rules extractor: general rules over the data files in app/data (see METHOD.md)."""

    rules_version = RULES_VERSION

    def __init__(self, lexicon: Lexicon | None = None, time_limit: float | None = None):
        self.lex = lexicon or load_lexicon()
        if time_limit is None:
            from app.settings import get_settings

            time_limit = get_settings().extract_time_limit_s
        self.time_limit = time_limit if time_limit > 0 else None
        self._dated: tuple[ArticleInput, DateValue] | None = None  # the last article dated, and its date

    def date(self, article: ArticleInput) -> DateValue:
        # The store dates an article and then extracts it, which dates it again: an undated article's date is
        # inferred from all of its text, so the last one is remembered (by identity; one tuple, read at once).
        last = self._dated
        if last is not None and last[0] is article:
            return last[1]
        if article.published_on is not None:
            value = article_date(article.published_on, article.body, article.date_precision)
        else:
            value = article_date(None, article.body, article.date_precision, office_bounds(article.body, self.lex))
        self._dated = (article, value)
        return value

    def extract(self, article: ArticleInput) -> list[Candidate]:
        """The article's candidates; ExtractionTooComplex when it takes longer than the time limit."""
        return extract_candidates(article.body, self.date(article), self.lex, Deadline(self.time_limit))


class _CuesIn:
    """The cue matches of one sentence (offsets within it), found the first time a rule asks: a sentence no rule
    reads for its cues (off the topic, nothing carried) is never scanned for them."""

    __slots__ = ("art", "sent", "_hits")

    def __init__(self, art: Article, sent: Sentence):
        self.art, self.sent = art, sent
        self._hits: tuple[tuple[int, int, Cue], ...] | None = None

    def _found(self) -> tuple[tuple[int, int, Cue], ...]:
        if self._hits is None:
            a, b = self.sent.start, self.sent.end
            # tried on the whole body, so the matches (and their look-arounds) are those of a scan of all of it
            self._hits = tuple((x - a, y - a, cue) for x, y, cue in
                               raw_cue_hits(self.art.body, self.art.lex, a, b, self.art.lower) if y <= b)
        return self._hits

    def __iter__(self):
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self._found())


@dataclass(frozen=True)
class Article:
    """An article's body with what runs once over all of it (time matches, topic words), sliced per sentence;
    cue matches are found sentence by sentence, when asked for."""

    body: str
    ref: DateValue
    lex: Lexicon
    sentences: list[Sentence]
    lower: str  # body.lower(), which the cue scan reads
    times: list[TimeExpr]
    time_starts: list[int]
    topic: list[bool]  # per sentence: a topic word starts in it (not the warring parties' own forces)

    @classmethod
    def read(cls, body: str, ref: DateValue, lex: Lexicon) -> Article:
        q = lex.question
        times = time_expressions(body)
        sentences, lower = split_sentences(body), body.lower()

        def not_own_forces(a: int) -> bool:
            return q.names_topic_at(body, a)

        # (each sentence is read up to its first topic word)
        topic = [q.topic_scan.first(body, s.start, s.end, not_own_forces, lower) is not None for s in sentences]
        return cls(body, ref, lex, sentences, lower, times, [e.start for e in times], topic)

    def raw_in(self, sent: Sentence) -> _CuesIn:
        return _CuesIn(self, sent)

    def times_in(self, sent: Sentence) -> tuple[TimeExpr, ...]:
        a, b = bisect_left(self.time_starts, sent.start), bisect_left(self.time_starts, sent.end)
        if a == b:
            return ()
        s = sent.start  # (built field by field: dataclasses.replace is several times slower)
        return tuple(TimeExpr(e.start - s, e.end - s, e.text, e.year, e.month, e.day, e.relative)
                     for e in self.times[a:b] if e.end <= sent.end)


@dataclass(frozen=True)
class Flow:
    """What one sentence hands the next: the carry, whether it was on the topic, its time and paragraph."""

    carry: Carry = Carry()
    topic: bool = False
    time: TimeExpr | None = None
    paragraph: int | None = None
    ctx: SentenceContext | None = None  # the sentence itself, for a back-reference to its holders
    near: bool = False  # it was on the topic or pointed back to it


def _read_sentence(art: Article, i: int, flow: Flow) -> tuple[list[Candidate], Flow]:
    """One sentence's candidates, tried in order: its own rules when it is on (or points back to) the topic, a
    quote it closes with a bare attribution, then what it states through the sentences before."""
    sent = art.sentences[i]
    same_para = flow.paragraph == sent.paragraph
    on_topic = art.topic[i]
    # The sentence before may carry the topic ("Macron proposed the idea", "Denmark is also ready for this")
    # ...when it points back to it: "the idea", "for this", "such a possibility", "do so", "it"
    near_topic = flow.topic and bool(ANAPHOR.search(sent.text))
    exprs = art.times_in(sent)
    carried = flow.time if (same_para and not exprs and _CARRY_DATE.match(sent.text)) else None
    ctx = SentenceContext(sent, art.ref, art.lex, exprs, carried, art.raw_in(sent), flow.carry, i == 0,
                          0.0 if on_topic else 0.1)
    found: list[Candidate] = []
    if on_topic or near_topic:
        found = sentence_candidates(ctx)
    if not found and (quoted := quote_before(art.sentences, i, art.body)):
        # '"... nothing can be ruled out ..."' then 'Emmanuel Macron said.': read them as one
        qctx = SentenceContext(quoted, art.ref, art.lex, exprs, carried, art.raw_in(quoted), Carry(), False, 0.05)
        found = as_quoted(sentence_candidates(qctx))
    if not found and (on_topic or near_topic or flow.carry.speaker or flow.carry.cue):
        found = carried_candidates(ctx, on_topic or near_topic)
    # (only when the sentence itself names the force or points back to it: "He reiterated her proposal for a
    # security mechanism" says nothing of troops)
    if not found and (on_topic or near_topic) and (lead := back_reference(sent.text, flow.ctx, flow.near or on_topic)):
        # "Kenya's foreign minister was asked about a peace force. He said it was premature ...": his
        found = as_previous_subject(sentence_candidates(replace(ctx, lead=lead, penalty=0.1)))
    speaker = sentence_speaker(sent.text, art.lex, art.ref.date)
    carry = Carry(speaker or flow.carry.speaker, sent.paragraph if speaker else flow.carry.speaker_paragraph,
                  ctx.cues[0] if (on_topic or near_topic) and ctx.cues else None)
    time = exprs[-1] if exprs else (flow.time if carried or same_para else None)
    return found, Flow(carry, on_topic, time, sent.paragraph, ctx, on_topic or near_topic or bool(found))


def extract_candidates(body: str, ref: DateValue, lex: Lexicon | None = None,
                       deadline: Deadline | None = None) -> list[Candidate]:
    """Every candidate position in an article body, dated against the article's date. With a deadline, raises
    ExtractionTooComplex when it passes (checked after every sentence; each sentence's work is bounded)."""
    art = Article.read(body, ref, lex or load_lexicon())
    best: dict[tuple[str, str, int], Candidate] = {}
    flow = Flow()
    n = len(art.sentences)
    for i in range(n):
        if deadline is not None:
            deadline.check(i, n)
        found, flow = _read_sentence(art, i, flow)
        for cand in found:
            key = (cand.country, cand.stance, cand.quote_start)
            if key not in best or best[key].confidence < cand.confidence:
                best[key] = cand
    return sorted(proposers_considering(list(best.values())), key=lambda c: (c.quote_start, c.country, c.stance))
