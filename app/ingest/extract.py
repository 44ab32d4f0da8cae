"""Extraction: sentences -> country references -> cue -> stance -> Candidate; pure functions over the lexicon."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Protocol

from app.ingest.dates import DateValue, TimeExpr, article_date, resolve, time_expressions
from app.ingest.incumbents import office_bounds
from app.ingest.lexicon import Lexicon, load_lexicon
from app.ingest.types import ArticleInput
from app.ingest.scan import WordStartScan

# Bump when a rule or a data file changes what is extracted, so a re-run can be compared with the last one.
RULES_VERSION = "rules-1.1"

NEGATE = {"support": "reject", "reject": "undecided", "undecided": "reject"}


@dataclass(frozen=True)
class Candidate:
    """A dated position found in an article, with its evidence and where it sits."""

    country: str
    stance: str
    quote: str
    quote_start: int  # in the article body
    quote_end: int
    mention_start: int  # within the quote
    mention_end: int
    cue_start: int  # within the quote
    cue_end: int
    speaker: str | None
    conditions: str | None
    confidence: float
    stated_on: object  # datetime.date | None
    date_precision: str
    rules_version: str = RULES_VERSION
    rule: str | None = None
    rule_reason: str | None = None


class Extractor(Protocol):
    """What the store needs from an extractor; a trained model can replace the rules behind it."""

    rules_version: str

    def date(self, article: ArticleInput) -> DateValue:
        """The article's own date, as the store records it and the candidates are dated against."""
        ...

    def extract(self, article: ArticleInput) -> list[Candidate]: ...


# --- sentences -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


_ABBREV = {"mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sen", "rep", "jr", "sr", "no", "vs", "etc", "prof",
           "gov", "maj", "capt", "sgt", "adm", "corp", "inc", "co", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
           "approx", "dept", "est", "fig", "min", "pres"}
# Scraped text loses spaces: "...other support.Britain, France and Australia have..." ends a sentence too.
_OPENER = re.compile(r"\s+(?:However|But|Meanwhile|Still|Yet|Moreover|Meanwhile|The|This|That|These|Those|It|He|She|"
                     r"They|We|In|On|At|After|Before|According)\b")
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])|(?<=[a-z]{2})[.!?](?=[A-Z][a-z]{2,}\b)")


