"""References to countries in a sentence and the role each plays: a possible holder of a position, or not (a place,
an object, a meeting partner, the adversary, an institution, a newspaper). Each "not a holder" test is a named
rule with its reason in words (ROLE_RULES), tried in order."""
from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable

from app.ingest.lexicon import Lexicon
from app.ingest.registry import declare

_GOV_NOUN = re.compile(
    r"^(?:(?:\s+(?:and|,)\s*|\s*,\s*|\s+)(?:[A-Z][a-z]+)?)??\s*(?:(?:[Ss]enior|[Tt]op|[Ff]ormer|[Ii]nterim|[Aa]cting|[Dd]eputy|"
    r"[Ff]oreign|[Dd]efen[cs]e|[Mm]ilitary|[Gg]overnment|[Ss]tate|[Pp]rime|[Nn]ational|[Hh]igh-ranking|[Ss]ecurity)\s+)*"
    r"(?P<noun>[Pp]resident|[Pp]rime [Mm]inister|[Pp]remier|[Cc]hancellor|[Tt]aoiseach|[Mm]inist(?:er|ry|ers)|"
    r"[Ss]ecretary|[Gg]overnments?|[Cc]abinet|[Oo]fficials?|[Dd]iplomats?|[Pp]arliament|[Ll]awmakers|[Ll]eaders?(?:hip)?|"
    r"[Aa]uthorities|[Aa]mbassador|[Ee]nvoy|[Ee]mbassy|[Ss]pokes(?:man|woman|person)|[Aa]rmed [Ff]orces|[Aa]rmy|"
    r"[Mm]ilitary|[Gg]eneral [Ss]taff|[Cc]ommander|[Pp]residency|[Ss]ide|[Ff]oreign [Oo]ffice|[Cc]hief|[Ss]enate|"
    r"[Cc]ongress|[Aa]dministration|[Kk]ing|[Qq]ueen|[Ss]tate [Dd]epartment|[Pp]entagon|[Pp]roposal|[Ii]nitiative)\b")
_TROOPS_NOUN = re.compile(r"^\s+[\"“‘']?(?:(?:ground|combat|own|military)\s+)?(?:troops|soldiers|forces|peacekeepers|"
                          r"deployment|contribution|participation|involvement|"
                          r"contingent|units?|personnel|boots|presence)\b")
_SUBJECT_SLOT = re.compile(r"(?:^|\b(?:that|said|says|stated|but|no|[Aa]ny)|[,;:])\s*$")
_MEDIA_NOUN = re.compile(r"^\s+(?:[a-z]+\s+)?(?:newspaper|media|press|outlet|journalist|broadcaster|daily|agency|"
                         r"news|expert|analyst|source|think tank|publication|magazine|TV|television|radio)\b", re.I)
# "The Washington Post", "the Kyiv Independent", "the Paris summit": the place names something else
_PROPER_AFTER = re.compile(r"^\s+(?:Post|Times|Independent|Journal|Herald|Telegraph|Tribune|Guardian|Match|Wall|"
                           r"Institute|University|Airport|Summit|summit|Conference|conference|Declaration|Format|"
                           r"Process|Agreement|Accords?|Protocol|Consensus|Club|Group|talks)\b")
# "Leaders from France, Britain and Ukraine", "a team from France", "their counterparts from Germany"
_FROM_GOVERNMENT = re.compile(r"\b(?:leaders|officials|ministers|representatives|delegations?|governments|diplomats|"
                              r"teams?|experts|counterparts|statements?|guarantees?|pledges?|commitments?|offers?|"
                              r"proposals?)\s+from\s+(?:the\s+)?$", re.I)
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
               "warn", "warns", "warned", "warning", "unlike"}
