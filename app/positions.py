"""Kept positions: each country's position days and changes, per reading, maintained inside every write's
transaction (refresh_countries), rebuilt from the statements on demand (rebuild_positions), and the data version.

Semantics (README "Positions, kept"):
- A statement *counts* in the reading "all" when it is dated, not deleted and not dismissed; in the reading
  "verified" it must also be verified (editor-entered statements are verified when they are saved).
- A country's *position* on a date is the winner among its counted statements of the latest day on or before the
  date that has any. On one day the winner is, in order: a verified statement; the more precise date (a day
  before a month before a year); a statement whose quote holds both the country's reference and the deciding cue;
  the higher confidence (an editor's statement counts as 1.0); only then the later id.
- *since*: the day the current stance began (the first day of the unbroken run of days whose winner has that
  stance); *last restated*: the day of the position's own statement.
- *sources*: distinct outlets (the article's source, else the web address's host, else the article) among the
  counted statements of the same stance dated within CORROBORATION_DAYS days before the position's day, that day
  included; *articles*: distinct articles among them. Never a statement after the day, so the figure a reader
  sees on a date never depends on what was said later.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import bindparam, case, delete, func, insert, select, union_all, update
from sqlalchemy.orm import Session

from app.db import table_of
from app.models import (READINGS, Article, DataVersion, PositionChangeDay, PositionCountry, PositionDay,
                        Statement)

CORROBORATION_DAYS = 7
_WINDOW = dt.timedelta(days=CORROBORATION_DAYS)
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}

_S, _A = table_of(Statement), table_of(Article)
_PD, _PCD, _PC, _DV = (table_of(PositionDay), table_of(PositionChangeDay), table_of(PositionCountry),
                       table_of(DataVersion))
_DAY_FIELDS = ("statement_id", "stance", "date_precision", "changed", "previous_stance", "since_on",
               "since_precision", "sources", "articles")
_ROW_COLUMNS = (_S.c.id, _S.c.stance, _S.c.stated_on, _S.c.date_precision, _S.c.review_status, _S.c.confidence,
                _S.c.mention_start, _S.c.cue_start, _S.c.article_id, _S.c.source_url, _A.c.source, _A.c.url)


# --- the data version ------------------------------------------------------------------------------------------

def current_version(session: Session) -> int:
    """The data version readers key their caches on (one primary-key lookup)."""
    return session.connection().scalar(select(_DV.c.version).where(_DV.c.id == 1)) or 0


def bump_version(session: Session) -> int:
    """Raise the data version inside the caller's transaction and return it. Any write that changes what readers
    see and does not go through refresh_countries calls this. On Postgres the row lock it takes is held until
    commit, so writers that refresh positions take turns, and each one's reads (after the lock) see the others'
    commits."""
    conn = session.connection()
    version = conn.scalar(update(_DV).where(_DV.c.id == 1).values(version=_DV.c.version + 1)
                          .returning(_DV.c.version))
    if version is None:
        conn.execute(insert(_DV).values(id=1, version=1))
        return 1
    return version


# --- the rules, as pure functions over statement rows ------------------------------------------------------------

def rank(row) -> tuple:
    """Sort key of one day's statements, best first (see the module's docstring)."""
    confidence = 1.0 if row.confidence is None else row.confidence
    holds = row.mention_start is not None and row.cue_start is not None
    return (row.review_status != "verified", _PRECISION_RANK.get(row.date_precision, 3), not holds,
            -confidence, -row.id)


def source_key(row) -> str:
    if row.source and row.source.strip():
        return "outlet:" + " ".join(row.source.lower().split())
    url = row.source_url or row.url
    host = urlsplit(url).hostname if url else None
    if host:
        return "host:" + host.removeprefix("www.")
    return f"article:{row.article_id}" if row.article_id is not None else f"statement:{row.id}"


def _article_key(row) -> str:
    return f"article:{row.article_id}" if row.article_id is not None else f"statement:{row.id}"


def counts_in(reading: str, row) -> bool:
    return row.review_status != "dismissed" and (reading == "all" or row.review_status == "verified")


class StatementFacts(NamedTuple):
    """What the rules read of one statement (and of its article): the columns of _ROW_COLUMNS, by name."""

    country_iso2: str
    id: int
    stance: str
    stated_on: dt.date | None
    date_precision: str
    review_status: str
    confidence: float | None
    mention_start: int | None
    cue_start: int | None
    article_id: int | None
    source_url: str | None
    source: str | None
    url: str | None


class _Row(NamedTuple):
    """A counted statement with its rank and keys worked out once. Sorts by (day, id), the order rows are read in."""

    day: dt.date
    id: int
    rank: tuple
    stance: str
    source: str
    article: str
    verified: bool
    precision: str


def _row(r: StatementFacts, shared: dict | None = None) -> _Row:
    """A dated statement (StatementFacts, or a row read with the same columns) as the rules read it; an undated
    one holds no position day. `shared`: values seen before (days, source and article keys), reused so that many
    rows held at once (see PositionKeeper) share one copy of each."""
    if r.stated_on is None:
        raise ValueError(f"statement {r.id} is undated: it holds no position day")
    day, source, article = r.stated_on, source_key(r), _article_key(r)
    if shared is not None:
        day, source, article = (shared.setdefault(day, day), shared.setdefault(source, source),
                                shared.setdefault(article, article))
    return _Row(day, r.id, rank(r), r.stance, source, article, r.review_status == "verified", r.date_precision)


def position_days(rows: Sequence[_Row], prior: tuple | None = None, start: dt.date | None = None,
                  stop: Callable[[dt.date, tuple], bool] | None = None) -> list[tuple[dt.date, tuple]]:
    """The position days of one country in one reading, as (day, the _DAY_FIELDS in order), in one pass.

    `rows`: its counted, dated statements sorted by (day, id) (from CORROBORATION_DAYS before `start` when `start`
    is given); `prior`: (stance, since_on, since_precision) of the last day before `start`. Stops after the first
    day for which `stop(day, fields)` is true. The corroboration window is kept as counts: how many of its
    statements each (stance, source) and (stance, article) has, and how many distinct ones each stance has, updated
    as statements enter and leave it, so each statement is looked at twice whatever the window holds."""
    window: deque = deque()
    held: dict[tuple, int] = {}  # (0 | 1, stance, key) -> statements in the window; 0: sources, 1: articles
    distinct: dict[tuple, int] = {}  # (0 | 1, stance) -> distinct keys in the window
    stance, since_on, since_precision = prior or (None, None, None)
    out: list[tuple[dt.date, tuple]] = []
    n, i = len(rows), 0
    while i < n:
        first = rows[i]
        day = first.day
        j = i + 1
        while j < n and rows[j].day == day:
            j += 1
        best = first
        for r in rows[i:j] if j - i > 1 else (first,):
            if r.rank < best.rank:
                best = r
            window.append(r)
            for key, kind in (((0, r.stance, r.source), (0, r.stance)), ((1, r.stance, r.article), (1, r.stance))):
                got = held.get(key, 0)
                held[key] = got + 1
                if not got:
                    distinct[kind] = distinct.get(kind, 0) + 1
        i = j
        floor = day - _WINDOW
        while window[0].day < floor:
            r = window.popleft()
            for key, kind in (((0, r.stance, r.source), (0, r.stance)), ((1, r.stance, r.article), (1, r.stance))):
                got = held[key]
                if got == 1:
                    del held[key]
                    distinct[kind] -= 1
                else:
                    held[key] = got - 1
        if start is not None and day < start:
            continue
        changed = best.stance != stance
        if changed:
            since_on, since_precision = day, best.precision
        fields = (best.id, best.stance, best.precision, changed, stance, since_on, since_precision,
                  distinct[(0, best.stance)], distinct[(1, best.stance)])
        out.append((day, fields))
        stance = best.stance
        if stop is not None and stop(day, fields):
            break
    return out


# --- keeping the tables -------------------------------------------------------------------------------------------

class _Writes:
    """The row writes that bring kept days in line, collected over countries and sent in a few statements."""

    def __init__(self) -> None:
        self.gone: list[dict] = []
        self.fresh: list[dict] = []
        self.changed: list[dict] = []
        self.deltas: dict[str, Counter] = {reading: Counter() for reading in READINGS}

    def diff(self, reading: str, country: str, new: list[tuple[dt.date, tuple]], old: Mapping[dt.date, tuple]) -> None:
        """Turn `old` (the kept days from the first computed day on) into `new`; count the change days' deltas."""
        deltas = self.deltas[reading]
        computed = dict(new)
        for day, fields in new:
            was = old.get(day)
            if was is None:
                self.fresh.append({"reading": reading, "country_iso2": country, "stated_on": day,
                                   **dict(zip(_DAY_FIELDS, fields, strict=True))})
            elif was != fields:
                self.changed.append({"k_reading": reading, "k_country": country, "k_day": day,
                                     **{f"v_{f}": v for f, v in zip(_DAY_FIELDS, fields, strict=True)}})
            if fields[_CHANGED] and not (was is not None and was[_CHANGED]):
                deltas[day] += 1
        for day, was in old.items():
            now = computed.get(day)
            if now is None:
                self.gone.append({"k_reading": reading, "k_country": country, "k_day": day})
            if was[_CHANGED] and not (now is not None and now[_CHANGED]):
                deltas[day] -= 1

    def apply(self, conn) -> None:
        if self.gone:
            conn.execute(_DELETE_DAY, self.gone)
        if self.changed:
            conn.execute(_UPDATE_DAY, self.changed)
        if self.fresh:
            conn.execute(insert(_PD), self.fresh)
        for reading in READINGS:
            _apply_change_days(conn, reading, self.deltas[reading])


