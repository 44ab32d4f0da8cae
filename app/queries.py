"""Every read: positions on a date, filtered statement lists, timelines, counts."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session, selectinload

from app.models import STANCES, Article, AuditEvent, Country, Statement


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


# --- positions on a date ---------------------------------------------------------------------------------------

GROUPS = ("eu", "nato", "others")


@dataclass(frozen=True)
class Position:
    """A country's position on a date: its latest dated, non-dismissed, non-deleted statement on or before it."""

    country: str
    country_name: str
    eu: bool
    nato: bool
    stance: str
    stated_on: dt.date
    date_precision: str
    quote: str
    speaker: str | None
    conditions: str | None
    statement_id: int
    source: str | None
    url: str | None


def _group_clause(group: str | None):
    if group == "eu":
        return Country.eu.is_(True)
    if group == "nato":
        return Country.nato.is_(True)
    if group == "others":
        return (Country.eu.is_(False)) & (Country.nato.is_(False))
    return None


def position_ids_select(as_of: dt.date) -> Select:
    """(country iso2, statement id) of each country's position on `as_of`, null id when it has none.

    One correlated `ORDER BY stated_on DESC, id DESC LIMIT 1` per country walks ix_statements_country_date
    backwards from `as_of`: about a millisecond for 250 countries at 100,000 statements, where GROUP BY max()
    or a window function read every row. A NULL stated_on never satisfies `<=`, so undated statements never count.
    """
    latest = (select(Statement.id)
              .where(Statement.country_iso2 == Country.iso2,
                     Statement.stated_on <= as_of,
                     Statement.review_status != "dismissed",
                     Statement.deleted_at.is_(None))
              .order_by(Statement.stated_on.desc(), Statement.id.desc())
              .limit(1)
              .correlate(Country)
              .scalar_subquery())
    return select(Country.iso2, latest.label("statement_id"))


def positions_as_of(session: Session, as_of: dt.date, *, stance: str | None = None,
                    group: str | None = None) -> list[Position]:
    """Every country with a position on `as_of`, by country name; optionally one stance and one group."""
    ids_q = position_ids_select(as_of)
    group_clause = _group_clause(group)
    if group_clause is not None:
        ids_q = ids_q.where(group_clause)
    # Two steps on purpose: a join on the correlated subquery lets SQLite's planner drive from statements
    # (one subquery per statement row); resolving the ids first keeps it one index probe per country.
    ids = [sid for _, sid in session.execute(ids_q) if sid is not None]
    if not ids:
        return []
    # Plain columns, not ORM entities: building 200 mapped objects cost more than the whole query.
    q = (select(Country.iso2, Country.name, Country.eu, Country.nato, Statement.stance, Statement.stated_on,
                Statement.date_precision, Statement.quote, Statement.speaker, Statement.conditions, Statement.id,
                Article.source, func.coalesce(Statement.source_url, Article.url))
         .join(Country, Country.iso2 == Statement.country_iso2)
         .outerjoin(Article, Article.id == Statement.article_id)
         .where(Statement.id.in_(ids)))
    if stance:
        q = q.where(Statement.stance == stance)
    out = [
        Position(country=iso2, country_name=name, eu=eu, nato=nato, stance=st, stated_on=on, date_precision=prec,
                 quote=quote, speaker=speaker, conditions=cond, statement_id=sid, source=source, url=url)
        for iso2, name, eu, nato, st, on, prec, quote, speaker, cond, sid, source, url in session.execute(q)
    ]
    out.sort(key=lambda p: p.country_name)
    return out


def stance_counts(positions: list[Position]) -> dict[str, int]:
    counts = {s: 0 for s in STANCES}
    for p in positions:
        counts[p.stance] += 1
    return counts


POSITION_SORTS = {
    "country": lambda p: p.country_name,
    "stance": lambda p: STANCES.index(p.stance),
    "date": lambda p: p.stated_on,
}


def sort_positions(positions: list[Position], sort: str) -> list[Position]:
    """Sort by 'country', 'stance' or 'date'; a leading '-' reverses. Ties stay in country-name order."""
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


def _counted() -> Select:
    return (select(Statement.country_iso2, Statement.stated_on, Statement.stance)
            .where(Statement.stated_on.is_not(None), Statement.review_status != "dismissed",
                   Statement.deleted_at.is_(None)))


def change_dates(session: Session) -> tuple[dt.date, ...]:
    """Every date on which some country took a position or switched stance (same rules as positions_as_of)."""
    q = _counted().order_by(Statement.country_iso2, Statement.stated_on, Statement.id)
    dates: set[dt.date] = set()
    prev_country, prev_stance = None, None
    for country, stated_on, stance in session.execute(q):
        if country != prev_country:
            prev_country, prev_stance = country, None
        if stance != prev_stance:
            dates.add(stated_on)
            prev_stance = stance
    return tuple(sorted(dates))


def data_version(session: Session) -> tuple:
    """A cheap token that changes when statements are added (ingest, new id), edited or reviewed (every write by
    a person leaves an audit event) or articles arrive; each part is one primary-key lookup."""
    return tuple(session.execute(select(
        select(func.max(Statement.id)).scalar_subquery(),
        select(func.max(AuditEvent.id)).scalar_subquery(),
        select(func.max(Article.id)).scalar_subquery(),
    )).one())


