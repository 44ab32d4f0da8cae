"""Web: the statement filters, parsed once for the /statements list, its CSV and JSON downloads and
/api/statements (as datasette's one Filters object serves its HTML, JSON and CSV)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ORIGINS, REVIEW_STATUSES, STANCES
from app.queries import StatementFilters
from app.web.deps import parse_choice, parse_country, parse_date, parse_fields, parse_text
from app.web.errors import BadParameters

FILTER_KEYS = ("country", "stance", "date_from", "date_to", "origin", "review_status", "q")


@dataclass(frozen=True)
class ParsedFilters:
    """The filters as typed (kept in the form), as understood, and a message per bad one."""

    raw: dict[str, str]
    filters: StatementFilters
    errors: dict[str, str]

    @property
    def state(self) -> dict[str, str]:
        """The filters that are set and valid: what links to other pages of the same view carry."""
        return {k: v for k, v in self.raw.items() if v and k not in self.errors}

    def checked(self, *, title: str | None = None) -> StatementFilters:
        """The filters, or BadParameters (answered 422) when any is bad: for answers without a form."""
        if self.errors:
            raise BadParameters(self.errors, title=title)
        return self.filters


def statement_filters(session: Session, params: Mapping[str, str | dt.date | None]) -> ParsedFilters:
    """The query string's statement filters (values as typed, or as the API's own validation parsed them)."""
    raw = {k: _as_text(params.get(k)) for k in FILTER_KEYS}
    values, errors = parse_fields(raw, {
        "country": lambda v: parse_country(session, v),
        "stance": lambda v: parse_choice(v, STANCES, "stance"),
        "date_from": lambda v: parse_date(v, "date_from"),
        "date_to": lambda v: parse_date(v, "date_to"),
        "origin": lambda v: parse_choice(v, ORIGINS, "origin"),
        "review_status": lambda v: parse_choice(v, REVIEW_STATUSES, "review_status"),
        "q": lambda v: parse_text(v, "q"),
    })
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors["date_to"] = "the end date is before the start date"
    filters = StatementFilters(country=values["country"], stance=values["stance"], date_from=values["date_from"],
                               date_to=values["date_to"], origin=values["origin"],
                               review_status=values["review_status"], text=values["q"])
    return ParsedFilters(raw=raw, filters=filters, errors=errors)


def _as_text(value: str | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value