_KEY = (_PD.c.reading == bindparam("k_reading"), _PD.c.country_iso2 == bindparam("k_country"),
        _PD.c.stated_on == bindparam("k_day"))
_DELETE_DAY = delete(_PD).where(*_KEY)
_UPDATE_DAY = update(_PD).where(*_KEY).values({f: bindparam(f"v_{f}") for f in _DAY_FIELDS})
_CHANGED = _DAY_FIELDS.index("changed")


def _counted_rows(conn, codes: list[str], *, dated: bool, lo: dt.date | None = None,
                  hi: dt.date | None = None) -> dict[str, list]:
    """The counted-in-'all' statements of these countries, per country (dated ones by date and id, from lo on and
    before hi when given), as rows with the columns of StatementFacts."""
    q = (select(_S.c.country_iso2, *_ROW_COLUMNS).select_from(_S.outerjoin(_A, _A.c.id == _S.c.article_id))
         .where(_S.c.country_iso2.in_(codes), _S.c.deleted_at.is_(None), _S.c.review_status != "dismissed"))
    if dated:
        q = q.where(_S.c.stated_on.is_not(None)).order_by(_S.c.country_iso2, _S.c.stated_on, _S.c.id)
        if lo is not None:
            q = q.where(_S.c.stated_on >= lo)
        if hi is not None:
            q = q.where(_S.c.stated_on < hi)
    else:
        q = q.where(_S.c.stated_on.is_(None))
    out: dict[str, list] = {c: [] for c in codes}
    for r in conn.execute(q):
        out[r.country_iso2].append(r)
    return out


