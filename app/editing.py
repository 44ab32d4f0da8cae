"""Every write a person makes (accounts, statements, reviews, articles), each statement change audited."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import clock, positions, queries
from app.clock import utcnow
from app.ingest.store import StoreResult, ingest_text
from app.inputs import MIN_DATE, check_date_bounds, control_character
from app.models import PRECISIONS, ROLES, STANCES, AuditEvent, Statement, Suggestion, User
from app.security import end_user_sessions, hash_password, password_problem
from app.settings import get_settings

# Fields a person can set; what the audit trail records before and after each change, and what a revert restores.
EDITABLE = ("country_iso2", "stance", "stated_on", "date_precision", "quote", "speaker", "conditions", "source_url")
AUDITED = EDITABLE + ("origin", "review_status", "deleted_at")
LIMITS = {"quote": 5000, "speaker": 300, "conditions": 2000, "source_url": 2000}
LABELS = {"country_iso2": "Country", "stance": "Stance", "stated_on": "Date", "date_precision": "Date precision",
          "quote": "Quote", "speaker": "Speaker", "conditions": "Conditions", "source_url": "Source URL",
          "origin": "Origin", "review_status": "Review status", "deleted_at": "Deleted"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class EditError(Exception):
    """A write that cannot happen (no such statement, not allowed); the message is for the person."""


class ValidationFailed(ValueError):
    """A form that does not validate: a message per field, keyed by the form's field names (what the form shows
    beside each field, keeping what was typed)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass
class StaleEdit(Exception):
    """Someone saved the statement after this form was opened: their values, and what differs from the form."""

    theirs: dict[str, Any]
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, yours, theirs)
    version: int = 0
    # The three-way view: what the form started from (None when the audit trail does not reach that version),
    # one row per field either side changed, and the form's new values (yours where you changed a field,
    # the saved version's everywhere else).
    base: dict[str, Any] | None = None
    rows: list[Conflict] = field(default_factory=list)
    merged: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    """One field of a stale edit: what the form started from, what is saved now, what this editor typed, and
    whose change it is ('yours', 'theirs', 'same': both made the same change, 'both': different changes)."""

    name: str
    base: Any
    theirs: Any
    yours: Any
    kind: str


def _today() -> dt.date:
    return clock.today()


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("form", message)


def _text(value: Any, name: str) -> str | None:
    """A form's text field, trimmed, within its limit; None when left empty."""
    text = ("" if value is None else str(value)).strip()
    if len(text) > LIMITS[name]:
        raise _problem(f"{LABELS[name]} is {len(text)} characters long; the limit is {LIMITS[name]}.")
    return text or None


def _required_text(value: Any, name: str) -> str:
    text = _text(value, name)
    if text is None:
        raise _problem(f"{LABELS[name]} is empty; it is needed.")
    return text


def _web_address(v: Any) -> str | None:
    text = _text(v, "source_url")
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
            or any(c.isspace() for c in text):
        raise _problem(f"'{text[:80]}' is not a web address; it should look like https://news.example/story.")
    return text


