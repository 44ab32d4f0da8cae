"""Sentences of an article body with their offsets: the unit every extraction rule looks at."""
from __future__ import annotations

import re
from dataclasses import dataclass


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
# Invisible characters (bidirectional marks, zero-width spaces, a byte-order mark, control characters such as NUL)
# do not hide a sentence start: "... troops. \u200fDenmark ..." ends a sentence.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x00-\x08\x0e-\x1f"
# (a run of stops is tried from its start only, and the spaces after it by one greedy loop: linear in the line)
_BOUNDARY = re.compile(rf"(?<![.!?…])[.!?…]+[\"”’')\]]*(?=[{_INVISIBLE}]*\s[\s{_INVISIBLE}]*[\"“‘'(\[]?[A-Z0-9])|"
                       r"(?<=[a-z]{2})[.!?](?=[A-Z][a-z]{2,}\b)")
_EDGE = " \t\r\f\v" + "".join(chr(c) for c in [*range(0x200b, 0x2010), *range(0x202a, 0x202f), *range(0x2060, 0x206a),
                                                0xfeff, *range(0x00, 0x09), *range(0x0e, 0x20)])
# a sentence is at most this long: a longer run (a crafted list, text without stops) is cut at a space, so every
# rule works on a bounded text and an article's extraction grows linearly with its length (real sentences in the
# development corpus are under 600 characters)
MAX_SENTENCE = 1000


_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")


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
    return (bool(_INITIALS.fullmatch(token)) or token.lower() in _ABBREV)


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
    while b - a > MAX_SENTENCE:
        cut = line.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
        cut = cut if cut > a else a + MAX_SENTENCE
        _add_one(out, line, a, cut, offset, paragraph)
        a = cut
    _add_one(out, line, a, b, offset, paragraph)


def _add_one(out: list[Sentence], line: str, a: int, b: int, offset: int, paragraph: int) -> None:
    seg = line[a:b]
    lead = len(seg) - len(seg.lstrip(_EDGE))
    seg = seg.strip(_EDGE)
    if seg:
        s = offset + a + lead
        out.append(Sentence(s, s + len(seg), seg, paragraph))