def _kept_days(conn, reading: str | None, codes: list[str], lo: dt.date | None,
               hi: dt.date | None = None) -> dict[tuple[str, str], dict[dt.date, tuple]]:
    """(reading, country) -> {day: fields} of the kept days from lo on (and before hi when given)."""
    q = select(_PD.c.reading, _PD.c.country_iso2, _PD.c.stated_on, *(_PD.c[f] for f in _DAY_FIELDS)) \
        .where(_PD.c.country_iso2.in_(codes))
    if reading is not None:
        q = q.where(_PD.c.reading == reading)
    if lo is not None:
        q = q.where(_PD.c.stated_on >= lo)
    if hi is not None:
        q = q.where(_PD.c.stated_on < hi)
    out: dict[tuple[str, str], dict[dt.date, tuple]] = {}
    for r in conn.execute(q):
        out.setdefault((r[0], r[1]), {})[r[2]] = tuple(r[3:])
    return out


def _priors(conn, starts: Mapping[str, dt.date], readings: Sequence[str] = READINGS) -> dict[tuple[str, str], tuple]:
    """(reading, country) -> (stance, since_on, since_precision) of the last kept day before the country's start:
    one backward probe of ix_position_days_lookup per reading and country, sent as one statement (per 200)."""
    probes = [(reading, c, day) for c, day in sorted(starts.items()) for reading in readings]
    out: dict[tuple[str, str], tuple] = {}
    for i in range(0, len(probes), 200):
        parts = [select(_PD.c.reading, _PD.c.country_iso2, _PD.c.stance, _PD.c.since_on, _PD.c.since_precision)
                 .where(_PD.c.reading == reading, _PD.c.country_iso2 == c, _PD.c.stated_on < day)
                 .order_by(_PD.c.stated_on.desc()).limit(1).subquery()
                 for reading, c, day in probes[i:i + 200]]
        q = union_all(*(select(*p.c) for p in parts)) if len(parts) > 1 else select(*parts[0].c)
        out.update({(r.reading, r.country_iso2): (r.stance, r.since_on, r.since_precision) for r in conn.execute(q)})
    return out


