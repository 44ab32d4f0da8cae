"""What extraction produces: a candidate position, and the error for an article too complex to read in time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Bump when a rule or a data file changes what is extracted, so a re-run can be compared with the last one.
RULES_VERSION = "rules-3.0"


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
    stated_on: dt.date | None
    date_precision: str
    rules_version: str = RULES_VERSION
    rule: str | None = None
    rule_reason: str | None = None


class ExtractionTooComplex(ValueError):
    """An article whose extraction ran past its time limit: the ingest reports the file and carries on."""

    def __init__(self, detail: str):
        super().__init__(f"article too complex: {detail}")


class Deadline:
    """A time limit for one article's extraction; check() raises ExtractionTooComplex once it has passed.
    clock is any monotonic seconds counter (time.monotonic by default)."""

    def __init__(self, seconds: float | None, clock=None):
        import time

        self.clock = clock or time.monotonic
        self.seconds = seconds
        self.until = None if seconds is None else self.clock() + seconds

    def check(self, done: int, total: int) -> None:
        if self.until is not None and self.clock() >= self.until:
            raise ExtractionTooComplex(f"extraction took longer than {self.seconds:g} s "
                                       f"(stopped after sentence {done} of {total})")
