"""The sentence rules. One frozen context per sentence (its text and offsets, mentions judged, cues, conditions,
clauses, and what the sentences before carry in); the stages read it in order:

1. cue scope: which cues each clause holds, and what a denial, "does not rule out" or "as did" does to them;
2. holders: who holds a clause's cues, decided by the first HOLDER rule that applies;
3. candidates: the cue each holder takes, and the stance modifiers (a condition, "no ... troops");
4. the sentence's fallbacks and filters (a quote then its attribution; a hedge leaves a refusal open).

Every rule is a named function with its reason in words and its own example sentences (RULES, tested in
tests/unit/test_extract_rules.py); the name and the reason of the rule that decided go with each candidate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar, overload

from app.ingest.candidate import Candidate
from app.ingest.clauses import _REPORTING, NEGATE, Clause, CueHit, find_conditions, find_cues, split_clauses
from app.ingest.dates import DateValue, TimeExpr, resolve
from app.ingest.lexicon import Cue, Lexicon
from app.ingest.mentions import _GOV_NOUN, _PLACE_PREP, _TROOPS_NOUN, Mention, _prev_word, find_mentions, judge_roles
from app.ingest.registry import declare, rule, why
from app.ingest.sentences import Sentence


def _words(*words: str) -> re.Pattern[str]:
    """One pattern finding any of the words (literally, case-sensitively): a quick test that a text holds one."""
    return re.compile("|".join(map(re.escape, words)))


_MEMBER_OF = re.compile(r"\b(?:is|are|was|were)\s+(?P<neg>not\s+)?(?:one of|among)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
                        r"(?:countries|nations|states|members|governments|allies)\s*$")
_COUNT_PLEDGED = re.compile(r"^\s*(?:some |around |about |more than |over |at least )?\d+\s+(?:of\s+[\w'’]+\s+)?"
                            r"(?:countries|nations|states|allies|partners|members|leaders|governments|"
                            r"of (?:Ukraine['’]s )?allies)\b[^.;]{0,40}?"
                            r"\b(?:have |had |has )?(?:pledged|committed|agreed|signed up|signalled|signaled|offered|"
                            r"expressed (?:their |its )?(?:readiness|willingness))\b", re.I)
_OTHER_AGENT = re.compile(r"\b(?:allies|countries|nations|states|governments|leaders|officials|partners|Europeans?|"
                          r"Europe|members|others|diplomats|sources|analysts|experts|capitals|the West|Washington|"
                          r"Moscow|Kremlin|Kyiv|NATO|EU|UN|[A-Z]\w+ians)\b(?!['’])")  # "partners' forces" is no agent
_PRONOUN_START = re.compile(
    r"^[\s,\"“”'‘’:]*(?:(?:in|on|at)\s+\w+\s+\d*\s*)?(?:that\s*,?\s*)?[\"“]?"
    r"(?:he|she|it|they|we|i|his country|her country|"
    r"their country|its government|the country|his government|her government|the government|the minister|"
    r"(?:(?:any|the|a|an|such a|such|this|that|sending|deploying|stationing|western|european|foreign|international|"
    r"peacekeeping|multinational)\s+)+(?:force|forces|troops|mission|deployment|contingent|peacekeepers|soldiers)|"
    r"(?:sending|deploying|stationing))\b", re.I)
_PROJECTION = re.compile(r"\b(?:likely to|expected to|set to|could form|would form|may form|"
                         r"(?:analysts?|experts?|observers|commentators)\s+(?:say|said|suggest|suggested|believe|"
                         r"expect|think|predict)|according to (?:analysts|experts|observers))\b", re.I)
# what every match of _PROJECTION contains (likewise for the _WORDS after the patterns below)
_PROJECTION_WORDS = _words("likely to", "expected to", "set to", "form", "analyst", "expert", "observers",
                           "commentators")
_MEETING = re.compile(r"\b(?:meet|meets|met|meeting|visit|visits|visited|visiting|hold talks|held talks|host|hosts|"
                      r"hosted|discuss|discusses|discussed)\b", re.I)
_NAME_AFTER_TITLE = re.compile(r"^(?:\s+(?:to|at|in)\s+(?:the\s+)?[A-Z][\w.]+)?,?\s+"
                               r"(?P<name>[A-Z][\w’'.-]+(?:\s+(?:de|van|von|der|da|[A-Z][\w’'.-]+)){1,3})")
_NOT_SPEAKING = {"armed forces", "army", "military", "side", "proposal", "initiative", "officials", "diplomats",
                 "leaders", "leadership", "authorities", "administration", "presidency"}
_SAID = r"said|says|told|added|stated|declared|insisted|wrote|writes|reported|announced|noted|confirmed"
_QUOTE_ATTRIBUTION = re.compile(rf"^\s*[\"“](?P<quote>[^\"”]+)[\"”]\s*,?\s*(?P<attr>.*)$|"
                                rf"^(?P<quote2>.+),\s*(?P<attr2>[^,–—]{{0,90}}\b(?:{_SAID})\b[^,–—]{{0,60}})$")
_CLOSING_ATTRIBUTION = re.compile(rf"[\"”],?\s+(?P<attr>[^\"“”]{{0,100}}\b(?:{_SAID})\b[^\"“”]{{0,60}})$")
_ATTRIBUTION_VERB = re.compile(rf"\b(?:{_SAID}|according to)\b")
_APPOSITION = re.compile(r"(?:\b(?:including|such as|namely|notably|in particular|among them|among which)|:)"
                         r"\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:such as\s+|like\s+|including\s+)?(?:the\s+)?$", re.I)
_SCOPE_END = re.compile(r",\s*(?:and|but|while|whereas)\b|;")
_RULED_OUT_NOT = re.compile(r"rul\w* out|exclud|discard", re.I)
_OPEN_DOOR = re.compile(r"rul|exclud|discard|possib|table|consider|unthinkable|decid|decision", re.I)
_COMMITTED = re.compile(r"\b(?:ready|readiness|will|willing|willingness|prepared|promis\w*|pledg\w*|commit\w*)\b", re.I)
_CONTRAST = re.compile(r",?\s+(?:but|while|although|though|whereas|however)\b(?!\s+(?:will|would|could|may|might|can|"
                       r"is|are|was|were|has|have|had|does|did|do|also|only|not|still)\b)")
_AGENT_CUE = re.compile(r"led (?:jointly |together |initially )?by|"
                        r"(?:founded|set up|created|formed|launched|established|initiated|developed|drawn up|"
                        r"devised|drafted|spearheaded|championed) by|"
                        r"originat\w* (?:with|from)|(?:proposed|put forward|floated|suggested) by|"
                        r"(?:not|n['’]t|never) (?:been )?dismissed by|"
                        r"(?:proposal|plan|idea|initiative|offer)s? (?:put forward |made |floated )?by", re.I)
_NO_BEFORE = re.compile(r"\bno\s+(?:the\s+)?$", re.I)
_ATTACHED_CUE = re.compile(r"(?:proposal|initiative|idea|plan|offer)", re.I)
_ADJACENT = re.compile(r"^(?:['’]s?)?\s+(?:[\w-]+\s+)?$")


_T = TypeVar("_T")


class cached_property(Generic[_T]):  # noqa: N801 (read as functools.cached_property is)
    """functools.cached_property without its lock, which Python 3.11 takes on every first read (3.12 dropped it):
    the value is computed once and kept in the instance's __dict__, where later reads find it directly."""

    def __init__(self, func: Callable[[Any], _T]):
        self.func, self.name = func, func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