class StatementInput(BaseModel):
    """A statement form as a person filled it in, validated. Pass the database session as validation context
    ({"session": session}) so the country can be looked up."""

    model_config = ConfigDict(frozen=True)

    country_iso2: str
    stance: str
    date_precision: str = "day"
    stated_on: dt.date | None = None
    quote: str
    speaker: str | None = None
    conditions: str | None = None
    source_url: str | None = None

    @field_validator("country_iso2", mode="before")
    @classmethod
    def _country(cls, v: Any, info: ValidationInfo) -> str:
        text = ("" if v is None else str(v)).strip()
        if not text:
            raise _problem("Pick a country from the list.")
        session = (info.context or {}).get("session")
        country = queries.find_country(session, text) if session is not None else None
        if country is None:
            raise _problem(f"'{text[:100]}' is not a country we know; pick one from the list "
                           "(a name such as France, or a two-letter code such as FR).")
        return country.iso2

    @field_validator("stance", mode="before")
    @classmethod
    def _stance(cls, v: Any) -> str:
        text = ("" if v is None else str(v)).strip().lower()
        if text not in STANCES:
            raise _problem(f"Choose one of: {', '.join(STANCES)}." if not text else
                           f"'{str(v)[:40]}' is not a stance; choose one of: {', '.join(STANCES)}.")
        return text

    @field_validator("date_precision", mode="before")
    @classmethod
    def _precision(cls, v: Any) -> str:
        text = ("" if v is None else str(v)).strip().lower() or "day"
        if text not in PRECISIONS:
            raise _problem(f"'{str(v)[:40]}' is not a precision; choose one of: {', '.join(PRECISIONS)}.")
        return text

    @field_validator("stated_on", mode="before")
    @classmethod
    def _date(cls, v: Any, info: ValidationInfo) -> dt.date | None:
        if isinstance(v, dt.date):
            text = v.isoformat()
        else:
            text = ("" if v is None else str(v)).strip()
        precision = info.data.get("date_precision")
        if not text:
            if precision not in (None, "unknown"):
                raise _problem("Give the date, or choose 'unknown' as its precision.")
            return None
        if precision == "unknown":
            raise _problem("The precision is 'unknown' but a date is given; clear the date or choose a precision.")
        m = _DATE.match(text)
        if not m:
            raise _problem(f"'{text[:40]}' is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY with month or year "
                           "precision).")
        year, month, day = int(m[1]), m[2], m[3]
        needed = {"day": 3, "month": 2, "year": 1}.get(precision or "day", 3)
        given = 1 + (month is not None) + (day is not None)
        if given < needed:
            raise _problem(f"'{text}' has no {'day' if needed == 3 else 'month'}; give it, or choose "
                           f"{'month' if given == 2 else 'year'} precision.")
        try:
            value = dt.date(year, int(month or 1), int(day or 1))
        except ValueError:
            raise _problem(f"'{text}' is not a real date.") from None
        # Keep only what the precision claims: a month-precise date is stored as the month's first day.
        if precision == "month":
            value = value.replace(day=1)
        elif precision == "year":
            value = value.replace(month=1, day=1)
        if value > _today():
            raise _problem(f"{value.isoformat()} is in the future; a statement is dated when it was made.")
        if value < MIN_DATE:
            raise _problem(f"{value.isoformat()} is before {MIN_DATE.isoformat()}, the earliest date this "
                           "tracker covers.")
        return value

    @field_validator("quote", mode="before")
    @classmethod
    def _quote(cls, v: Any) -> str:
        return _required_text(v, "quote")

    @field_validator("speaker", mode="before")
    @classmethod
    def _speaker(cls, v: Any) -> str | None:
        return _text(v, "speaker")

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions(cls, v: Any) -> str | None:
        return _text(v, "conditions")

    @field_validator("source_url", mode="before")
    @classmethod
    def _url(cls, v: Any) -> str | None:
        return _web_address(v)


MULTILINE = {"quote", "conditions", "body"}


def _control_errors(raw: dict[str, Any], fields) -> dict[str, str]:
    """A message per field holding a control character (a NUL byte breaks Postgres; the others are invisible)."""
    errors = {}
    for name in fields:
        value = raw.get(name)
        found = control_character(value, multiline=name in MULTILINE) if isinstance(value, str) else None
        if found:
            label = LABELS.get(name, name.replace("_", " ").capitalize())
            errors[name] = (f"{label} contains a control character ({found}), often pasted by accident; "
                            "remove it and save again.")
    return errors


def _field_errors(exc: ValidationError, errors: dict[str, str]) -> dict[str, str]:
    """pydantic's errors as one message per field (the first), after those already found."""
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "form"
        if e["type"] == "missing":
            errors.setdefault(name, f"{LABELS.get(name, name)} is missing.")
        else:
            errors.setdefault(name, e["msg"])
    return errors


def validate_statement(session: Session, raw: dict[str, Any]) -> StatementInput:
    """The validated input; ValidationFailed with a message per field otherwise."""
    errors = _control_errors(raw, StatementInput.model_fields)
    try:
        data = StatementInput.model_validate({k: ("" if k in errors else v) for k, v in raw.items()},
                                             context={"session": session})
    except ValidationError as exc:
        raise ValidationFailed(_field_errors(exc, errors)) from None
    if errors:
        raise ValidationFailed(errors)
    return data