def _apply_change_days(conn, reading: str, deltas: Counter) -> None:
    """Add the deltas to position_change_days: one read of the days concerned, then bulk writes."""
    days = sorted(d for d, n in deltas.items() if n)
    existing: dict[dt.date, int] = {}
    for i in range(0, len(days), 500):
        existing.update(conn.execute(select(_PCD.c.day, _PCD.c.changes)
                                     .where(_PCD.c.reading == reading, _PCD.c.day.in_(days[i:i + 500]))).all())
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    gone: list[dict[str, object]] = []
    for day in days:
        total = existing.get(day, 0) + deltas[day]
        if day in existing:
            (updates if total > 0 else gone).append({"d": day, "n": total})
        elif total > 0:
            inserts.append({"reading": reading, "day": day, "changes": total})
    if updates:
        conn.execute(update(_PCD).where(_PCD.c.reading == reading, _PCD.c.day == bindparam("d"))
                     .values(changes=bindparam("n")), updates)
    for i in range(0, len(gone), 500):
        conn.execute(delete(_PCD).where(_PCD.c.reading == reading,
                                        _PCD.c.day.in_([g["d"] for g in gone[i:i + 500]])))
    if inserts:
        conn.execute(insert(_PCD), inserts)


def _version_now(conn) -> int:
    return conn.scalar(select(_DV.c.version).where(_DV.c.id == 1)) or 0


def _refresh_country_rows(conn, codes: list[str], undated: dict[str, list], version: int | None = None) -> None:
    """position_countries for these countries, both readings: one aggregate over their statements; each row
    carries the data version of this refresh (what readers keeping a copy of a country's rows compare)."""
    if version is None:
        version = _version_now(conn)
    S = _S.c
    live = S.review_status != "dismissed"
    verified = S.review_status == "verified"
    q = (select(S.country_iso2, func.count(), func.count(S.stated_on),
                func.min(case((live, S.stated_on))), func.max(case((live, S.stated_on))),
                func.min(case((verified, S.stated_on))), func.max(case((verified, S.stated_on))))
         .where(S.country_iso2.in_(codes), S.deleted_at.is_(None)).group_by(S.country_iso2))
    rows = []
    for country, total, dated, first_all, last_all, first_v, last_v in conn.execute(q):
        for reading, first_on, last_on in (("all", first_all, last_all), ("verified", first_v, last_v)):
            mine = [r for r in undated[country] if counts_in(reading, r)]
            rows.append({"reading": reading, "country_iso2": country, "first_on": first_on, "last_on": last_on,
                         "undated_statement_id": min(mine, key=rank).id if mine else None,
                         "statements": total, "dated": dated, "version": version})
    conn.execute(delete(_PC).where(_PC.c.country_iso2.in_(codes)))
    if rows:
        conn.execute(insert(_PC), rows)


def _stop_when_unchanged(old: Mapping[dt.date, tuple], quiet: dt.date) -> Callable[[dt.date, tuple], bool]:
    """Past the touched days and their window (`quiet`), a day computed as it was kept means every later day is
    the same function of the same state and statements: nothing more to do."""
    def stop(day: dt.date, fields: tuple) -> bool:
        return day > quiet and old.get(day) == fields
    return stop


