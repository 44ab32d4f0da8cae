"""The one clock: "now" and "today" in UTC for the whole app (tests freeze it by patching these two)."""
from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in UTC: what "today" means to every rule, page and bound in the app."""
    return utcnow().date()