def _is_abbreviation(text: str, dot: int) -> bool:
    # only the token before the dot matters; a bounded window keeps this O(1) per dot
    parts = text[max(0, dot - 30):dot].split()
    if not parts or text[dot - 1:dot].isspace():
        return False
    token = parts[-1].lstrip("\"“‘'(")
    # "U.S.", "U.N.", initials like "J." and short titles are not sentence ends ... unless a sentence plainly
    # starts after them: "to the U.S. However, Russia's Kremlin..."
    if _OPENER.match(text, dot + 1):
        return False
    return (bool(re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", token)) or token.lower() in _ABBREV)


def split_sentences(body: str) -> list[Sentence]:
    """Sentences with their offsets in the body; a line break always ends one (headlines, list items)."""
    out: list[Sentence] = []
    paragraph = 0
    pos = 0
    for line in body.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        start = 0
        for m in _BOUNDARY.finditer(line):
            if line[m.start()] == "." and _is_abbreviation(line, m.start()):
                continue
            _add(out, line, start, m.end(), line_start, paragraph)
            start = m.end()
        _add(out, line, start, len(line), line_start, paragraph)
        paragraph += 1
    return out


def _add(out: list[Sentence], line: str, a: int, b: int, offset: int, paragraph: int) -> None:
    seg = line[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if seg:
        s = offset + a + lead
        out.append(Sentence(s, s + len(seg), seg, paragraph))


# --- references to countries -----------------------------------------------------------------------------

_GOV_NOUN = re.compile(
    r"^(?:(?:\s+(?:and|,)\s*|\s*,\s*|\s+)(?:[A-Z][a-z]+)?)??\s*(?:(?:[Ss]enior|[Tt]op|[Ff]ormer|[Ii]nterim|[Aa]cting|[Dd]eputy|"
    r"[Ff]oreign|[Dd]efen[cs]e|[Mm]ilitary|[Gg]overnment|[Ss]tate|[Pp]rime|[Nn]ational|[Hh]igh-ranking|[Ss]ecurity)\s+)*"
    r"(?P<noun>[Pp]resident|[Pp]rime [Mm]inister|[Pp]remier|[Cc]hancellor|[Tt]aoiseach|[Mm]inist(?:er|ry|ers)|"
    r"[Ss]ecretary|[Gg]overnments?|[Cc]abinet|[Oo]fficials?|[Dd]iplomats?|[Pp]arliament|[Ll]awmakers|[Ll]eaders?(?:hip)?|"
    r"[Aa]uthorities|[Aa]mbassador|[Ee]nvoy|[Ee]mbassy|[Ss]pokes(?:man|woman|person)|[Aa]rmed [Ff]orces|[Aa]rmy|"
    r"[Mm]ilitary|[Gg]eneral [Ss]taff|[Cc]ommander|[Pp]residency|[Ss]ide|[Ff]oreign [Oo]ffice|[Cc]hief|[Ss]enate|"
    r"[Cc]ongress|[Aa]dministration|[Kk]ing|[Qq]ueen|[Ss]tate [Dd]epartment|[Pp]entagon|[Pp]roposal|[Ii]nitiative)\b")
_TROOPS_NOUN = re.compile(r"^\s+(?:(?:ground|combat|own|military)\s+)?(?:troops|soldiers|forces|peacekeepers|"
                          r"deployment|contribution|participation|involvement|"
                          r"contingent|units?|personnel|boots)\b")
_SUBJECT_SLOT = re.compile(r"(?:^|\b(?:that|said|says|stated|but|no|[Aa]ny)|[,;:])\s*$")
_MEDIA_NOUN = re.compile(r"^\s+(?:[a-z]+\s+)?(?:newspaper|media|press|outlet|journalist|broadcaster|daily|agency|"
                         r"news|expert|analyst|source|think tank|publication|magazine|TV|television|radio)\b", re.I)
# "The Washington Post", "the Kyiv Independent", "the Paris summit": the place names something else
_PROPER_AFTER = re.compile(r"^\s+(?:Post|Times|Independent|Journal|Herald|Telegraph|Tribune|Guardian|Match|Wall|"
                           r"Institute|University|Airport|Summit|summit|Conference|conference|Declaration|Format|"
                           r"Process|Agreement|Accords?|Protocol|Consensus|Club|Group|talks)\b")
# "Leaders from France, Britain and Ukraine", "a team from France", "their counterparts from Germany"
_FROM_GOVERNMENT = re.compile(r"\b(?:leaders|officials|ministers|representatives|delegations?|governments|diplomats|"
                              r"teams?|experts|counterparts|statements?)\s+from\s+(?:the\s+)?$", re.I)
_NOT_GOVERNMENT = re.compile(r"\b(?:opposition|former|ex-|chancellor candidate|presidential candidate|candidate)"
                             r"(?:\s+[\w-]+){0,3}\s+$", re.I)
# a clause's verb after the reference: "after France said", "after French President Emmanuel Macron said"
_CLAUSE_AFTER = re.compile(r"^\s+(?:[A-Z][\w.'’-]*\s+){0,4}(?:had\s+|has\s+|have\s+)?"
                           r"(?:said|says|stated|told|announced|"
                           r"declared|proposed|suggested|warned|insisted|added|hinted|signed|floated|rejected|"
                           r"refused|offered|called|made|ruled)\b")
_TITLE_WORDS = re.compile(r"(?:(?<=\s)|^)(?:(?:[A-Z][\w'’.-]*|of|the|and|de|von|van)\s+)*(?:[A-Z][\w'’.-]*)$")
_ACRONYM_BEFORE = re.compile(r"(?<![\w.])(?!US\s|UK\s|EU\s)[A-Z]{2,5}\s+$")
_PLACE_PREP = {"to", "into", "in", "from", "at", "across", "throughout", "inside", "near", "towards", "toward", "on",
               "against", "with", "about", "over", "between", "of", "for", "visit", "visits", "visited", "visiting",
               "via", "within", "beyond", "around", "under", "by", "than", "onto", "outside", "through", "upon",
               "amid", "during", "after", "before",
               # verbs whose next noun phrase is their object: "refused to provide US military cover",
               # "urged Germany to send troops" (the urger holds the position, not Germany)
               "provide", "providing", "provided", "give", "giving", "offer", "offering", "ask", "asked", "asking",
               "urge", "urged", "urging", "convince", "persuade", "allow", "allowed", "help", "helped", "involve",
               "involving", "without", "pressure", "pressed", "encourage", "encouraged",
               "send", "sending", "deploy", "deploying", "dispatch", "dispatching",
               "warn", "warns", "warned", "warning"}
_TITLE_BEFORE_OF = re.compile(r"(?:[Pp]resident|[Mm]inisters?|[Gg]overnment|[Pp]arliament|[Ll]eaders?|[Cc]hief|"
                              r"[Cc]ommander(?:-in-[Cc]hief)?|[Aa]mbassador|[Pp]rime [Mm]inister|[Kk]ing|[Qq]ueen|"
                              r"[Cc]hancellor|[Ss]ecretary|[Aa]uthorities|[Oo]fficials)\s+of\s+(?:the\s+)?$")
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as well as\s+|&\s+)(?:the\s+)?$")
_POSSESSIVE = re.compile(r"^['’]s?\b")
_PROPOSAL_AFTER_POSSESSIVE = re.compile(r"^['’]s?\s+(?:[\w-]+\s+)?(?:idea|proposal|plan|initiative|call|offer)\b")


_NEXT_WORD = re.compile(r"^\s+([a-z][\w'’-]*)")
_VERBISH = re.compile(r"(?:s|ed|ly|ing)$")
_VERB_WORDS = {
    "will", "would", "could", "can", "may", "might", "must", "should", "shall", "is", "are", "was", "were", "has",
    "have", "had", "does", "do", "did", "also", "not", "already", "still", "then", "too", "alone", "itself",
    "now", "plan", "want", "say", "agree", "oppose", "reject", "support", "back", "urge", "consider", "propose",
    "send", "deploy", "refuse", "join", "lead", "seek", "need", "remain", "intend", "believe", "and", "or", "as",
    "nor", "to", "together", "along", "alongside", "however", "instead", "first", "recently", "previously",
    "on", "in", "at", "for", "after", "before", "over", "within", "from", "with", "by", "during", "but", "which",
    "who", "that", "where", "if", "unless", "whose", "—", "said", "told", "sent", "led", "held", "made", "took",
    "gave", "saw", "thought", "spoke", "wrote", "met", "put", "kept", "felt", "left", "became", "began", "chose",
    "got", "knew", "let", "meant", "ran", "rose", "sought", "stood", "won", "lost", "cannot", "can't", "won't",
    "isn't", "aren't", "wasn't", "doesn't", "didn't", "hasn't", "haven't", "wouldn't", "couldn't", "shouldn't",
    "both", "each", "all", "jointly", "separately", "again", "themselves", "herself", "himself",
    # headline predicates: "UK and France reluctant to send troops", "Denmark ready to send peacekeepers"
    "ready", "reluctant", "open", "willing", "unwilling", "prepared", "hesitant", "keen", "eager", "poised",
    "determined", "unlikely", "likely", "set",
}


def _is_modifier(tail: str) -> bool:
    """A name directly before a noun modifies it ("the US position", "US presidential election"): no subject."""
    m = _NEXT_WORD.match(tail)
    if not m:
        return False
    word = m.group(1).replace("’", "'")
    if word in _VERB_WORDS or _VERBISH.search(word) or _GOV_NOUN.match(tail):
        return False
    return True


@dataclass
class Mention:
    start: int  # within the sentence
    end: int
    text: str
    kind: str  # name | adjective | capital | group | person | institution | pronoun
    countries: tuple[str, ...]
    person: str | None = None
    holder: bool = True
    why_not: str | None = None


def find_mentions(text: str, lex: Lexicon, on=None) -> list[Mention]:
    """Every reference to a country (or institution) in a sentence, left to right."""
    out = []
    for m in lex.mention_re.finditer(text):
        s = lex.surfaces[m.group()]
        countries, kind = s.countries, s.kind
        if kind == "person":
            c = lex.person_country(m.group(), on)
            if c is None or c not in lex.country_names:
                kind, countries = "institution", ()
            else:
                countries = (c,)
        out.append(Mention(m.start(), m.end(), m.group(), kind, countries, s.person))
    return out


_LAST_WORD = re.compile(r"([\w'’-]+)\W*$")


_PLACE_MODIFIER = re.compile(r"(?:[\w]+-[\w-]+|post-?war|war-torn|occupied|eastern|western|southern|northern|central|"
                             r"neighbou?ring|independent|sovereign|free|democratic)$", re.I)


def _prev_word(text: str, pos: int) -> str:
    """The word before pos, looking past a place's modifiers ("to post-war Ukraine", "in eastern Ukraine")."""
    for _ in range(3):
        m = _LAST_WORD.search(text[max(0, pos - 40):pos])
        if not m:
            return ""
        word = m.group(1).lower()
        if not _PLACE_MODIFIER.fullmatch(word) and word not in ("a", "an", "the"):
            return word
        pos = max(0, pos - 40) + m.start(1)
    return word


def _lists(mentions: list[Mention], text: str) -> list[list[Mention]]:
    """Mentions joined by commas, "and" or "or" form one list that shares a role ("Germany, Italy and Spain")."""
    groups: list[list[Mention]] = []
    for m in mentions:
        joint = text[groups[-1][-1].end:m.start] if groups else ""
        # "According to Tusk, Poland will...": a comma between a person and a country is not a list
        mixed = joint.strip() in (",", ", the") and ((groups[-1][-1].kind == "person") != (m.kind == "person")
                                                   or (m.kind == "adjective") != (groups[-1][-1].kind == "adjective")) \
            if groups else False
        if groups and not mixed and _LIST_JOIN.match(joint):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def judge_roles(text: str, mentions: list[Mention], lex: Lexicon, conditions: list[tuple[int, int]],
                first_in_article: bool = False) -> list[list[Mention]]:
    """Mark each reference as a possible holder of a position or not (a place, an object, a meeting partner,
    the adversary, an institution, a newspaper); returns the lists."""
    groups = _lists(mentions, text)
    for group in groups:
        head = group[0]
        before = text[:head.start].rstrip()
        if before.lower().endswith(" the") or before.lower() == "the":
            before = before[:-3].rstrip()
        if head.kind == "person":
            # a preposition governs the whole titled name: "with French President Emmanuel Macron"
            before = _TITLE_WORDS.sub("", before).rstrip()
        prev = _prev_word(text, len(before)) if before else ""
        after_last = text[group[-1].end:]
        group_ok, why = True, None
        possessed = bool(re.match(r"^(?:['’]s?)?\s+(?:proposal|initiative|idea|plan|offer)\b", after_last))
        if prev in _PLACE_PREP and not possessed:
            # "about the Dutch proposal": the preposition governs the proposal, the country is its author
            group_ok, why = False, f"after '{prev}'"
            if prev == "for" and re.match(r"^\s+to\s+\w", after_last):
                group_ok, why = True, None  # "for Brussels to send troops": the subject of the infinitive
            elif prev == "in" and re.match(r"^\s*,\s*(?:they|officials|the government|authorities|leaders)\b", after_last):
                group_ok, why = True, None  # "In Romania, they have admitted...": the place stands for its government
            elif prev == "of" and _TITLE_BEFORE_OF.search(text[:head.start]):
                group_ok, why = True, None  # "President of France", "ministers of France and Germany"
            elif prev == "from" and _FROM_GOVERNMENT.search(before + " "):
                group_ok, why = True, None  # "Leaders from France, Britain and Ukraine signed..."
            elif prev in ("after", "before", "since", "until", "when", "as") and _CLAUSE_AFTER.match(after_last):
                group_ok, why = True, None  # "after French President Emmanuel Macron said": a conjunction
            elif prev == "by" and re.search(r"\b(?:led|proposed|backed|supported|opposed|rejected|shared|echoed|voiced|"
                                            r"expressed|repeated|reiterated|endorsed|dismissed|spearheaded|proposals?|"
                                            r"plans?|ideas?|initiatives?|offers?)\s+by\s+(?:the\s+)?$",
                                            text[:head.start]):
                group_ok, why = True, None  # the agent of "led by", "opposed by", "a view shared by"
            elif prev in ("with", "from") and re.search(r"\b(?:originated|originating|came|comes)\s+(?:with|from)\s+"
                                                        r"(?:the\s+)?$", text[:head.start]):
                group_ok, why = True, None  # "the idea originated with French President Emmanuel Macron"
            elif prev == "with" and re.search(r"\b(?:together|along|jointly)\s+with\s+(?:the\s+)?$", text[:head.start]):
                group_ok, why = True, None  # "together with the United Kingdom" shares the subject's position
        if head.kind == "capital" and re.fullmatch(r"(?:[A-Z][\w.-]*\s*/\s*)*", text[:head.start]) and (
                re.match(r"^\s*(?:/|\(|[–—-]\s)", after_last) or (re.match(r"^\s*:", after_last) and first_in_article)):
            group_ok, why = False, "dateline"  # "Ljubljana/Zagreb – Slovenia will...", "PARIS (Reuters) -"
        for m in group:
            ok, reason = group_ok, why
            tail = text[m.end:]
            if any(a <= m.start < b for a, b in conditions):
                ok, reason = False, "inside a condition"
            elif m.kind == "institution" or not m.countries:
                ok, reason = False, "institution"
            elif m.kind == "person" and _NOT_GOVERNMENT.search(text[max(0, m.start - 60):m.start]):
                ok, reason = False, "not the government"  # "opposition leader Babis", "former President Biden"
            elif any(c in lex.excluded for c in m.countries):
                ok, reason = False, "adversary"
            elif _POSSESSIVE.match(tail):
                # "Spain's foreign minister" speaks for Spain; "Spain's economy" does not
                if not _PROPOSAL_AFTER_POSSESSIVE.match(tail) and not _GOV_NOUN.match(tail[2:] if tail[1:2] == "s" else tail[1:]):
                    ok, reason = False, "possessive"
            elif m.kind == "adjective":
                # An adjective speaks for a country only with a noun for its state: "the Polish Prime Minister",
                # "the Bulgarian parliament", "Italian officials" -- not "French troops" or "Polish newspaper".
                if _MEDIA_NOUN.match(tail):
                    ok, reason = False, "media"
                elif not _GOV_NOUN.match(tail) and not (_TROOPS_NOUN.match(tail) and _SUBJECT_SLOT.search(before)):
                    # "Slovak soldiers would not be deployed" at a clause's start is the state's own troops
                    ok, reason = False, "adjective without a state noun"
            elif m.kind in ("name", "capital") and (_MEDIA_NOUN.match(tail) or _PROPER_AFTER.match(tail)
                                                    or _ACRONYM_BEFORE.search(text[:m.start])):
                ok, reason = False, "media"  # "The Washington Post", "RBC Ukraine", "TVP World"
            elif m.kind in ("name", "capital") and _is_modifier(tail) \
                    and not (_TROOPS_NOUN.match(tail) and _SUBJECT_SLOT.search(before)):
                ok, reason = False, "noun modifier"
            m.holder, m.why_not = ok, (None if ok else reason)
    return groups


# --- cues, clauses, conditions -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CueHit:
    start: int
    end: int
    stance: str
    text: str
    negated: bool = False
    base: str = ""


_NEGATOR = re.compile(r"\b(?:not|no|never|cannot|nor|neither|without)\b|n['’]t\b", re.I)
_NOT_ONLY = re.compile(r"\bnot only\b", re.I)


def raw_cue_hits(text: str, lex: Lexicon) -> list[tuple[int, int, object]]:
    """Every cue pattern's matches in a text, by position (run once per article body, then sliced)."""
    hits = lex.cue_scan.matches(text)
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    return hits


def find_cues(text: str, lex: Lexicon, excluded: list[tuple[int, int]],
              raw: list[tuple[int, int, object]] | None = None) -> list[CueHit]:
    """Cue phrases in a sentence, longest first where they overlap, with negation applied."""
    if raw is None:
        raw = raw_cue_hits(text, lex)
    hits = [h for h in raw if not any(a <= h[0] < b for a, b in excluded)]
    kept: list[CueHit] = []
    last_end = -1
    for start, end, cue in hits:
        if start < last_end:
            continue
        stance, negated = cue.stance, False
        if cue.negatable:
            # a negator inside an earlier cue ("does not rule out such a possibility") is that cue's own
            window = text[max(0, start - 40, kept[-1].end if kept else 0):start]
            window = " ".join(window.split()[-4:])
            window = _NOT_ONLY.sub("", window)
            # A negator already used by an earlier cue ("does not rule out") does not negate this one.
            if _NEGATOR.search(window) and not (kept and kept[-1].end > start - len(window) and kept[-1].negated):
                stance, negated = NEGATE[stance], True
        kept.append(CueHit(start, end, stance, text[start:end], negated, cue.stance))
        last_end = end
    return kept


_CONDITION = re.compile(r"\b(?:(?i:even if|only if|if|unless|provided(?: that)?|as long as|on condition that|"
                        r"in the event (?:of|that))|[Ss]hould(?= [A-Z]\w* (?:decide|choose|agree|want|ask|request)))\b")
# "Poland, which borders Ukraine, ..." is an aside; ", who said the country was not ready" is the speaker's words
_ASIDE = re.compile(r",\s+(?:(?:which|who)(?!\s+(?:also\s+)?(?:have\s+|has\s+|had\s+)?(?:said|says|stated|told|added|"
                    r"insisted|warned|noted|declared|announced|confirmed|stressed|lead|leads|co-lead|co-leads|led|"
                    r"head|heads|spearhead|spearheads|chair|chairs|proposed))|whose|where)\b[^,;]*")
# (not an apposition that names those the clause speaks of: "– including Germany, the UK and the US –")
_DASH_ASIDE = re.compile(r"\s[–—]\s(?!(?:including|such as|notably|namely|among them|in particular)\b)"
                         r"[^–—]{3,100}?\s[–—]\s", re.I)
_PARENTHESIS = re.compile(r"\((?:[^()]*?\s){3,}[^()]*\)")
_QUESTION = re.compile(r"\b(?:whether|asked if)\b")
_CONDITION_END = re.compile(r"[,;:.!?]|\s[–—-]\s")
_CONDITION_PHRASE = re.compile(r"\bunder (?:a |the )?(?:UN|U\.N\.|United Nations) mandate\b[^,;.]*|"
                               r"\bwithout (?:a |an )?(?:clear |UN |U\.N\. |international )?mandate\b[^,;.]*|"
                               r"\bunder the auspices of [^,;.]+|\bwith (?:a |an )?(?:US|U\.S\.|American) backstop\b|"
                               r"\bwithout (?:a |an |the )?(?:full )?(?:US|U\.S\.|American|Washington['’]s) (?:support|"
                               r"backstop|backing|guarantees?|involvement|participation|security guarantees?)\b")


def find_conditions(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """Conditional spans ("if requested", "unless it is involved...") and condition phrases ("under a UN mandate").

    Returns the spans whose cues and references do not count as stated positions (conditions and indirect
    questions), and the conditions to record with where each starts.
    """
    spans, texts = [], []
    for m in _CONDITION.finditer(text):
        end_m = _CONDITION_END.search(text, m.end())
        end = end_m.start() if end_m else len(text)
        spans.append((m.start(), end))
        texts.append((m.start(), text[m.start():end].strip(" \"“”")))
    for m in _ASIDE.finditer(text):
        # "Poland, which borders Ukraine, will not...": a relative aside names places, not the holder
        spans.append((m.start(), m.end()))
    for m in _DASH_ASIDE.finditer(text):
        # "26 countries have committed – some others have not yet taken a position – to deploy": an aside
        spans.append((m.start(), m.end()))
    for m in _PARENTHESIS.finditer(text):
        # "Hayashi (and Japan initially also declared itself ready to ...) stated that Japan will not send":
        # a parenthesis is background, not the sentence's statement ("(Reuters)", "(SPD)" are too short to matter)
        spans.append((m.start(), m.end()))
    for m in _QUESTION.finditer(text):
        # an indirect question ("asked whether Portugal would send soldiers") states nothing
        end_m = _CONDITION_END.search(text, m.end())
        spans.append((m.start(), end_m.start() if end_m else len(text)))
    for m in _CONDITION_PHRASE.finditer(text):
        texts.append((m.start(), m.group().strip(" \"“”")))
    return spans, texts


_REPORT_ALWAYS = (r"said|says|stated|declared|declares|believes|believe|believed|thinks|noted|added|adds|"
                  r"announced|confirmed|insisted|explained|admitted|writes|wrote|reported|argued|warned|"
                  r"told\s+(?:[A-Z][\w-]*\s*)+")
_REPORT_THAT = r"suggested|suggests|stressed|emphasi[sz]ed|indicated|claimed|informed|signaled|signalled|made it clear"
_LEFT_OPEN = r"(?:not|n['’]t|never)\s+(?:\w+\s+)?(?:rul\w+\s+out|exclud\w*)\s+that\b"
_DENIED = r"den(?:y|ies|ied|ying)\s+(?:(?:the\s+|any\s+)?(?:reports?|claims?|suggestions?|rumou?rs?)\s+)?that\b"
_CLAUSE_SPLIT = re.compile(
    rf"\b{_DENIED}|{_LEFT_OPEN}|"
    rf"\b(?:{_REPORT_ALWAYS})\b(?:\s+(?:late|early|later|earlier|again|also|publicly|recently|at|in|on|during|"
    r"last|this|yesterday|today)\b[^,;]*?(?=\s+that\b))?(?:\s+that\b)?|"
    rf"\b(?:{_REPORT_THAT})\s+that\b|"
    r";|,\s+(?:but|while|although|though|whereas|however)\b|\s+but\s+|\bwhile\b|\balthough\b|"
    r"\bthat\b|,\s+as\b(?!\s+(?:well|part|long|much|many|soon|noted|reported|stated|said))")
_MEMBER_OF = re.compile(r"\b(?:is|are|was|were)\s+(?P<neg>not\s+)?(?:one of|among)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
                        r"(?:countries|nations|states|members|governments|allies)\s*$")
_COUNT_PLEDGED = re.compile(r"^\s*(?:some |around |about |more than |over |at least )?\d+\s+(?:of\s+[\w'’]+\s+)?"
                            r"(?:countries|nations|states|allies|partners|of (?:Ukraine['’]s )?allies)\b[^.;]{0,40}?"
                            r"\b(?:have |had |has )?(?:pledged|committed|agreed|signed up|signalled|signaled)\b", re.I)
_OTHER_AGENT = re.compile(r"\b(?:allies|countries|nations|states|governments|leaders|officials|partners|Europeans?|"
                          r"Europe|members|others|diplomats|sources|analysts|experts|capitals|the West|Washington|"
                          r"Moscow|Kremlin|Kyiv|NATO|EU|UN|[A-Z]\w+ians)\b(?!['’])")  # "partners' forces" is no agent
_REPORTING = re.compile(rf"(?:{_REPORT_ALWAYS}|{_REPORT_THAT})\b")
_INHERIT = re.compile(r"^\s*as\s+(?:did|does|do|is|are|was|were|has|have|had|will|would)\b", re.I)
_PRONOUN_START = re.compile(
    r"^[\s,\"“”'‘’:]*(?:(?:in|on|at)\s+\w+\s+\d*\s*)?(?:that\s*,?\s*)?[\"“]?(?:he|she|it|they|we|i|his country|her country|"
    r"their country|its government|the country|his government|her government|the government|the minister|"
    r"(?:(?:any|the|a|an|such a|such|this|that|sending|deploying|stationing|western|european|foreign|international|"
    r"peacekeeping|multinational)\s+)+(?:force|forces|troops|mission|deployment|contingent|peacekeepers|soldiers)|"
    r"(?:sending|deploying|stationing))\b", re.I)
_PROJECTION = re.compile(r"\b(?:likely to|expected to|set to|could form|would form|may form|"
                         r"(?:analysts?|experts?|observers|commentators)\s+(?:say|said|suggest|suggested|believe|"
                         r"expect|think|predict)|according to (?:analysts|experts|observers))\b", re.I)
_MEETING = re.compile(r"\b(?:meet|meets|met|meeting|visit|visits|visited|visiting|hold talks|held talks|host|hosts|"
                      r"hosted|discuss|discusses|discussed)\b", re.I)
TOPIC = re.compile(r"\b(?:troops?|soldiers?|peacekeep\w*|boots on the ground|ground forces|armed forces|"
                   r"(?:military|troop) (?:commitment|contribution|deployment|mission)s?|"
                   r"military personnel|presence of (?:[\w-]+\s+){0,2}?(?:forces|troops|soldiers|military|personnel)\b|"
                   r"(?:western|foreign|international|military|multinational|european)\s+presence\b|"
                   r"(?:foreign|western|european|allied|international|multinational|NATO)\s+"
                   r"(?:forces|military|personnel|presence)|"
                   r"(?:send|sends|sending|sent|station\w*|plac\w+|put|putting)\s+(?:\w+\s+){0,2}?"
                   r"(?:military|forces|personnel|contingents?)\b|"
                   r"(?:army|military|forces|contingents?|personnel|units)\s+(?:\w+\s+){0,3}?(?:be|been|being)\s+"
                   r"(?:sent|deployed|stationed)\b|"
                   r"(?:possible|potential|future|such|any|these|those|its own|their own)\s+(?:\w+\s+)?forces\b|"
                   r"(?:deterrent|reassurance|security|stabili[sz]ation|multinational|international|european|military|"
                   r"peacekeeping)\s+(?:force|forces|mission|presence)|contingent|deploy\w*|station(?:ing|ed)\b|"
                   r"(?:enforc|monitor|secur|guarante)\w*\s+(?:a|the)\s+ceasefire|coalition of the willing|"
                   r"(?:the|a|such a|this|any)\s+(?:force|mission)\b)", re.I)
_TOPIC_SCAN = WordStartScan([TOPIC])
_OWN_FORCES = re.compile(r"(?:Ukrainian|Ukraine['’]s|Russian|Russia['’]s|Kyiv['’]s|Moscow['’]s)\s+(?:own\s+)?$")
_ANAPHOR = re.compile(r"\b(?:this|these|such|it|idea|plan|proposal|prospect|possibility|do so|the same|topic|issue|"
                      r"question|matter)\b", re.I)
_CARRY_DATE = re.compile(r"^(?:meanwhile|at the same time|simultaneously|on the same day|the same day|that day)\b", re.I)


@dataclass
class Clause:
    start: int
    end: int
    inherit: bool = False  # "as did Ukraine": shares the previous clause's cue
    reported: bool = False  # follows a reporting verb ("Macron said ..."): its speaker may be its holder
    denied: bool = False  # follows a denial ("Tusk denied that Polish troops would be sent"): its cues flip
    left_open: bool = False  # follows "does not rule out that": whatever it says is undecided


def split_clauses(text: str, mentions: list[Mention] = ()) -> list[Clause]:
    """Clauses of a sentence: split at reporting verbs, "that", "but", "while", "; " and "as did" (never inside
    a reference, so "the Baltic states" stays whole)."""
    clauses = []
    start = 0
    reported = denied = left_open = False
    for m in _CLAUSE_SPLIT.finditer(text):
        if any(x.start < m.end() and m.start() < x.end for x in mentions):
            continue
        if m.start() <= start:
            if m.end() > start and m.start() == start:
                start = m.end()
            continue
        clauses.append(Clause(start, m.start(), reported=reported, denied=denied, left_open=left_open))
        start = m.end() if not re.match(r",\s+as\b", m.group()) else m.start() + 1
        denied = bool(re.match(_DENIED, m.group()))
        left_open = bool(re.match(_LEFT_OPEN, m.group()))
        reported = denied or left_open or bool(_REPORTING.match(m.group()))
    clauses.append(Clause(start, len(text), reported=reported, denied=denied, left_open=left_open))
    for c in clauses:
        c.inherit = bool(_INHERIT.match(text[c.start:c.end]))
    return [c for c in clauses if text[c.start:c.end].strip(" ,;\"“”")]


# --- the extractor -----------------------------------------------------------------------------------------

# "Foreign Minister Joan Doe", "Ambassador to NATO, Deyvidas Matulionis"
_NAME_AFTER_TITLE = re.compile(r"^(?:\s+(?:to|at|in)\s+(?:the\s+)?[A-Z][\w.]+)?,?\s+"
                               r"(?P<name>[A-Z][\w’'.-]+(?:\s+(?:de|van|von|der|da|[A-Z][\w’'.-]+)){1,3})")
# nouns that name a state's body but never speak: the troops it would send, its "side", its proposal
_NOT_SPEAKING = {"armed forces", "army", "military", "side", "proposal", "initiative", "officials", "diplomats",
                 "leaders", "leadership", "authorities", "administration", "presidency"}


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


def _nearest_time(exprs: list[TimeExpr], lo: int, hi: int, pos: int) -> TimeExpr | None:
    inside = [e for e in exprs if lo <= e.start < hi]
    if not inside:
        return None
    return min(inside, key=lambda e: abs(e.start - pos))


class RuleExtractor:
    """The rules extractor: general rules over the data files in app/data (see STANCES.md)."""

    rules_version = RULES_VERSION

    def __init__(self, lexicon: Lexicon | None = None):
        self.lex = lexicon or load_lexicon()

    def date(self, article: ArticleInput) -> DateValue:
        if article.published_on is not None:
            return article_date(article.published_on, article.body, article.date_precision)
        bounds = office_bounds(article.body, self.lex)
        return article_date(None, article.body, article.date_precision, bounds)

    def extract(self, article: ArticleInput) -> list[Candidate]:
        return extract_candidates(article.body, self.date(article), self.lex)


@dataclass
class Carry:
    """What a sentence leaves the next: who was speaking ("Italian Prime Minister Meloni: We ...") and the cue
    it turned on ("Six countries are ready to send troops. Among them are ...")."""

    speaker: list[Mention] = field(default_factory=list)
    speaker_paragraph: int = -1
    cue: CueHit | None = None


_ACTION = re.compile(r"\b(?:send|sent|sending|deploy\w*|station\w*|commit\w*|contribut\w*|put|place)\b", re.I)
_HEADER = re.compile(r"^[^:“\"]{2,80}?:\s+\S")
_FIRST_PERSON = re.compile(r"^[\s\"“‘']*(?:We|I|Our|My)\b")
_AMONG = re.compile(r"^(?:Among|These include|They include|Those include|These are|They are)\b"
                    r"(?:\s+(?:them|these|those|the\s+[\w\s]{0,40}?))?(?:\s+(?:are|were|is|was))?\b[\s:,—–-]*")


def sentence_speaker(text: str, lex: Lexicon, on=None) -> list[Mention]:
    """Who a sentence says is speaking: a "Slovak Prime Minister Robert Fico: We ..." header, or the attribution
    after a quote ('"...," said the Greek Prime Minister', also when the quote began a sentence earlier); empty
    when it names nobody."""
    if ":" not in text and '"' not in text and "“" not in text and "”" not in text:
        return []  # every form below needs a colon or a quotation mark
    if header := _HEADER.match(text):
        lo, hi = 0, header.end() - 1
    elif (quoted := _QUOTE_ATTRIBUTION.match(text)) and quoted["attr"] and _ATTRIBUTION_VERB.search(quoted["attr"]):
        lo, hi = quoted.start("attr"), len(text)
    elif closing := _CLOSING_ATTRIBUTION.search(text):
        lo, hi = closing.start("attr"), len(text)
    else:
        return []
    mentions = find_mentions(text, lex, on)
    judge_roles(text, mentions, lex, [])
    return [m for m in mentions if m.holder and lo <= m.start and m.end <= hi][:1]


def _carried_candidates(sent: Sentence, carry: Carry, ref: DateValue, lex: Lexicon, exprs: list[TimeExpr],
                        timed: TimeExpr | None, raw_cues: list, penalty: float, on_topic: bool) -> list[Candidate]:
    """Positions a sentence states through the one before: a first-person sentence after a "Title Name:" header
    or an attributed quote is that speaker's; "Among them are X and Y" gives X and Y the cue before it."""
    text = sent.text
    cond_spans, cond_texts = find_conditions(text)
    quoted_on = carry.speaker_paragraph in (sent.paragraph, sent.paragraph - 1) and text[:1] in "\"“"
    if carry.speaker and (carry.speaker_paragraph == sent.paragraph or quoted_on) \
            and (m := _FIRST_PERSON.match(text) or (re.match(r"[\"“]", text) if quoted_on else None)):
        # off the topic, only a stance phrase carries ("nothing is off the table"), not an action whose object
        # may be anything ("tanks that can be sent")
        cues = [c for c in find_cues(text, lex, cond_spans, raw_cues)
                if c.start >= m.end() and (on_topic or not _ACTION.search(c.text))]
        if cues:
            word = re.search(r"\w+", text[:m.end() + 1])
            who = [Mention(word.start(), word.end(), word.group(), "pronoun", s.countries, s.person)
                   for s in carry.speaker]
            return _candidates(sent, who, cues[0], who, ref, exprs, timed, cond_texts, lex,
                               inherited=False, pronoun=True, penalty=penalty)
    if carry.cue is not None and (m := _AMONG.match(text)) and m.end() > 5:
        mentions = find_mentions(text, lex, ref.date)
        judge_roles(text, mentions, lex, cond_spans)
        group = [x for x in mentions if x.holder]
        if group:
            cue = CueHit(0, len(text[:m.end()].rstrip(" :,—–-")), carry.cue.stance, carry.cue.text, carry.cue.negated)
            return _candidates(sent, group, cue, mentions, ref, exprs, timed, cond_texts, lex,
                               inherited=True, pronoun=False, penalty=penalty)
    return []


_BARE_ATTRIBUTION = re.compile(r"^[\"”’,\s]*(?:[\w.'’-]+\s+){1,6}(?:said|says|added|stated|wrote|told\s+\w+)\.?\s*$")


def _quote_before(sentences: list[Sentence], i: int, body: str) -> Sentence | None:
    """The quoted sentences just before sentences[i] (back to the one opening the quote, at most three) joined with
    it, when sentences[i] is only an attribution; None when no quote comes before it."""
    for k in range(i - 1, max(-1, i - 4), -1):
        if sentences[k].text[:1] in "\"“":
            a, b = sentences[k].start, sentences[i].end
            return Sentence(a, b, body[a:b], sentences[k].paragraph)
    return None


def _raw_in(body_cues: list, cue_starts: list[int], sent: Sentence) -> list:
    a, b = bisect_left(cue_starts, sent.start), bisect_left(cue_starts, sent.end)
    return [(x - sent.start, y - sent.start, cue) for x, y, cue in body_cues[a:b] if y <= sent.end]


def extract_candidates(body: str, ref: DateValue, lex: Lexicon | None = None) -> list[Candidate]:
    """Every candidate position in an article body, dated against the article's date."""
    lex = lex or load_lexicon()
    sentences = split_sentences(body)
    # Each pattern runs once over the body and its matches are sliced per sentence: far fewer regex calls.
    body_cues = raw_cue_hits(body, lex)
    cue_starts = [h[0] for h in body_cues]
    body_times = time_expressions(body)
    topic_at = [a for a, _, _ in _TOPIC_SCAN.matches(body) if not _OWN_FORCES.search(body, max(0, a - 30), a)]
    time_starts = [e.start for e in body_times]
    best: dict[tuple[str, str, int], Candidate] = {}
    prev: Sentence | None = None
    prev_time: TimeExpr | None = None
    prev_topic = False
    carry = Carry()
    for i, sent in enumerate(sentences):
        text = sent.text
        same_para = prev is not None and prev.paragraph == sent.paragraph
        k = bisect_left(topic_at, sent.start)
        on_topic = k < len(topic_at) and topic_at[k] < sent.end
        # The sentence before may carry the topic ("Macron proposed the idea", "Denmark is also ready for this").
        # ...when it points back to it: "the idea", "for this", "such a possibility", "do so", "it"
        near_topic = prev_topic and bool(_ANAPHOR.search(text))
        prev_topic = on_topic
        a, b = bisect_left(time_starts, sent.start), bisect_left(time_starts, sent.end)
        exprs = [replace(e, start=e.start - sent.start, end=e.end - sent.start)
                 for e in body_times[a:b] if e.end <= sent.end]
        carried = prev_time if (same_para and not exprs and _CARRY_DATE.match(text)) else None
        raw = _raw_in(body_cues, cue_starts, sent)
        speaker = sentence_speaker(text, lex, ref.date)
        found: list[Candidate] = []
        before = replace(carry)  # what the sentences before left: _sentence_candidates records this one's cue
        if on_topic or near_topic:
            found = _sentence_candidates(sent, ref, lex, exprs, carried, raw, first=(i == 0),
                                         confidence_penalty=0.0 if on_topic else 0.1, carry=carry)
        if not found and _BARE_ATTRIBUTION.match(text) and (quoted := _quote_before(sentences, i, body)):
            # '"... nothing can be ruled out ..."' then 'Emmanuel Macron said.': read them as one
            found = _sentence_candidates(quoted, ref, lex, exprs, carried, _raw_in(body_cues, cue_starts, quoted),
                                         first=False, confidence_penalty=0.05)
        if not found and (on_topic or near_topic or carry.speaker or carry.cue):
            found = _carried_candidates(sent, before, ref, lex, exprs, carried, raw, penalty=0.1,
                                        on_topic=on_topic or near_topic)
        if not (on_topic or near_topic):
            carry.cue = None
        if speaker:  # the speaker this sentence names carries to the sentences after it
            carry.speaker, carry.speaker_paragraph = speaker, sent.paragraph
        for cand in found:
            key = (cand.country, cand.stance, cand.quote_start)
            if key not in best or best[key].confidence < cand.confidence:
                best[key] = cand
        prev = sent
        if exprs:
            prev_time = exprs[-1]
        elif not carried and not same_para:
            prev_time = None
    return sorted(_proposers_considering(list(best.values())), key=lambda c: (c.quote_start, c.country, c.stance))


_PROPOSER_CUE = re.compile(r"propos\w*|initiative|idea|plan|lead\w*|led by", re.I)
_CONSIDERING_CUE = re.compile(r"consider\w*|explor\w*.*", re.I)


def _proposers_considering(cands: list[Candidate]) -> list[Candidate]:
    """A country the article reports proposing or leading the force is not in doubt when it is also "considering"
    or "exploring options" for it: it is working out its own proposal (STANCES.md: proposes or leads = support)."""
    proposers = {c.country for c in cands if c.stance == "support" and not c.conditions
                 and _PROPOSER_CUE.fullmatch(c.quote[c.cue_start:c.cue_end].split()[0])}
    out = []
    for c in cands:
        if (c.country in proposers and c.stance == "undecided" and not c.conditions
                and _CONSIDERING_CUE.fullmatch(c.quote[c.cue_start:c.cue_end])):
            c = replace(c, stance="support", confidence=round(max(0.05, c.confidence - 0.1), 2))
        out.append(c)
    # the relabelled statement may now repeat one already found in the same sentence
    seen, unique = set(), []
    for c in out:
        key = (c.country, c.stance, c.quote_start)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def _sentence_candidates(sent: Sentence, ref: DateValue, lex: Lexicon, exprs: list[TimeExpr],
                         carried: TimeExpr | None, raw_cues: list, first: bool,
                         confidence_penalty: float, carry: Carry | None = None) -> list[Candidate]:
    text = sent.text
    carry = carry if carry is not None else Carry()
    cond_spans, cond_texts = find_conditions(text)
    cues = find_cues(text, lex, cond_spans, raw_cues)
    carry.cue = cues[0] if cues else None
    if not cues:
        return []
    mentions = find_mentions(text, lex, ref.date)
    groups = judge_roles(text, mentions, lex, cond_spans, first_in_article=first)
    clauses = split_clauses(text, mentions)
    out: list[Candidate] = []
    last_holders: list[Mention] = []
    last_cue: CueHit | None = None
    member_of: tuple[list[Mention], bool] | None = None
    # "France: we will..." / 'France "excludes no option"': a headline naming its holder first.
    head_holder = None
    if mentions and mentions[0].start == 0 and mentions[0].holder and re.match(r"^\s*[:\"“]", text[mentions[0].end:]):
        head_holder = mentions[0]
    for clause in clauses:
        ctext = text[clause.start:clause.end]
        c_cues = [c for c in cues if clause.start <= c.start < clause.end]
        if clause.denied:  # "denied that troops would be sent": what is denied is refused
            c_cues = [replace(c, stance=NEGATE[c.stance], negated=not c.negated) for c in c_cues]
        elif clause.left_open:  # "does not rule out that his country will send troops"
            c_cues = [replace(c, stance="undecided") for c in c_cues]
        opener = next((c for c in c_cues if c.stance == "undecided" and _RULED_OUT_NOT.search(c.text)), None)
        if opener is not None:  # "does not rule out Canada sending its troops": what follows is only left open
            stop = _SCOPE_END.search(text, opener.end)  # "..., and Norway is ready to send soldiers" is not
            scope_end = stop.start() if stop else len(text)
            c_cues = [replace(c, stance="undecided") if opener.start < c.start < scope_end else c for c in c_cues]
        c_groups = [[m for m in g if m.holder] for g in groups if clause.start <= g[0].start < clause.end]
        c_groups = [g for g in c_groups if g]
        inherited = False
        if not c_cues and clause.inherit and last_cue is not None:
            c_cues, inherited = [last_cue], True
        pronoun = False
        nearest = max((m for m in mentions if m.end <= clause.start), key=lambda m: m.start, default=None)
        if c_cues and last_holders and _PRONOUN_START.match(ctext) \
                and not (c_groups and c_groups[0][0].start - clause.start < 4) \
                and not (nearest is not None and nearest.why_not in ("adversary", "institution")
                         and _prev_word(text, nearest.start) not in _PLACE_PREP):
            # (a pronoun after "Russia ... stating that it rejected" is Russia's, not the holder's before it)
            # "..., Austria said it would not...": the pronoun opening the clause is its subject, whoever else
            # the clause names later ("..., Chancellor Stocker told reporters")
            c_groups, pronoun = [last_holders] + c_groups, True
        if not c_groups and c_cues and head_holder is not None and clause.start <= head_holder.end + 3:
            c_groups = [[head_holder]]
        if not c_groups and c_cues and member_of is not None:
            # "Greece is not one of the countries that are ready to send troops"
            c_groups, pronoun = [member_of[0]], True
            if member_of[1]:
                c_cues = [replace(c, stance=NEGATE[c.stance], negated=not c.negated) for c in c_cues]
        member_of = None
        if c_groups and _MEMBER_OF.search(ctext):
            member_of = (c_groups[-1], bool(_MEMBER_OF.search(ctext)["neg"]))
        if not c_groups and c_cues and clause.reported and last_holders and not inherited \
                and _COUNT_PLEDGED.match(ctext) and any(c.stance == "support" for c in c_cues):
            # "Macron has stated that 26 of Ukraine's allies have pledged to deploy troops": the announcer leads it
            c_groups, pronoun = [last_holders], True
            c_cues = [c for c in c_cues if c.stance == "support"]
        if not c_groups and c_cues and clause.reported and last_holders and not inherited \
                and not _OTHER_AGENT.search(text[clause.start:next((c.start for c in c_cues
                                                                    if not _AGENT_CUE.fullmatch(c.text)), clause.end)]):
            # "Macron said the idea was premature": a reported clause naming no holder is its speaker's, unless
            # someone else is its subject ("Merz said that Western allies might...")
            c_groups, pronoun = [last_holders], True
        if _PROJECTION.search(ctext):
            if c_groups:
                last_holders = c_groups[-1]
            continue
        for group in c_groups:
            cue = _pick_cue(c_cues, group, inherited, text)
            if cue is None:
                continue
            between = text[group[-1].end:cue.start] if cue.start > group[-1].end else ""
            if between and _MEETING.search(between) and not (inherited or pronoun):
                continue  # "X will meet Y to discuss sending troops": a meeting, not a position
            out.extend(_candidates(sent, group, cue, mentions, ref, exprs, carried, cond_texts, lex,
                                   inherited=inherited, pronoun=pronoun, penalty=confidence_penalty,
                                   clause_start=clause.start))
        if c_groups:
            last_holders = c_groups[-1]
        if c_cues and not inherited:
            last_cue = c_cues[-1]
    if not out:
        out = _quote_then_attribution(sent, groups, cues, mentions, ref, exprs, carried, cond_texts, lex,
                                      confidence_penalty)
    # hedged: "no plans to send troops, but this cannot be ruled out" leaves it open
    used = {c.cue_start for c in out}
    opened = any(cu.stance == "undecided" and cu.start not in used and _OPEN_DOOR.search(cu.text)
                 and _CONTRAST.search(text, 0, cu.start) for cu in cues)
    hedged = {c.country for c in out if c.stance == "undecided"}
    return [c if not (c.stance == "reject" and opened) else replace(c, stance="undecided")
            for c in out if not (c.stance == "reject" and c.country in hedged)]


# the verbs that attribute a quote or a clause to its speaker ('..., Macron said')
_SAID = r"said|says|told|added|stated|declared|insisted|wrote|writes"
_QUOTE_ATTRIBUTION = re.compile(rf"^\s*[\"“](?P<quote>[^\"”]+)[\"”]\s*,?\s*(?P<attr>.*)$|"
                                rf"^(?P<quote2>.+),\s*(?P<attr2>[^,–—]{{0,90}}\b(?:{_SAID})\b[^,–—]{{0,60}})$")
_CLOSING_ATTRIBUTION = re.compile(rf"[\"”],?\s+(?P<attr>[^\"“”]{{0,100}}\b(?:{_SAID})\b[^\"“”]{{0,60}})$")
_ATTRIBUTION_VERB = re.compile(rf"\b(?:{_SAID}|according to)\b")


def _quote_then_attribution(sent: Sentence, groups: list[list[Mention]], cues: list[CueHit], mentions, ref, exprs,
                            carried, cond_texts, lex, penalty) -> list[Candidate]:
    """'"We will not send troops," said the Slovak Prime Minister' (or 'No option is off the table ..., Macron
    said'): when nothing else was found, the quote's first cue and the attribution's speaker."""
    m = _QUOTE_ATTRIBUTION.match(sent.text)
    if not m:
        return []
    q, a = ("quote", "attr") if m["quote"] is not None else ("quote2", "attr2")
    if not _ATTRIBUTION_VERB.search(m[a]):
        return []
    speakers = [[x for x in g if x.holder] for g in groups if g[0].start >= m.start(a)]
    speakers = [g for g in speakers if g]
    if not speakers:
        return []
    # a cue after another country in the quote is that country's ("Russia ... is not even ready to keep ...")
    own = set(speakers[0][0].countries)
    named = [x.start for x in mentions if m.start(q) <= x.start < m.end(q) and not own & set(x.countries)
             and _prev_word(sent.text, x.start) not in _PLACE_PREP]
    q_cues = [c for c in cues if m.start(q) <= c.start < m.end(q) and not any(n < c.start for n in named)]
    if not q_cues:
        return []
    # a phrase ("nothing is off the table") says more than a bare verb ("the signal we send to Russia")
    cue = next((c for c in q_cues if " " in c.text.strip()), q_cues[0])
    return _candidates(sent, speakers[0], cue, mentions, ref, exprs, carried, cond_texts, lex,
                       inherited=False, pronoun=True, penalty=penalty)


_APPOSITION = re.compile(r"(?:\b(?:including|such as|namely|notably|in particular|among them|among which)|:)"
                         r"\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:such as\s+|like\s+|including\s+)?(?:the\s+)?$", re.I)
_SCOPE_END = re.compile(r",\s*(?:and|but|while|whereas)\b|;")
_RULED_OUT_NOT = re.compile(r"rul\w* out|exclud|discard", re.I)
_OPEN_DOOR = re.compile(r"rul|exclud|discard|possib|table|consider|unthinkable|decid|decision", re.I)
# support that a condition does not weaken: the country says it is ready, will, or has promised
_COMMITTED = re.compile(r"\b(?:ready|readiness|will|willing|willingness|prepared|promis\w*|pledg\w*|commit\w*)\b", re.I)
# a contrast that starts a new subject's clause ("..., but that he had discussed ..."); "..., but will not do so
# unless ..." goes on with the same subject
_CONTRAST = re.compile(r",?\s+(?:but|while|although|though|whereas|however)\b(?!\s+(?:will|would|could|may|might|can|"
                       r"is|are|was|were|has|have|had|does|did|do|also|only|not|still)\b)")
_PREMISE = re.compile(r"\b(?:cease-?fire|truce|armistice|peace (?:deal|agreement|settlement|treaty|accord)|"
                      r"end of (?:the )?(?:war|fighting|hostilities)|war (?:is|has) (?:over|ended)|"
                      r"fighting (?:stops|ends|has stopped))\b", re.I)
# cues whose holder follows them: "led by Italy", "the idea originated with Macron", "the proposal by Britain"
_AGENT_CUE = re.compile(r"led by|originat\w* (?:with|from)|(?:proposed|put forward|floated|suggested) by|"
                        r"(?:not|n['’]t|never) (?:been )?dismissed by|"
                        r"(?:proposal|plan|idea|initiative|offer)s? (?:put forward |made |floated )?by", re.I)
_NO_BEFORE = re.compile(r"\bno\s+(?:the\s+)?$", re.I)
_ATTACHED_CUE = re.compile(r"(?:proposal|initiative|idea|plan|offer)", re.I)
_ADJACENT = re.compile(r"^(?:['’]s?)?\s+(?:[\w-]+\s+)?$")


def _pick_cue(cues: list[CueHit], group: list[Mention], inherited: bool, text: str) -> CueHit | None:
    """The cue that decides a holder's stance: the first one after it in its clause (subject, then verb), else
    one right before it ("led by Italy")."""
    if inherited:
        return cues[0]
    end, start = group[-1].end, group[0].start
    for c in cues:
        if c.start < end or _AGENT_CUE.fullmatch(c.text):
            continue
        if _ATTACHED_CUE.fullmatch(c.text) and not _ADJACENT.match(text[end:c.start]):
            continue  # "proposal" is only the proposer's: "the French proposal", "Macron's proposal"
        return c
    before = [c for c in cues if c.end <= start and not _AGENT_CUE.fullmatch(c.text)]
    led = [c for c in cues if _AGENT_CUE.fullmatch(c.text) and c.end <= start
           and text[c.end:start].strip(" ,").lower() in ("", "the")]
    if led:
        return led[-1]
    if before:
        c = before[-1]
        between = text[c.end:start]
        # a cue before the holder is its own only when nothing else sits between them ("supported by Italy"),
        # or the holder is one of those it was said of ("have ruled out sending troops - including Germany")
        if re.search(r"\bby\s+(?:the\s+)?$", between) or len(between) < 3 or _APPOSITION.search(between):
            return c
    return None


def _candidates(sent: Sentence, group: list[Mention], cue: CueHit, mentions: list[Mention], ref: DateValue,
                exprs: list[TimeExpr], carried: TimeExpr | None, cond_texts: list[tuple[int, str]], lex: Lexicon,
                inherited: bool, pronoun: bool, penalty: float, clause_start: int = 10**9) -> list[Candidate]:
    text = sent.text
    stance = cue.stance
    # A condition opening the sentence is everyone's; a later one is this holder's when it is in the holder's
    # clause or follows it, and no other holder comes between ("Austria will not..., while Ireland would... if asked").
    first = min(group[0].start, cue.start, clause_start)
    others = [m.start for m in mentions if m.holder and m not in group]

    def owns(at: int) -> bool:
        if at < 3:
            return True
        after = max(cue.end, group[-1].end)
        # "..., but that he had discussed ... in the event of a ceasefire": past a contrast, it is another clause's
        return at >= first and not any(after < o < at for o in others) and not _CONTRAST.search(text, after, at)

    owned = list(dict.fromkeys(t for at, t in cond_texts if owns(at)))
    conditions = "; ".join(owned) or None
    # a ceasefire or a peace deal is the premise of the whole force, not a condition on supporting it
    real = [t for t in owned if not _PREMISE.search(t) and not t.lower().startswith("even if")]
    if real and stance == "support" and not _COMMITTED.search(cue.text):
        stance = "undecided"  # STANCES.md: conditions make it undecided unless the country says it is ready
    elif owned and stance == "reject" and any(not t.lower().startswith("even if") for t in owned):
        stance = "undecided"  # "no German soldiers as long as the war is not over": a condition not yet met
    expr = _nearest_time(exprs, 0, len(text), cue.start) or carried
    when = resolve(expr, ref) if expr else ref
    if not when.known:
        when = DateValue.unknown()
    countries = list(dict.fromkeys(c for m in group for c in m.countries))
    out = []
    for m in group:
        m_stance = stance
        if stance == "support" and cue.start > m.end and not cue.negated and _NO_BEFORE.search(text[:m.start]) \
                and _TROOPS_NOUN.match(text[m.end:]):
            m_stance = "reject"  # "no US ground troops would be deployed": the determiner negates the verb
        for country in m.countries:
            if country in lex.excluded or country not in lex.country_names:
                continue
            conf = 0.55
            conf += {"name": 0.2, "adjective": 0.2, "person": 0.2, "capital": 0.1, "group": 0.05}.get(m.kind, 0.1)
            conf += 0.1 if len(cue.text) > 12 else 0.05
            conf -= 0.1 if inherited else 0.0
            conf -= 0.1 if pronoun else 0.0
            conf -= 0.05 if len(countries) > 3 else 0.0
            conf -= 0.05 if cue.negated else 0.0
            conf -= penalty
            out.append(Candidate(
                country=country, stance=m_stance, quote=text, quote_start=sent.start, quote_end=sent.end,
                mention_start=m.start, mention_end=m.end, cue_start=cue.start, cue_end=cue.end,
                speaker=_speaker(text, mentions, country), conditions=conditions,
                confidence=round(max(0.05, min(0.95, conf)), 2), stated_on=when.date,
                date_precision=when.precision))
    return out