# --- the audit trail --------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def snapshot(s: Statement) -> dict[str, Any]:
    """The statement's audited fields as JSON values."""
    return {name: _jsonable(getattr(s, name)) for name in AUDITED} | {"version": s.version}


def _record(session: Session, user: User | None, action: str, statement: Statement | None,
            before: dict | None, after: dict | None) -> AuditEvent:
    event = AuditEvent(user_id=user.id if user else None, at=utcnow(), action=action,
                       statement_id=statement.id if statement else None, before=before, after=after)
    session.add(event)
    return event


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each audited field the event changed."""
    before, after = event.before or {}, event.after or {}
    return [(k, before.get(k), after.get(k)) for k in AUDITED if before.get(k) != after.get(k)]


# --- statements ------------------------------------------------------------------------------------------------

def _load(session: Session, statement_id: int) -> Statement:
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise EditError(f"There is no statement {statement_id}.")
    return statement


def three_way(base: dict[str, Any] | None, theirs: dict[str, Any], yours: dict[str, Any]
              ) -> tuple[list[Conflict], dict[str, Any]]:
    """Compare a stale form with the version it started from and the version saved since. Only the fields the
    editor changed count as theirs to keep; every other field takes the saved value, so saving the merged form
    keeps the other editor's changes. Without a base every difference is shown as a conflict (yours kept)."""
    rows, merged = [], {}
    for name in EDITABLE:
        mine, saved = yours.get(name), theirs.get(name)
        if base is None:
            merged[name] = mine
            if mine != saved:
                rows.append(Conflict(name, None, saved, mine, "both"))
            continue
        start = base.get(name)
        you_changed, they_changed = mine != start, saved != start
        merged[name] = mine if you_changed else saved
        if you_changed and they_changed:
            rows.append(Conflict(name, start, saved, mine, "same" if mine == saved else "both"))
        elif you_changed:
            rows.append(Conflict(name, start, saved, mine, "yours"))
        elif they_changed:
            rows.append(Conflict(name, start, saved, mine, "theirs"))
    return rows, merged


def _check_version(statement: Statement, expected: int | None, data: StatementInput | None = None,
                   session: Session | None = None) -> None:
    if expected is None or statement.version == expected:
        return
    theirs = snapshot(statement)
    changes: list[tuple[str, Any, Any]] = []
    rows: list[Conflict] = []
    merged: dict[str, Any] = {}
    base: dict[str, Any] | None = None
    if data is not None:
        yours = {name: _jsonable(getattr(data, name)) for name in EDITABLE}
        changes = [(name, yours[name], theirs.get(name)) for name in EDITABLE if yours[name] != theirs.get(name)]
        if session is not None:
            base = queries.snapshot_at_version(session, statement.id, expected)
        rows, merged = three_way(base, theirs, yours)
    raise StaleEdit(theirs=theirs, changes=changes, version=statement.version, base=base, rows=rows,
                    merged=merged)


def _touched(before: dict, statement: Statement) -> dict[str, tuple[dt.date, dt.date]]:
    """Country -> the earliest day whose position the change can alter: the statement's date before or after it
    (in the country it left and the one it joined). An undated statement alters no day (date.max), only the
    country's undated state, which refresh_countries always recomputes."""
    old_day = dt.date.fromisoformat(before["stated_on"]) if before.get("stated_on") else None
    touched: dict[str, tuple[dt.date, dt.date]] = {}
    for country, day in ((before["country_iso2"], old_day), (statement.country_iso2, statement.stated_on)):
        lo, hi = touched.get(country, (dt.date.max, dt.date.min))
        touched[country] = (min(lo, day or dt.date.max), max(hi, day or dt.date.min))
    return {c: (lo, max(lo, hi)) for c, (lo, hi) in touched.items()}


def _touched_all(pairs: list[tuple[dict, Statement]]) -> dict[str, tuple[dt.date, dt.date]]:
    """_touched over several changes: per country the earliest and the latest day any of them can alter."""
    touched: dict[str, tuple[dt.date, dt.date]] = {}
    for before, statement in pairs:
        for country, (lo, hi) in _touched(before, statement).items():
            old_lo, old_hi = touched.get(country, (lo, hi))
            touched[country] = (min(old_lo, lo), max(old_hi, hi))
    return touched


