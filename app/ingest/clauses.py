"""Cues (the phrases that say a stance), conditions and asides, and the clauses of a sentence."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.ingest.lexicon import Cue, Lexicon, Question
from app.ingest.mentions import Mention

NEGATE = {"support": "reject", "reject": "undecided", "undecided": "reject"}

@dataclass(frozen=True)
class CueHit:
    start: int
    end: int
    stance: str
    text: str
    negated: bool = False
    base: str = ""
    why: tuple[str, str] | None = None  # the rule that set the stance (negation, a denial's scope ...), if any


_NEGATOR = re.compile(r"\b(?:not|no|never|cannot|nor|neither|without|refrain(?:s|ed|ing)?\s+from|"
                      r"stop(?:s|ped|ping)?\s+short\s+of)\b|n['’]t\b", re.I)
_NOT_ONLY = re.compile(r"\bnot only\b", re.I)


def raw_cue_hits(text: str, lex: Lexicon, start: int = 0, end: int | None = None,
                 lower: str | None = None) -> list[tuple[int, int, Cue]]:
    """Every cue pattern's matches in a text (those starting in text[start:end] when given), by position."""
    hits = lex.cue_scan.matches(text, start, end, lower)
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    return hits


def find_cues(text: str, lex: Lexicon, excluded: list[tuple[int, int]],
              raw: list[tuple[int, int, Cue]] | None = None) -> list[CueHit]:
    """Cue phrases in a sentence, longest first where they overlap, with negation applied."""
    if raw is None:
        raw = raw_cue_hits(text, lex)
    hits = [h for h in raw if not any(a <= h[0] < b for a, b in excluded)]
    kept: list[CueHit] = []
    last_end = -1
    for start, end, cue in hits:
        if start < last_end:
            continue
        stance, negated, why = cue.stance, False, None
        if cue.negatable:
            # a negator inside an earlier cue ("does not rule out such a possibility") is that cue's own
            window = text[max(0, start - 40, kept[-1].end if kept else 0):start]
            window = " ".join(window.split()[-4:])
            window = _NOT_ONLY.sub("", window)
            # A negator already used by an earlier cue ("does not rule out") does not negate this one.
            if (neg := _NEGATOR.search(window)) and not (kept and kept[-1].end > start - len(window)
                                                         and kept[-1].negated):
                stance, negated = NEGATE[stance], True
                why = ("negation", f"a negation before a cue turns it ('{neg.group()}' before '{text[start:end]}')")
        kept.append(CueHit(start, end, stance, text[start:end], negated, cue.stance, why))
        last_end = end
    return kept


# "Poland, which borders Ukraine, ..." is an aside; ", who said the country was not ready" is the speaker's words
_ASIDE = re.compile(r",\s+(?:(?:which|who)(?!\s+(?:also\s+)?(?:have\s+|has\s+|had\s+|are\s+|is\s+|were\s+)?(?:"
                    r"pushing|seeking|championing|spearheading|said|says|stated|told|added|"
                    r"insisted|warned|noted|declared|announced|confirmed|stressed|lead|leads|co-lead|co-leads|led|"
                    r"head|heads|spearhead|spearheads|chair|chairs|proposed))|whose|where)\b[^,;]*")
# (not an apposition that names those the clause speaks of: "– including Germany, the UK and the US –")
_DASH_ASIDE = re.compile(r"\s[–—]\s(?!(?:including|such as|notably|namely|among them|in particular|who (?:\w+ ){0,2}?"
                         r"(?:said|says|stated|told|declared|announced|insisted|warned|stressed|confirmed))\b)"
                         r"[^–—]{3,100}?\s[–—]\s", re.I)
# a parenthesis without parentheses inside; it counts when it holds three spaces or more (checked in code: a
# repeated group over the same characters would backtrack exponentially on an unclosed "(")
_PARENTHESIS = re.compile(r"\([^()]*\)")
_SPACE = re.compile(r"\s")
_QUESTION = re.compile(r"\b(?:whether|asked (?:if|what|how|when|whether)|"
                       r"(?:decide|determine|discuss|work out|study|assess|explore) "
                       r"(?:where|when|how|whether|if|what))\b")
# what every match of _QUESTION contains
_QUESTION_WORDS = re.compile("whether|asked |decide |determine |discuss |work out |study |assess |explore ")
_CONDITION_END = re.compile(r"[,;:.!?]|\s[–—-]\s")


