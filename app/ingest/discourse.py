"""Discourse: what a sentence states through the ones before it (a speaker named earlier, a quote attributed
after it ends, "Among them are ..."), and the article-level rules over all of an article's candidates."""
from __future__ import annotations

import re
from dataclasses import replace

from app.ingest.candidate import Candidate
from app.ingest.clauses import CueHit
from app.ingest.lexicon import Lexicon
from app.ingest.mentions import Mention, find_mentions, judge_roles
from app.ingest.registry import declare, rule, why
from app.ingest.rules import (_ATTRIBUTION_VERB, _CLOSING_ATTRIBUTION, _QUOTE_ATTRIBUTION, SentenceContext,
                              make_candidates)
from app.ingest.sentences import Sentence

_ACTION = re.compile(r"\b(?:send|sent|sending|deploy\w*|station\w*|commit\w*|contribut\w*|put|place)\b", re.I)
_HEADER = re.compile(r"^[^:“\"]{2,80}?:\s+\S")
_FIRST_PERSON = re.compile(r"^[\s\"“‘']*(?:(?:But|And|So|Now|Yes|No|Well|Again|Still|Of course|Indeed),?\s+)?"
                           r"(?:We|I|Our|My)\b")
_AMONG = re.compile(r"^(?:Among|These include|They include|Those include|These are|They are)\b"
                    r"(?:\s+(?:them|these|those|the\s+[\w\s]{0,40}?))?(?:\s+(?:are|were|is|was))?\b[\s:,—–-]*")
_BARE_ATTRIBUTION = re.compile(r"^[\"”’,\s]*(?:[\w.'’-]+\s+){1,6}(?:said|says|added|stated|wrote|told\s+\w+)\.?\s*$")
_ATTRIBUTION_WORDS = re.compile("said|says|added|stated|wrote|told")  # what every bare attribution holds
_PROPOSER_CUE = re.compile(r"propos\w*|initiative|idea|plan|lead\w*|led by", re.I)
_CONSIDERING_CUE = re.compile(r"consider\w*|explor\w*.*", re.I)
_CARRY_DATE = re.compile(r"^(?:meanwhile|at the same time|simultaneously|on the same day|the same day|that day)\b",
                         re.I)


_THIRD_PERSON = re.compile(r"^[\s\"“‘']*(?:they|he|she|it|these|those|others|some|many|europe\w*)\b", re.I)


def sentence_speaker(text: str, lex: Lexicon, on=None) -> tuple[Mention, ...]:
    """Who a sentence says is speaking: a "Slovak Prime Minister Robert Fico: We ..." header, or the attribution
    after a quote ('"...," said the Greek Prime Minister', also when the quote began a sentence earlier); empty
    when it names nobody."""
    if ":" not in text and '"' not in text and "“" not in text and "”" not in text:
        return ()  # every form below needs a colon or a quotation mark
    if header := _HEADER.match(text):
        lo, hi = 0, header.end() - 1
    elif (quoted := _QUOTE_ATTRIBUTION.match(text)) and quoted["attr"] and _ATTRIBUTION_VERB.search(quoted["attr"]):
        lo, hi = quoted.start("attr"), len(text)
    elif closing := _CLOSING_ATTRIBUTION.search(text):
        lo, hi = closing.start("attr"), len(text)
    else:
        return ()
    groups = judge_roles(text, find_mentions(text, lex, on), lex, [])
    return tuple(m for g in groups for m in g if m.holder and lo <= m.start and m.end <= hi)[:1]


@rule("discourse", "speaker-first-person", "a first-person sentence after a 'Title Name:' header or an attributed "
      "quote is that speaker's", [("Slovak Prime Minister Robert Fico: the war must end. "
                                   "We will not send any soldiers to Ukraine.", {("SK", "reject")})])
def speaker_first_person(ctx: SentenceContext, on_topic: bool) -> list[Candidate]:
    carry, sent, text = ctx.carry, ctx.sent, ctx.text
    quoted_on = carry.speaker_paragraph in (sent.paragraph, sent.paragraph - 1) and text[:1] in "\"“"
    if not carry.speaker or not (carry.speaker_paragraph == sent.paragraph or quoted_on):
        return []
    m = _FIRST_PERSON.match(text) or (re.match(r"[\"“]", text) if quoted_on else None)
    if not m or _THIRD_PERSON.match(text):  # '"They're willing to put people on the ground"' is about others
        return []
    # off the topic, only a stance phrase carries ("nothing is off the table"), not an action whose object
    # may be anything ("tanks that can be sent")
    cues = [c for c in ctx.cues if c.start >= m.end() and (on_topic or not _ACTION.search(c.text))]
    if not cues:
        return []
    word = re.search(r"\w+", text[:m.end() + 1])
    if word is None:  # an opening quote followed by no word ('" ...'): nobody to carry the speaker to
        return []
    who = tuple(Mention(word.start(), word.end(), word.group(), "pronoun", s.countries, s.person)
                for s in carry.speaker)
    return make_candidates(ctx, who, cues[0], who, why("speaker-first-person", carry.speaker[0].text),
                           inherited=False, pronoun=True, penalty=0.1)


@rule("discourse", "among-them", "'Among them are X and Y' gives X and Y the cue of the sentence before",
      [("Several countries are ready to send troops. Among them are Sweden and Finland.",
        {("SE", "support"), ("FI", "support")})])