def _save(session: Session, user: User, action: str, statement: Statement, before: dict,
          extra: dict | None = None) -> AuditEvent:
    """Write the change, its audit row and the kept positions of the countries it touched (before and after) in
    one transaction. A save that lost a race after the version check (another worker committed first) fails the
    UPDATE's version condition: that is a stale edit too."""
    try:
        session.flush()
        event = _record(session, user, action, statement, before, snapshot(statement) | (extra or {}))
        positions.refresh_countries(session, _touched(before, statement))
        session.commit()
        return event
    except StaleDataError:
        session.rollback()
        fresh = _load(session, statement.id)
        raise StaleEdit(theirs=snapshot(fresh), version=fresh.version) from None


def create_statement(session: Session, user: User, data: StatementInput) -> Statement:
    """An editor's own statement: origin 'editor', already reviewed by the person who typed it."""
    statement = Statement(**{name: getattr(data, name) for name in EDITABLE}, origin="editor",
                          review_status="verified", confidence=None)
    session.add(statement)
    session.flush()
    _record(session, user, "create", statement, None, snapshot(statement))
    positions.refresh_countries(session, {statement.country_iso2: statement.stated_on or dt.date.max})
    session.commit()
    return statement


def update_statement(session: Session, user: User, statement_id: int, data: StatementInput,
                     expected_version: int | None, *, action: str = "update") -> Statement:
    """Save a form over a statement; refused with StaleEdit when someone saved since the form was opened.
    A person's edit of an unreviewed statement counts as its review (it then survives re-extraction)."""
    statement = _load(session, statement_id)
    _check_version(statement, expected_version, data, session)
    before = snapshot(statement)
    if data.quote != statement.quote:
        # The highlight offsets pointed into the old wording.
        statement.mention_start = statement.mention_end = statement.cue_start = statement.cue_end = None
    for name in EDITABLE:
        setattr(statement, name, getattr(data, name))
    if statement.review_status != "dismissed" or action == "correct":
        # Editing a dismissed statement leaves it dismissed: bringing it back is a separate, visible decision.
        statement.review_status = "verified"
    if snapshot(statement) | {"version": before["version"]} == before:
        return statement  # nothing changed: no new version, no audit row
    _save(session, user, action, statement, before)
    return statement


def review_statement(session: Session, user: User, statement_id: int, decision: str,
                     expected_version: int | None = None) -> Statement:
    """Verify (it counts, and survives re-extraction) or dismiss (it stops counting on the map)."""
    statuses = {"verify": "verified", "dismiss": "dismissed"}
    if decision not in statuses:
        raise EditError(f"'{decision}' is not a review decision; use verify or dismiss.")
    statement = _load(session, statement_id)
    _check_version(statement, expected_version)
    before = snapshot(statement)
    statement.review_status = statuses[decision]
    _save(session, user, decision, statement, before)
    return statement


def delete_statement(session: Session, user: User, statement_id: int, expected_version: int | None = None
                     ) -> Statement:
    """Soft delete: hidden everywhere, restorable, its history kept."""
    statement = _load(session, statement_id)
    if statement.deleted_at is not None:
        raise EditError(f"Statement {statement_id} is already deleted.")
    _check_version(statement, expected_version)
    before = snapshot(statement)
    statement.deleted_at = utcnow()
    _save(session, user, "delete", statement, before)
    return statement


def restore_statement(session: Session, user: User, statement_id: int) -> Statement:
    statement = _load(session, statement_id)
    if statement.deleted_at is None:
        raise EditError(f"Statement {statement_id} is not deleted.")
    before = snapshot(statement)
    statement.deleted_at = None
    _save(session, user, "restore", statement, before)
    return statement


def _restore_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "stated_on":
        return dt.date.fromisoformat(value)
    if name == "deleted_at":
        return dt.datetime.fromisoformat(value)
    return value