def _compute(writes: _Writes, reading: str, country: str, rows: Sequence[_Row], prior: tuple | None,
             start: dt.date | None, end: dt.date | None,
             old: Mapping[dt.date, tuple]) -> tuple[list[tuple[dt.date, tuple]], Mapping[dt.date, tuple]]:
    """Recompute one country's days in one reading from `start` (every day when None), stopping past `end` where
    nothing changes any more, and collect the writes against `old` (the kept days from `start` on). Returns the
    days computed and the kept days they replace."""
    stop = None
    if start is not None and end is not None and end < dt.date.max - _WINDOW:
        stop = _stop_when_unchanged(old, end + _WINDOW)
    days = position_days(rows, prior, start, stop)
    if stop is not None and days and stop(*days[-1]):
        last = days[-1][0]
        old = {day: f for day, f in old.items() if day <= last}
    writes.diff(reading, country, days, old)
    return days, old


def refresh_countries(session: Session, countries: Iterable[str] | Mapping[str, dt.date | None]) -> None:
    """Bring the kept positions of these countries in line with their statements, in the caller's transaction
    (it flushes the session first and does not commit). Give a mapping country -> earliest date touched to
    recompute only from that date (what ingest does: its new statements cannot change earlier days), or a pair
    (earliest, latest) to also stop where the kept days no longer change after the latest; a plain list of
    countries, or None as the date, recomputes the whole country. Raises the data version. A handful of
    queries whatever the number of countries (an article names several)."""
    session.flush()
    bump_version(session)
    conn = session.connection()
    given = dict(countries) if isinstance(countries, Mapping) else dict.fromkeys(countries)
    starts = {c: (v[0] if isinstance(v, tuple) else v) for c, v in given.items()}
    ends = {c: (v[1] if isinstance(v, tuple) else None) for c, v in given.items()}
    codes = sorted(c for c in starts if c)
    if not codes:
        return
    known = [s for c in codes if (s := starts[c]) is not None]
    earliest = min(known) if len(known) == len(codes) else None  # None: some country is recomputed whole
    found = _counted_rows(conn, codes, dated=True, lo=None if earliest is None else earliest - _WINDOW)
    undated = _counted_rows(conn, codes, dated=False)
    old_all = _kept_days(conn, None, codes, earliest)
    priors = _priors(conn, {c: s for c in codes if (s := starts[c]) is not None})
    writes = _Writes()
    for country in codes:
        start = starts[country]
        rows = [_row(r) for r in found[country] if start is None or r.stated_on >= start - _WINDOW]
        for reading in READINGS:
            old = old_all.get((reading, country), {})
            if start is not None:
                old = {day: f for day, f in old.items() if day >= start}
            mine = rows if reading == "all" else [r for r in rows if r.verified]
            _compute(writes, reading, country, mine, priors.get((reading, country)), start, ends[country], old)
    writes.apply(conn)
    _refresh_country_rows(conn, codes, undated)


# --- one ingest run's kept positions, held between its transactions ---------------------------------------------

@dataclass
class _Held:
    """One country's kept days in the reading "all" from `base` on, the counted statements they are computed
    from (from CORROBORATION_DAYS before `base`), and the state of the last kept day before `base`."""

    base: dt.date
    prior: tuple | None
    rows: list[_Row]
    days: dict[dt.date, tuple]


