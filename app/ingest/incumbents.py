"""Bounds an undated article's date by the terms of the office-holders it names with their title
("German Chancellor Olaf Scholz" was written before May 2025), from the offices in app/data/people.csv."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from app.ingest.lexicon import Lexicon

# A title right before a name, and the people.csv roles it names.
_TITLES = [
    (r"Vice[- ]President", ("vice president",)),
    (r"Prime Minister|Premier|PM", ("prime minister",)),
    (r"President", ("president", "interim president")),
    (r"Chancellor", ("chancellor",)),
    (r"Taoiseach", ("taoiseach",)),
    (r"Foreign (?:Minister|Secretary)|Minister of Foreign Affairs|Secretary of State|[Tt]op diplomat",
     ("foreign minister", "foreign secretary", "secretary of state")),
    (r"Defen[cs]e (?:Minister|Secretary)|Minister of Defen[cs]e|Secretary of Defense",
     ("defence minister", "defence secretary", "defense secretary")),
    (r"Secretary[- ]General", ("secretary general",)),
]
_TITLE_BEFORE = re.compile(
    r"(?P<past>\b(?i:former|ex-|then-|late)\s*)?\b(?P<title>" + "|".join(f"(?:{t})" for t, _ in _TITLES) + r")"
    r"(?P<elect>-elect)?\s+(?:[A-Z][\w'’.-]+\s+){0,2}$")
# an elected leader is called "-elect" for at most this long before taking office
_ELECT_DAYS = 100


def _roles_named(title: str) -> tuple[str, ...]:
    for pattern, roles in _TITLES:
        if re.fullmatch(pattern, title):
            return roles
    return ()


_CHECKED = Path(__file__).resolve().parent.parent / "data" / "people_checked.txt"


@lru_cache
def terms_checked_on() -> dt.date:
    """The day people.csv's terms were last checked: where a term with no end date is known to end."""
    return dt.date.fromisoformat(_CHECKED.read_text(encoding="utf-8").split()[0])


def office_bounds(body: str, lex: Lexicon) -> tuple[dt.date, dt.date] | None:
    """The span in which every person the text names with a current title held that office, or None when it
    names nobody so (or the terms do not overlap). "former", "then-" and "ex-" titles say nothing of the date.
    An open term ends on the day the terms were last checked, never "today": the same article dates the same
    on any day the ingest runs."""
    today = terms_checked_on()
    lo, hi = dt.date.min, today
    found = False
    for m in lex.mention_re.finditer(body):
        surface = lex.surfaces[m.group()]
        if surface.kind != "person":
            continue
        t = _TITLE_BEFORE.search(body[max(0, m.start() - 80):m.start()])
        if not t or t["past"]:
            continue
        named = _roles_named(t["title"])
        terms = []
        for role in lex.roles.get(m.group(), []):
            if not any(r.strip() in named for r in role.role.split("/")) or role.start is None:
                continue
            if t["elect"]:
                terms.append((role.start - dt.timedelta(days=_ELECT_DAYS), role.start - dt.timedelta(days=1)))
            else:
                terms.append((role.start, role.end or today))
        if not terms:
            continue
        lo, hi = max(lo, min(a for a, _ in terms)), min(hi, max(b for _, b in terms))
        found = True
    return (lo, hi) if found and lo <= hi else None