def revert_event(session: Session, admin: User, event_id: int) -> Statement:
    """Undo one audited change: the fields it changed get their 'before' values back (later changes to other
    fields stay). Reverting a creation deletes the statement (softly). The revert is itself audited."""
    if admin.role != "admin":
        raise EditError("Only an admin can revert a change.")
    event = queries.get_audit_event(session, event_id)
    if event is None or event.statement_id is None:
        raise EditError(f"There is no statement change {event_id} to revert.")
    if event.action in NOT_REVERTIBLE:
        raise EditError(f"Change #{event_id} records a decision on a reader's suggestion; revert the statement "
                        "change it made instead.")
    statement = _load(session, event.statement_id)
    before = snapshot(statement)
    if event.before is None:
        if statement.deleted_at is None:
            statement.deleted_at = utcnow()
    else:
        for name, old, _new in changed_fields(event):
            setattr(statement, name, _restore_value(name, old))
    if snapshot(statement) | {"version": before["version"]} == before:
        raise EditError("Nothing to revert: the statement already has the values from before that change.")
    _save(session, admin, "revert", statement, before, {"reverted_event": event.id})
    return statement


# --- the review queue: decisions on many statements, and undo -------------------------------------------------

REVIEW_DECISIONS = {"verify": "verified", "dismiss": "dismissed"}
UNDOABLE = ("verify", "dismiss", "correct")
NOT_REVERTIBLE = ("accept_suggestion", "decline_suggestion", "add_article")


def review_many(session: Session, user: User, statement_ids: list[int], decision: str) -> list[AuditEvent]:
    """Verify or dismiss several statements at once ("verify all remaining in this article"), one audit row
    each, in one transaction. Only statements still waiting for review change; the others are left alone (someone
    reviewed them meanwhile). Returns the audit rows written."""
    if decision not in REVIEW_DECISIONS:
        raise EditError(f"'{decision}' is not a review decision; use verify or dismiss.")
    events, changed = [], []
    for statement_id in dict.fromkeys(statement_ids):
        statement = queries.get_statement(session, statement_id)
        if statement is None or statement.deleted_at is not None or statement.review_status != "unreviewed":
            continue
        before = snapshot(statement)
        statement.review_status = REVIEW_DECISIONS[decision]
        session.flush()
        events.append(_record(session, user, decision, statement, before, snapshot(statement)))
        changed.append((before, statement))
    try:
        if changed:
            positions.refresh_countries(session, _touched_all(changed))
        session.commit()
    except StaleDataError:
        session.rollback()
        raise EditError("Someone reviewed some of these statements meanwhile; nothing was changed. "
                        "Reload the queue and try again.") from None
    return events


def undo_review(session: Session, user: User, event_ids: list[int]) -> list[Statement]:
    """Take back review decisions (verify, dismiss, correct) this user just made: each statement gets the values
    from before its decision back, audited as 'undo'. Refused when the statement changed since (someone saved a
    newer version) or the decision was someone else's; all or nothing."""
    events = queries.audit_events(session, event_ids)
    if not events or len(events) != len(set(event_ids)):
        raise EditError("There is no such decision to undo.")
    undone = []
    for event in events:
        if event.action not in UNDOABLE or event.statement_id is None or event.before is None:
            raise EditError(f"Change #{event.id} is not a review decision; only those can be undone here.")
        if event.user_id != user.id:
            raise EditError(f"Change #{event.id} was made by someone else; only its author can undo it.")
        statement = _load(session, event.statement_id)
        if statement.version != (event.after or {}).get("version"):
            session.rollback()
            raise EditError(f"Statement {statement.id} changed after decision #{event.id}; nothing was undone. "
                            "Open the statement to see its history.")
        before = snapshot(statement)
        for name, old, _new in changed_fields(event):
            setattr(statement, name, _restore_value(name, old))
        session.flush()
        _record(session, user, "undo", statement, before, snapshot(statement) | {"undid_event": event.id})
        undone.append((before, statement))
    try:
        positions.refresh_countries(session, _touched_all(undone))
        session.commit()
    except StaleDataError:
        session.rollback()
        raise EditError("Someone changed one of these statements meanwhile; nothing was undone.") from None
    return [statement for _, statement in undone]


# --- reader suggestions ---------------------------------------------------------------------------------------

SUGGESTION_LIMITS = {"problem": 2000}
SUGGESTIONS_PER_HOUR = 5