class PositionKeeper:
    """Keeps the kept positions while one ingest run adds statements, batch after batch, without reading back
    what it wrote.

    An ingest only adds unreviewed statements, which the reading "verified" never counts: only the reading "all"
    is recomputed, from the earliest new day of each country. The statements and kept days that computation
    needs are read once and then held here, updated by each batch, so a batch costs what it adds and what it
    changes, not what is stored. What is held is right only while no one else writes: each transaction starts
    with begin() (which raises the data version first, taking Postgres's row lock that makes writers take
    turns); when the version it finds is not the one this keeper's last committed transaction left, another
    writer came in between, and everything held is dropped and read again. After a commit call committed(); a
    transaction that was not confirmed committed (rolled back, failed) drops everything too. At most `max_rows`
    statements are held (the least recently touched countries are dropped first)."""

    def __init__(self, max_rows: int = 250_000):
        self.max_rows = max_rows
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._shared: dict = {}  # one copy of each day and key the held rows use
        self._version: int | None = None  # what our last committed transaction left
        self._open: int | None = None  # the version of the transaction in progress

    def begin(self, session: Session) -> None:
        """Start a write: raise the data version (the first lock the transaction takes) and check what is held."""
        if self._open is not None:
            self.forget()
        version = bump_version(session)
        if self._version is None or version != self._version + 1:
            self._held.clear()
            self._shared = {}
        self._open = version

    def committed(self) -> None:
        """The transaction begun last is committed: what is held is the database's state."""
        if self._open is not None:
            self._version, self._open = self._open, None

    def forget(self) -> None:
        self._held.clear()
        self._shared = {}
        self._version = self._open = None

    def add(self, session: Session, statements: Sequence[StatementFacts]) -> None:
        """Bring the kept positions in line after these statements were inserted in this transaction (new,
        unreviewed, not deleted; with their ids), between begin() and the commit."""
        if self._open is None:
            raise RuntimeError("PositionKeeper.add outside a transaction begun with begin()")
        if not statements:
            return
        session.flush()
        conn = session.connection()
        by_country: dict[str, list[StatementFacts]] = {}
        for s in statements:
            if s.review_status != "unreviewed":
                raise ValueError("PositionKeeper.add takes new unreviewed statements only")
            by_country.setdefault(s.country_iso2, []).append(s)
        dated = {c: sorted(s.stated_on for s in mine if s.stated_on is not None) for c, mine in by_country.items()}
        span = {c: (days[0], days[-1]) for c, days in dated.items() if days}
        self._hold(conn, {c: lo for c, (lo, _) in span.items()}, {s.id for s in statements})
        writes = _Writes()
        for country, (lo, hi) in sorted(span.items()):
            held = self._held[country]
            self._held.move_to_end(country)
            held.rows.extend(_row(s, self._shared) for s in by_country[country] if s.stated_on is not None)
            held.rows.sort()
            earlier = [day for day in held.days if day < lo]
            prior = held.prior
            if earlier:
                f = held.days[max(earlier)]
                prior = (f[1], f[5], f[6])
            first = bisect_left(held.rows, (lo - _WINDOW,))
            old = {day: f for day, f in held.days.items() if day >= lo}
            days, replaced = _compute(writes, "all", country, held.rows[first:], prior, lo, hi, old)
            for day in replaced:
                del held.days[day]
            held.days.update(days)
        writes.apply(conn)
        _add_to_country_rows(conn, by_country)
        while len(self._held) > 1 and sum(len(h.rows) for h in self._held.values()) > self.max_rows:
            self._held.popitem(last=False)
        if len(self._shared) > 2 * self.max_rows:  # keys of rows no longer held: start afresh
            self._shared = {}

    def _hold(self, conn, need: Mapping[str, dt.date], new_ids: set[int]) -> None:
        """Make sure each country's held state starts on or before its date (reading what is missing: the new
        statements of this transaction, already inserted, are left out; add() appends them)."""
        fresh = {c: lo for c, lo in need.items() if c not in self._held}
        wider = {c: lo for c, lo in need.items() if c in self._held and lo < self._held[c].base}
        if fresh:
            codes = sorted(fresh)
            earliest = min(fresh.values())
            found = _counted_rows(conn, codes, dated=True, lo=earliest - _WINDOW)
            days = _kept_days(conn, "all", codes, earliest)
            priors = _priors(conn, fresh, ("all",))
            for c in codes:
                lo = fresh[c]
                self._held[c] = _Held(
                    lo, priors.get(("all", c)),
                    [_row(r, self._shared) for r in found[c] if r.stated_on >= lo - _WINDOW and r.id not in new_ids],
                    {day: f for day, f in days.get(("all", c), {}).items() if day >= lo})
        for c, lo in sorted(wider.items()):  # an earlier day than any held: read the span in between
            held = self._held[c]
            between = _counted_rows(conn, [c], dated=True, lo=lo - _WINDOW, hi=held.base - _WINDOW)[c]
            held.rows[:0] = [_row(r, self._shared) for r in between if r.id not in new_ids]
            held.days.update(_kept_days(conn, "all", [c], lo, held.base).get(("all", c), {}))
            held.prior = _priors(conn, {c: lo}, ("all",)).get(("all", c))
            held.base = lo