# --- the frozen sentence context -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Carry:
    """What the sentences before leave this one: who was speaking ("Italian Prime Minister Meloni: We ...") and
    the cue the last one turned on ("Six countries are ready to send troops. Among them are ...")."""

    speaker: tuple[Mention, ...] = ()
    speaker_paragraph: int = -1
    cue: CueHit | None = None


@dataclass(frozen=True)
class SentenceContext:
    """Everything the rules may read about one sentence; computed parts are cached, never changed."""

    sent: Sentence
    ref: DateValue
    lex: Lexicon
    exprs: tuple[TimeExpr, ...]  # time expressions, offsets within the sentence
    carried_time: TimeExpr | None  # the time the sentence before carries in ("Meanwhile, ...")
    raw_cues: Iterable[tuple[int, int, Cue]]  # the body's cue matches inside this sentence (found when first read)
    carry: Carry
    first: bool  # the article's first sentence (a dateline may open it)
    penalty: float  # confidence lost when the sentence is only near the topic
    lead: tuple[Mention, ...] = ()  # holders a back-reference opening it stands for ("Both governments ...")

    @property
    def text(self) -> str:
        return self.sent.text

    @cached_property
    def conditions(self) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
        return find_conditions(self.text, self.lex.question)

    @property
    def cond_spans(self) -> list[tuple[int, int]]:
        return self.conditions[0]

    @property
    def cond_texts(self) -> list[tuple[int, str]]:
        return self.conditions[1]

    @cached_property
    def cues(self) -> tuple[CueHit, ...]:
        return tuple(find_cues(self.text, self.lex, self.cond_spans, list(self.raw_cues)))

    @cached_property
    def groups(self) -> tuple[tuple[Mention, ...], ...]:
        mentions = find_mentions(self.text, self.lex, self.ref.date)
        groups = tuple(tuple(g) for g in judge_roles(self.text, mentions, self.lex, self.cond_spans,
                                                      first_in_article=self.first))
        return ((self.lead,) if self.lead else ()) + groups

    @cached_property
    def mentions(self) -> tuple[Mention, ...]:
        return tuple(m for g in self.groups for m in g)

    @cached_property
    def topic_at(self) -> tuple[int, ...]:
        """Where the sentence's topic words start (not the warring parties' own forces)."""
        q = self.lex.question
        return tuple(a for a, _, _ in q.topic_scan.matches(self.text) if q.names_topic_at(self.text, a))

    @cached_property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(split_clauses(self.text, list(self.mentions)))

    @cached_property
    def folded(self) -> str | None:
        """The text lower-cased when it is plain ASCII, else None: see may_hold."""
        return self.text.lower() if self.text.isascii() else None

    def may_hold(self, words: re.Pattern[str]) -> bool:
        """False when the sentence holds none of the words (a case-sensitive alternation of lower-case words), which
        every match of a case-insensitive pattern contains: the pattern need not be tried. (Only a plain ASCII text is
        read this way; outside ASCII a case-insensitive letter may match another one, such as "ſ" for "s".)"""
        low = self.folded
        return low is None or words.search(low) is not None

    @cached_property
    def head_holder(self) -> Mention | None:
        """'France: we will...' / 'France "excludes no option"': a headline naming its holder first."""
        ms = self.mentions
        if ms and ms[0].start == 0 and ms[0].holder and re.match(r"^\s*[:\"“]", self.text[ms[0].end:]):
            return ms[0]
        return None


# --- stage 1: the cues each clause holds ---------------------------------------------------------------------

@dataclass(frozen=True)
class Before:
    """What the clauses before, in this sentence, leave the next one."""

    holders: tuple[Mention, ...] = ()
    cue: CueHit | None = None
    member_of: tuple[tuple[Mention, ...], bool] | None = None  # ("... is not one of the countries", negated)


@dataclass(frozen=True)
class ClauseView:
    """One clause as the holder rules see it: its cues (scope applied) and the holders it names."""

    clause: Clause
    text: str
    cues: tuple[CueHit, ...]
    groups: tuple[tuple[Mention, ...], ...]
    inherited: bool
    before: Before


def _tag(c: CueHit, stance: str, name: str, detail: str) -> CueHit:
    return replace(c, stance=stance, why=why(name, detail))


@rule("cue", "denial-scope", "what a denial introduces is refused",
      [("Tusk denied that Polish troops would be sent to Ukraine.", {("PL", "reject")})])
