"""Domain types of the ingest flow: what readers produce and extraction and the store consume."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleInput:
    """One article as read: metadata and the body text the offsets of its statements refer to."""

    body: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_on: dt.date | None = None
    date_precision: str = "unknown"  # the header date's precision; "unknown" when there is none
    file_name: str | None = None
    file_line: int | None = None  # a JSON Lines record's line number
    # what the reader set aside but did not refuse the article for (a date in the future, say), reported per file
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