class SuggestionInput(BaseModel):
    """A reader's correction as typed: what is wrong (required), and optionally the right stance, date and a
    source. The date takes YYYY-MM-DD, YYYY-MM or YYYY; its precision follows from how much is given."""

    model_config = ConfigDict(frozen=True)

    problem: str
    stance: str | None = None
    stated_on: dt.date | None = None
    date_precision: str | None = None
    source_url: str | None = None

    @field_validator("problem", mode="before")
    @classmethod
    def _problem_text(cls, v: Any) -> str:
        text = ("" if v is None else str(v)).strip()
        if not text:
            raise _problem("Say what is wrong, in a sentence or two.")
        if len(text) > SUGGESTION_LIMITS["problem"]:
            raise _problem(f"This is {len(text)} characters long; the limit is {SUGGESTION_LIMITS['problem']}.")
        return text

    @field_validator("stance", mode="before")
    @classmethod
    def _stance(cls, v: Any) -> str | None:
        text = ("" if v is None else str(v)).strip().lower()
        if not text:
            return None
        if text not in STANCES:
            raise _problem(f"Choose one of: {', '.join(STANCES)}, or leave it empty.")
        return text

    @field_validator("stated_on", mode="before")
    @classmethod
    def _date(cls, v: Any) -> dt.date | None:
        text = ("" if v is None else str(v)).strip()
        if not text:
            return None
        m = _DATE.match(text)
        if not m:
            raise _problem(f"'{text[:40]}' is not a date; use YYYY-MM-DD, or YYYY-MM for a month.")
        try:
            value = dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
        except ValueError:
            raise _problem(f"'{text}' is not a real date.") from None
        if value > _today():
            raise _problem(f"{value.isoformat()} is in the future.")
        return value

    @field_validator("source_url", mode="before")
    @classmethod
    def _url(cls, v: Any) -> str | None:
        return _web_address(v)


def validate_suggestion(raw: dict[str, Any]) -> SuggestionInput:
    """The validated suggestion; ValidationFailed with a message per field otherwise."""
    text = str(raw.get("stated_on") or "").strip()
    m = _DATE.match(text)
    precision = None if not m else "day" if m[3] else "month" if m[2] else "year"
    try:
        return SuggestionInput.model_validate({**raw, "date_precision": precision})
    except ValidationError as exc:
        raise ValidationFailed(_field_errors(exc, {})) from None