def denial_scope(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    if not clause.denied:
        return None
    return [replace(_tag(c, NEGATE[c.stance], "denial-scope", c.text), negated=not c.negated) for c in cues]


@rule("cue", "left-open-scope", "what follows 'does not rule out that' is only left open",
      [("Borissov does not rule out that Bulgaria will send soldiers.", {("BG", "undecided")})])
def left_open_scope(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    if clause.denied or not clause.left_open:
        return None
    return [_tag(c, "undecided", "left-open-scope", c.text) for c in cues]


@rule("cue", "ruled-out-opener", "a cue after 'does not rule out', up to the next clause, is only left open",
      [("Ottawa does not rule out Canada sending its troops.", {("CA", "undecided")})])
def ruled_out_opener(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    opener = next((c for c in cues if c.stance == "undecided" and _RULED_OUT_NOT.search(c.text)), None)
    if opener is None:
        return None
    stop = _SCOPE_END.search(ctx.text, opener.end)  # "..., and Norway is ready to send soldiers" is not
    scope_end = stop.start() if stop else len(ctx.text)
    return [_tag(c, "undecided", "ruled-out-opener", opener.text) if opener.start < c.start < scope_end else c
            for c in cues]


@rule("cue", "as-did", "'..., as did Portugal' shares the clause before's cue",
      [("Spain considered sending troops, as did Portugal.", {("ES", "undecided"), ("PT", "undecided")})])
def as_did(ctx: SentenceContext, clause: Clause, cues: list[CueHit], before: Before) -> CueHit | None:
    if not cues and clause.inherit and before.cue is not None:
        return before.cue
    return None


# a refusal that introduces a verb phrase: "declined to commit soldiers", "refused to rule out", "has no plans to"
_REFUSAL_HEAD = re.compile(r"^(?:declin\w*|refus\w*|no plans?|unwilling(?:ness)?|reluctan\w*|hesitan\w*)(?: to)?$",
                           re.I)
# the cue the refusal governs follows it at once ("to" and at most two words between), before any other holder
_GOVERNED_GAP = re.compile(r"^\s*(?:to\s+)?(?:[\w'’-]+\s+){0,2}$")


@rule("cue", "refusal-governs", "a refusal governs the verb phrase it introduces, wherever its holders stand",
      [("Several states have declined to commit soldiers, among them Chile, Peru and Ghana.",
        {("CL", "reject"), ("PE", "reject"), ("GH", "reject")}),
       ("Estonia refused to take part in the mission.", {("EE", "reject")}),
       ("The Latvian defence minister refused to rule out sending troops.", {("LV", "undecided")})])
def refusal_governs(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    """The refusal and the cue it governs become one cue, whose stance is the governed cue's turned."""
    out: list[CueHit] = []
    changed = False
    for c in cues:
        head = out[-1] if out else None
        if head is not None and head.stance == "reject" and not head.why and _REFUSAL_HEAD.match(head.text) \
                and _GOVERNED_GAP.match(ctx.text[head.end:c.start]) and not any(
                    head.end <= m.start < c.start for m in ctx.mentions):
            stance = NEGATE[c.stance]
            out[-1] = CueHit(head.start, c.end, stance, ctx.text[head.start:c.end], True, c.base or c.stance,
                             why("refusal-governs", f"{head.text} ... {c.text}"))
            changed = True
            continue
        out.append(c)
    return out if changed else None


# "Chile and Peru were asked to join a mission": what someone asks of them is not their position
_ASKED_TO = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+\s+)?(?:asked|invited|urged|pressed|pressured|"
                       r"called on|called upon|requested|approached|encouraged|expected)\s+"
                       r"(?:by\s+[^,;]{1,40}?\s+)?to\s*$",
                       re.I)


@rule("cue", "asked-to", "a cue after 'was asked to', 'were invited to', 'is urged to' is the asker's request",
      [("Chile and Peru were asked to join a stabilisation mission.", set()),
       ("Bulgaria is being pressed by its allies to send troops.", set())])
def asked_to(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    kept = [c for c in cues if not _ASKED_TO.search(ctx.text, max(0, c.start - 80), c.start + 3 if
                                                    ctx.text[c.start:c.start + 3].lower() == "to " else c.start)]
    return kept if len(kept) < len(cues) else None


_INSTEAD = re.compile(r"^(?:instead of|rather than)\b", re.I)


@rule("cue", "instead-of", "'rather than send its forces', 'instead of soldiers': whatever else the clause offers, "
      "troops are refused", [("Ankara offered to mediate, rather than send its forces.", {("TR", "reject")}),
                             ("Poland may send companies instead of soldiers.", {("PL", "reject")})])
def instead_of(ctx: SentenceContext, clause: Clause, cues: list[CueHit]) -> list[CueHit] | None:
    refusal = next((c for c in cues if c.stance == "reject" and _INSTEAD.match(c.text)), None)
    return None if refusal is None else [_tag(refusal, "reject", "instead-of", refusal.text)]


# a sentence pointing back to the topic the one before set up ('the idea', 'such a mission', 'do so')
ANAPHOR = re.compile(r"\b(?:this|these|such|it|(?:idea|plan|proposal|prospect|possibility)(?!\s+(?:for|of|on|to)\b)|"
                     r"do so|the same|topic|issue|"
                      r"question|matter|similar proposals|the (?:founding |joint |framework )?(?:document|declaration|"
                      r"charter|agreement|initiative|coalition|mission))\b|"
                      # taking part with nothing named to take part in: the mission the sentence before set up
                      r"\b(?:take|takes|taking|took) part(?=\s*[.,;]|\s*$)|"
                      r"\bparticipat(?:e|es|ed|ing)(?=\s*[.,;]|\s*$)|"
                      # a country's participation or involvement, with nothing else named, is in the force just named
                      r"\b(?:participation|involvement)\b(?!\s+(?:in|of|at)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?(?:talks|"
                      r"negotiations|meetings?|summit|discussions?|conference|economy|reconstruction|planning|process))",
                      re.I)
_CONTRAST_BEFORE = re.compile(r"(?:[;]|\b(?:but|while|whereas|although|though))\s*$", re.I)
# what the force is for ("the need for deterrence", "security guarantees") keeps a clause on the question
_FORCE_PURPOSE = re.compile(r"\b(?:deterr\w*|security guarantees?|reassur\w*|cease-?fire)\b", re.I)
_ELLIPSIS = re.compile(r"[\s,]*(?:but\s+)?(?:also\s+|so\s+)?(?:not|never|without)\b", re.I)
_CONTRAST_AFTER = re.compile(r"^\s*(?:;|,?\s*(?:but(?!\s+(?:not|without)\b)|while|whereas|although|though)\b)", re.I)


@rule("cue", "contrast-off-topic", "in a sentence whose clauses are set against each other ('but', 'while', "
      "'although'), a clause that names neither the force nor refers back to it is about something else",
      [("Trump is willing to use airpower but promised not to commit American boots on the ground.",
        {("US", "reject")}),
       ("Poland has no plans to send troops, while Italy is ready to help with demining.", {("PL", "reject")}),
       ("France is ready to do so, while Germany rejected sending troops.", {("FR", "support"), ("DE", "reject")}),
       ("Italy is interested in peacekeeping, while Spanish officials have stressed the need for deterrence.",
        {("IT", "undecided"), ("ES", "support")})])
def contrast_off_topic(ctx: SentenceContext, clause: Clause) -> bool:
    text = ctx.text
    if not (_CONTRAST_BEFORE.search(text, 0, clause.start) or _CONTRAST_AFTER.match(text[clause.end:])):
        return False
    if _ELLIPSIS.match(text, clause.start):  # "..., but not dismissed by Estonia": the topic is the one before
        return False
    inside = [a for a in ctx.topic_at if clause.start <= a < clause.end]
    outside = [a for a in ctx.topic_at if not clause.start <= a < clause.end]
    return (not inside and bool(outside) and not ANAPHOR.search(text, clause.start, clause.end)
            and not _FORCE_PURPOSE.search(text, clause.start, clause.end))


_HOME_SOIL = re.compile(r"^[^,;.]{0,40}?\b(?:on|in|to)\s+(?:(?:its|their|our|his|her) own|(?!Ukrain)[A-Z][a-z]+)\s+"
                        r"(?:territory|soil)\b|^[^,;.]{0,40}?\bat home\b|"
                        r"^[^,;.]{0,40}?\b(?:on|in)\s+the\s+territory\s+of\s+(?!Ukrain)[A-Z][a-z]+")


@rule("cue", "home-soil", "troops deployed on the country's own territory are not a force in Ukraine",
      [("Thousands of Polish soldiers will be deployed on Polish territory to protect allied troops.", set()),
       ("Poland will deploy troops on its own territory, not in Ukraine.", set()),
       ("Thousands of Polish soldiers will be involved on the territory of Poland.", set())])
def home_soil(ctx: SentenceContext, cue: CueHit, end: int) -> bool:
    return cue.stance == "support" and bool(_HOME_SOIL.match(ctx.text[cue.end:end]))


def clause_view(ctx: SentenceContext, clause: Clause, before: Before) -> ClauseView:
    """The clause's cues with the scope rules applied, and the holders it names."""
    cues = [c for c in ctx.cues if clause.start <= c.start < clause.end and not home_soil(ctx, c, clause.end)]
    if cues and contrast_off_topic(ctx, clause):
        cues = []
    if (asked := asked_to(ctx, clause, cues)) is not None:
        cues = asked
    cues = instead_of(ctx, clause, cues) or cues
    cues = refusal_governs(ctx, clause, cues) or cues
    scoped = denial_scope(ctx, clause, cues)
    if scoped is None:
        scoped = left_open_scope(ctx, clause, cues)
    cues = scoped if scoped is not None else cues
    cues = ruled_out_opener(ctx, clause, cues) or cues
    groups = tuple(g for g in (tuple(m for m in g if m.holder) for g in ctx.groups
                               if clause.start <= g[0].start < clause.end) if g)
    inherited = as_did(ctx, clause, cues, before)
    if inherited is not None:
        cues = [inherited]
    return ClauseView(clause, ctx.text[clause.start:clause.end], tuple(cues), groups, inherited is not None, before)


# --- stage 2: who holds a clause's cues ----------------------------------------------------------------------

@dataclass(frozen=True)
class Holding:
    """The holder rule's decision: the holders, the cues they take, whether the holder was only referred to."""

    groups: tuple[tuple[Mention, ...], ...]
    cues: tuple[CueHit, ...]
    pronoun: bool
    why: tuple[str, str]


HOLDER_RULES: list[Callable[[SentenceContext, ClauseView], Holding | None]] = []


def holder_rule(name: str, reason: str, examples: list[tuple[str, set]]):
    def register(fn):
        rule("holder", name, reason, examples)(fn)
        HOLDER_RULES.append(fn)
        return fn
    return register


def _nearest_before(ctx: SentenceContext, pos: int) -> Mention | None:
    return max((m for m in ctx.mentions if m.end <= pos), key=lambda m: m.start, default=None)


# a clause that goes on without a subject of its own: "..., but has ruled out American boots", "while ruling out"
_CONTINUES_SUBJECT = re.compile(r"^[\s,]*(?:(?:has|have|had|is|are|was|were|will|would|did|does|do)\s+(?:also\s+|"
                                r"since\s+|already\s+|repeatedly\s+)?(?:ruled|rejected|refused|declined|excluded|"
                                r"dismissed|not|never|no)\b|(?:\w+ly\s+)?(?:ruling|rejecting|refusing|declining|"
                                r"excluding|dismissing)\b|(?:promised|pledged|vowed|decided|chose|opted|undertook)\s+"
                                r"(?:not|never)\s+to\b)", re.I)
# (only after a conjunction: "a mission that could be deployed" has its own subject)
_CONJUNCTION_BEFORE = re.compile(r"(?:\bbut|\bwhile|\band|\byet|,)\s*$", re.I)


@holder_rule("pronoun-subject", "a pronoun opening the clause, or a clause going on without a subject of its own, "
             "is the holder named before it",
             [("Austria was asked about the force, and it said it would not send troops.", {("AT", "reject")}),
              ("Trump said the US would help in some form, but has ruled out American boots on the ground.",
               {("US", "reject")}),
              ("Norway will help Ukraine while ruling out sending its own troops.", {("NO", "reject")}),
              ("Poland is not ready to send soldiers, but is willing to serve as a logistical hub.",
               {("PL", "reject")}),
              ("Trump is willing to offer air power but promised not to commit American boots on the ground.",
               {("US", "reject")})])
def pronoun_subject(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    continues = bool(_CONTINUES_SUBJECT.match(v.text)) and bool(
        _CONJUNCTION_BEFORE.search(ctx.text, max(0, v.clause.start - 12), v.clause.start))
    if not (v.cues and v.before.holders and (_PRONOUN_START.match(v.text) or continues)):
        return None
    if v.groups and v.groups[0][0].start - v.clause.start < 4:
        return None
    nearest = _nearest_before(ctx, v.clause.start)
    # (a pronoun after "Russia ... stating that it rejected" is Russia's, not the holder's before it)
    if nearest is not None and nearest.why_not in ("adversary", "institution") \
            and _prev_word(ctx.text, nearest.start) not in _PLACE_PREP:
        return None
    return Holding((v.before.holders,) + v.groups, v.cues, True, why("pronoun-subject", v.before.holders[0].text))


@holder_rule("named-subject", "the clause names its holder and the cue after it is its own",
             [("Norway is ready to send troops to Ukraine after a ceasefire.", {("NO", "support")})])
def named_subject(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    if not v.groups:
        return None
    return Holding(v.groups, v.cues, False, why("named-subject"))


@holder_rule("headline-holder", "a headline naming its holder first ('France: ...') is that holder's",
             [("Denmark: we are ready to send troops to Ukraine", {("DK", "support")})])
def headline_holder(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    head = ctx.head_holder
    if not v.cues or head is None or v.clause.start > head.end + 3:
        return None
    return Holding(((head,),), v.cues, False, why("headline-holder", head.text))


@holder_rule("member-of", "'X is (not) one of the countries that ...' gives X the clause's cue (negated)",
             [("Greece is not one of the countries that are ready to send troops.", {("GR", "reject")})])
def member_of(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    if not v.cues or v.before.member_of is None:
        return None
    holders, negated = v.before.member_of
    cues = tuple(replace(c, stance=NEGATE[c.stance], negated=not c.negated) for c in v.cues) if negated else v.cues
    return Holding((holders,), cues, True, why("member-of", "not one of" if negated else "one of"))


@holder_rule("count-announcer", "'X said that 26 allies have pledged troops': the announcer leads it",
             [("Macron has stated that 26 of Ukraine's allies have pledged to deploy troops.", {("FR", "support")})])
def count_announcer(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    if v.groups or not v.cues or not v.clause.reported or not v.before.holders or v.inherited:
        return None
    if not _COUNT_PLEDGED.match(v.text) or not any(c.stance == "support" for c in v.cues):
        return None
    return Holding((v.before.holders,), tuple(c for c in v.cues if c.stance == "support"), True,
                   why("count-announcer"))


@holder_rule("reported-speaker", "a reported clause naming no holder is its speaker's, unless another agent leads it",
             [("Frederiksen said the idea of sending troops was premature.", {("DK", "undecided")}),
              ("Macron said that, despite the lack of a decision, EU troops could be sent to Ukraine.",
               {("FR", "undecided")})])
def reported_speaker(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    if v.groups or not v.cues or not v.clause.reported or not v.before.holders or v.inherited:
        return None
    first = next((c.start for c in v.cues if not _AGENT_CUE.fullmatch(c.text)), v.clause.end)
    # "Merz said that Western allies might..." (but not "EU troops could be sent": the troops are no agent)
    if any(not _TROOPS_NOUN.match(ctx.text[m.end():m.end() + 40])
           for m in _OTHER_AGENT.finditer(ctx.text, v.clause.start, first)):
        return None
    return Holding((v.before.holders,), v.cues, True, why("reported-speaker", v.before.holders[0].text))


def decide_holders(ctx: SentenceContext, v: ClauseView) -> Holding | None:
    """The first holder rule that applies, in HOLDER_RULES order."""
    for fn in HOLDER_RULES:
        if (h := fn(ctx, v)) is not None:
            return h
    return None


# --- stage 3: the cue each holder takes, and what changes its stance -----------------------------------------

declare("cue", "negation", "a negation before a cue turns it",
        [("Austria will not send troops to Ukraine.", {("AT", "reject")})])


# "Macron, British Prime Minister Keir Starmer and Ukrainian President Zelensky signed": titled names in a row
# (possessive repeats: no backtracking however the words fall)
_LIST_GAP = re.compile(r"(?:[\s,;&]++|(?:and|the|of)\b|[A-Z][\w'’.-]*+|(?i:prime|minister|president|chancellor|"
                       r"foreign|defen[cs]e|secretary|leader|premier|counterpart|head|state|government|deputy|"
                       r"vice|'s|’s)\b)*+")
_SHARES_SUBJECT = re.compile(r"\b(?:together|along|jointly|alongside|like|as well as|and|&)\b[^,;:.]{0,40}$|"
                             r"\b(?:together|along|jointly|alongside|as well as)\b[^;:.]{0,40}$", re.I)


@rule("holder", "own-cue", "a cue after another holder of the clause is that holder's, not an earlier one's",
      [("Starmer welcomed a commitment from Australia to consider contributing troops.", {("AU", "undecided")})])
def behind_other_holder(text: str, group, cue: CueHit, others) -> bool:
    """Another holder of another country stands between the list and the cue (unless it shares the subject:
    "Estonia, together with Latvia, is ready")."""
    mine = {c for m in group for c in m.countries}
    return any(group[-1].end <= o.start and o.end <= cue.start and not set(o.countries) <= mine
               and not _SHARES_SUBJECT.search(text, max(0, o.start - 50), o.start)
               and not _LIST_GAP.fullmatch(text, group[-1].end, o.start) for o in others)


_OBJECT_POSSESSOR = re.compile(r"^(?:\s+[A-Z][\w.'’-]*)*\s*['’]s?\s+(?:[\w-]+\s+)?(?:idea|proposal|plan|initiative|"
                               r"call|offer|suggestion|remarks?|comments?|words|statement)\b")
# "discussions on European boots on the ground", "the idea of sending troops": the topic as an object, no stance
_TOPIC_OBJECT = re.compile(r"\b(?:discussions?|debates?|talks?|speculation|questions?|issue|subject|topic|matter|"
                           r"reports?|rumou?rs?|warnings?|prospects?)\s+(?:on|of|about|over|around|regarding)\s+"
                           r"(?:the\s+|a\s+|any\s+)?(?:[A-Z][\w-]*['’]s?\s+)?(?:[\w-]+\s+){0,2}$", re.I)
_GROUP_NOUN_BEFORE = re.compile(r"(?<!one of )(?<!among )(?<!one of the )(?<!among the )\b(?:countries|nations|"
                                r"states|allies|partners|governments|members|those|others|Europeans|leaders)\s+"
                                r"(?:(?:(?:that|who|which)\s+)?(?:are|were|would be|will be)\s+)?$", re.I)
_DESCRIBING = re.compile(r"(?:willing|ready|prepared|able|keen|eager)\b", re.I)


@rule("holder", "others-cue", "a cue describing other countries ('the decision of countries willing to send troops') "
      "is theirs, not the clause's holder's",
      [("Slovakia would respect the decision of countries willing to send troops to Ukraine.", set()),
       ("Trump said Europeans are willing to send troops.", set()),
       ("Poland will protect the allied troops that may be deployed in Ukraine.", set())])
@rule("holder", "topic-object", "the topic named as what is discussed ('discussions on boots on the ground') says "
      "no stance", [("Fiala labeled discussions on European boots on the ground as premature.", {("CZ", "undecided")}),
                    ("Sikorski answered a question about Poland's readiness to send troops.", set()),
                    ("Wong said Australia won't be intimidated by warnings about the prospect of joining the force.",
                     set())])
def topic_object(text: str, cue: CueHit) -> bool:
    return cue.stance == "support" and not cue.negated and bool(
        _TOPIC_OBJECT.search(text, max(0, cue.start - 60), cue.start))


# "the security of allied troops that may be deployed in Ukraine": other countries' troops, not the speaker's
_OTHERS_TROOPS_BEFORE = re.compile(r"\b(?:allied|foreign|western|partner|partners['’]|other|international)\s+"
                                   r"(?:troops|forces|soldiers|contingents?)\s+(?:(?:that|which|who)\s+)?"
                                   r"(?:(?:may|might|could|would|will|can)\s+)?$", re.I)


_OTHERS_SUBJECT = re.compile(r"\b(?:(?:many|most|several|some|the)\s+)?(?:other|remaining)\s+(?:EU\s+)?(?:countries|"
                             r"states|nations|members|allies|governments|capitals)\b|\bothers\b", re.I)
_PROPOSED_BY = re.compile(r"\b(?:as\s+)?(?:proposed|suggested|championed|floated)\s+by\b", re.I)


@rule("holder", "others-subject", "a cue whose own subject is 'many other countries' or 'others' is theirs, not "
      "the holders named before it", [("Despite the support of Denmark and the Baltic nations, many other countries "
                                       "remain hesitant to commit troops.", set())])
def others_subject(text: str, end: int, cue: CueHit) -> bool:
    return bool(_OTHERS_SUBJECT.search(text, end, cue.start))


def describes_others(text: str, cue: CueHit) -> bool:
    if _OTHERS_TROOPS_BEFORE.search(text, max(0, cue.start - 60), cue.start):
        return True
    return bool(_DESCRIBING.match(cue.text) and _GROUP_NOUN_BEFORE.search(text, max(0, cue.start - 40), cue.start))


def pick_cue(cues: tuple[CueHit, ...], group: tuple[Mention, ...], inherited: bool, text: str,
             others: tuple[Mention, ...] = ()) -> CueHit | None:
    """The cue that decides a holder's stance: the first one after it in its clause (subject, then verb) that no
    other holder stands before, else one right before it ("led by Italy")."""
    if inherited:
        return cues[0]
    end, start = group[-1].end, group[0].start
    led = [c for c in cues if _AGENT_CUE.fullmatch(c.text) and c.end <= start
           and text[c.end:start].strip(" ,").lower() in ("", "the")]
    if led and _PROPOSED_BY.search(text, max(0, led[-1].start - 4), led[-1].end):
        return led[-1]  # "the sending of troops, as proposed by France and the UK, is ineffective": France proposes
    for c in cues:
        if c.start < end or _AGENT_CUE.fullmatch(c.text) or topic_object(text, c):
            continue
        if others_subject(text, end, c):
            break
        if describes_others(text, c):
            break  # (and what follows it is theirs too: "countries willing to send troops")
        if others and behind_other_holder(text, group, c, others):
            break
        if _ATTACHED_CUE.fullmatch(c.text) and not _ADJACENT.match(text[end:c.start]):
            continue  # "proposal" is only the proposer's: "the French proposal", "Macron's proposal"
        return c
    around = next((c for c in cues if c.start < start and end <= c.end and not _AGENT_CUE.fullmatch(c.text)), None)
    if around is not None:  # "there will not be US troops": a cue spanning the holder
        return around
    led = [c for c in cues if _AGENT_CUE.fullmatch(c.text) and c.end <= start
           and text[c.end:start].strip(" ,").lower() in ("", "the")]
    if led:
        return led[-1]
    before = [c for c in cues if c.end <= start and not _AGENT_CUE.fullmatch(c.text)]
    if before:
        c = before[-1]
        between = text[c.end:start]
        # a cue before the holder is its own only when nothing else sits between them ("supported by Italy"),
        # or the holder is one of those it was said of ("have ruled out sending troops - including Germany")
        if re.search(r"\bby\s+(?:the\s+)?$", between):
            return c
        # (a colon after another holder's cue starts something else: "Austria considers joining ... Photo: ...")
        if (ap := _APPOSITION.search(between)) and (ap.group().lstrip()[:1] != ":" or not any(
                o.end <= c.start for o in others if o not in group)):
            return c
        if len(between) < 3 and "," not in between and not _OBJECT_POSSESSOR.match(text[end:]):
            # ("..., Mexico said": a comma opens another subject; "opposed Macron's idea": Macron proposed it)
            return c
    return None


def _owned_conditions(ctx: SentenceContext, group, cue: CueHit, mentions, clause_start: int) -> list[str]:
    """A condition opening the sentence is everyone's; a later one is this holder's when it is in the holder's
    clause or follows it, and no other holder comes between ("Austria will not..., while Ireland would... if
    asked")."""
    text = ctx.text
    first = min(group[0].start, cue.start, clause_start)
    mine = {m.start for m in group}
    others = [m.start for m in mentions if m.holder and m.start not in mine]
    after = max(cue.end, group[-1].end)

    def owns(at: int) -> bool:
        if at < 3:
            return True
        # "..., but that he had discussed ... in the event of a ceasefire": past a contrast, it is another clause's
        return at >= first and not any(after < o < at for o in others) and not _CONTRAST.search(text, after, at)

    return list(dict.fromkeys(t for at, t in ctx.cond_texts if owns(at)))


@rule("stance", "condition-undecided", "support on a condition not yet met is undecided, unless the holder says "
      "it is ready or has promised", [("Sweden would send troops if parliament agrees.", {("SE", "undecided")})])
def condition_undecided(ctx: SentenceContext, stance: str, cue: CueHit, owned: list[str]) -> str | None:
    # a ceasefire or a peace deal is the premise of the whole force, not a condition on supporting it
    real = [t for t in owned if not ctx.lex.question.premise.search(t) and not t.lower().startswith("even if")]
    return "undecided" if real and stance == "support" and not _COMMITTED.search(cue.text) else None


@rule("stance", "condition-not-met", "a refusal 'as long as' a condition holds is undecided",
      [("Germany will not send soldiers as long as the war is not over.", {("DE", "undecided")})])
def condition_not_met(ctx: SentenceContext, stance: str, cue: CueHit, owned: list[str]) -> str | None:
    # (a ceasefire is the premise of the force: "will not take part, if a peace deal is brokered" is a refusal)
    if stance == "reject" and any(not t.lower().startswith("even if") and not ctx.lex.question.premise.search(t)
                                  for t in owned):
        return "undecided"
    return None


_NO_COMMITMENT = re.compile(r"\bwithout (?:committing|commitment|pledging|promising) (?:\w+ )?to (?:send(?:ing)?|"
                            r"deploy(?:ing)?|contribut(?:e|ing)|provid(?:e|ing)) (?:any |its |their |our )?(?:own )?"
                            r"(?:troops|forces|soldiers|military|contingents?)\b", re.I)


@rule("stance", "without-commitment", "readiness 'without committing to sending troops' is undecided",
      [("Germany has declared its readiness to join in ensuring a ceasefire, but without committing to sending its "
        "troops to Ukraine.", {("DE", "undecided")})])
def without_commitment(ctx: SentenceContext, stance: str, cue: CueHit, owned: list[str]) -> str | None:
    return "undecided" if stance == "support" and _NO_COMMITMENT.search(ctx.text, cue.end) else None


@rule("stance", "no-troops-determiner", "'no US ground troops would be deployed': the determiner negates the verb",
      [("Officials said that no Danish ground troops will ever be deployed.", {("DK", "reject")})])
def no_troops_determiner(text: str, m: Mention, cue: CueHit, stance: str) -> str | None:
    if stance == "support" and cue.start > m.end and not cue.negated \
            and _NO_BEFORE.search(text, max(0, m.start - 40), m.start) and _TROOPS_NOUN.match(text[m.end:]):
        return "reject"
    return None


def _confidence(m: Mention, cue: CueHit, n_countries: int, inherited: bool, pronoun: bool, penalty: float) -> float:
    conf = 0.55
    conf += {"name": 0.2, "adjective": 0.2, "person": 0.2, "capital": 0.1, "group": 0.05}.get(m.kind, 0.1)
    conf += 0.1 if len(cue.text) > 12 else 0.05
    conf -= 0.1 if inherited else 0.0
    conf -= 0.1 if pronoun else 0.0
    conf -= 0.05 if n_countries > 3 else 0.0
    conf -= 0.05 if cue.negated else 0.0
    conf -= penalty
    return round(max(0.05, min(0.95, conf)), 2)


def _explain(holder: tuple[str, str], cue: CueHit, stance: str, changed: tuple[str, str] | None) -> tuple[str, str]:
    """The candidate's rule and reason: the holder rule, or the last rule that changed the stance past reading
    the cue (a denial's scope, a condition; a plain negation is part of reading the cue), and the chain in words."""
    parts = [holder[1], f"cue '{cue.text}' says {cue.base or cue.stance}"]
    last = holder[0]
    for step in (cue.why, changed):
        if step is not None:
            parts.append(step[1])
            last = step[0] if step[0] != "negation" else last
    return last, "; ".join(parts) + f" -> {stance}"


def make_candidates(ctx: SentenceContext, group, cue: CueHit, mentions, holder_why: tuple[str, str], *,
                    inherited: bool, pronoun: bool, penalty: float, clause_start: int = 10**9) -> list[Candidate]:
    """One candidate per country of a holder list, with its conditions, date, speaker, confidence and rule."""
    text, lex = ctx.text, ctx.lex
    owned = _owned_conditions(ctx, group, cue, mentions, clause_start)
    stance, changed = cue.stance, None
    for name, fn in (("condition-undecided", condition_undecided), ("condition-not-met", condition_not_met),
                     ("without-commitment", without_commitment)):
        if (new := fn(ctx, stance, cue, owned)) is not None:
            stance, changed = new, why(name, owned[0] if owned else "")
            break
    expr = _nearest_time(list(ctx.exprs), 0, len(text), cue.start, text) or ctx.carried_time
    when = resolve(expr, ctx.ref) if expr else ctx.ref
    if not when.known:
        when = DateValue.unknown()
    countries = list(dict.fromkeys(c for m in group for c in m.countries))
    out = []
    for m in group:
        m_stance, m_changed = stance, changed
        if (new := no_troops_determiner(text, m, cue, stance)) is not None:
            m_stance, m_changed = new, why("no-troops-determiner")
        for country in m.countries:
            if country in lex.excluded or country not in lex.country_names:
                continue
            name, reason = _explain(holder_why, cue, m_stance, m_changed)
            out.append(Candidate(
                country=country, stance=m_stance, quote=text, quote_start=ctx.sent.start, quote_end=ctx.sent.end,
                mention_start=m.start, mention_end=m.end, cue_start=cue.start, cue_end=cue.end,
                speaker=_speaker(text, mentions, country), conditions="; ".join(owned) or None,
                confidence=_confidence(m, cue, len(countries), inherited, pronoun, penalty), stated_on=when.date,
                date_precision=when.precision, rule=name, rule_reason=reason))
    return out


def _speaker(text: str, mentions: list[Mention], country: str) -> str | None:
    """Who spoke for the country in this sentence: a known person, else "<Adjective> <Title> <Name>" or the body
    that spoke ("Bulgarian parliament"); None when the sentence names nobody who speaks."""
    for m in mentions:
        if m.kind == "person" and m.countries == (country,):
            return m.person
    for m in mentions:
        if m.kind != "adjective" or m.countries != (country,):
            continue
        g = _GOV_NOUN.match(text[m.end:])
        if not g or g.group("noun").lower() in _NOT_SPEAKING:
            continue
        title = text[m.start:m.end + g.end()].strip()
        nm = _NAME_AFTER_TITLE.match(text[m.end + g.end():])
        return f"{title} {nm.group('name')}" if nm else title
    return None
# A time that dates something else: an event named beside it ("the invasion of February 2022", "the 2022
# invasion", "since the war began in 2014"), or a span's bound ("since 2022", "until 2030", "by 2027").
_EVENT_NOUN = (r"(?:invasion|war|annexation|aggression|attack|offensive|occupation|election|elections|summit|"
               r"agreement|accords?|deal|talks|conference|treaty|referendum|revolution|outbreak|start|beginning)")
_DATES_EVENT_BEFORE = re.compile(rf"(?:\b{_EVENT_NOUN}\s+(?:\w+\s+)?(?:of|in|on|from)|\b(?:began|started|launched|"
                                 rf"invaded|annexed|erupted|broke out)\s+(?:\w+\s+)?(?:in|on)?|\b(?:since|until|till|"
                                 rf"through|by))\s+(?:the\s+)?(?:(?:early|late|mid|end of|start of)[\s-]+)?$", re.I)
_DATES_EVENT_AFTER = re.compile(rf"^(?:['’]s)?\s+(?:(?:full[\s-]scale|Russian|Russia['’]s|all-out|large-scale)\s+)*"
                                rf"{_EVENT_NOUN}\b", re.I)


@rule("time", "event-date", "a date naming when something else happened ('the invasion of February 2022', "
      "'since 2022') does not date the statement",
      [("Poland will not send troops to Ukraine, Tusk said, recalling the full-scale invasion of February 2022.",
        {("PL", "reject")})])
def dates_other_event(text: str, e: TimeExpr) -> bool:
    return bool(_DATES_EVENT_BEFORE.search(text, max(0, e.start - 40), e.start)
                or _DATES_EVENT_AFTER.match(text[e.end:e.end + 60]))


def _nearest_time(exprs: list[TimeExpr], lo: int, hi: int, pos: int, text: str = "") -> TimeExpr | None:
    inside = [e for e in exprs if lo <= e.start < hi and not (text and dates_other_event(text, e))]
    if not inside:
        return None
    return min(inside, key=lambda e: abs(e.start - pos))


# --- stage 4: the sentence -----------------------------------------------------------------------------------

@rule("holder", "projection", "a projection ('likely to', 'analysts expect') is nobody's position",
      [("Italy is expected to send troops to a peacekeeping force.", set())])
def projection(ctx: SentenceContext, v: ClauseView) -> bool:
    return ctx.may_hold(_PROJECTION_WORDS) and bool(_PROJECTION.search(v.text))


_NO_COMMENT = re.compile(r"\b(?:(?:declin\w*|refus\w*)\s+(?:to\s+)?comment|(?:would|will|did|could)\s+not\s+comment|"
                         r"(?:wouldn|won|didn|couldn)['’]t\s+comment|no comment|(?:declin\w*|refus\w*)\s+to\s+"
                         r"(?:say|speculate|discuss|elaborate|be drawn|specify|disclose|reveal|name|identify|detail|"
                         r"confirm|give details|provide (?:any )?(?:specifics|details)))\b", re.I)
_NO_COMMENT_WORDS = _words("comment", "declin", "refus")


@rule("holder", "no-comment", "declining to comment states nothing, and what it declines to comment on is no "
      "position of the subject's", [("Colombia declined to comment on Iraq's readiness to send troops.", set()),
                                    ("Asked about troops, Oslo would not comment on the mission.", set())])
def no_comment(ctx: SentenceContext, v: ClauseView) -> bool:
    return ctx.may_hold(_NO_COMMENT_WORDS) and bool(_NO_COMMENT.search(v.text))


_HEARSAY = re.compile(r"\b(?:reportedly|allegedly|rumou?red|purportedly)\b|\b(?:media |press |news )?(?:reports?|"
                      r"claims?|rumou?rs?|speculation|information|news)\s+that\b|\bas saying\b", re.I)
# "Welt reported that China ...": hearsay, unless the one reporting speaks for a government ("the spokesman ...
# reported that the Ukrainian authorities have ...")
_REPORTED_THAT = re.compile(r"\b(?:reported|claimed)\s+(?:on\s+\w+\s+|earlier\s+|last\s+\w+\s+)?that\b", re.I)
_HEARSAY_WORDS = _words("report", "alleged", "rumo", "purported", "claim", "speculation", "information", "news",
                        "as saying")
# (a newspaper citing sources is how much coverage reports a government's position: the reference counts it)
_NON_GOVERNMENT_REPORTER = re.compile(r"\b(?:former|ex-|opposition|analysts?|experts?|commentators?|observers?|"
                                     r"think tank|researchers?|scholars?|professors?)\b", re.I)
_OFFICIAL = re.compile(r"\b(?:spokes\w*|ministry|minister|president|government|office|officials?|chancellor|premier|"
                       r"prime|cabinet|embassy|ambassador|secretary)\b", re.I)


@rule("holder", "hearsay", "what reports, rumours or unnamed sources say of a country is not its statement",
      [("Die Welt quoted diplomats as saying Beijing was considering joining a peacekeeping force.", set()),
       ("Brazil is reportedly ready to send troops.", set())])
def hearsay(ctx: SentenceContext, v: ClauseView) -> bool:
    if v.clause.denied:  # "Germany denied reports that it would send troops" is Germany's refusal
        return False
    start = max(0, v.clause.start - 40)  # "... reported that" / "as saying" just before the clause
    if ctx.may_hold(_HEARSAY_WORDS):
        if _HEARSAY.search(ctx.text, start, v.clause.end):
            return True
        m = _REPORTED_THAT.search(ctx.text, start, v.clause.end)
        if m and not _OFFICIAL.search(ctx.text, max(0, m.start() - 100), m.start()):
            return True
    # "former Polish ambassador Czuchowski suggested that Warsaw might ...": a reporter who does not speak for a state
    lo = max(0, v.clause.start - 150)
    return v.clause.reported and bool(_NON_GOVERNMENT_REPORTER.search(ctx.text, lo, v.clause.start)) and not any(
        x.holder and lo <= x.start < v.clause.start for x in ctx.mentions)


_TRAINING = re.compile(r"\b(?:to train|for training|training (?:mission|purposes|role)|as (?:military )?(?:trainers|"
                       r"instructors)|(?:military )?instructors|trainers)\b", re.I)
_FORCE_WORDS = re.compile(r"peacekeep|reassurance|ceasefire|cease-fire|truce|peace (?:deal|agreement)|"
                          r"security guarantee", re.I)
_TRAINING_WORDS = _words("train", "instructor")


@rule("holder", "training", "troops sent to train (trainers, instructors) are a training mission, out of scope",
      [("Canada ready to send its troops to Ukraine to train soldiers.", set())])
def training(ctx: SentenceContext, v: ClauseView) -> bool:
    return ctx.may_hold(_TRAINING_WORDS) and bool(_TRAINING.search(v.text)) and not _FORCE_WORDS.search(ctx.text)


# "..., Zakharova said." / "..., the Kremlin claimed.": an attribution closing the sentence
_TAIL_REPORT = re.compile(rf",\s+(?:[^,;]{{0,120}}?)\b(?:{_REPORTING.pattern})[^,;]{{0,60}}$")


def _speaker_before(ctx: SentenceContext, start: int) -> Mention | None:
    """The nearest holder or adversary mention before `start` that a reporting verb follows before `start`."""
    for m in reversed(ctx.mentions):
        if m.end > start:
            continue
        if not (m.holder or m.why_not == "adversary"):
            continue
        return m if _REPORTING.search(ctx.text, m.end, start) else None
    return None


@rule("holder", "adversary-claim", "what the adversary's officials say of other countries is their claim, not "
      "those countries' position",
      [("Russian Foreign Ministry spokeswoman Maria Zakharova said on Thursday that Britain and France are "
        "preparing to send troops to Ukraine.", set()),
       ("Kremlin spokesman Dmitry Peskov claimed that Germany wants boots on the ground in Ukraine.", set()),
       ("Britain is preparing to send troops to Ukraine, Russia's foreign ministry said.", set()),
       ("Russia rejected the plan, while Macron said that France is ready to send troops.", {("FR", "support")})])
def adversary_claim(ctx: SentenceContext, v: ClauseView) -> bool:
    if not ctx.lex.excluded:
        return False
    speaker = _speaker_before(ctx, v.clause.start)
    if speaker is not None:
        return speaker.why_not == "adversary"
    tail = _TAIL_REPORT.search(ctx.text, v.clause.start)
    if tail is None:
        return False
    in_tail = [m for m in ctx.mentions if m.start >= tail.start()]
    return bool(in_tail) and in_tail[0].why_not == "adversary" and not any(m.holder for m in in_tail)


@rule("holder", "meeting", "'X will meet Y to discuss sending troops' is a meeting, not a position",
      [("Macron will meet Starmer to discuss sending troops.", set())])
def meeting(ctx: SentenceContext, group, cue: CueHit) -> bool:
    between = ctx.text[group[-1].end:cue.start] if cue.start > group[-1].end else ""
    return bool(between and _MEETING.search(between))


def clause_candidates(ctx: SentenceContext, clause: Clause, before: Before) -> tuple[list[Candidate], Before]:
    """The candidates one clause gives, and what it leaves the next clause."""
    v = clause_view(ctx, clause, before)
    h = decide_holders(ctx, v)
    groups, cues = (h.groups, h.cues) if h else ((), v.cues)
    member = None
    if h is not None and h.why[0] not in ("count-announcer", "reported-speaker") and (
            found := _MEMBER_OF.search(v.text)):
        member = (groups[-1], bool(found["neg"]))
    holders = groups[-1] if groups else before.holders
    if projection(ctx, v) or no_comment(ctx, v) or hearsay(ctx, v) or adversary_claim(ctx, v) or training(ctx, v):
        return [], Before(holders, before.cue, member)
    out: list[Candidate] = []
    if h is not None:  # without holders the clause gives nothing itself, only what it leaves the next one
        holders_here = tuple(m for g in v.groups for m in g)
        for group in h.groups:
            cue = pick_cue(cues, group, v.inherited, ctx.text, holders_here)
            if cue is None or (meeting(ctx, group, cue) and not (v.inherited or h.pronoun)):
                continue
            out.extend(make_candidates(ctx, group, cue, ctx.mentions, h.why, inherited=v.inherited,
                                       pronoun=h.pronoun, penalty=ctx.penalty, clause_start=clause.start))
    return out, Before(holders, cues[-1] if cues and not v.inherited else before.cue, member)


_FEARED = re.compile(r"\b(?:fear(?:s|ed)?|worr(?:y|ies|ied)|(?:is|are|was|were) (?:concerned|afraid|alarmed))\s+that\b",
                     re.I)
declare("sentence", "feared", "what a speaker fears others may do is not the speaker's position",
        [("The Hungarian government fears that EU leaders may pressure all European countries to agree to deploy "
          "troops to Ukraine, Hungarian Foreign Minister Peter Szijjarto said.", set())])


@rule("sentence", "quote-attribution", "a quote's first cue is its attributed speaker's when nothing else was found",
      [('"We will not send troops," said the Slovak Prime Minister.', {("SK", "reject")})])
def quote_attribution(ctx: SentenceContext) -> list[Candidate]:
    """'"We will not send troops," said the Slovak Prime Minister' (or 'No option is off the table ..., Macron
    said'): the quote's first cue and the attribution's speaker."""
    text = ctx.text
    m = _QUOTE_ATTRIBUTION.match(text)
    if not m:
        return []
    q, a = ("quote", "attr") if m["quote"] is not None else ("quote2", "attr2")
    if not _ATTRIBUTION_VERB.search(m[a]):
        return []
    speakers = [g for g in ([x for x in g if x.holder] for g in ctx.groups if g[0].start >= m.start(a)) if g]
    if not speakers:
        return []
    # a cue after another country in the quote is that country's ("Russia ... is not even ready to keep ...")
    own = set(speakers[0][0].countries)
    named = [x.start for x in ctx.mentions if m.start(q) <= x.start < m.end(q) and not own & set(x.countries)
             and (x.holder or x.why_not == "adversary") and _prev_word(text, x.start) not in _PLACE_PREP]
    q_cues = [c for c in ctx.cues if m.start(q) <= c.start < m.end(q) and not any(n < c.start for n in named)
              and not home_soil(ctx, c, m.end(q))]
    if (fear := _FEARED.search(text, m.start(q), m.end(q))) is not None:
        q_cues = [c for c in q_cues if c.start < fear.start()]
    if (other := next((i for i, c in enumerate(q_cues) if describes_others(text, c)), None)) is not None:
        q_cues = q_cues[:other]  # ("... the decision of countries willing to send troops, Fico said")
    if not q_cues:
        return []
    # a phrase ("nothing is off the table") says more than a bare verb ("the signal we send to Russia")
    cue = next((c for c in q_cues if " " in c.text.strip()), q_cues[0])
    return make_candidates(ctx, tuple(speakers[0]), cue, ctx.mentions, why("quote-attribution", speakers[0][0].text),
                           inherited=False, pronoun=True, penalty=ctx.penalty)


@rule("sentence", "hedge-opens-refusal", "'no plans to send troops, but this cannot be ruled out' leaves it open",
      [("Belgium has no plans to send troops, but this cannot be ruled out.", {("BE", "undecided")})])
def hedge_opens_refusal(ctx: SentenceContext, out: list[Candidate]) -> list[Candidate]:
    used = {c.cue_start for c in out}
    opened = any(cu.stance == "undecided" and cu.start not in used and _OPEN_DOOR.search(cu.text)
                 and _CONTRAST.search(ctx.text, 0, cu.start) for cu in ctx.cues)
    hedged = {(c.country, c.stated_on) for c in out if c.stance == "undecided"}
    res = []
    for c in out:
        if c.stance == "reject" and (c.country, c.stated_on) in hedged:
            # the same holder's hedge in the same sentence wins over its refusal, unless the sentence dates them
            # apart ("vowed Tuesday that he will not send troops, after suggesting on Monday he was open to it")
            continue
        if c.stance == "reject" and opened:
            name, reason = why("hedge-opens-refusal")
            c = replace(c, stance="undecided", rule=name, rule_reason=f"{c.rule_reason}; {reason} -> undecided")
        res.append(c)
    return res


_QUESTION_END = re.compile(r"\?[\s\"”’')\]]*$")


@rule("sentence", "question", "a question states no position ('Will Europe put boots on the ground?')",
      [("Will Norway send troops to Ukraine?", set()), ("Finland: ready to send troops to Ukraine?", set())])
def question(ctx: SentenceContext) -> bool:
    return bool(_QUESTION_END.search(ctx.text))


_RELATED = re.compile(r"^\W*(?:read more|read also|also read|related|see also|recommended|more on this|more from|"
                      r"watch|listen|opinion|analysis|explainer|live updates?)\b\s*[:|–—-]", re.I)


@rule("sentence", "related-headline", "a related article's headline embedded in the body ('Read more: ...') is "
      "not this article's statement", [("Read more: Sweden ready to send peacekeepers to Ukraine", set())])
def related_headline(ctx: SentenceContext) -> bool:
    return bool(_RELATED.match(ctx.text))


def sentence_candidates(ctx: SentenceContext) -> list[Candidate]:
    """A sentence's candidates: clause by clause, then the quote fallback and the hedge filter."""
    if not ctx.cues or question(ctx) or related_headline(ctx):
        return []
    out: list[Candidate] = []
    before = Before()
    for clause in ctx.clauses:
        found, before = clause_candidates(ctx, clause, before)
        out.extend(found)
    if not out:
        out = quote_attribution(ctx)
    return hedge_opens_refusal(ctx, out)
