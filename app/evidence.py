"""What an article page shows about its evidence: the text cut into pieces marked with the statements that quote
them, and in words how the article's date was found. Pure functions over stored values."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from app.ingest.dates import DateValue, find_dateline, infer_date
from app.ingest.incumbents import office_bounds
from app.ingest.lexicon import load_lexicon


@dataclass(frozen=True)
class Piece:
    """A stretch of the article's text and the statements whose evidence sentence covers it (empty: none)."""

    text: str
    ids: tuple[int, ...] = ()
    start: int = 0


def evidence_pieces(body: str, spans: list[tuple[int | None, int | None, int]]) -> list[Piece]:
    """Cut `body` at every evidence sentence's edges ((start, end, statement id) offsets into the body); each piece
    knows which statements cover it. Several statements quoting one sentence share its pieces; spans outside the
    text or without offsets are ignored."""
    good = [(s, e, i) for s, e, i in spans if s is not None and e is not None and 0 <= s < e <= len(body)]
    cuts = sorted({0, len(body), *(s for s, _, _ in good), *(e for _, e, _ in good)})
    pieces: list[Piece] = []
    for lo, hi in itertools.pairwise(cuts):
        ids = tuple(sorted(i for s, e, i in good if s <= lo and hi <= e))
        if pieces and not ids and not pieces[-1].ids:
            last = pieces.pop()
            pieces.append(Piece(last.text + body[lo:hi], (), last.start))
        else:
            pieces.append(Piece(body[lo:hi], ids, lo))
    return pieces


def dateline_of(body: str) -> str | None:
    """The line of the body that is only a date (and maybe a time), as the ingest reads it."""
    for line in body.splitlines():
        if line.strip() and len(line) <= 60 and find_dateline(line):
            return line.strip()
    return None


def date_basis(published_on: dt.date | None, precision: str, body: str) -> str:
    """How the article's date was found, in words, by re-running the ingest's order of evidence on the stored
    text: a dateline, else the dates the text mentions (bounded by the office-holders it names), else it came
    with the article (a date header, a published field, or the editor's form)."""
    if published_on is None or precision == "unknown":
        return "No date: the article came without one, and its text gives none the ingest could trust."
    stored = DateValue(published_on, precision)
    line = dateline_of(body)
    if line and find_dateline(line) == stored:
        return f"Read from the dateline in the text: “{line}”."
    if precision in ("month", "year"):
        if infer_date(body) == stored:
            return (f"Inferred from the dates the text mentions, so only the {precision} is known "
                    "(a mention bounds the date, it never pins the day).")
        if infer_date(body, office_bounds(body, load_lexicon())) == stored:
            return (f"Inferred at {precision} precision from the dates the text mentions and the terms of office "
                    "of the people it names with their title.")
    return "Given with the article: its date header or published field (or the form it was pasted into)."


def shortened(pieces: list[Piece], *, longer_than: int = 12_000, context: int = 600) -> list[Piece]:
    """For a long article, the evidence with `context` characters either side and "…" for the rest, so the
    review queue never ships megabytes of text (the article page has it all); short articles stay whole."""
    if sum(len(p.text) for p in pieces) <= longer_than:
        return pieces
    out = []
    for n, p in enumerate(pieces):
        if p.ids or len(p.text) <= 2 * context + 3:
            out.append(p)
            continue
        head = p.text[:context] if n > 0 else ""
        tail = p.text[-context:] if n < len(pieces) - 1 else ""
        out.append(Piece(" ".join(part for part in (head, "[…]", tail) if part), (), p.start))
    return out