# Some reads look at every statement: change dates (~100-300 ms at 100,000) and exact counts for paging (a
# sequential scan on Postgres, ~25 ms). Their results are kept per database and data version, and dropped after
# a minute too, which covers writes that neither add a row nor leave an audit event (a re-extraction that only
# removes statements, direct SQL). Positions themselves are never cached.
_CACHE_TTL = 60.0
_CACHE_SIZE = 512
_cache: OrderedDict[tuple, tuple[tuple, float, object]] = OrderedDict()
_cache_lock = threading.Lock()


def _versioned(session: Session, key: tuple, compute):
    full_key = (session.get_bind().url.render_as_string(hide_password=True), *key)
    version = data_version(session)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(full_key)
    if hit and hit[0] == version and now - hit[1] < _CACHE_TTL:
        return hit[2]
    value = compute()
    with _cache_lock:
        _cache[full_key] = (version, now, value)
        _cache.move_to_end(full_key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def data_summary(session: Session) -> DataSummary:
    """First and last statement dates, last ingest time and change dates; cached until the data changes."""
    def compute() -> DataSummary:
        dated = _counted().with_only_columns(Statement.stated_on)
        return DataSummary(
            first_stated_on=session.scalar(dated.order_by(Statement.stated_on.asc()).limit(1)),
            last_stated_on=session.scalar(dated.order_by(Statement.stated_on.desc()).limit(1)),
            last_ingested_at=session.scalar(select(func.max(Article.ingested_at))),
            change_dates=change_dates(session),
        )

    return _versioned(session, ("summary",), compute)


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
        s = TimelineStatement(*row)
        counts = s.stated_on is not None and s.review_status != "dismissed"
        changed = counts and s.stance != prev_stance
        entries.append(TimelineEntry(statement=s, counts=counts, changed=changed, previous=prev_stance))
        if counts:
            prev_stance = s.stance
    return entries


# --- lists -------------------------------------------------------------------------------------------------------

def get_country(session: Session, iso2: str) -> Country | None:
    # Only two ASCII letters reach the database (Postgres refuses a NUL byte in text, for one).
    return session.get(Country, iso2.upper()) if len(iso2) == 2 and iso2.isascii() and iso2.isalpha() else None


def countries(session: Session) -> list[tuple[Country, int]]:
    """Every country with how many (not deleted) statements it has, by name."""
    counts = dict(session.execute(select(Statement.country_iso2, func.count())
                                  .where(Statement.deleted_at.is_(None))
                                  .group_by(Statement.country_iso2)).all())
    return [(c, counts.get(c.iso2, 0)) for c in session.scalars(select(Country).order_by(Country.name))]


def countries_with_statements(session: Session) -> list:
    """(iso2, name) rows of the countries that have at least one statement (the choices of a country filter)."""
    has = select(Statement.country_iso2).where(Statement.deleted_at.is_(None)).distinct()
    # A scan of every statement on Postgres (~25 ms at 100,000): kept until the data changes.
    codes = _versioned(session, ("countries_with_statements",), lambda: set(session.scalars(has)))
    return list(session.execute(select(Country.iso2, Country.name).where(Country.iso2.in_(codes))
                                .order_by(Country.name)))


def statements_page(session: Session, filters: StatementFilters, *, limit: int, offset: int
                    ) -> tuple[list[Statement], int]:
    """One page of matching statements, newest first (undated last), and how many match in all."""
    base = statements_select(filters).order_by(None)
    counts = base.with_only_columns(func.count(), func.count(Statement.stated_on))
    total, dated = _versioned(session, ("count", filters), lambda: tuple(session.execute(counts).one()))
    # Dated and undated rows are read apart: "stated_on DESC NULLS LAST" as one ORDER BY cannot walk the
    # stated_on index on Postgres (its backward scan yields NULLs first) and sorted every row per page.
    loaded = base.options(selectinload(Statement.article), selectinload(Statement.country))
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
    from app.models import User

    return session.get(User, user_id)


def user_by_username(session: Session, username: str):
    from app.models import User

    return session.scalar(select(User).where(User.username == username))


def failed_sign_ins_since(session: Session, since: dt.datetime, *, username: str | None = None,
                          address: str | None = None) -> tuple[int, dt.datetime | None]:
    """How many failed sign-ins for this user name (or from this address) since a time, and the earliest one."""
    from app.models import SignInAttempt as A

    q = select(func.count(), func.min(A.at)).where(A.at >= since)
    q = q.where(A.username == username) if username is not None else q.where(A.address == address)
    count, oldest = session.execute(q).one()
    return count or 0, oldest

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
        in_page = Statement.article_id.in_(wanted)
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
    from app.models import Suggestion

    total = session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == "pending"))
    q = (select(Suggestion).where(Suggestion.status == "pending")
         .options(selectinload(Suggestion.statement).selectinload(Statement.article),
                  selectinload(Suggestion.country))
         .order_by(Suggestion.id).limit(limit))
    if after_id is not None:
        q = q.where(Suggestion.id > after_id)
    return list(session.scalars(q)), total or 0


def suggestion_count(session: Session) -> int:
    from app.models import Suggestion

    return session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == "pending")) or 0


def get_suggestion(session: Session, suggestion_id: int):
    from app.models import Suggestion

    if not 0 < suggestion_id < 2**63:
        return None
    return session.scalar(select(Suggestion).where(Suggestion.id == suggestion_id)
                          .options(selectinload(Suggestion.statement), selectinload(Suggestion.country)))


def suggestions_from_address_since(session: Session, address: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    from app.models import Suggestion

    count, oldest = session.execute(select(func.count(), func.min(Suggestion.created_at))
                                    .where(Suggestion.address == address, Suggestion.created_at >= since)).one()
    return count or 0, oldest