def find_conditions(text: str, q: Question) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """Conditional spans ("if requested", "unless it is involved...") and condition phrases ("under a UN mandate").

    Returns the spans whose cues and references do not count as stated positions (conditions and indirect
    questions), and the conditions to record with where each starts.
    """
    spans, texts = [], []
    for m in q.condition.finditer(text):
        end_m = _CONDITION_END.search(text, m.end())
        end = end_m.start() if end_m else len(text)
        spans.append((m.start(), end))
        texts.append((m.start(), text[m.start():end].strip(" \"“”")))
    # (each kind of aside needs its punctuation: a sentence without it is not scanned for that kind)
    for m in _ASIDE.finditer(text) if "," in text else ():
        # "Poland, which borders Ukraine, will not...": a relative aside names places, not the holder
        spans.append((m.start(), m.end()))
    for m in _DASH_ASIDE.finditer(text) if "–" in text or "—" in text else ():
        # "26 countries have committed – some others have not yet taken a position – to deploy": an aside
        spans.append((m.start(), m.end()))
    for m in (m for m in _PARENTHESIS.finditer(text) if len(_SPACE.findall(m.group())) >= 3) if "(" in text else ():
        # "Hayashi (and Japan initially also declared itself ready to ...) stated that Japan will not send":
        # a parenthesis is background, not the sentence's statement ("(Reuters)", "(SPD)" are too short to matter)
        spans.append((m.start(), m.end()))
    for m in _QUESTION.finditer(text) if _QUESTION_WORDS.search(text) else ():
        # an indirect question ("asked whether Portugal would send soldiers") states nothing
        end_m = _CONDITION_END.search(text, m.end())
        spans.append((m.start(), end_m.start() if end_m else len(text)))
    for m in q.condition_phrase.finditer(text):
        texts.append((m.start(), m.group().strip(" \"“”")))
    return spans, texts


_REPORT_ALWAYS = (r"said|says|stated|declared|declares|believes|believe|believed|thinks|noted|added|adds|"
                  r"announced|confirmed|insisted|explained|admitted|writes|wrote|reported|argued|warned|"
                  r"told\s+(?:[A-Z][\w-]*\s*)+")
_REPORT_THAT = (r"clarified|responded|replied|answered|suggested|suggests|stressed|emphasi[sz]ed|indicated|claimed|"
                r"informed|signaled|signalled|made it clear")
_LEFT_OPEN = r"(?:not|n['’]t|never)\s+(?:\w+\s+)?(?:rul\w+\s+out|exclud\w*)\s+that\b"
_DENIED = (r"den(?:y|ies|ied|ying)\s+(?:(?:the\s+|any\s+)?(?:[\w-]+\s+){0,2}?"
           r"(?:reports?|claims?|suggestions?|rumou?rs?)\s+)?that\b")
_CLAUSE_SPLIT = re.compile(
    rf"\b{_DENIED}|{_LEFT_OPEN}|"
    rf"\b(?:{_REPORT_ALWAYS})\b(?:\s+(?:late|early|later|earlier|again|also|publicly|recently|at|in|on|during|"
    r"last|this|yesterday|today|(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b[^,;]*?(?=\s+that\b))?"
    r"(?:\s+that\b)?|"
    rf"\b(?:{_REPORT_THAT})(?:\s+(?:in|at|on|during|to|after|before)\b[^,;]{{0,80}}?)?\s+that\b|"
    r";|,\s+(?:but|while|although|though|whereas|however)\b|\s+but\s+(?!without\b|not\b)|\bwhile\b|\balthough\b|"
    r"\bthat\b|,\s+as\b(?!\s+(?:well|part|long|much|many|soon|noted|reported|stated|said))|"
    r"\s+nor\s+(?=(?:will|would|does|did|do|is|are|was|were|has|have|had|can|could|should|shall|must)\b)")
# ", as did X" keeps its "as"; "nor will X send" keeps its "nor" (the negation of its own clause)
_AS_SPLIT, _DENIED_RE, _LEFT_OPEN_RE = re.compile(r",\s+as\b|\s+nor\b"), re.compile(_DENIED), re.compile(_LEFT_OPEN)
_REPORTING = re.compile(rf"(?:{_REPORT_ALWAYS}|{_REPORT_THAT})\b")
_INHERIT = re.compile(r"^\s*as\s+(?:did|does|do|is|are|was|were|has|have|had|will|would)\b", re.I)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    inherit: bool = False  # "as did Ukraine": shares the previous clause's cue
    reported: bool = False  # follows a reporting verb ("Macron said ..."): its speaker may be its holder
    denied: bool = False  # follows a denial ("Tusk denied that Polish troops would be sent"): its cues flip
    left_open: bool = False  # follows "does not rule out that": whatever it says is undecided


def split_clauses(text: str, mentions: Sequence[Mention] = ()) -> list[Clause]:
    """Clauses of a sentence: split at reporting verbs, "that", "but", "while", "; " and "as did" (never inside
    a reference, so "the Baltic states" stays whole)."""
    spans: list[tuple[int, int, bool, bool, bool]] = []  # start, end, reported, denied, left_open
    start = 0
    reported = denied = left_open = False
    for m in _CLAUSE_SPLIT.finditer(text):
        a, b = m.span()
        if any(x.start < b and a < x.end for x in mentions):
            continue
        if a <= start:
            if b > start and a == start:
                start = b
            continue
        spans.append((start, a, reported, denied, left_open))
        word = m.group()
        start = b if not _AS_SPLIT.match(word) else a + 1
        denied = bool(_DENIED_RE.match(word))
        left_open = bool(_LEFT_OPEN_RE.match(word))
        reported = denied or left_open or bool(_REPORTING.match(word))
    spans.append((start, len(text), reported, denied, left_open))
    return [Clause(a, b, bool(_INHERIT.match(text[a:b])), rep, den, lo)
            for a, b, rep, den, lo in spans if text[a:b].strip(" ,;\"“”")]

