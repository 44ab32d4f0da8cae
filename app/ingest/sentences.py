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
