"""Every read: positions on a date, filtered statement lists, timelines, counts."""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Select, String, case, cast, func, literal, select, true
from sqlalchemy.orm import Session, selectinload

from app.models import (STANCES, TRUSTS, Article, AuditEvent, Country, PositionChangeDay, PositionCountry, PositionDay,
                        Statement, Suggestion, User, WebSession, trust_of)
from app.positions import CORROBORATION_DAYS, current_version
from app.settings import get_settings


@dataclass(frozen=True)
class StatementFilters:
    """The filters readers use; every field optional. Dates are inclusive."""

    country: str | None = None  # ISO alpha-2
    stance: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # also what --as-of means for export
    origin: str | None = None
    review_status: str | None = None
    text: str | None = None
    include_dismissed: bool = True


def statements_select(filters: StatementFilters) -> Select:
    q = select(Statement).where(Statement.deleted_at.is_(None))
    if filters.country:
        q = q.where(Statement.country_iso2 == filters.country.upper())
    if filters.stance:
        q = q.where(Statement.stance == filters.stance)
    if filters.date_from:
        q = q.where(Statement.stated_on >= filters.date_from)
    if filters.date_to:
        q = q.where(Statement.stated_on <= filters.date_to)
    if filters.origin:
        q = q.where(Statement.origin == filters.origin)
    if filters.review_status:
        q = q.where(Statement.review_status == filters.review_status)
    elif not filters.include_dismissed:
        q = q.where(Statement.review_status != "dismissed")
    if filters.text:
        # The reader's text is literal: "%" and "_" are not wildcards.
        text = filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{text}%"
        q = q.where(Statement.quote.ilike(like, escape="\\") | Statement.speaker.ilike(like, escape="\\")
                    | Statement.conditions.ilike(like, escape="\\"))
    return q


def statement_record(s: Statement) -> dict:
    """The flat form of a statement used by every export (CLI, CSV/JSON downloads, API)."""
    article = s.article
    return {
        "id": s.id,
        "country": s.country_iso2,
        "country_name": s.country.name,
        "stance": s.stance,
        "stated_on": s.stated_on.isoformat() if s.stated_on else None,
        "date_precision": s.date_precision,
        "quote": s.quote,
        "speaker": s.speaker,
        "conditions": s.conditions,
        "confidence": s.confidence,
        "origin": s.origin,
        "review_status": s.review_status,
        "rule": s.rule,
        "rule_reason": s.rule_reason,
        "article": article.file_name if article else None,
        "article_line": article.file_line if article else None,
        "source": article.source if article else None,
        "url": s.source_url or (article.url if article else None),
    }


def statement_records(session: Session, filters: StatementFilters, batch: int = 1000) -> Iterator[dict]:
    """Every matching statement in (country, date, id) order, streamed in batches without a row cap."""
    q = (statements_select(filters)
         .options(selectinload(Statement.article), selectinload(Statement.country))
         .order_by(Statement.country_iso2, Statement.stated_on, Statement.id))
    for s in session.scalars(q.execution_options(yield_per=batch)):
        yield statement_record(s)


def count_statement_records(session: Session, filters: StatementFilters) -> int:
    """How many records statement_records(session, filters) yields (a download states it before streaming)."""
    return session.execute(statements_select(filters).order_by(None).with_only_columns(func.count())).scalar_one()


# --- positions on a date (read from the kept positions, app/positions.py) -----------------------------------

GROUPS = ("eu", "nato", "others")


@dataclass(frozen=True)
class Position:
    """A country's position on a date (see app/positions.py for the rules), with how sure it is."""

    country: str
    country_name: str
    eu: bool
    nato: bool
    stance: str
    stated_on: dt.date  # the position's own statement: when it was last restated
    date_precision: str
    quote: str
    speaker: str | None
    conditions: str | None
    statement_id: int
    source: str | None
    url: str | None
    origin: str = "machine"
    review_status: str = "unreviewed"
    confidence: float | None = None
    since: dt.date | None = None  # the first day of the unbroken run of this stance
    since_precision: str = "day"
    sources: int = 1  # distinct outlets reporting this stance within CORROBORATION_DAYS up to stated_on
    articles: int = 1
    changed_from: str | None = None

    @property
    def trust(self) -> str:
        """'verified' (a machine statement an editor checked), 'editor' (entered by an editor) or 'unreviewed'
        (a position never rests on a dismissed statement)."""
        return trust_of(self.origin, self.review_status)


def _group_clause(group: str | None):
    if group == "eu":
        return Country.eu.is_(True)
    if group == "nato":
        return Country.nato.is_(True)
    if group == "others":
        return (Country.eu.is_(False)) & (Country.nato.is_(False))
    return None


def group_members(session: Session, group: str | None) -> frozenset[str] | None:
    """The ISO codes of the countries in a group (eu | nato | others); None for no group (every country)."""
    clause = _group_clause(group)
    if clause is None:
        return None
    return frozenset(session.scalars(select(Country.iso2).where(clause)))


def country_name(session: Session, iso2: str | None) -> str | None:
    """The name of a country known by its code (a parameter already checked), or None for none."""
    country = get_country(session, iso2) if iso2 else None
    return country.name if country else None


def effective_reading(reviewed: str | None) -> str:
    """'verified' when asked for, or when MACHINE_ON_MAP=false keeps unverified machine statements off the map."""
    if reviewed == "verified" or not get_settings().machine_on_map:
        return "verified"
    return "all"


def position_ids_select(as_of: dt.date, reading: str = "all") -> Select:
    """(country iso2, position-day id) of each country's position on `as_of`, null id when it has none: one
    backward probe of ix_position_days_lookup per country."""
    latest = (select(PositionDay.id)
              .where(PositionDay.reading == reading, PositionDay.country_iso2 == Country.iso2,
                     PositionDay.stated_on <= as_of)
              .order_by(PositionDay.stated_on.desc())
              .limit(1)
              .correlate(Country)
              .scalar_subquery())
    return select(Country.iso2, latest.label("day_id"))