_TITLE_BEFORE_OF = re.compile(r"(?:[Pp]resident|[Mm]inisters?|[Gg]overnments?|[Rr]epresentatives?|"
                              r"[Ss]pokes(?:man|woman|person)|[Pp]arliament|[Ll]eaders?|[Cc]hief|"
                              r"[Cc]ommander(?:-in-[Cc]hief)?|[Aa]mbassador|[Pp]rime [Mm]inister|[Kk]ing|[Qq]ueen|"
                              r"[Cc]hancellor|[Ss]ecretary|[Aa]uthorities|[Oo]fficials)\s+of\s+(?:the\s+)?$")
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as well as\s+|&\s+)(?:the\s+)?$")
_POSSESSIVE = re.compile(r"^['’]s?\b")
_PROPOSAL_AFTER_POSSESSIVE = re.compile(r"^['’]s?\s+(?:[\w-]+\s+)?(?:idea|proposal|plan|initiative|call|offer|"
                                        r"commitment|pledge|readiness|willingness|openness|decision|refusal|position|stance)\b")


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
    # sentence adverbs between a subject and its verb: "Italy likewise announced", "Spain meanwhile said"
    "likewise", "meanwhile", "moreover", "furthermore", "nevertheless", "nonetheless", "thus", "therefore", "hence",
    "once", "never", "ever", "soon", "later", "earlier", "ultimately", "eventually", "finally", "subsequently",
    # headline predicates: "UK and France reluctant to send troops", "Denmark ready to send peacekeepers"
    "ready", "reluctant", "open", "willing", "unwilling", "prepared", "hesitant", "keen", "eager", "poised",
    "determined", "unlikely", "likely", "set",
    # a list's verb in the plural has no -s: "the UK and France push for a force", "Norway and Denmark plan to"
    "push", "call", "insist", "argue", "warn", "stress", "continue", "pledge", "promise", "offer", "aim", "hope",
    "work", "try", "expect", "favour", "favor", "welcome", "prefer", "spearhead", "vow", "decline",
    "rule", "announce", "confirm", "stand", "appear", "seem", "signal", "express", "reiterate",
    "reaffirm", "indicate", "voice", "state", "declare", "fear", "question", "doubt", "share", "discuss",
}


def _is_modifier(tail: str) -> bool:
    """A name directly before a noun modifies it ("the US position", "US presidential election"): no subject."""
    if _TROOPS_NOUN.match(tail):  # "US boots", "Polish soldiers": a plural noun, not a verb ending in -s
        return True
    m = _NEXT_WORD.match(tail)
    if not m:
        return False
    word = m.group(1).replace("’", "'")
    return not (word in _VERB_WORDS or _VERBISH.search(word) or _GOV_NOUN.match(tail))


@dataclass(frozen=True)
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
        # "In Brussels, Beijing's plan ...": a comma before a possessive opens a new phrase, not a list item
        if groups and not mixed and joint.strip() == "," and _POSSESSIVE.match(text[m.end:]):
            mixed = True
        if groups and not mixed and _LIST_JOIN.match(joint):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups



# --- role rules ----------------------------------------------------------------------------------------------
# A list after a preposition is a place or an object ("troops to Ukraine") unless one of these exceptions says the
# preposition introduces a holder. Each: (name, reason, test on (prev, text, head, before, after_last)).

@dataclass(frozen=True)
class Listed:
    """A list of mentions and the words around it, as the role rules see it."""

    text: str
    head: Mention  # the list's first Mention
    before: str  # the sentence before the list, without a final "the" (and a person's title)
    prev: str  # the word before the list
    after_last: str  # the sentence after the list's last mention


_WITH_PARTICIPLE = re.compile(r"^\s*(?:[A-Z][\w.'’-]*\s+){0,5}(?:declaring|saying|insisting|warning|stressing|"
                              r"announcing|signall?ing|adding|noting|arguing|pledging|vowing|promising|offering|"
                              r"refusing|rejecting|calling|urging|proposing)\b")
_ORIGINATED = re.compile(r"\b(?:originated|originating|came|comes)\s+(?:with|from)\s+(?:the\s+)?$")