def _add_to_country_rows(conn, by_country: Mapping[str, Sequence[StatementFacts]]) -> None:
    """position_countries after new unreviewed statements: their counts grow, the reading "all" takes their
    dates into its first and last day and their undated ones into the contest for the best undated statement;
    the reading "verified" counts them only in its totals."""
    codes = sorted(by_country)
    kept = {(r.reading, r.country_iso2): r for r in conn.execute(select(_PC).where(_PC.c.country_iso2.in_(codes)))}
    rivals = {c: r.undated_statement_id for (reading, c), r in kept.items()
              if reading == "all" and r.undated_statement_id is not None
              and any(s.stated_on is None for s in by_country[c])}
    ranks = {}
    if rivals:
        q = (select(_S.c.id, _S.c.review_status, _S.c.date_precision, _S.c.confidence, _S.c.mention_start,
                    _S.c.cue_start).where(_S.c.id.in_(sorted(rivals.values()))))
        ranks = {r.id: rank(r) for r in conn.execute(q)}
    # a kept best undated statement that is no longer there (the statements were changed behind the writers'
    # backs, e.g. by hand in SQL): count those countries afresh rather than build on what was kept
    stale = sorted(c for c, sid in rivals.items() if sid not in ranks)
    version = _version_now(conn)
    if stale:
        _refresh_country_rows(conn, stale, _counted_rows(conn, stale, dated=False), version)
    updates, inserts = [], []
    for c in codes:
        if c in stale:
            continue
        new = by_country[c]
        days = [s.stated_on for s in new if s.stated_on is not None]
        undated = [(rank(s), s.id) for s in new if s.stated_on is None]
        for reading in READINGS:
            was = kept.get((reading, c))
            row = {"first_on": was.first_on if was else None, "last_on": was.last_on if was else None,
                   "undated_statement_id": was.undated_statement_id if was else None,
                   "statements": (was.statements if was else 0) + len(new),
                   "dated": (was.dated if was else 0) + len(days), "version": version}
            if reading == "all":
                if days:
                    row["first_on"] = min(days + ([row["first_on"]] if row["first_on"] else []))
                    row["last_on"] = max(days + ([row["last_on"]] if row["last_on"] else []))
                contest = list(undated)
                best = row["undated_statement_id"]
                if best is not None and undated:
                    contest.append((ranks[best], best))
                if contest:
                    row["undated_statement_id"] = min(contest)[1]
            if was is None:
                inserts.append({"reading": reading, "country_iso2": c, **row})
            elif any(getattr(was, k) != v for k, v in row.items()):
                updates.append({"k_reading": reading, "k_country": c, **{f"v_{k}": v for k, v in row.items()}})
    if updates:
        conn.execute(_UPDATE_COUNTRY, updates)
    if inserts:
        conn.execute(insert(_PC), inserts)


_UPDATE_COUNTRY = (update(_PC).where(_PC.c.reading == bindparam("k_reading"),
                                     _PC.c.country_iso2 == bindparam("k_country"))
                   .values({k: bindparam(f"v_{k}") for k in ("first_on", "last_on", "undated_statement_id",
                                                             "statements", "dated", "version")}))


def rebuild_positions(session: Session) -> int:
    """Drop the kept positions and compute them again from the statements (in the caller's transaction; commit
    afterwards). Returns how many countries have statements."""
    session.flush()
    conn = session.connection()
    for table in (_PD, _PCD, _PC):
        conn.execute(delete(table))
    countries = sorted(conn.scalars(select(_S.c.country_iso2).where(_S.c.deleted_at.is_(None)).distinct()))
    for i in range(0, len(countries), 20):  # bounded memory: 20 countries' statements at a time
        refresh_countries(session, countries[i:i + 20])
    if not countries:
        bump_version(session)
    return len(countries)


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every kept row as plain tuples in a stable order (what a rebuild is compared with)."""
    conn = session.connection()
    cols = [c for c in _PD.c if c.name != "id"]
    return {
        "position_days": [tuple(r) for r in conn.execute(select(*cols).order_by(
            _PD.c.reading, _PD.c.country_iso2, _PD.c.stated_on))],
        "position_change_days": [tuple(r) for r in conn.execute(select(_PCD).order_by(_PCD.c.reading, _PCD.c.day))],
        # without the version a country's rows were written at: bookkeeping for readers' copies, not content
        "position_countries": [tuple(r) for r in conn.execute(select(*(c for c in _PC.c if c.name != "version"))
                                                              .order_by(_PC.c.reading, _PC.c.country_iso2))],
    }