def positions_as_of(session: Session, as_of: dt.date, *, stance: str | None = None,
                    group: str | None = None, reading: str = "all", country: str | None = None) -> list[Position]:
    """Every country with a position on `as_of`, by country name; optionally one stance and one group.
    reading "all" counts every dated, non-dismissed statement; "verified" only verified and editor-entered ones."""
    ids_q = position_ids_select(as_of, reading)
    group_clause = _group_clause(group)
    if group_clause is not None:
        ids_q = ids_q.where(group_clause)
    if country is not None:
        ids_q = ids_q.where(Country.iso2 == country)
    # Two steps on purpose: resolving the ids first keeps it one index probe per country.
    ids = [did for _, did in session.execute(ids_q) if did is not None]
    if not ids:
        return []
    PD = PositionDay
    q = (select(Country.iso2, Country.name, Country.eu, Country.nato, PD.stance, PD.stated_on, PD.date_precision,
                Statement.quote, Statement.speaker, Statement.conditions, Statement.id, Article.source,
                func.coalesce(Statement.source_url, Article.url), Statement.origin, Statement.review_status,
                Statement.confidence, PD.since_on, PD.since_precision, PD.sources, PD.articles,
                PD.previous_stance)
         .select_from(PD)
         .join(Statement, Statement.id == PD.statement_id)
         .join(Country, Country.iso2 == PD.country_iso2)
         .outerjoin(Article, Article.id == Statement.article_id)
         .where(PD.id.in_(ids)))
    if stance:
        q = q.where(PD.stance == stance)
    out = [
        Position(country=iso2, country_name=name, eu=eu, nato=nato, stance=st, stated_on=on, date_precision=prec,
                 quote=quote, speaker=speaker, conditions=cond, statement_id=sid, source=source, url=url,
                 origin=origin, review_status=status, confidence=conf, since=since, since_precision=since_prec,
                 sources=n_sources, articles=n_articles, changed_from=prev)
        for (iso2, name, eu, nato, st, on, prec, quote, speaker, cond, sid, source, url, origin, status, conf, since,
             since_prec, n_sources, n_articles, prev) in session.execute(q)
    ]
    out.sort(key=lambda p: p.country_name)
    return out


def position_fields(p: Position) -> dict:
    """What a position adds to its statement's record in /positions.json and /api/positions."""
    return {"since": p.since.isoformat() if p.since else None, "since_precision": p.since_precision,
            "last_restated": p.stated_on.isoformat(), "sources": p.sources, "articles": p.articles,
            "trust": p.trust}


@dataclass(frozen=True)
class UndatedPosition:
    country: str
    country_name: str
    stance: str
    statement_id: int
    origin: str
    review_status: str


def undated_only(session: Session, as_of: dt.date, *, reading: str = "all",
                 group: str | None = None) -> list[UndatedPosition]:
    """Countries with no dated position on `as_of` whose undated statements would say something: each with the
    stance of its best undated statement (listed under the map, since the map cannot place them)."""
    PC = PositionCountry
    q = (select(Country.iso2, Country.name, Statement.stance, Statement.id, Statement.origin, Statement.review_status)
         .select_from(PC)
         .join(Country, Country.iso2 == PC.country_iso2)
         .join(Statement, Statement.id == PC.undated_statement_id)
         .where(PC.reading == reading, (PC.first_on.is_(None)) | (PC.first_on > as_of))
         .order_by(Country.name))
    group_clause = _group_clause(group)
    if group_clause is not None:
        q = q.where(group_clause)
    return [UndatedPosition(*row) for row in session.execute(q)]


def stance_counts(positions: list[Position]) -> dict[str, int]:
    counts = {s: 0 for s in STANCES}
    for p in positions:
        counts[p.stance] += 1
    return counts


def trust_counts(positions: list[Position]) -> dict[str, int]:
    counts = dict.fromkeys(TRUSTS, 0)
    for p in positions:
        counts[p.trust] += 1
    return counts


POSITION_SORTS = {
    "country": lambda p: p.country_name,
    "stance": lambda p: STANCES.index(p.stance),
    "date": lambda p: p.since or p.stated_on,
}


def sort_positions(positions: list[Position], sort: str) -> list[Position]:
    """Sort by 'country', 'stance' or 'date' (since); a leading '-' reverses. Ties stay in country-name order."""
    by_name = sorted(positions, key=lambda p: p.country_name)
    # sorted() is stable, also with reverse=True, so equal keys keep the name order.
    return sorted(by_name, key=POSITION_SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))


def statements_by_ids(session: Session, ids: list[int]) -> list[Statement]:
    """Statements with their article and country loaded, in the order of `ids` (for downloads of a view)."""
    if not ids:
        return []
    rows = session.scalars(select(Statement).options(selectinload(Statement.article), selectinload(Statement.country))
                           .where(Statement.id.in_(ids)))
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


# --- how current the data is, and when positions changed --------------------------------------------------------

@dataclass(frozen=True)
class DataSummary:
    first_stated_on: dt.date | None
    last_stated_on: dt.date | None
    last_ingested_at: dt.datetime | None
    change_dates: tuple[dt.date, ...]  # dates on which at least one country's position changed
    first_precision: str = "day"  # the most precise of the statements on that date ("Apr 2025", never "1 Apr")
    last_precision: str = "day"


def _precision_on(session: Session, day: dt.date | None, reading: str) -> str:
    if day is None:
        return "day"
    q = (select(Statement.date_precision).distinct()
         .where(Statement.stated_on == day, Statement.deleted_at.is_(None), Statement.review_status != "dismissed"))
    if reading == "verified":
        q = q.where(Statement.review_status == "verified")
    found = set(session.scalars(q))
    return next((p for p in ("day", "month", "year") if p in found), "day")


def change_dates(session: Session, reading: str = "all") -> tuple[dt.date, ...]:
    """Every date on which some country took a position or switched stance (kept in position_change_days)."""
    return tuple(session.scalars(select(PositionChangeDay.day).where(PositionChangeDay.reading == reading)
                                 .order_by(PositionChangeDay.day)))


def data_version(session: Session) -> int:
    """The data version (app/positions.py): raised in the transaction of every write readers can see."""
    return current_version(session)


# Some reads look at many rows: exact counts for paging (a sequential scan on Postgres, ~25 ms at 100,000
# statements) and the list of countries with statements. Their results are kept per database and data version;
# a write raises the version in its own transaction, so nothing is ever served from before it. No timer.
_CACHE_SIZE = 512
_cache: OrderedDict[tuple, tuple[int, object]] = OrderedDict()
_cache_lock = threading.Lock()


