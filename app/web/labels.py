"""Web: how sure a position is, in words (trust, age, corroboration), shared by pages, the map and the API."""
from __future__ import annotations

import datetime as dt

from app.models import READINGS, STANCES, trust_of
from app.web.deps import date_label
from app.web.responses import templates

TRUST_WORDS = {"verified": "verified by an editor", "editor": "entered by an editor",
               "unreviewed": "machine-found, not reviewed"}
STANCE_LABELS = {s: s.capitalize() for s in STANCES}  # what the map's tooltip says (static/map.js)
REVIEWED = READINGS  # the reader's choice: every position, or only verified and editor-entered ones


def trust_label(origin: str, review_status: str, confidence: float | None = None) -> str:
    trust = trust_of(origin, review_status)
    if trust == "dismissed":
        return "dismissed by an editor"
    words = TRUST_WORDS[trust]
    if trust == "unreviewed" and confidence is not None:
        words += f" (confidence {confidence:.2f})"
    return words


def age_label(last: dt.date, as_of: dt.date) -> str:
    """'12 days', '14 months', '2 years': how long before `as_of` a position was last stated."""
    days = (as_of - last).days
    if days < 60:
        return f"{days} day{'' if days == 1 else 's'}"
    months = (as_of.year - last.year) * 12 + as_of.month - last.month - (as_of.day < last.day)
    if months < 24:
        return f"{months} months"
    return f"{months // 12} years"


def is_stale(last: dt.date, as_of: dt.date, threshold_days: int) -> bool:
    return (as_of - last).days > threshold_days


def stale_label(last: dt.date, as_of: dt.date) -> str:
    return f"last stated {age_label(last, as_of)} before this date"


def sources_label(sources: int, articles: int) -> str:
    text = f"{sources} source{'' if sources == 1 else 's'}"
    if articles != sources:
        text += f" ({articles} article{'' if articles == 1 else 's'})"
    return text


templates.env.globals.update(trust_of=trust_of, trust_label=trust_label, age_label=age_label, is_stale=is_stale,
                             stale_label=stale_label, sources_label=sources_label)
__all__ = ["date_label", "trust_of", "trust_label", "age_label", "is_stale", "stale_label", "sources_label"]
