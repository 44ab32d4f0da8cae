"""Request dependencies shared by the routes: the database session, the templates' filters
and query-string parsing that turns bad parameters into messages."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Path, Request
from markupsafe import Markup, escape
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from app import queries
from app.inputs import MAX_DB_INT, control_character, parse_iso_date
from app.web.errors import BadParameters
# re-exported for routes written before app.web.responses held them
from app.web.responses import is_htmx as is_htmx
from app.web.responses import templates as templates


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
# A row id in a URL: anything that cannot be one (not a number, 0, past the database's integer range, 5,000
# digits) is a page that does not exist (the validation handler answers 404 for path parameters).
DbId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


# --- query-string parsing shared by the HTML pages and the API -------------------------------------------------

class ParamError(BadParameters):
    """One bad query parameter: which one, and a message a person can act on. The parsers below raise it; a
    route either collects it into the form's messages or lets it be answered 422 (app.web.errors)."""

    def __init__(self, field: str, message: str):
        super().__init__({field: message})
        self.field = field
        self.message = message


def parse_date(raw: str | None, field: str) -> dt.date | None:
    """YYYY-MM-DD between MIN_DATE and today (app.inputs.parse_iso_date, which the API uses too)."""
    if raw is None or not raw.strip():
        return None
    try:
        return parse_iso_date(raw)
    except ValueError as e:
        raise ParamError(field, str(e)) from None


def strict_api_date(value: object) -> object:
    """The API's dates: the same parser as the pages (no timestamps, no datetimes)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("use YYYY-MM-DD, e.g. 2025-03-01")
    return parse_iso_date(value) if value.strip() else None  # blank is left out, as on the pages


ApiDate = Annotated[dt.date | None, BeforeValidator(strict_api_date)]


def parse_choice(raw: str | None, choices: Iterable[str], field: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    value = raw.strip().lower()
    choices = tuple(choices)
    if value not in choices:
        raise ParamError(field, f"'{raw}' is not one of: {', '.join(choices)}")
    return value


def parse_country(session: Session, raw: str | None, field: str = "country") -> str | None:
    """An ISO 3166-1 alpha-2 code known to the database, upper-cased."""
    if raw is None or not raw.strip():
        return None
    country = None if control_character(raw) else queries.get_country(session, raw.strip())
    if country is None:
        raise ParamError(field, f"'{raw}' is not a known ISO 3166-1 alpha-2 country code, e.g. FR")
    return country.iso2


def parse_text(raw: str | None, field: str, *, max_length: int = 200) -> str | None:
    """Free text for a search: trimmed; control characters (a NUL byte breaks Postgres) are refused."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if any(ord(ch) < 32 for ch in value):
        raise ParamError(field, "contains a control character; type plain text")
    if len(value) > max_length:
        raise ParamError(field, f"is longer than {max_length} characters")
    return value


MAX_PAGE = 1_000_000  # a page number's bound: (page - 1) * size stays inside every database's integer range


def parse_int(raw: str | None, field: str, *, default: int, minimum: int, maximum: int = MAX_PAGE) -> int:
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if not text.isascii() or not text.lstrip("-").isdigit():
        raise ParamError(field, f"'{text[:40]}' is not a whole number")
    if len(text) > 12 or not minimum <= int(text) <= maximum:
        raise ParamError(field, f"{text[:40]} is out of range; use a number between {minimum} and {maximum}")
    return int(text)


def parse_fields(raw: Mapping[str, str], parsers: Mapping[str, Callable[[str], Any]], *,
                 fallback: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Each raw value through its parser: the parsed values, and a message per bad one (whose value is then its
    `fallback`, None unless given), so a form shows every problem at once."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, parse in parsers.items():
        try:
            values[key] = parse(raw.get(key, ""))
        except ParamError as e:
            errors[key] = e.message
            values[key] = (fallback or {}).get(key)
    return values, errors


def _pairs(params: Mapping[str, object], overrides: Mapping[str, object]) -> list[tuple[str, str]]:
    merged = {**params, **overrides}
    return [(k, str(v)) for k, v in merged.items() if v not in (None, "", False)]


def path_with(path: str, params: Mapping[str, object] | None = None, **overrides: object) -> str:
    """`path` with the current parameters, some replaced; empty values are left out so URLs stay short, and
    with none left the bare path (never a dangling '?'), as datasette's path_with_added_args."""
    pairs = _pairs(params or {}, overrides)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def query_string(params: Mapping[str, object], **overrides: object) -> str:
    """'?a=1&b=2' from the current parameters with some replaced ('?' when none is left: a link to the page
    itself without parameters). Prefer path_with, which gives the bare path then."""
    pairs = _pairs(params, overrides)
    return "?" + urlencode(pairs) if pairs else "?"


templates.env.globals.update(query_string=query_string, path_with=path_with)


def date_label(value: dt.date | None, precision: str = "day") -> str:
    """'3 Dec 2024', 'Dec 2024' or '2024' by the date's precision; 'undated' when there is none."""
    if value is None:
        return "undated"
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%b %Y")
    return f"{value.day} {value.strftime('%b %Y')}"


def time_label(value: dt.datetime | None) -> str:
    """'27 Mar 2025, 14:05 UTC': the day in the same style as date_label, then the time."""
    if value is None:
        return "never"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{date_label(value.date())}, {value.strftime('%H:%M')} UTC"


def value_label(value: object) -> object:
    """A stored value as shown in a change's table: ISO dates and times in the screens' style, the rest as is."""
    if isinstance(value, dt.datetime):
        return time_label(value)
    if isinstance(value, dt.date):
        return date_label(value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return date_label(dt.date.fromisoformat(value))
            return time_label(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def break_after_dots(value: str | None) -> Markup:
    """A domain name or address that may wrap only after a dot or a slash (<wbr>), never inside a word."""
    text = str(escape(value or ""))
    for ch in "./":
        text = text.replace(ch, ch + "<wbr>")
    return Markup(text)


templates.env.filters["date_label"] = date_label
templates.env.filters["time_label"] = time_label
templates.env.filters["break_after_dots"] = break_after_dots
templates.env.filters["value_label"] = value_label