def _versioned(session: Session, key: tuple, compute):
    full_key = (session.get_bind().engine.url.render_as_string(hide_password=True), *key)
    version = data_version(session)
    with _cache_lock:
        hit = _cache.get(full_key)
    if hit and hit[0] == version:
        return hit[1]
    value = compute()
    with _cache_lock:
        _cache[full_key] = (version, value)
        _cache.move_to_end(full_key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def data_summary(session: Session, reading: str = "all") -> DataSummary:
    """First and last counted statement dates, last ingest time and change dates, from the kept tables."""
    def compute() -> DataSummary:
        first, last = session.execute(select(func.min(PositionCountry.first_on), func.max(PositionCountry.last_on))
                                      .where(PositionCountry.reading == reading)).one()
        return DataSummary(
            first_stated_on=first, last_stated_on=last,
            last_ingested_at=session.scalar(select(func.max(Article.ingested_at))),
            change_dates=change_dates(session, reading),
            first_precision=_precision_on(session, first, reading),
            last_precision=_precision_on(session, last, reading),
        )

    return _versioned(session, ("summary", reading), compute)



# --- positions over time: runs of one stance, counts per day, two dates compared (the chart and compare views) ---

@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of one country's position: one stance from the day a change began it to the next change. Read
    from the kept change rows (position_days with changed), never from every statement."""

    stance: str
    start: dt.date
    precision: str  # of the statement that began it
    end: dt.date | None  # the day the next change began (not included); None: still held
    statement_id: int  # the statement that began it: the run's evidence
    trust: str  # verified | editor | unreviewed, of that statement
    previous: str | None  # the stance before (None: the country's first position)
    end_precision: str = "day"  # of the statement that ended it


_serials = itertools.count(1)


@dataclass(frozen=True, slots=True)
class CountryRuns:
    country: str
    name: str
    eu: bool
    nato: bool
    runs: tuple[Run, ...]  # oldest first; each one ends where the next starts
    # Unique to this object in this process, and not part of its value: what a drawing of these runs is kept by
    # (app/web/pages.py). The object never changes, and the kept copy below replaces a country's object exactly
    # when its version moves (every write that touches the country, or one of its statements, refreshes it).
    serial: int = field(default_factory=_serials.__next__, compare=False, repr=False)
    starts: tuple[dt.date, ...] = field(init=False, compare=False, repr=False)  # of the runs, to bisect

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(r.start for r in self.runs))

    def run_on(self, day: dt.date) -> Run | None:
        """The run holding on `day` (None before the first position)."""
        i = bisect.bisect_right(self.starts, day)
        return self.runs[i - 1] if i else None

    def changes_between(self, since: dt.date, until: dt.date) -> int:
        """How many changes fell after `since`, up to and including `until`."""
        return max(0, bisect.bisect_right(self.starts, until) - bisect.bisect_right(self.starts, since))


def _trust(origin: str, review_status: str) -> str:
    if origin == "editor":
        return "editor"
    return "verified" if review_status == "verified" else "unreviewed"


# A copy of every country's runs per database and reading, with the data version it was read at and each
# country's own version (position_countries.version, raised by every refresh of that country): after a write only
# the countries it touched are read again, so the chart view does not re-read every change row (~55,000 in the
# generated benchmark) after each write.
_runs_cache: dict[tuple, _RunsCopy] = {}


def _read_runs(session: Session, reading: str, codes: list[str]) -> dict[str, CountryRuns]:
    """The runs of these countries (those with any), from their change rows."""
    PD = PositionDay
    out: dict[str, CountryRuns] = {}
    day = dt.date.fromisoformat
    for i in range(0, len(codes), 500):
        chunk = codes[i:i + 500]
        # Dates as text, parsed by date.fromisoformat: on SQLite the Date type's own parsing of ~50,000 rows
        # costs more than the query.
        q = (select(PD.country_iso2, cast(PD.stated_on, String), PD.date_precision, PD.stance, PD.previous_stance,
                    PD.statement_id, Statement.origin, Statement.review_status)
             .join(Statement, Statement.id == PD.statement_id)
             .where(PD.reading == reading, PD.changed.is_(True), PD.country_iso2.in_(chunk))
             .order_by(PD.country_iso2, PD.stated_on))
        by_country: dict[str, list] = {}
        for row in session.execute(q):
            by_country.setdefault(row[0], []).append(row)
        if not by_country:
            continue
        names = {c.iso2: c for c in session.execute(
            select(Country.iso2, Country.name, Country.eu, Country.nato).where(Country.iso2.in_(sorted(by_country))))}
        for code, rows in by_country.items():
            starts = [day(r[1]) for r in rows]
            n = len(rows)
            runs = tuple(Run(stance=st, start=starts[j], precision=prec, end=starts[j + 1] if j + 1 < n else None,
                             statement_id=sid, trust=_trust(origin, status), previous=prev,
                             end_precision=rows[j + 1][2] if j + 1 < n else "day")
                         for j, (_, _, prec, st, prev, sid, origin, status) in enumerate(rows))
            c = names[code]
            out[code] = CountryRuns(country=code, name=c.name, eu=c.eu, nato=c.nato, runs=runs)
    return out


@dataclass
class _RunsCopy:
    version: int
    per_country: dict[str, tuple[int, CountryRuns | None]]  # country -> (its version, its runs or None: none)
    value: tuple[CountryRuns, ...]  # by name
    # per group (None: all): day -> stance deltas and changes; tuples, so a copy shares them (and the garbage
    # collector does not track them)
    deltas: dict[str | None, dict[dt.date, tuple[int, int, int, int]]]
    totals: dict[str | None, tuple[StanceTotals, ...]] = field(default_factory=dict)


def _groups_of(c: CountryRuns) -> tuple[str | None, ...]:
    return (None, *(g for g in GROUPS if in_group(c, g)))


def _runs_copy(session: Session, reading: str) -> _RunsCopy:
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), reading)
    version = data_version(session)
    with _cache_lock:
        hit = _runs_cache.get(key)
    if hit and hit.version == version:
        return hit
    PC = PositionCountry
    versions = dict(session.execute(select(PC.country_iso2, PC.version).where(PC.reading == reading)).all())
    kept = hit.per_country if hit else {}
    stale = sorted(c for c, v in versions.items() if c not in kept or kept[c][0] != v)
    gone = [c for c in kept if c not in versions]
    fresh = _read_runs(session, reading, stale) if stale else {}
    # Countries with statements but no change rows in this reading are kept as None, so they are not read again.
    per_country = {code: (v, fresh.get(code)) if code in stale else kept[code] for code, v in versions.items()}
    # The counts over time follow by subtracting what the re-read countries held and adding what they hold now.
    deltas = {g: dict(hit.deltas[g]) for g in (None, *GROUPS)} if hit \
        else {g: {} for g in (None, *GROUPS)}
    for code in [*stale, *gone]:
        old = kept.get(code, (0, None))[1]
        new = per_country.get(code, (0, None))[1]
        for c, sign in ((old, -1), (new, 1)):
            if c is not None:
                for g in _groups_of(c):
                    _add_deltas(deltas[g], c, sign)
    value = tuple(sorted((runs for _, runs in per_country.values() if runs is not None), key=lambda c: c.name))
    copy = _RunsCopy(version=version, per_country=per_country, value=value, deltas=deltas)
    with _cache_lock:
        _runs_cache[key] = copy
        while len(_runs_cache) > 32:
            _runs_cache.pop(next(iter(_runs_cache)))
    return copy


def position_runs(session: Session, reading: str = "all") -> tuple[CountryRuns, ...]:
    """Every country's runs of one stance, by country name, from the kept change rows and their statements'
    trust. Kept per data version; a new version reads again only the countries whose own version moved."""
    return _runs_copy(session, reading).value


def in_group(country: CountryRuns | Position, group: str | None) -> bool:
    if group == "eu":
        return country.eu
    if group == "nato":
        return country.nato
    if group == "others":
        return not country.eu and not country.nato
    return True


@dataclass(frozen=True, slots=True)
class StanceTotals:
    """How many countries held each stance from `day` on (until the next entry's day), and how many changed on it."""

    day: dt.date
    support: int
    reject: int
    undecided: int
    changes: int = 0

    @property
    def total(self) -> int:
        return self.support + self.reject + self.undecided

    def of(self, stance: str) -> int:
        return getattr(self, stance)


_STANCE_INDEX = {s: i for i, s in enumerate(STANCES)}


def _add_deltas(deltas: dict[dt.date, tuple[int, int, int, int]], country: CountryRuns, sign: int) -> None:
    """Add (sign 1) or take away (-1) what one country's runs do to the counts: per day, +1 for the stance it
    took, -1 for the one it left (in STANCES order), and its changes."""
    zero = (0, 0, 0, 0)
    for run in country.runs:
        d = list(deltas.get(run.start, zero))
        d[_STANCE_INDEX[run.stance]] += sign
        if run.previous is not None:
            d[_STANCE_INDEX[run.previous]] -= sign
        d[3] += sign
        deltas[run.start] = (d[0], d[1], d[2], d[3])


def _totals_from(deltas: dict[dt.date, tuple[int, int, int, int]]) -> tuple[StanceTotals, ...]:
    held = [0, 0, 0]
    out = []
    for day in sorted(deltas):
        d = deltas[day]
        if not d[3]:
            continue  # every change of that day has gone (a write moved or removed it)
        held = [held[0] + d[0], held[1] + d[1], held[2] + d[2]]
        out.append(StanceTotals(day=day, support=held[0], reject=held[1], undecided=held[2], changes=d[3]))
    return tuple(out)


def stance_totals(countries: Iterable[CountryRuns]) -> tuple[StanceTotals, ...]:
    """The number of countries per stance on every day some position changed, oldest first (pure)."""
    deltas: dict[dt.date, tuple[int, int, int, int]] = {}
    for c in countries:
        _add_deltas(deltas, c, 1)
    return _totals_from(deltas)


def group_totals(session: Session, reading: str = "all", group: str | None = None) -> tuple[StanceTotals, ...]:
    """stance_totals of the countries in a group (or all), kept with the runs and brought up to date with them
    (only the countries a write touched are counted again)."""
    copy = _runs_copy(session, reading)
    if group not in copy.totals:
        copy.totals[group] = _totals_from(copy.deltas[group])
    return copy.totals[group]


@dataclass(frozen=True, slots=True)
class MonthTotals:
    month: dt.date  # its first day
    totals: StanceTotals  # on its last day (or on `until`, in the month it falls in)
    changes: int  # changes during the month


def monthly_totals(totals: tuple[StanceTotals, ...], start: dt.date, until: dt.date) -> list[MonthTotals]:
    """The counts at the end of each month from `start`'s to `until`'s, and the changes in each (pure): the
    chart's data as a table."""
    changes: dict[tuple[int, int], int] = {}
    days = [t.day for t in totals]
    for t in totals:
        key = (t.day.year, t.day.month)
        changes[key] = changes.get(key, 0) + t.changes
    out = []
    month = dt.date(start.year, start.month, 1)
    while month <= until:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        last = min(following - dt.timedelta(days=1), until)
        out.append(MonthTotals(month=month, totals=totals_on(totals, last, days),
                               changes=changes.get((month.year, month.month), 0)))
        month = following
    return out


def totals_on(totals: tuple[StanceTotals, ...], day: dt.date, days: list[dt.date] | None = None) -> StanceTotals:
    """The counts holding on `day` (zeros before the first position); `days`: the totals' days, when known."""
    i = bisect.bisect_right(days if days is not None else [t.day for t in totals], day)
    return totals[i - 1] if i else StanceTotals(day=day, support=0, reject=0, undecided=0)


@dataclass(frozen=True)
class Change:
    """A country whose position on `as_of` differs from the one on `since` (or that had none then)."""

    after: Position
    before: Position | None
    run: Run  # the run held on as_of: its statement is the evidence of the change
    changes: int  # changes after `since` up to `as_of` (more than one: it moved in between too)

    @property
    def country(self) -> str:
        return self.after.country

    @property
    def country_name(self) -> str:
        return self.after.country_name


@dataclass(frozen=True)
class Comparison:
    since: dt.date
    as_of: dt.date
    changes: list[Change]  # by country name
    unchanged: list[Position]  # same stance on both dates (by country name)
    back_again: list[tuple[Position, int]]  # same stance on both dates, but it changed in between (and back)

    def counts(self) -> dict[str, int]:
        """Changes per new stance."""
        out = {s: 0 for s in STANCES}
        for c in self.changes:
            out[c.after.stance] += 1
        return out


def compare_positions(session: Session, since: dt.date, as_of: dt.date, *, group: str | None = None,
                      reading: str = "all", after: list[Position] | None = None) -> Comparison:
    """The countries whose position changed between two dates: positions on both dates (two index probes per
    country; `after`: the positions on `as_of` in that group and reading, when the caller has them) and, from
    the kept runs, the change that began the new stance and how many fell in between."""
    before = {p.country: p for p in positions_as_of(session, since, group=group, reading=reading)}
    runs = {c.country: c for c in position_runs(session, reading)}
    changes, unchanged, back_again = [], [], []
    if after is None:
        after = positions_as_of(session, as_of, group=group, reading=reading)
    for p in after:
        old = before.get(p.country)
        history = runs.get(p.country)
        n = history.changes_between(since, as_of) if history else 0
        if old is not None and old.stance == p.stance:
            unchanged.append(p)
            if n:
                back_again.append((p, n))
            continue
        run = history.run_on(as_of) if history else None
        if run is None:  # the kept rows always hold the run; guard a race with a rebuild
            continue
        changes.append(Change(after=p, before=old, run=run, changes=n))
    return Comparison(since=since, as_of=as_of, changes=changes, unchanged=unchanged, back_again=back_again)


@dataclass(frozen=True, slots=True)
class StatementBrief:
    """What a tooltip or a list of changes says about one statement."""

    id: int
    stance: str
    stated_on: dt.date | None
    date_precision: str
    quote: str
    speaker: str | None
    source: str | None
    url: str | None
    origin: str
    review_status: str
    confidence: float | None


def statement_briefs(session: Session, ids: Iterable[int]) -> dict[int, StatementBrief]:
    """id -> brief for these statements (plain columns, in batches of 500)."""
    wanted = sorted(set(ids))
    out: dict[int, StatementBrief] = {}
    for i in range(0, len(wanted), 500):
        q = (select(Statement.id, Statement.stance, Statement.stated_on, Statement.date_precision, Statement.quote,
                    Statement.speaker, Article.source, func.coalesce(Statement.source_url, Article.url),
                    Statement.origin, Statement.review_status, Statement.confidence)
             .outerjoin(Article, Article.id == Statement.article_id)
             .where(Statement.id.in_(wanted[i:i + 500])))
        out.update((row[0], StatementBrief(*row)) for row in session.execute(q))
    return out

# --- one country, over time -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineStatement:
    """A statement as a country's timeline shows it, with its source."""

    id: int
    stance: str
    stated_on: dt.date | None
    date_precision: str
    quote: str
    speaker: str | None
    conditions: str | None
    origin: str
    review_status: str
    source: str | None
    url: str | None
    title: str | None
    file_name: str | None
    file_line: int | None
    article_id: int | None = None  # links the timeline entry to its article page


@dataclass(frozen=True)
class TimelineEntry:
    statement: TimelineStatement
    counts: bool  # dated, not dismissed: part of the country's position history
    changed: bool  # the position changed here (first position, or a different stance than the one before)
    previous: str | None  # the stance before this statement (None: no position before)


def country_timeline(session: Session, iso2: str) -> list[TimelineEntry]:
    """Every (not deleted) statement of a country in date order, undated last, marking position changes."""
    # Plain columns: a country can have hundreds of statements, and mapped objects cost several times more.
    q = (statements_select(StatementFilters(country=iso2))
         .with_only_columns(Statement.id, Statement.stance, Statement.stated_on, Statement.date_precision,
                            Statement.quote, Statement.speaker, Statement.conditions, Statement.origin,
                            Statement.review_status, Article.source,
                            func.coalesce(Statement.source_url, Article.url), Article.title, Article.file_name,
                            Article.file_line, Statement.article_id)
         .outerjoin(Article, Article.id == Statement.article_id)
         .order_by(Statement.stated_on.is_(None), Statement.stated_on, Statement.id))
    entries: list[TimelineEntry] = []
    prev_stance = None
    for row in session.execute(q):
        s = TimelineStatement(*tuple(row))  # tuple(): mypy cannot unpack SQLAlchemy's variadic Row type
        counts = s.stated_on is not None and s.review_status != "dismissed"
        changed = counts and s.stance != prev_stance
        entries.append(TimelineEntry(statement=s, counts=counts, changed=changed, previous=prev_stance))
        if counts:
            prev_stance = s.stance
    return entries


# --- one country at scale: its position changes and its statements a page at a time -----------------------------

@dataclass(frozen=True)
class PositionChange:
    stated_on: dt.date
    date_precision: str
    stance: str
    previous: str | None
    statement_id: int


def country_changes(session: Session, iso2: str, *, reading: str = "all", limit: int | None = None
                    ) -> tuple[list[PositionChange], int]:
    """A country's position changes, newest first (at most `limit`), and how many there are in all."""
    PD = PositionDay
    where = (PD.reading == reading) & (PD.country_iso2 == iso2) & PD.changed.is_(True)
    total = session.scalar(select(func.count()).select_from(PD).where(where)) or 0
    q = (select(PD.stated_on, PD.date_precision, PD.stance, PD.previous_stance, PD.statement_id).where(where)
         .order_by(PD.stated_on.desc()))
    if limit is not None:
        q = q.limit(limit)
    return [PositionChange(*row) for row in session.execute(q)], total


# --- position changes of every country: the /changes list and the Atom feeds -------------------------------------

@dataclass(frozen=True)
class ChangeFilters:
    """Which kept changes a list or feed shows; every field optional. `stance` is the new stance; dates are
    inclusive; `reading` as in positions_as_of ("verified": changes among verified and editor-entered statements)."""

    country: str | None = None
    stance: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reading: str = "all"


@dataclass(frozen=True)
class ChangeEntry:
    """A change of a country's position (a kept day whose stance differs from the day before, or its first
    position), with the statement it rests on, that statement's source and how sure it is."""

    country: str
    country_name: str
    stated_on: dt.date
    date_precision: str
    stance: str
    previous: str | None  # None: the country's first position
    statement_id: int
    quote: str
    speaker: str | None
    conditions: str | None
    origin: str
    review_status: str
    confidence: float | None
    source: str | None
    url: str | None
    article_id: int | None
    article_title: str | None
    recorded_at: dt.datetime  # when the statement was added
    revised_at: dt.datetime  # when it was last written (added, edited, verified)
    sources: int
    articles: int

    @property
    def trust(self) -> str:
        return trust_of(self.origin, self.review_status)


def _changes_where(filters: ChangeFilters):
    PD = PositionDay
    where = (PD.reading == filters.reading) & (PD.changed == true())  # "= true": Postgres indexes it, "IS" not
    if filters.country:
        where &= PD.country_iso2 == filters.country
    if filters.stance:
        where &= PD.stance == filters.stance
    if filters.date_from:
        where &= PD.stated_on >= filters.date_from
    if filters.date_to:
        where &= PD.stated_on <= filters.date_to
    return where


def count_changes(session: Session, filters: ChangeFilters) -> int:
    """How many kept changes match (kept per data version, like the statement list's counts). Without a country
    or stance filter, the sum of position_change_days (one row per day) instead of a count of the changes."""
    if filters.country is None and filters.stance is None:
        PCD = PositionChangeDay
        q = select(func.coalesce(func.sum(PCD.changes), 0)).where(PCD.reading == filters.reading)
        if filters.date_from:
            q = q.where(PCD.day >= filters.date_from)
        if filters.date_to:
            q = q.where(PCD.day <= filters.date_to)
    else:
        q = select(func.count()).select_from(PositionDay).where(_changes_where(filters))
    return _versioned(session, ("changes", filters), lambda: int(session.scalar(q) or 0))


def position_change_entries(session: Session, filters: ChangeFilters, *, limit: int, offset: int = 0
                            ) -> list[ChangeEntry]:
    """Matching changes, newest first (by the day of the change, then country code), with their evidence."""
    PD = PositionDay
    # Two steps, as in positions_as_of: the page's ids from a walk of ix_position_days_changes, then the joins
    # for those rows only (joined first, the planners sorted every change).
    ids = list(session.scalars(select(PD.id).where(_changes_where(filters))
                               .order_by(PD.stated_on.desc(), PD.country_iso2).limit(limit).offset(offset)))
    if not ids:
        return []
    q = (select(PD.country_iso2, Country.name, PD.stated_on, PD.date_precision, PD.stance, PD.previous_stance,
                PD.statement_id, Statement.quote, Statement.speaker, Statement.conditions, Statement.origin,
                Statement.review_status, Statement.confidence, Article.source,
                func.coalesce(Statement.source_url, Article.url), Statement.article_id, Article.title,
                Statement.created_at, Statement.updated_at, PD.sources, PD.articles)
         .select_from(PD)
         .join(Statement, Statement.id == PD.statement_id)
         .join(Country, Country.iso2 == PD.country_iso2)
         .outerjoin(Article, Article.id == Statement.article_id)
         .where(PD.id.in_(ids))
         .order_by(PD.stated_on.desc(), PD.country_iso2))
    out = []
    for row in session.execute(q):
        fields = tuple(row)  # tuple(): mypy cannot slice SQLAlchemy's variadic Row type
        created = aware(fields[17]) or fields[17]  # created_at is never NULL
        updated = aware(fields[18]) or created
        # recorded_at, revised_at, sources, articles follow the 17 selected fields
        out.append(ChangeEntry(*(fields[:17] + (created, max(created, updated), fields[19], fields[20]))))
    return out


def country_statement_list(session: Session, iso2: str) -> list[Statement]:
    """Every (not deleted) statement of a country with its article, dated ones by date, then the undated (a
    country page's JSON twin: the whole timeline at once)."""
    q = (statements_select(StatementFilters(country=iso2))
         .options(selectinload(Statement.article), selectinload(Statement.country))
         .order_by(Statement.stated_on, Statement.id))
    rows = list(session.scalars(q))
    return [s for s in rows if s.stated_on is not None] + [s for s in rows if s.stated_on is None]


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back timestamps without their zone; they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


@dataclass(frozen=True)
class TimelineItem:
    """A statement on a country's page, with whether it counts and whether the position changed with it."""

    statement: TimelineStatement
    counts: bool
    changed_from: str | None  # the stance before, when the position changed here ("" for the first position)
    changed: bool
    confidence: float | None = None


def _timeline_columns(q: Select) -> Select:
    return (q.with_only_columns(Statement.id, Statement.stance, Statement.stated_on, Statement.date_precision,
                                Statement.quote, Statement.speaker, Statement.conditions, Statement.origin,
                                Statement.review_status, Article.source,
                                func.coalesce(Statement.source_url, Article.url), Article.title, Article.file_name,
                                Article.file_line, Statement.article_id, Statement.confidence)
            .outerjoin(Article, Article.id == Statement.article_id))


def country_statements(session: Session, iso2: str, *, before: tuple[dt.date, int] | None = None,
                       limit: int = 50) -> tuple[list[TimelineItem], tuple[dt.date, int] | None]:
    """A page of a country's dated statements, newest first, older than the cursor `before` = (date, id), and the
    cursor of the next page (None at the end). Marks where the position ("all" reading) changed."""
    q = statements_select(StatementFilters(country=iso2)).where(Statement.stated_on.is_not(None))
    if before is not None:
        day, sid = before
        q = q.where((Statement.stated_on < day) | ((Statement.stated_on == day) & (Statement.id < sid)))
    q = _timeline_columns(q).order_by(Statement.stated_on.desc(), Statement.id.desc()).limit(limit + 1)
    rows = list(session.execute(q))
    more = len(rows) > limit
    rows = rows[:limit]
    changes: dict[int, str | None] = {}
    if rows:
        PD = PositionDay
        changes = dict(session.execute(
            select(PD.statement_id, PD.previous_stance)
            .where(PD.reading == "all", PD.country_iso2 == iso2, PD.changed.is_(True),
                   PD.stated_on >= rows[-1].stated_on, PD.stated_on <= rows[0].stated_on)).all())
    items = []
    for row in rows:
        s = TimelineStatement(*row[:15])
        items.append(TimelineItem(statement=s, counts=s.review_status != "dismissed", changed=s.id in changes,
                                  changed_from=changes.get(s.id), confidence=row[15]))
    cursor = (rows[-1].stated_on, rows[-1].id) if more and rows else None
    return items, cursor


@dataclass
class ReportGroup:
    """Reports of one statement: timeline items of one stance dated within CORROBORATION_DAYS after the first
    report (the lead, shown); the later ones are listed as further reports of it."""

    items: list[TimelineItem]  # oldest first

    @property
    def lead(self) -> TimelineItem:
        return self.items[0]

    @property
    def others(self) -> list[TimelineItem]:
        return self.items[1:]

    @property
    def outlets(self) -> list[str]:
        """The named outlets among the reports (source, else the web address's host), in order."""
        names = (outlet(i.statement.source, i.statement.url) for i in self.items)
        return [n for n in dict.fromkeys(names) if n]

    @property
    def articles(self) -> int:
        s = [i.statement for i in self.items]
        return len({(x.url, x.title, x.file_name, x.file_line) if (x.url or x.title or x.file_name) else x.id
                    for x in s})


def outlet(source: str | None, url: str | None) -> str:
    """The outlet a report came from: its source's name, else the web address's host."""
    if source and source.strip():
        return source.strip()
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else ""


def group_reports(items: list[TimelineItem]) -> list[ReportGroup]:
    """Group a newest-first page of timeline items into reports of one statement; returns the groups newest first."""
    groups: list[ReportGroup] = []
    for item in reversed(items):
        lead = groups[-1].lead if groups else None
        if (lead is not None and lead.statement.stated_on is not None and item.statement.stated_on is not None
                and item.statement.stance == lead.statement.stance and item.counts == lead.counts
                and not item.changed
                and (item.statement.stated_on - lead.statement.stated_on).days <= CORROBORATION_DAYS):
            groups[-1].items.append(item)
        else:
            groups.append(ReportGroup([item]))
    return groups[::-1]


def country_undated(session: Session, iso2: str, *, limit: int = 50) -> tuple[list[TimelineItem], int]:
    """A country's undated statements (they never count on the map), newest first, and how many in all."""
    base = statements_select(StatementFilters(country=iso2)).where(Statement.stated_on.is_(None))
    total = session.scalar(base.with_only_columns(func.count()).order_by(None)) or 0
    rows = session.execute(_timeline_columns(base).order_by(Statement.id.desc()).limit(limit))
    return [TimelineItem(statement=TimelineStatement(*row[:15]), counts=False, changed=False, changed_from=None,
                         confidence=row[15]) for row in rows], total


def country_statement_count(session: Session, iso2: str) -> int:
    """How many (not deleted) statements a country has: its kept count."""
    return session.scalar(select(PositionCountry.statements).where(PositionCountry.reading == "all",
                                                                   PositionCountry.country_iso2 == iso2)) or 0


# --- lists -------------------------------------------------------------------------------------------------------

def get_country(session: Session, iso2: str) -> Country | None:
    # Only two ASCII letters reach the database (Postgres refuses a NUL byte in text, for one).
    return session.get(Country, iso2.upper()) if len(iso2) == 2 and iso2.isascii() and iso2.isalpha() else None


def countries(session: Session) -> list[tuple[Country, int]]:
    """Every country with how many (not deleted) statements it has, by name."""
    counts = dict(session.execute(select(PositionCountry.country_iso2, PositionCountry.statements)
                                  .where(PositionCountry.reading == "all")).all())
    return [(c, counts.get(c.iso2, 0)) for c in session.scalars(select(Country).order_by(Country.name))]


def countries_with_statements(session: Session) -> list:
    """(iso2, name) rows of the countries that have at least one statement (the choices of a country filter)."""
    has = select(PositionCountry.country_iso2).where(PositionCountry.reading == "all", PositionCountry.statements > 0)
    codes = set(session.scalars(has))  # the kept per-country counts: ~250 rows
    return list(session.execute(select(Country.iso2, Country.name).where(Country.iso2.in_(codes))
                                .order_by(Country.name)))


# The statement list's orders, by column; a leading "-" reverses. Ties fall back to the newest first (undated
# last), so every order is total and a page never repeats or skips a row; by date, undated come last either way.
STATEMENT_SORTS = ("date", "country", "stance", "quote", "source", "review")
DEFAULT_STATEMENT_SORT = "-date"


def _statement_order(sort: str) -> list:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    source = func.coalesce(Article.source, Statement.source_url, Article.url)
    orders: dict[str, list[Any]] = {  # columns and expressions to order by
        "date": [Statement.stated_on],
        "country": [Country.name],
        "stance": [case({s: i for i, s in enumerate(STANCES)}, value=Statement.stance)],
        "quote": [func.lower(Statement.quote)],
        "source": [source.is_(None), func.lower(source)],
        "review": [Statement.review_status, Statement.origin],
    }
    columns = orders[key]
    order = [c.desc() if descending and not (key == "source" and i == 0) else c for i, c in enumerate(columns)]
    if key == "date":
        return [Statement.stated_on.is_(None), *order, Statement.id.desc()]
    # NULL dates sort differently on SQLite and Postgres: the tie-break puts them last explicitly on both.
    return [*order, Statement.stated_on.is_(None), Statement.stated_on.desc(), Statement.id.desc()]


def statements_page(session: Session, filters: StatementFilters, *, limit: int, offset: int,
                    sort: str = DEFAULT_STATEMENT_SORT) -> tuple[list[Statement], int]:
    """One page of matching statements, newest first (undated last) unless `sort` names another column (see
    STATEMENT_SORTS), and how many match in all."""
    base = statements_select(filters).order_by(None)
    if filters == StatementFilters(country=filters.country):
        # The whole list, or one country's: the kept per-country counts (app/positions.py), not a scan.
        kept = (select(func.coalesce(func.sum(PositionCountry.statements), 0),
                       func.coalesce(func.sum(PositionCountry.dated), 0)).where(PositionCountry.reading == "all"))
        if filters.country:
            kept = kept.where(PositionCountry.country_iso2 == filters.country.upper())
        counts = kept
    else:
        counts = base.with_only_columns(func.count(), func.count(Statement.stated_on))
    total, dated = _versioned(session, ("count", filters), lambda: tuple(session.execute(counts).one()))
    # Dated and undated rows are read apart: "stated_on DESC NULLS LAST" as one ORDER BY cannot walk the
    # stated_on index on Postgres (its backward scan yields NULLs first) and sorted every row per page.
    loaded = base.options(selectinload(Statement.article), selectinload(Statement.country))
    if sort != DEFAULT_STATEMENT_SORT:
        ordered = (loaded.join(Country, Country.iso2 == Statement.country_iso2)
                   .outerjoin(Article, Article.id == Statement.article_id)
                   .order_by(*_statement_order(sort)).limit(limit).offset(offset))
        return list(session.scalars(ordered)), total
    rows: list[Statement] = []
    if offset < dated:
        rows = list(session.scalars(loaded.where(Statement.stated_on.is_not(None))
                                    .order_by(Statement.stated_on.desc(), Statement.id.desc())
                                    .limit(limit).offset(offset)))
    if len(rows) < limit and total > dated:
        rows += session.scalars(loaded.where(Statement.stated_on.is_(None)).order_by(Statement.id.desc())
                                .limit(limit - len(rows)).offset(max(0, offset - dated)))
    return rows, total



# --- editors: review queue, statement pages, history, accounts (used by app/web/editor.py and app/web/auth.py) ---

def get_statement(session: Session, statement_id: int) -> Statement | None:
    """One statement with its country and article, deleted or not (editors can see and restore deleted ones)."""
    return session.scalar(select(Statement).where(Statement.id == statement_id)
                          .options(selectinload(Statement.article), selectinload(Statement.country)))


def _review_filter():
    return ((Statement.origin == "machine") & (Statement.review_status == "unreviewed")
            & Statement.deleted_at.is_(None))


def review_queue(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[Statement], int]:
    """Machine statements nobody has reviewed yet, newest first, and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(Statement).where(_review_filter()))
    q = (select(Statement).where(_review_filter())
         .options(selectinload(Statement.article), selectinload(Statement.country))
         .order_by(Statement.created_at.desc(), Statement.id.desc()).limit(limit).offset(offset))
    return list(session.scalars(q)), total or 0


def statement_history(session: Session, statement_id: int) -> list[AuditEvent]:
    """The audit events of one statement, oldest first, with who made them."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.statement_id == statement_id)
                                .options(selectinload(AuditEvent.user))
                                .order_by(AuditEvent.at, AuditEvent.id)))