def _by_agent(x: Listed) -> bool:
    return bool(re.search(r"\b(?:led(?:\s+(?:jointly|together|initially))?|proposed|backed|supported|opposed|rejected|"
                          r"shared|echoed|voiced|"
                          r"expressed|repeated|reiterated|endorsed|dismissed|spearheaded|founded|created|formed|launched|"
                          r"established|initiated|developed|drawn up|devised|drafted|championed|proposals?|"
                          r"plans?|ideas?|initiatives?|offers?)\s+by\s+(?:the\s+)?$", x.text[:x.head.start], re.I))


PREPOSITION_EXCEPTIONS: list[tuple[str, str, Callable[[Listed], bool]]] = [
    ("for-subject", "'for X to send': X is the subject of the infinitive",
     lambda x: x.prev == "for" and bool(re.match(r"^\s+to\s+\w", x.after_last))),
    ("in-place-government", "'In Romania, they ...': the place stands for its government",
     lambda x: x.prev == "in" and bool(re.match(r"^\s*,\s*(?:they|officials|the government|authorities|leaders)\b",
                                                x.after_last))),
    ("title-of", "'President of France': the title's country",
     lambda x: x.prev == "of" and bool(_TITLE_BEFORE_OF.search(x.text[:x.head.start]))),
    ("leaders-from", "'Leaders from France and Britain signed': the governments that act",
     lambda x: x.prev == "from" and bool(_FROM_GOVERNMENT.search(x.before + " "))),
    ("conjunction-clause", "'after France said': a conjunction, not a preposition",
     lambda x: x.prev in ("after", "before", "since", "until", "when", "as")
     and bool(_CLAUSE_AFTER.match(x.after_last))),
    ("agent-by", "'led by', 'opposed by', 'a view shared by': the agent",
     lambda x: x.prev == "by" and _by_agent(x)),
    ("originated-with", "'the idea originated with Macron': its author",
     lambda x: x.prev in ("with", "from") and bool(_ORIGINATED.search(x.text[:x.head.start]))),
    ("with-participle", "'with Starmer declaring he would ...': the subject of the participle",
     lambda x: x.prev == "with" and bool(_WITH_PARTICIPLE.match(x.after_last))),
    ("together-with", "'together with the United Kingdom' shares the subject's position",
     lambda x: x.prev == "with" and bool(re.search(r"\b(?:together|along|jointly)\s+with\s+(?:the\s+)?$",
                                                   x.text[:x.head.start]))),
]


def _listed(text: str, group: list[Mention]) -> Listed:
    head = group[0]
    before = text[:head.start].rstrip()
    if before.lower().endswith(" the") or before.lower() == "the":
        before = before[:-3].rstrip()
    if head.kind == "person":
        # a preposition governs the whole titled name: "with French President Emmanuel Macron"
        before = _TITLE_WORDS.sub("", before).rstrip()
    prev = _prev_word(text, len(before)) if before else ""
    return Listed(text, head, before, prev, text[group[-1].end:])


_POSSESSED = re.compile(r"^(?:['’]s?)?\s+(?:proposal|initiative|idea|plan|offer)\b")


def group_role(x: Listed, first_in_article: bool) -> tuple[bool, str | None]:
    """Whether a list can hold a position, from the words around it: after a preposition it is a place or an
    object (unless an exception applies); a capital opening a dateline is where the story was filed."""
    text = x.text
    ok, why = True, None
    possessed = bool(_POSSESSED.match(x.after_last))
    # "about the Dutch proposal": the preposition governs the proposal, the country is its author
    if x.prev in _PLACE_PREP and not possessed and not any(test(x) for _name, _reason, test in PREPOSITION_EXCEPTIONS):
        ok, why = False, f"after '{x.prev}'"
    if x.head.kind == "capital" and re.fullmatch(r"(?:[A-Z][\w.-]*\s*/\s*)*", text[:x.head.start]) and (
            re.match(r"^\s*(?:/|\(|[–—-]\s)", x.after_last) or (re.match(r"^\s*:", x.after_last) and first_in_article)):
        ok, why = False, "dateline"  # "Ljubljana/Zagreb – Slovenia will...", "PARIS (Reuters) -"
    return ok, why