def suggestion_wait_minutes(session: Session, address: str) -> int:
    """0 when this address may send a suggestion now, else how many minutes until it may."""
    now = utcnow()
    count, oldest = queries.suggestions_from_address_since(session, address, now - dt.timedelta(hours=1))
    if count < SUGGESTIONS_PER_HOUR or oldest is None:
        return 0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=dt.UTC)
    return max(1, -(-int((oldest + dt.timedelta(hours=1) - now).total_seconds()) // 60))


def suggest(session: Session, address: str, data: SuggestionInput, *, country_iso2: str,
            statement_id: int | None = None) -> Suggestion:
    """Store a reader's suggestion for the editors' queue. The caller checks the rate limit first."""
    suggestion = Suggestion(address=address[:64], country_iso2=country_iso2, statement_id=statement_id,
                            problem=data.problem, stance=data.stance, stated_on=data.stated_on,
                            date_precision=data.date_precision if data.stated_on else None,
                            source_url=data.source_url, status="pending", created_at=utcnow())
    session.add(suggestion)
    session.commit()
    return suggestion


def _pending(session: Session, suggestion_id: int) -> Suggestion:
    suggestion = queries.get_suggestion(session, suggestion_id)
    if suggestion is None:
        raise EditError(f"There is no suggestion {suggestion_id}.")
    if suggestion.status != "pending":
        raise EditError(f"Suggestion {suggestion_id} was already {suggestion.status}.")
    return suggestion


def accept_suggestion(session: Session, user: User, suggestion_id: int, data: StatementInput,
                      expected_version: int | None = None) -> Statement:
    """Accept a reader's suggestion: correct the statement it is about (or, for a country, create the
    statement it reports) with what the editor made of it, and mark the suggestion accepted, in one transaction.
    The statement change is audited like any other, with the suggestion's number."""
    suggestion = _pending(session, suggestion_id)
    suggestion.status, suggestion.decided_by, suggestion.decided_at = "accepted", user.id, utcnow()
    try:
        if suggestion.statement_id is not None:
            statement = update_statement(session, user, suggestion.statement_id, data, expected_version,
                                         action="correct")
        else:
            statement = create_statement(session, user, data)
        suggestion.result_statement_id = statement.id
        _record(session, user, "accept_suggestion", statement, None, {"suggestion_id": suggestion.id})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return statement


def decline_suggestion(session: Session, user: User, suggestion_id: int) -> Suggestion:
    suggestion = _pending(session, suggestion_id)
    suggestion.status, suggestion.decided_by, suggestion.decided_at = "declined", user.id, utcnow()
    _record(session, user, "decline_suggestion", suggestion.statement, None, {"suggestion_id": suggestion.id})
    session.commit()
    return suggestion


# --- articles and accounts --------------------------------------------------------------------------------------

class ArticleInput(BaseModel):
    """The 'add an article' form."""

    body: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_on: dt.date | None = None

    @field_validator("body", mode="before")
    @classmethod
    def _body(cls, v: Any) -> str:
        text = ("" if v is None else str(v)).strip()
        if not text:
            raise _problem("Paste the article's text; it is empty.")
        limit = get_settings().max_article_bytes  # the same limit as the file ingest
        if len(text.encode()) > limit:
            raise _problem(f"The text is {len(text.encode()):,} bytes; the limit is {limit:,}. "
                           "Paste one article at a time.")
        return text

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: Any) -> str | None:
        return _short_text(v, "Title", 1000)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, v: Any) -> str | None:
        return _short_text(v, "Source", 500)

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, v: Any) -> str | None:
        return _web_address(v)

    @field_validator("published_on", mode="before")
    @classmethod
    def _published(cls, v: Any) -> dt.date | None:
        text = ("" if v is None else str(v)).strip()
        if not text:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise _problem(f"'{text[:40]}' is not a date; use YYYY-MM-DD.")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise _problem(f"'{text[:40]}' is not a date; use YYYY-MM-DD.") from None
        if value > _today():
            raise _problem(f"{value.isoformat()} is in the future.")
        try:
            return check_date_bounds(value)
        except ValueError as e:
            raise _problem(f"{e}.") from None


def _short_text(v: Any, label: str, limit: int) -> str | None:
    text = ("" if v is None else str(v)).strip()
    if len(text) > limit:
        raise _problem(f"{label} is {len(text)} characters long; the limit is {limit}.")
    return text or None


def validate_article(raw: dict[str, Any]) -> ArticleInput:
    """The validated article form; ValidationFailed with a message per field otherwise."""
    errors = _control_errors(raw, ArticleInput.model_fields)
    try:
        data = ArticleInput.model_validate({k: ("" if k in errors else v) for k, v in raw.items()})
    except ValidationError as exc:
        raise ValidationFailed(_field_errors(exc, errors)) from None
    if errors:
        raise ValidationFailed(errors)
    return data


def add_article(session: Session, user: User, data: ArticleInput) -> StoreResult:
    """Run the ingest's extraction on a pasted article; its statements land in the review queue. The article and
    an audit row commit together. Returns the ingest's StoreResult."""
    result = ingest_text(session, body=data.body, title=data.title, source=data.source, url=data.url,
                         published_on=data.published_on, commit=False)
    if result.status == "added":
        _record(session, user, "add_article", None, None,
                {"article_id": result.article_id, "statements_added": result.statements_added})
    session.commit()
    return result


def create_user(session: Session, username: str, password: str, *, role: str = "editor") -> User:
    """A new account; EditError for a taken or malformed name, a weak password or an unknown role."""
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{2,80}", username):
        raise EditError("the user name must be 2-80 letters, digits or . _ @ -")
    if role not in ROLES:
        raise EditError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if queries.user_by_username(session, username) is not None:
        raise EditError(f"a user named {username!r} already exists")
    problem = password_problem(password)
    if problem:
        raise EditError(problem)
    user = User(username=username, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password; every session of the user ends (they sign in again with it)."""
    problem = password_problem(password)
    if problem:
        raise EditError(problem)
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)
    session.commit()


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivates (or reactivates) an account; deactivating ends every session of the user."""
    user.active = active
    if not active:
        end_user_sessions(session, user.id)
    session.commit()