def get_audit_event(session: Session, event_id: int) -> AuditEvent | None:
    return session.get(AuditEvent, event_id)


def all_countries(session: Session) -> list[Country]:
    """Every country by name (the editors' country picker)."""
    return list(session.scalars(select(Country).order_by(Country.name)))


def find_country(session: Session, text: str) -> Country | None:
    """A country by ISO alpha-2 code, by name, or by the picker's 'Name (XX)' label; case-insensitive."""
    raw = (text or "").strip()
    if not raw:
        return None
    if raw.endswith(")") and "(" in raw:
        raw = raw[raw.rindex("(") + 1:-1].strip()
    if len(raw) == 2:
        found = session.get(Country, raw.upper())
        if found is not None:
            return found
    return session.scalar(select(Country).where(func.lower(Country.name) == raw.lower()))


def get_user(session: Session, user_id: int):
    return session.get(User, user_id)


def user_by_username(session: Session, username: str):
    return session.scalar(select(User).where(User.username == username))


def user_for_session(session: Session, token_sha256: str, now: dt.datetime):
    """The active user of an unexpired server-side session, or None."""
    return session.scalar(select(User).join(WebSession, WebSession.user_id == User.id)
                          .where(WebSession.token_sha256 == token_sha256, WebSession.expires_at > now,
                                 User.active.is_(True)))