def among_them(ctx: SentenceContext) -> list[Candidate]:
    carry, text = ctx.carry, ctx.text
    if carry.cue is None or not (m := _AMONG.match(text)) or m.end() <= 5:
        return []
    groups = judge_roles(text, find_mentions(text, ctx.lex, ctx.ref.date), ctx.lex, ctx.cond_spans)
    mentions = tuple(x for g in groups for x in g)
    group = tuple(x for x in mentions if x.holder)
    if not group:
        return []
    cue = CueHit(0, len(text[:m.end()].rstrip(" :,—–-")), carry.cue.stance, carry.cue.text, carry.cue.negated)
    return make_candidates(ctx, group, cue, mentions, why("among-them", carry.cue.text),
                           inherited=True, pronoun=False, penalty=0.1)


def carried_candidates(ctx: SentenceContext, on_topic: bool) -> list[Candidate]:
    """Positions a sentence states through the one before."""
    return speaker_first_person(ctx, on_topic) or among_them(ctx)


def quote_before(sentences: list[Sentence], i: int, body: str) -> Sentence | None:
    """The quoted sentences just before sentences[i] (back to the one opening the quote, at most three) joined with
    it, when sentences[i] is only an attribution; None when no quote comes before it."""
    text = sentences[i].text
    if not _ATTRIBUTION_WORDS.search(text) or not _BARE_ATTRIBUTION.match(text):
        return None
    for k in range(i - 1, max(-1, i - 4), -1):
        if sentences[k].text[:1] in "\"“":
            a, b = sentences[k].start, sentences[i].end
            return Sentence(a, b, body[a:b], sentences[k].paragraph)
    return None


QUOTE_THEN_ATTRIBUTION = declare(
    "discourse", "quote-then-attribution", "a bare attribution ('Macron said.') after a quote is read with the quote",
    [('"Nothing can be ruled out when it comes to sending troops." Emmanuel Macron said.', {("FR", "undecided")})])


def as_quoted(cands: list[Candidate]) -> list[Candidate]:
    name, reason = why(QUOTE_THEN_ATTRIBUTION)
    return [replace(c, rule=name, rule_reason=f"{reason}; {c.rule_reason}") for c in cands]


@rule("article", "proposer-considering", "a country the article reports proposing or leading the force is not in "
      "doubt when it is also 'considering' options: it is working out its own proposal",
      [("France proposed a reassurance force for Ukraine. France is considering sending troops.",
        {("FR", "support")})])
def proposers_considering(cands: list[Candidate]) -> list[Candidate]:
    proposers = {c.country for c in cands if c.stance == "support" and not c.conditions
                 and _PROPOSER_CUE.fullmatch(c.quote[c.cue_start:c.cue_end].split()[0])}
    name, reason = why("proposer-considering")
    out = []
    for c in cands:
        if (c.country in proposers and c.stance == "undecided" and not c.conditions
                and _CONSIDERING_CUE.fullmatch(c.quote[c.cue_start:c.cue_end])):
            c = replace(c, stance="support", confidence=round(max(0.05, c.confidence - 0.1), 2), rule=name,
                        rule_reason=f"{c.rule_reason}; {reason} -> support")
        out.append(c)
    # the relabelled statement may now repeat one already found in the same sentence
    seen, unique = set(), []
    for c in out:
        key = (c.country, c.stance, c.quote_start)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


# a sentence opening with a back-reference to the holders of the sentence before: one holder ("He said ...",
# "The minister added ...") or several ("Both governments ...", "These three countries ...", "The signatories ...")
_BACK_REF = re.compile(
    r"^[\s\"“‘']*(?:(?P<one>he|she|the (?:foreign |defen[cs]e )?(?:minister|president|prime minister|chancellor|"
    r"premier|government|country))|(?P<many>they|both(?: governments| countries| leaders| nations)?|the signatories|"
    r"(?:the|these|those) (?P<n>two|three|four|five|six) (?:governments|countries|leaders|nations|states)|"
    r"(?:these|those|the) (?:governments|countries|leaders|nations|states)))\b", re.I)
_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "both": 2}


def back_reference(text: str, before: SentenceContext | None, on_topic_before: bool):
    """The back-reference opening a sentence, with the mentions it stands for (one per holder of the sentence
    before, placed on the back-reference's words); None when it has none, or when the holders before do not fit
    it (one for "he", two for "both", as many as counted)."""
    m = _BACK_REF.match(text)
    if m is None or before is None or not on_topic_before:
        return None
    holders = [x for x in before.mentions if x.holder and x.countries
               and all(c in before.lex.country_names and c not in before.lex.excluded for c in x.countries)]
    countries = {c for x in holders for c in x.countries}
    word = (m.group("n") or m.group("many") or "").split()[0].lower() if m.group("many") else ""
    if m.group("one"):
        # "he" is the one holder, and only when it is the subject the sentence before opened with
        if len(countries) != 1 or holders[0].start > 60:
            return None
    elif len(countries) < 2 or (_COUNT.get(m.group("n") or word) not in (None, len(countries))):
        return None
    at = m.end() - len(m.group("one") or m.group("many"))
    return tuple(Mention(at, m.end(), text[at:m.end()], "pronoun", x.countries, x.person) for x in holders)


PREVIOUS_SUBJECT = declare(
    "discourse", "previous-subject", "a sentence opening with 'he', 'both governments', 'these three countries' or "
    "'the signatories' speaks for the holders of the sentence before",
    [("Kenya's foreign minister was asked about a peace force. He said it was premature to discuss the matter.",
      {("KE", "undecided")}),
     ("Chile and Peru were asked to join a stabilisation mission. Both governments said they would take part.",
      {("CL", "support"), ("PE", "support")}),
     ("Norway and Italy discussed the force. These three countries will send troops.", set())])


def as_previous_subject(cands: list[Candidate]) -> list[Candidate]:
    name, reason = why(PREVIOUS_SUBJECT)
    return [replace(c, rule=name, rule_reason=f"{reason}; {c.rule_reason}") for c in cands]
