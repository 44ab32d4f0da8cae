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
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from itertools import groupby
from urllib.parse import urlsplit

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.models import (READINGS, Article, DataVersion, PositionChangeDay, PositionCountry, PositionDay,
                        Statement)

CORROBORATION_DAYS = 7
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}

_S, _A = Statement.__table__, Article.__table__
_PD, _PCD, _PC, _DV = (PositionDay.__table__, PositionChangeDay.__table__, PositionCountry.__table__,
                       DataVersion.__table__)
_DAY_FIELDS = ("statement_id", "stance", "date_precision", "changed", "previous_stance", "since_on",
               "since_precision", "sources", "articles")
_ROW_COLUMNS = (_S.c.id, _S.c.stance, _S.c.stated_on, _S.c.date_precision, _S.c.review_status, _S.c.confidence,
                _S.c.mention_start, _S.c.cue_start, _S.c.article_id, _S.c.source_url, _A.c.source, _A.c.url)


# --- the data version ------------------------------------------------------------------------------------------

def current_version(session: Session) -> int:
    """The data version readers key their caches on (one primary-key lookup)."""
    return session.connection().scalar(select(_DV.c.version).where(_DV.c.id == 1)) or 0


def bump_version(session: Session) -> None:
    """Raise the data version inside the caller's transaction. Any write that changes what readers see and does
    not go through refresh_countries calls this. On Postgres the row lock it takes is held until commit, so
    writers that refresh positions take turns, and each one's reads (after the lock) see the others' commits."""
    conn = session.connection()
    if conn.execute(update(_DV).where(_DV.c.id == 1).values(version=_DV.c.version + 1)).rowcount == 0:
        conn.execute(insert(_DV).values(id=1, version=1))


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


def position_days(rows: list, prior: tuple | None = None, start: dt.date | None = None, stop=None) -> list[dict]:
    """The position days of one country in one reading. `rows`: its counted, dated statements sorted by date
    (from CORROBORATION_DAYS before `start` when `start` is given); `prior`: (stance, since_on, since_precision)
    of the last day before `start`. Returns a dict per day on or after `start`, up to the first day for which
    `stop(day_dict)` is true (that day included)."""
    window: deque = deque()
    stance, since_on, since_precision = prior or (None, None, None)
    out = []
    for day, group in groupby(rows, key=lambda r: r.stated_on):
        group = list(group)
        window.extend(group)
        while window[0].stated_on < day - dt.timedelta(days=CORROBORATION_DAYS):
            window.popleft()
        if start is not None and day < start:
            continue
        best = min(group, key=rank)
        changed = best.stance != stance
        if changed:
            since_on, since_precision = day, best.date_precision
        same = [r for r in window if r.stance == best.stance]
        out.append({"stated_on": day, "statement_id": best.id, "stance": best.stance,
                    "date_precision": best.date_precision, "changed": changed, "previous_stance": stance,
                    "since_on": since_on, "since_precision": since_precision,
                    "sources": len({source_key(r) for r in same}), "articles": len({_article_key(r) for r in same})})
        stance = best.stance
        if stop is not None and stop(out[-1]):
            break
    return out


# --- keeping the tables -------------------------------------------------------------------------------------------

def _by_country(rows, codes) -> dict[str, list]:
    out: dict[str, list] = {c: [] for c in codes}
    for r in rows:
        out[r.country_iso2].append(r)
    return out


def _counted_rows(conn, codes: list[str], *, dated: bool, lo: dt.date | None = None) -> dict[str, list]:
    """The counted-in-'all' statements of these countries, per country (dated ones by date)."""
    q = (select(_S.c.country_iso2, *_ROW_COLUMNS).select_from(_S.outerjoin(_A, _A.c.id == _S.c.article_id))
         .where(_S.c.country_iso2.in_(codes), _S.c.deleted_at.is_(None), _S.c.review_status != "dismissed"))
    if dated:
        q = q.where(_S.c.stated_on.is_not(None)).order_by(_S.c.country_iso2, _S.c.stated_on, _S.c.id)
        if lo is not None:
            q = q.where(_S.c.stated_on >= lo)
    else:
        q = q.where(_S.c.stated_on.is_(None))
    return _by_country(conn.execute(q), codes)


def _priors(conn, codes: list[str], start: dt.date) -> dict[tuple[str, str], tuple]:
    """(reading, country) -> (stance, since_on, since_precision) of the last kept day before `start`."""
    p2 = _PD.alias("p2")
    latest = (select(func.max(p2.c.stated_on))
              .where(p2.c.reading == _PD.c.reading, p2.c.country_iso2 == _PD.c.country_iso2, p2.c.stated_on < start)
              .scalar_subquery())
    q = (select(_PD.c.reading, _PD.c.country_iso2, _PD.c.stance, _PD.c.since_on, _PD.c.since_precision)
         .where(_PD.c.country_iso2.in_(codes), _PD.c.stated_on == latest))
    return {(r.reading, r.country_iso2): (r.stance, r.since_on, r.since_precision) for r in conn.execute(q)}


