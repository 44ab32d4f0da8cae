"""Web: the editors' statement form, shared by the edit page, the review queue's correction, and accepting a
reader's suggestion: what it shows for a stored statement, what a submitted one holds (its version parsed once),
the stale-save merge, and where a review decision returns to."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app import clock, queries
from app.editing import EDITABLE, LABELS, StaleEdit
from app.inputs import parse_id
from app.models import PRECISIONS, STANCES, Country, Statement
from app.web.auth import safe_next
from app.web.errors import NotFound
from app.web.responses import templates

FORM_FIELDS = EDITABLE
QUEUE = "/editor/review"
# what a page after a decision says about it; dropped when the queue page is opened again
_OUTCOME_PARAMS = ("done", "id", "n", "undo", "stale", "problem")


def evidence(quote: str, statement: Statement) -> Markup:
    """The quote with the country reference and the deciding cue marked (offsets within the quote)."""
    quote = quote or ""
    spans = []
    for start, end, cls in ((statement.mention_start, statement.mention_end, "m-country"),
                            (statement.cue_start, statement.cue_end, "m-cue")):
        if start is not None and end is not None and 0 <= start < end <= len(quote):
            spans.append((start, end, cls))
    out, pos = [], 0
    for start, end, cls in sorted(spans):
        if start < pos:  # overlapping marks: keep the first
            continue
        out.append(escape(quote[pos:start]))
        out.append(Markup(f'<mark class="{cls}">') + escape(quote[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(quote[pos:]))
    return Markup("").join(out)


templates.env.filters["evidence"] = evidence


def statement_or_404(session: Session, statement_id: int) -> Statement:
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement {statement_id}.")
    return statement


def country_label(country: Country) -> str:
    """'France (FR)': how the form's country picker names a country."""
    return f"{country.name} ({country.iso2})"


def raw_from(statement: Statement) -> dict[str, str]:
    """What the form shows for a stored statement."""
    return {"country_iso2": country_label(statement.country), "stance": statement.stance,
            "stated_on": statement.stated_on.isoformat() if statement.stated_on else "",
            "date_precision": statement.date_precision or "day", "quote": statement.quote or "",
            "speaker": statement.speaker or "", "conditions": statement.conditions or "",
            "source_url": statement.source_url or ""}


def raw_form(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The submitted fields as typed (what the form shows again), '' for those not sent."""
    return {k: str(form.get(k, "")) for k in names}


def submitted(form: Mapping[str, Any], *extra: str) -> tuple[dict[str, str], int | None]:
    """A submitted statement form: its fields (and `extra` ones) as typed, and the version it was opened at
    (None when it carries none a row could have: the save then checks no version)."""
    raw = raw_form(form, (*FORM_FIELDS, "version", *extra))
    return raw, parse_id(raw["version"])


def merged_raw(statement: Statement, stale: StaleEdit, raw: dict[str, str]) -> dict[str, str]:
    """The form after a stale save: what this editor changed, the other editor's values everywhere else."""
    if not stale.merged or stale.base is None:
        return raw
    saved = raw_from(statement)  # the statement as it is now (the other editor's version)
    out = dict(raw)
    for row in stale.rows:
        if row.kind == "theirs":
            out[row.name] = saved[row.name]
    return out


def form_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {"countries": queries.all_countries(session), "stances": STANCES, "precisions": PRECISIONS,
            "labels": LABELS, "today": clock.today().isoformat(), **extra}


# --- where a review decision returns to ---------------------------------------------------------------------

def queue_url(back: str) -> str:
    """Where a decision returns to: the queue page it was made on (filters and cursor kept), never elsewhere."""
    target = safe_next(back)
    return target if urlsplit(target).path == QUEUE else QUEUE


def with_outcome(url: str, **params: object) -> str:
    """`url` with the given query parameters added (lists repeat the key); old outcome parameters dropped."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k not in _OUTCOME_PARAMS]
    for k, v in params.items():
        for item in (v if isinstance(v, (list, tuple)) else [v]):
            if item not in (None, ""):
                kept.append((k, str(item)))
    return parts.path + ("?" + urlencode(kept) if kept else "")


def queue_back(back: str | None) -> str:
    """The queue page a decision was made on (its filters and cursor), without the last outcome's parameters."""
    return with_outcome(queue_url(back or QUEUE))