def article_statements(session: Session, article_id: int) -> list[Statement]:
    """An article's statements in the order they appear in it."""
    return list(session.scalars(select(Statement).where(Statement.article_id == article_id)
                                .options(selectinload(Statement.country))
                                .order_by(Statement.quote_start, Statement.id)))


# --- the article page and the review queue at scale (app/web/editor.py) -----------------------------------------

def get_article(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id) if 0 < article_id < 2**63 else None


def article_evidence(session: Session, article_id: int, *, include_deleted: bool = False) -> list[Statement]:
    """An article's statements in the order they appear in its text (deleted ones only for editors)."""
    q = (select(Statement).where(Statement.article_id == article_id)
         .options(selectinload(Statement.country))
         .order_by(Statement.quote_start.is_(None), Statement.quote_start, Statement.id))
    if not include_deleted:
        q = q.where(Statement.deleted_at.is_(None))
    return list(session.scalars(q))


def snapshot_at_version(session: Session, statement_id: int, version: int) -> dict | None:
    """The statement's audited fields as they were at `version`, from its audit trail: every change records the
    snapshot before and after it, each with its version. None when the trail does not reach that version."""
    for event in statement_history(session, statement_id):
        for snap in (event.before, event.after):
            if snap and snap.get("version") == version:
                return dict(snap)
    return None


