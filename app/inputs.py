"""Bounds every input is checked against at the edge (pages, API, forms): ids inside the database's integer
range, dates as YYYY-MM-DD between MIN_DATE and today, no control characters in text. Pure functions; the web
layer turns their ValueErrors into 404s and 422 messages, the write layer into form messages."""
from __future__ import annotations

import datetime as dt
import re

from app import clock

# Ids are Integer columns: 32-bit on Postgres (SQLite's 64-bit range is wider, so this bound holds for both).
MAX_DB_INT = 2**31 - 1
# No date before this is a date of this tracker's subject (Ukraine's independence year).
MIN_DATE = dt.date(1991, 1, 1)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# C0 controls and DEL; tab, line feed and carriage return are allowed where text may span lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_id(raw: object) -> int | None:
    """A row id from a URL or form, or None when it cannot name a row (not digits, 0, or out of range)."""
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_DB_INT else None


def parse_iso_date(raw: str, *, minimum: dt.date = MIN_DATE, maximum: dt.date | None = None) -> dt.date:
    """A YYYY-MM-DD date between minimum and maximum (default today); ValueError with a message otherwise.
    The one date parser of the pages, the downloads and the API."""
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"'{text[:40]}' is not a date; use YYYY-MM-DD, e.g. 2025-03-01")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date (there is no such day); use YYYY-MM-DD, e.g. 2025-03-01") \
            from None
    return check_date_bounds(value, minimum=minimum, maximum=maximum)


def check_date_bounds(value: dt.date, *, minimum: dt.date = MIN_DATE, maximum: dt.date | None = None) -> dt.date:
    maximum = maximum or clock.today()
    if value < minimum:
        raise ValueError(f"{value.isoformat()} is before {minimum.isoformat()}, the earliest date this tracker "
                         "covers")
    if value > maximum:
        raise ValueError(f"{value.isoformat()} is after today ({maximum.isoformat()})")
    return value


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in the text as 'U+0000', or None. A NUL byte breaks Postgres; the others
    are invisible and never meant."""
    m = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return f"U+{ord(m.group()):04X}" if m else None