# what someone demands, hopes or requires of a country is theirs, not the country's
_DEMANDED = re.compile(r"\b(?:demand\w*|insist\w*|requir\w*|requirement|expect\w*|hop(?:e|es|ed|ing)|wish\w*|"
                       r"want(?:s|ed)?|call(?:s|ed)? on|press(?:es|ed)?|count(?:s|ed)? on|rel(?:y|ies|ied) on)\s+"
                       r"(?:that\s+)?(?:the\s+)?$", re.I)
KEEP = "keep"  # a role rule that applies but leaves the list's verdict standing
# a country right after a verb that acts on it ("has backed Kyiv", "which supports Ukraine", "thanked Norway") is
# the verb's object; "supported France's idea" names the idea's author (the possessive keeps it)
_OBJECT_VERB = re.compile(r"\b(?:back(?:s|ed|ing)?|support(?:s|ed|ing)?|help(?:s|ed|ing)?|aid(?:s|ed|ing)?|"
                          r"arm(?:s|ed|ing)?|assist(?:s|ed|ing)?|defend(?:s|ed|ing)?|thank(?:s|ed|ing)?|"
                          r"visit(?:s|ed|ing)?|admit(?:s|ted|ting)?|invad(?:es|ed|ing)|attack(?:s|ed|ing)?|reassur(?:es|ed|ing)|"
                          r"protect(?:s|ed|ing)?|stand(?:s|ing)? with|stood with|sid(?:es|ed|ing) with)\s+(?:the\s+)?$",
                          re.I)


# "Portuguese Prime Minister Luis Montenegro": a country's name as a titled person's surname
_TITLED_GIVEN_NAME = re.compile(r"\b(?:President|Prime Minister|Minister|Chancellor|Premier|Secretary|PM|Mr\.?|Ms\.?|"
                                r"Mrs\.?|Dr\.?|General|Gen\.|leader|spokesman|spokeswoman|ambassador)\s+"
                                r"(?!(?:North|South|East|West|Western|Eastern|Central|Northern|Southern|New|Greater)\s)"
                                r"[A-Z][\w'’-]+\s+$")


def _surname(m: Mention, text: str) -> bool:
    return m.kind == "name" and bool(_TITLED_GIVEN_NAME.search(text, max(0, m.start - 60), m.start))


def _object_of_verb(m: Mention, tail: str, text: str) -> bool:
    return (m.kind in ("name", "capital") and not _POSSESSIVE.match(tail)
            and bool(_OBJECT_VERB.search(text, max(0, m.start - 30), m.start)))


def _troops_subject(tail: str, before: str) -> bool:
    # "Slovak soldiers would not be deployed" at a clause's start is the state's own troops
    return bool(_TROOPS_NOUN.match(tail) and _SUBJECT_SLOT.search(before))


def _possessive(m: Mention, tail: str, before: str) -> str | None:
    if not _POSSESSIVE.match(tail):
        return None
    # "Spain's foreign minister" speaks for Spain; "Spain's economy" does not
    rest = tail[2:] if tail[1:2] == "s" else tail[1:]
    return KEEP if _PROPOSAL_AFTER_POSSESSIVE.match(tail) or _GOV_NOUN.match(rest) else "possessive"


# "Swedish openness to participating", "the Polish refusal": the state's stance, said as a noun
_STANCE_NOUN = re.compile(r"^\s+(?:openness|readiness|willingness|refusal|opposition|reluctance|proposal|offer|pledge|"
                          r"commitment)\b")