def latest_event(session: Session, statement_id: int) -> AuditEvent | None:
    return session.scalar(select(AuditEvent).where(AuditEvent.statement_id == statement_id)
                          .order_by(AuditEvent.id.desc()).limit(1))


def audit_events(session: Session, ids: list[int]) -> list[AuditEvent]:
    if not ids:
        return []
    return list(session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.id)))


@dataclass(frozen=True)
class ReviewFilters:
    """The review queue's filters; every field optional. `max_confidence` keeps statements at or below it."""

    country: str | None = None
    stance: str | None = None
    source: str | None = None  # an article's source exactly as stored
    max_confidence: float | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    article_id: int | None = None


@dataclass(frozen=True)
class ReviewGroup:
    """One article's statements waiting in the queue, in queue order, with the article and its sort key."""

    article: Article | None
    statements: list[Statement]
    deciding: frozenset[int]  # ids of these statements that are their country's position on the map today
    key: tuple  # (0 when one of them decides the map else 1, lowest confidence, article id)

    @property
    def cursor(self) -> str:
        return format_cursor(self.key)


@dataclass(frozen=True)
class ReviewPage:
    groups: list[ReviewGroup]
    total: int  # statements in the queue matching the filters
    articles: int  # articles they come from
    next_cursor: str | None  # where the next page starts; None on the last page
    earlier: int  # matching statements that now sort before this page's cursor (their priority rose meanwhile)