def _diff_days(reading: str, country: str, new: dict, old: dict, out: dict) -> None:
    """Collect the writes that turn `old` (kept rows from the start day on) into `new`, and change-day deltas."""
    deltas = out["deltas"][reading]
    out["gone"].extend(r.id for day, r in old.items() if day not in new)
    for day, d in new.items():
        was = old.get(day)
        if was is None:
            out["fresh"].append({"reading": reading, "country_iso2": country, **d})
        elif any(getattr(was, f) != d[f] for f in _DAY_FIELDS):
            out["changed"].append({"pid": was.id, **{f"v_{f}": d[f] for f in _DAY_FIELDS}})
        if d["changed"] and not (was is not None and was.changed):
            deltas[day] += 1
    for day, r in old.items():
        if r.changed and not (day in new and new[day]["changed"]):
            deltas[day] -= 1


def _apply_change_days(conn, reading: str, deltas: Counter) -> None:
    """Add the deltas to position_change_days: one read of the days concerned, then bulk writes."""
    days = sorted(d for d, n in deltas.items() if n)
    existing: dict[dt.date, int] = {}
    for i in range(0, len(days), 500):
        existing.update(conn.execute(select(_PCD.c.day, _PCD.c.changes)
                                     .where(_PCD.c.reading == reading, _PCD.c.day.in_(days[i:i + 500]))).all())
    updates, inserts, gone = [], [], []
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


def _refresh_country_rows(conn, codes: list[str], undated: dict[str, list], version: int) -> None:
    """position_countries for these countries, both readings: one aggregate over their statements; each row
    carries the data version of this refresh."""
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


_UPDATE_DAY = (update(_PD).where(_PD.c.id == bindparam("pid"))
               .values({f: bindparam(f"v_{f}") for f in _DAY_FIELDS}))


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
    window = dt.timedelta(days=CORROBORATION_DAYS)
    whole = any(starts[c] is None for c in codes)
    earliest = None if whole else min(starts[c] for c in codes)
    rows = _counted_rows(conn, codes, dated=True, lo=None if whole else earliest - window)
    undated = _counted_rows(conn, codes, dated=False)
    old_q = select(_PD.c.id, _PD.c.reading, _PD.c.country_iso2, _PD.c.stated_on, *(_PD.c[f] for f in _DAY_FIELDS)) \
        .where(_PD.c.country_iso2.in_(codes))
    if not whole:
        old_q = old_q.where(_PD.c.stated_on >= earliest)
    old_all: dict[tuple[str, str], dict] = {}
    for r in conn.execute(old_q):
        start = starts[r.country_iso2]
        if start is None or r.stated_on >= start:
            old_all.setdefault((r.reading, r.country_iso2), {})[r.stated_on] = r
    priors: dict[tuple[str, str], tuple] = {}
    for start in sorted({starts[c] for c in codes if starts[c] is not None}):
        priors.update(_priors(conn, [c for c in codes if starts[c] == start], start))
    out = {"gone": [], "fresh": [], "changed": [], "deltas": {reading: Counter() for reading in READINGS}}
    for country in codes:
        start = starts[country]
        mine = rows[country] if start is None else [r for r in rows[country] if r.stated_on >= start - window]
        for reading in READINGS:
            old = old_all.get((reading, country), {})
            stop = None
            if start is not None and ends[country] is not None and ends[country] < dt.date.max - window:
                # Past the touched days and their window, a day computed as it was kept means every later day
                # is the same function of the same state and statements: nothing more to do.
                quiet = ends[country] + window

                def stop(d, old=old, quiet=quiet):
                    was = old.get(d["stated_on"])
                    return d["stated_on"] > quiet and was is not None and \
                        all(getattr(was, f) == d[f] for f in _DAY_FIELDS)

            days = position_days([r for r in mine if counts_in(reading, r)], priors.get((reading, country)),
                                 start, stop)
            if stop is not None and days and stop(days[-1]):
                last = days[-1]["stated_on"]
                old = {day: r for day, r in old.items() if day <= last}
            _diff_days(reading, country, {d["stated_on"]: d for d in days}, old, out)
    for i in range(0, len(out["gone"]), 500):
        conn.execute(delete(_PD).where(_PD.c.id.in_(out["gone"][i:i + 500])))
    if out["changed"]:
        conn.execute(_UPDATE_DAY, out["changed"])
    if out["fresh"]:
        conn.execute(insert(_PD), out["fresh"])
    for reading in READINGS:
        _apply_change_days(conn, reading, out["deltas"][reading])
    _refresh_country_rows(conn, codes, undated, conn.scalar(select(_DV.c.version).where(_DV.c.id == 1)) or 0)


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
