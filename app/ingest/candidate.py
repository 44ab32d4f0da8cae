"""What extraction produces: a candidate position, and the error for an article too complex to read in time."""
from __future__ import annotations

from dataclasses import dataclass

# Bump when a rule or a data file changes what is extracted, so a re-run can be compared with the last one.
RULES_VERSION = "rules-1.1"


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