def format_cursor(key: tuple) -> str:
    rank, confidence, article_id = key
    return f"{rank}_{confidence:.4f}_{article_id}"


def parse_cursor(text: str) -> tuple | None:
    """The key a cursor names, or None when it is not one."""
    parts = (text or "").split("_")
    if len(parts) != 3:
        return None
    try:
        rank, confidence, article_id = int(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        return None
    if rank not in (0, 1) or not 0.0 <= confidence <= 1.0 or not 0 <= article_id < 2**63:
        return None
    return (rank, confidence, article_id)


def _review_where(q: Select, filters: ReviewFilters) -> Select:
    q = q.where(_review_filter())
    if filters.country:
        q = q.where(Statement.country_iso2 == filters.country)
    if filters.stance:
        q = q.where(Statement.stance == filters.stance)
    if filters.max_confidence is not None:
        q = q.where(func.coalesce(Statement.confidence, 0.0) <= filters.max_confidence)
    if filters.date_from:
        q = q.where(Statement.stated_on >= filters.date_from)
    if filters.date_to:
        q = q.where(Statement.stated_on <= filters.date_to)
    if filters.source:
        q = q.join(Article, Article.id == Statement.article_id).where(Article.source == filters.source)
    if filters.article_id is not None:
        q = q.where(Statement.article_id == filters.article_id)
    return q


def review_page(session: Session, filters: ReviewFilters, *, today: dt.date, after: tuple | None = None,
                articles: int = 5) -> ReviewPage:
    """The review queue grouped by article. First the articles holding a statement that is its country's
    position on the map today (what readers see now), then by lowest confidence; within an article the same
    order, then the text's order.

    The page starts after the cursor `after` (a group key). A group's key is the least key of the statements
    still waiting in it, so statements leaving the queue only ever move their article later: the next page
    never skips one. The database groups the statements (one row per article); only the page's statements are
    loaded as objects."""
    deciding = {sid for _, sid in session.execute(position_ids_select(today)) if sid is not None}
    # One number per statement that orders like (rank, confidence): rank 0 (decides the map) or 1, times 2,
    # plus a confidence in [0, 1]. An article's key is its least.
    rank = case((Statement.id.in_(sorted(deciding)), 0), else_=2) if deciding else literal(2)
    score = rank + func.coalesce(Statement.confidence, 0.0)
    grouped = _review_where(select(Statement.article_id, func.min(score), func.count()),
                            filters).group_by(Statement.article_id)
    keyed = []
    for article_id, least, count in session.execute(grouped):
        least = float(least)
        r = 0 if least < 2 else 1
        keyed.append(((r, round(least - 2 * r, 4), int(article_id or 0)), count))
    keyed.sort()
    total = sum(count for _, count in keyed)
    earlier = sum(count for key, count in keyed if after is not None and key <= after)
    waiting = [key for key, _ in keyed if after is None or key > after]
    page, more = waiting[:articles], len(waiting) > articles
    groups = []
    if page:
        wanted = [key[2] for key in page]
        in_page: ColumnElement[bool] = Statement.article_id.in_(wanted)
        if 0 in wanted:
            in_page = in_page | Statement.article_id.is_(None)
        ids_q = _review_where(select(Statement.id), filters).where(in_page)
        rows = list(session.scalars(select(Statement).where(Statement.id.in_(ids_q))
                                    .options(selectinload(Statement.article), selectinload(Statement.country))))
        by_article: dict[int, list[Statement]] = {}
        for st in rows:
            by_article.setdefault(st.article_id or 0, []).append(st)

        def order(st: Statement) -> tuple:
            return (0 if st.id in deciding else 1, round(st.confidence or 0.0, 4),
                    st.quote_start if st.quote_start is not None else 2**62, st.id)

        for key in page:
            statements = sorted(by_article.get(key[2], []), key=order)
            article = statements[0].article if statements else None
            groups.append(ReviewGroup(article=article, statements=statements,
                                      deciding=frozenset(st.id for st in statements if st.id in deciding), key=key))
    return ReviewPage(groups=groups, total=total, articles=len(keyed),
                      next_cursor=format_cursor(page[-1]) if more and page else None, earlier=earlier)


def review_sources(session: Session) -> list[str]:
    """The sources of the articles with statements waiting for review (the queue's source filter)."""
    q = (select(Article.source).join(Statement, Statement.article_id == Article.id)
         .where(_review_filter(), Article.source.is_not(None)).distinct().order_by(Article.source))
    return list(session.scalars(q))


# --- reader suggestions -----------------------------------------------------------------------------------------

def pending_suggestions(session: Session, *, limit: int = 50, after_id: int | None = None):
    """Suggestions waiting for an editor, oldest first (a cursor on the id), and how many wait in all."""
    total = session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == "pending"))
    q = (select(Suggestion).where(Suggestion.status == "pending")
         .options(selectinload(Suggestion.statement).selectinload(Statement.article),
                  selectinload(Suggestion.country))
         .order_by(Suggestion.id).limit(limit))
    if after_id is not None:
        q = q.where(Suggestion.id > after_id)
    return list(session.scalars(q)), total or 0


def suggestion_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == "pending")) or 0


def get_suggestion(session: Session, suggestion_id: int):
    if not 0 < suggestion_id < 2**63:
        return None
    return session.scalar(select(Suggestion).where(Suggestion.id == suggestion_id)
                          .options(selectinload(Suggestion.statement), selectinload(Suggestion.country)))


def suggestions_from_address_since(session: Session, address: str, since: dt.datetime
                                   ) -> tuple[int, dt.datetime | None]:
    count, oldest = session.execute(select(func.count(), func.min(Suggestion.created_at))
                                    .where(Suggestion.address == address, Suggestion.created_at >= since)).one()
    return count or 0, oldest