_ADJECTIVE_LIST = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)[A-Z][\w-]*(?:(?:\s*,\s*(?:and\s+|or\s+)?|"
                             r"\s+(?:and|or)\s+)[A-Z][\w-]*)*")


def _adjective(m: Mention, tail: str, before: str) -> str | None:
    # An adjective speaks for a country only with a noun for its state: "the Polish Prime Minister",
    # "the Bulgarian parliament", "Italian officials" -- not "French troops" or "Polish newspaper".
    if m.kind != "adjective":
        return None
    # "Dutch, Estonian, and Lithuanian officials": the list's noun is every adjective's
    if (listed := _ADJECTIVE_LIST.match(tail)) is not None:
        tail = tail[listed.end():]
    if _MEDIA_NOUN.match(tail):
        return "media"
    if not _GOV_NOUN.match(tail) and not _troops_subject(tail, before) and not _STANCE_NOUN.match(tail):
        return "adjective without a state noun"
    return KEEP


def _media_name(m: Mention, tail: str, text: str) -> bool:
    return m.kind in ("name", "capital") and bool(_MEDIA_NOUN.match(tail) or _PROPER_AFTER.match(tail)
                                                  or _ACRONYM_BEFORE.search(text, max(0, m.start - 40), m.start))


# Each mention rule: (name, test(mention, tail, before, text, lex, conditions) -> reason it is no holder, KEEP,
# or None when it does not apply). The first that applies decides.
MENTION_RULES: list[tuple[str, Callable]] = [
    ("inside-condition", lambda m, tail, before, text, lex, cond:
        "inside a condition" if any(a <= m.start < b for a, b in cond) else None),
    ("institution", lambda m, tail, before, text, lex, cond:
        "institution" if m.kind == "institution" or not m.countries else None),
    ("not-government", lambda m, tail, before, text, lex, cond:  # "opposition leader Babis", "former President"
        "not the government" if m.kind in ("person", "adjective")
        and _NOT_GOVERNMENT.search(text[max(0, m.start - 60):m.start])
        else None),
    ("object-of-demand", lambda m, tail, before, text, lex, cond:  # "they demand that the United States ..."
        "object of a demand" if _DEMANDED.search(text, max(0, m.start - 60), m.start) else None),
    ("surname", lambda m, tail, before, text, lex, cond:  # "Prime Minister Luis Montenegro"
        "a person's surname" if _surname(m, text) else None),
    ("object-of-verb", lambda m, tail, before, text, lex, cond:  # "Sweden has backed Kyiv"
        "object of a verb" if _object_of_verb(m, tail, text) else None),
    ("adversary", lambda m, tail, before, text, lex, cond:
        "adversary" if any(c in lex.excluded for c in m.countries) else None),
    ("possessive", lambda m, tail, before, text, lex, cond: _possessive(m, tail, before)),
    ("adjective-needs-state-noun", lambda m, tail, before, text, lex, cond: _adjective(m, tail, before)),
    ("media-name", lambda m, tail, before, text, lex, cond:  # "The Washington Post", "RBC Ukraine", "TVP World"
        "media" if _media_name(m, tail, text) else None),
    ("noun-modifier", lambda m, tail, before, text, lex, cond:  # "the US position"
        "noun modifier" if m.kind in ("name", "capital") and _is_modifier(tail) and not _troops_subject(tail, before)
        else None),
]


def mention_role(m: Mention, text: str, before: str, lex: Lexicon, conditions, group_ok: bool,
                 group_why: str | None) -> Mention:
    """The mention with its verdict: the first mention rule that applies, else the list's."""
    ok, reason = group_ok, group_why
    tail = text[m.end:]
    for _name, test in MENTION_RULES:
        verdict = test(m, tail, before, text, lex, conditions)
        if verdict is None:
            continue
        if verdict != KEEP:
            ok, reason = False, verdict
        break
    return Mention(m.start, m.end, m.text, m.kind, m.countries, m.person, ok, None if ok else reason)


def judge_roles(text: str, mentions: list[Mention], lex: Lexicon, conditions: list[tuple[int, int]],
                first_in_article: bool = False) -> list[list[Mention]]:
    """The mentions in lists, each marked as a possible holder of a position or not (with the reason)."""
    out = []
    for group in _lists(mentions, text):
        x = _listed(text, group)
        group_ok, why = group_role(x, first_in_article)
        out.append([mention_role(m, text, x.before, lex, conditions, group_ok, why) for m in group])
    return out


# The role rules' own example sentences (tests/unit/test_extract_rules.py runs them): what each gives.
_ROLE_EXAMPLES: dict[str, list[tuple[str, set[tuple[str, str]]]]] = {
    "for-subject": [("Officials said it would be wise for Oslo to send troops.", {("NO", "support")})],
    "in-place-government": [("In Estonia, officials said they are ready to send troops.", {("EE", "support")})],
    "title-of": [("The President of Finland said he is ready to send troops.", {("FI", "support")})],
    "leaders-from": [("Leaders from Sweden and Denmark pledged to send troops.",
                      {("SE", "support"), ("DK", "support")})],
    "conjunction-clause": [("The talks began after Norway said it would send soldiers.", {("NO", "support")})],
    "agent-by": [("The peacekeeping mission was rejected by Hungary.", {("HU", "reject")})],
    "originated-with": [("The idea of a peacekeeping force originated with Emmanuel Macron.", {("FR", "support")})],
    "with-participle": [("Leaders met, with Norway declaring it would send troops to Ukraine.", {("NO", "support")})],
    "together-with": [("Estonia, together with Latvia, is ready to deploy troops.",
                       {("EE", "support"), ("LV", "support")})],
    "place-preposition": [("Troops could be sent to Poland.", set())],
    "dateline": [("Riga / Vilnius – Estonia is ready to send troops.", {("EE", "support")})],
    "inside-condition": [("Austria will send troops if Hungary agrees.", {("AT", "support")})],
    "institution": [("NATO is ready to send troops.", set())],
    "not-government": [("Former President Biden said he would send troops.", set())],
    "adversary": [("Russia rejected the deployment of peacekeepers.", set())],
    "object-of-demand": [("The Europeans demand that the United States support the mission.", set())],
    "surname": [("Portuguese Prime Minister Luis Montenegro said his country is ready to consider deploying "
                 "troops.", {("PT", "undecided")})],
    "object-of-verb": [("Since 2022, Sweden has backed Kyiv, and Stockholm is now ready to send peacekeepers.",
                        {("SE", "support")})],
    "possessive": [("Greece's neighbours are ready to send troops.", set())],
    "adjective-needs-state-noun": [("Italian businesses oppose sending troops.", set())],
    "media-name": [("The Washington Post said sending troops is not a good idea.", set()),
                   ("A French newspaper rejected sending soldiers.", set())],
    "noun-modifier": [("The Japan desk rejected the deployment of troops.", set())],
}
_ROLE_REASONS = {
    "place-preposition": "a list after a preposition is a place or an object ('troops to Ukraine'), not a holder",
    "dateline": "a capital opening a dateline ('PARIS (Reuters) -') is where the story was filed",
    "inside-condition": "a country inside a condition ('if Hungary agrees') holds no position",
    "institution": "an institution that is not a state holds no country's position",
    "not-government": "an opposition leader, a former office holder or a candidate does not speak for the state",
    "adversary": "the adversary's position is not tracked",
    "object-of-demand": "what someone demands, hopes or requires of a country is their position, not the country's",
    "surname": "a country's name right after a title and a given name ('Prime Minister Luis Montenegro') is a "
               "person's surname",
    "object-of-verb": "a country right after a verb that acts on it ('has backed Kyiv') is its object",
    "possessive": "'Spain's economy' is not Spain's government; 'Spain's foreign minister' is",
    "adjective-needs-state-noun": "an adjective speaks for a country only with a noun for its state "
                                  "('the Polish Prime Minister', not 'Polish businesses')",
    "media-name": "a newspaper, broadcaster or proper name ('The Washington Post') is not a government",
    "noun-modifier": "a name directly before a noun modifies it ('the US position'): no subject",
}
for _name, _reason, _test in PREPOSITION_EXCEPTIONS:
    declare("role", _name, _reason, _ROLE_EXAMPLES[_name])
for _name, _reason in _ROLE_REASONS.items():
    declare("role", _name, _reason, _ROLE_EXAMPLES[_name])
